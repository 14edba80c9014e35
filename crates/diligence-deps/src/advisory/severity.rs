//! Severity from CVSS vectors and from databases' own ratings.

use std::str::FromStr;

use diligence_model::Severity;

/// A rating read from an advisory: the vector when there is one, its base
/// score in tenths, and the severity it maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rating {
    pub(crate) severity: Severity,
    pub(crate) vector: Option<String>,
    pub(crate) score_tenths: Option<u32>,
}

/// Severity when a database gives no rating at all. An unrated
/// vulnerability is neither dismissed nor inflated; the match then carries
/// no vector and no score, so a reader can tell.
pub(crate) const UNRATED: Severity = Severity::Medium;

/// Scores a CVSS v3.0, v3.1 or v4.0 base vector (v2 is not read).
pub(crate) fn from_vector(vector: &str) -> Option<Rating> {
    let parsed = cvss::Cvss::from_str(vector.trim()).ok()?;
    let score = parsed.score();
    if !score.is_finite() || !(0.0..=10.0).contains(&score) {
        return None;
    }
    // NOTE: scores have one decimal; rounding the tenths removes float noise.
    let tenths = (score * 10.0).round() as u32;
    Some(Rating {
        severity: from_tenths(tenths),
        vector: Some(vector.trim().to_owned()),
        score_tenths: Some(tenths),
    })
}

/// The CVSS qualitative scale (None 0.0, Low 0.1–3.9, Medium 4.0–6.9,
/// High 7.0–8.9, Critical 9.0–10.0); "None" maps to `Info`.
pub(crate) fn from_tenths(tenths: u32) -> Severity {
    match tenths {
        0 => Severity::Info,
        1..=39 => Severity::Low,
        40..=69 => Severity::Medium,
        70..=89 => Severity::High,
        _ => Severity::Critical,
    }
}

/// A database's own word (`LOW`, `MODERATE`, `HIGH`, `CRITICAL`, ...).
pub(crate) fn from_label(label: &str) -> Option<Severity> {
    Some(match label.trim().to_ascii_lowercase().as_str() {
        "none" | "info" | "informational" => Severity::Info,
        "low" => Severity::Low,
        "moderate" | "medium" => Severity::Medium,
        "high" | "important" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_vectors_score_per_the_specification() {
        let r = from_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect("valid");
        assert_eq!(r.score_tenths, Some(98));
        assert_eq!(r.severity, Severity::Critical);
        let r = from_vector("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N").expect("valid");
        assert_eq!(r.score_tenths, Some(65));
        assert_eq!(r.severity, Severity::Medium);
        let r = from_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H").expect("valid");
        assert_eq!(r.score_tenths, Some(100));
        let r = from_vector("CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L").expect("valid");
        assert_eq!(r.severity, Severity::Low);
    }

    #[test]
    fn v4_vectors_score() {
        let r = from_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
            .expect("valid");
        assert_eq!(r.score_tenths, Some(93));
        assert_eq!(r.severity, Severity::Critical);
    }

    #[test]
    fn bad_vectors_and_v2_give_none() {
        assert_eq!(from_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
        assert_eq!(from_vector("CVSS:3.1/AV:X"), None);
        assert_eq!(from_vector(""), None);
    }

    #[test]
    fn labels() {
        assert_eq!(from_label("MODERATE"), Some(Severity::Medium));
        assert_eq!(from_label("Critical"), Some(Severity::Critical));
        assert_eq!(from_label("whatever"), None);
    }
}
