//! Sentences that a group of finding messages repeats word for word (a
//! warning every secret finding ends with), lifted out so that a report
//! says them once per group instead of once per finding.

/// The sentences of `text`: split after `.`, `!` or `?` followed by a space
/// and a capital letter or digit, so that file names (`a.yml`), versions
/// and abbreviations inside a sentence do not split it.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if !matches!(c, '.' | '!' | '?') || bytes.get(i + 1) != Some(&b' ') {
            continue;
        }
        let next = text[i + 2..].chars().next();
        if next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit()) {
            out.push(text[start..=i].trim());
            start = i + 2;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The first sentence of a message: its headline.
pub fn first_sentence(text: &str) -> &str {
    sentences(text).into_iter().next().unwrap_or("")
}

/// The sentences that every one of at least two messages holds after its
/// first sentence, in the order of the first message. A message's first
/// sentence is its headline and always stays with it.
pub fn shared_sentences<'a>(messages: &[&'a str]) -> Vec<&'a str> {
    let Some((first, rest)) = messages.split_first() else {
        return Vec::new();
    };
    if rest.is_empty() {
        return Vec::new();
    }
    let tails: Vec<Vec<&str>> = rest
        .iter()
        .map(|m| sentences(m).into_iter().skip(1).collect())
        .collect();
    let mut shared: Vec<&'a str> = Vec::new();
    for s in sentences(first).into_iter().skip(1) {
        if tails.iter().all(|t| t.contains(&s)) && !shared.contains(&s) {
            shared.push(s);
        }
    }
    shared
}

/// `message` without the `shared` sentences (its first sentence is kept).
pub fn without_sentences(message: &str, shared: &[&str]) -> String {
    if shared.is_empty() {
        return message.to_owned();
    }
    sentences(message)
        .into_iter()
        .enumerate()
        .filter(|(i, s)| *i == 0 || !shared.contains(s))
        .map(|(_, s)| s)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const WARN: &str = "Deleting the file does not remove it from git history: rotate it.";

    #[test]
    fn splits_between_sentences_only() {
        assert_eq!(
            sentences("Found in rules/a.yml:36. First committed in v1.2 by X. Done"),
            vec![
                "Found in rules/a.yml:36.",
                "First committed in v1.2 by X.",
                "Done"
            ]
        );
        assert_eq!(
            sentences("e.g. this stays whole"),
            vec!["e.g. this stays whole"]
        );
        assert!(sentences("").is_empty());
    }

    #[test]
    fn lifts_what_every_message_repeats() {
        let a = format!("Key found in 1 place. First committed in abc. {WARN}");
        let b = format!("Key found in 2 places. First committed in def. {WARN}");
        let shared = shared_sentences(&[&a, &b]);
        assert_eq!(shared, vec![WARN]);
        assert_eq!(
            without_sentences(&a, &shared),
            "Key found in 1 place. First committed in abc."
        );
        // One message alone, or a sentence some messages lack, stays.
        assert!(shared_sentences(&[&a]).is_empty());
        assert!(shared_sentences(&[&a, &b, "Key found. Other."]).is_empty());
        // A headline repeated word for word is never lifted.
        assert!(shared_sentences(&["Runs as root.", "Runs as root."]).is_empty());
    }
}
