//! What the project's README says it is: a plain statement that it is a
//! deliberately vulnerable or training application is a fact for the
//! reader of the report (never an input to the verdict).

/// Phrases that declare a project insecure on purpose (lowercase).
const DECLARATIONS: &[&str] = &[
    "intentionally vulnerable",
    "deliberately vulnerable",
    "purposely vulnerable",
    "purposefully vulnerable",
    "intentionally insecure",
    "deliberately insecure",
    "purposely insecure",
    "vulnerable by design",
    "insecure by design",
    "damn vulnerable",
    "intentionally contains vulnerabilities",
    "deliberately contains vulnerabilities",
    "contains intentional vulnerabilities",
    "contains deliberate vulnerabilities",
    "intentional security vulnerabilities",
    "deliberate security flaws",
    "intentionally flawed",
    "purposely flawed",
];

/// The README files looked at: at the root, any common extension.
pub fn is_root_readme(path: &str) -> bool {
    !path.contains('/') && {
        let lower = path.to_ascii_lowercase();
        lower == "readme" || lower.starts_with("readme.")
    }
}

/// The sentence of `text` that declares the project deliberately
/// vulnerable, trimmed to 240 characters; `None` when none does.
pub fn vulnerable_by_design(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let at = DECLARATIONS.iter().filter_map(|d| lower.find(d)).min()?;
    // The sentence around the match: back to the previous sentence end or
    // blank line, forward to the next.
    let bytes = lower.as_bytes();
    let mut start = at;
    while start > 0 && !matches!(bytes[start - 1], b'.' | b'!' | b'?' | b'\n' | b'#') {
        start -= 1;
    }
    let mut end = at;
    while end < bytes.len() && !matches!(bytes[end], b'.' | b'!' | b'?' | b'\n') {
        end += 1;
    }
    // `lower` and `text` can differ in length for a few characters; cut on
    // the original at the nearest boundaries.
    let (start, end) = if lower.len() == text.len() {
        (start, (end + 1).min(text.len()))
    } else {
        (0, text.len().min(240))
    };
    let mut sentence: String = text
        .get(start..end)
        .unwrap_or_default()
        .trim()
        .trim_start_matches(['*', '_', '>', '-', ' '])
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if sentence.chars().count() > 240 {
        sentence = sentence.chars().take(239).collect::<String>() + "…";
    }
    Some(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_both_sides() {
        for (text, expected) in [
            (
                "# Shop\n\nAn intentionally vulnerable web application for security training. Do not deploy it.\n",
                "An intentionally vulnerable web application for security training.",
            ),
            (
                "Damn Vulnerable API: learn to attack APIs.\n",
                "Damn Vulnerable API: learn to attack APIs.",
            ),
            (
                "WARNING: this app is *insecure by design*!\n",
                "WARNING: this app is *insecure by design*!",
            ),
        ] {
            assert_eq!(
                vulnerable_by_design(text).as_deref(),
                Some(expected),
                "{text}"
            );
        }
        for text in [
            "# Shop\n\nAn online shop. We fix vulnerable dependencies within a day.\n",
            "Report vulnerabilities to security@example.com.\n",
            "This release removes an insecure default.\n",
            "",
        ] {
            assert_eq!(vulnerable_by_design(text), None, "{text}");
        }
    }

    #[test]
    fn only_root_readmes() {
        assert!(is_root_readme("README.md"));
        assert!(is_root_readme("readme.rst"));
        assert!(is_root_readme("README"));
        assert!(!is_root_readme("docs/README.md"));
        assert!(!is_root_readme("READMEFIRST.txt"));
    }
}
