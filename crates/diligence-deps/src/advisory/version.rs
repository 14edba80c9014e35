//! Version ordering per ecosystem, as OSV range evaluation needs it.
//!
//! OSV `SEMVER` ranges order by SemVer 2.0 precedence; `ECOSYSTEM` ranges
//! order by the ecosystem's own rules: PEP 440 for PyPI (epochs, pre, post,
//! dev and local segments), npm's semver for npm, Go's semver with the `v`
//! stripped (pseudo-versions are pre-releases, `+incompatible` is build
//! metadata), Cargo's semver for crates.io. Other ecosystems fall back to a
//! dotted comparison that reads digit runs as numbers.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::package::Ecosystem;

/// A parsed version, comparable only with versions of the same kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    /// SemVer 2.0 (Cargo, Go, and `SEMVER` ranges).
    Semver(semver::Version),
    /// npm's semver.
    Npm(nodejs_semver::Version),
    /// PEP 440.
    Pep440(pep440_rs::Version),
    /// Anything else: dotted, digit runs compared as numbers.
    Generic(String),
}

/// Which ordering a range uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Scheme {
    Semver,
    Npm,
    Pep440,
    Generic,
}

impl Scheme {
    /// The ordering of an `ECOSYSTEM` range in `ecosystem`.
    pub(crate) fn for_ecosystem(ecosystem: Ecosystem) -> Self {
        match ecosystem {
            Ecosystem::CratesIo | Ecosystem::Go => Self::Semver,
            Ecosystem::Npm => Self::Npm,
            Ecosystem::PyPi => Self::Pep440,
            _ => Self::Generic,
        }
    }

    /// The ordering of a `SEMVER` range read for `ecosystem`: SemVer
    /// precedence, through npm's parser for npm (it accepts the looser forms
    /// npm writes) and Cargo's elsewhere.
    pub(crate) fn semver_for(ecosystem: Ecosystem) -> Self {
        match ecosystem {
            Ecosystem::Npm => Self::Npm,
            _ => Self::Semver,
        }
    }

    /// Parses `text` in this scheme; `None` when it is not a version here.
    pub(crate) fn parse(self, text: &str) -> Option<Version> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match self {
            Self::Semver => parse_semver(text).map(Version::Semver),
            Self::Npm => nodejs_semver::Version::parse(text).ok().map(Version::Npm),
            Self::Pep440 => pep440_rs::Version::from_str(text).ok().map(Version::Pep440),
            Self::Generic => Some(Version::Generic(text.to_owned())),
        }
    }
}

/// SemVer with a leading `v` (Go) or `=` tolerated.
fn parse_semver(text: &str) -> Option<semver::Version> {
    let text = text
        .strip_prefix('v')
        .or_else(|| text.strip_prefix('='))
        .unwrap_or(text);
    semver::Version::parse(text).ok()
}

impl Version {
    /// Compares two versions of the same scheme; `None` across schemes.
    pub(crate) fn compare(&self, other: &Self) -> Option<Ordering> {
        Some(match (self, other) {
            // NOTE: semver's `Ord` breaks ties on build metadata; OSV and Go
            // ignore it for precedence (`v2.0.0+incompatible` == `v2.0.0`).
            (Self::Semver(a), Self::Semver(b)) => (a.major, a.minor, a.patch)
                .cmp(&(b.major, b.minor, b.patch))
                .then_with(|| a.pre.cmp(&b.pre)),
            (Self::Npm(a), Self::Npm(b)) => a.cmp(b),
            (Self::Pep440(a), Self::Pep440(b)) => a.cmp(b),
            (Self::Generic(a), Self::Generic(b)) => generic_cmp(a, b),
            _ => return None,
        })
    }
}

/// Dotted comparison: digit runs compare as numbers, other runs as text, a
/// missing part is lower than a present one.
pub(crate) fn generic_cmp(a: &str, b: &str) -> Ordering {
    let mut xs = tokens(a);
    let mut ys = tokens(b);
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u128>(), y.parse::<u128>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Greater,
                    (Err(_), Ok(_)) => Ordering::Less,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

fn tokens(s: &str) -> impl Iterator<Item = &str> {
    let bytes = s.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start < bytes.len() && !bytes[start].is_ascii_alphanumeric() {
            start += 1;
        }
        if start >= bytes.len() {
            return None;
        }
        let digit = bytes[start].is_ascii_digit();
        let begin = start;
        while start < bytes.len()
            && bytes[start].is_ascii_alphanumeric()
            && bytes[start].is_ascii_digit() == digit
        {
            start += 1;
        }
        s.get(begin..start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
        scheme.parse(a)?.compare(&scheme.parse(b)?)
    }

    #[test]
    fn pep440_orders_epochs_pre_post_dev_local() {
        let s = Scheme::Pep440;
        assert_eq!(cmp(s, "1!0.1", "2.0"), Some(Ordering::Greater));
        assert_eq!(cmp(s, "2.0rc1", "2.0"), Some(Ordering::Less));
        assert_eq!(cmp(s, "2.0.dev1", "2.0a1"), Some(Ordering::Less));
        assert_eq!(cmp(s, "2.0.post1", "2.0"), Some(Ordering::Greater));
        assert_eq!(cmp(s, "2.0+local", "2.0"), Some(Ordering::Greater));
        assert_eq!(cmp(s, "2.0", "2.0.0"), Some(Ordering::Equal));
        assert_eq!(cmp(s, "0.12.01", "0.12.1"), Some(Ordering::Equal));
    }

    #[test]
    fn go_pseudo_versions_and_incompatible() {
        let s = Scheme::Semver;
        assert_eq!(
            cmp(s, "v0.0.0-20200101000000-abcdefabcdef", "0.0.1"),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp(s, "v0.17.0", "v0.17.1-0.20230101000000-abcdefabcdef"),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp(s, "v2.0.0+incompatible", "2.0.0"),
            Some(Ordering::Equal)
        );
        assert_eq!(
            cmp(s, "v2.1.0+incompatible", "2.0.9"),
            Some(Ordering::Greater)
        );
        assert_eq!(s.parse("v1.2"), None);
    }

    #[test]
    fn npm_prereleases_order_below_release() {
        let s = Scheme::Npm;
        assert_eq!(
            cmp(s, "1.0.0-beta.2", "1.0.0-beta.11"),
            Some(Ordering::Less)
        );
        assert_eq!(cmp(s, "1.0.0-rc.1", "1.0.0"), Some(Ordering::Less));
        assert_eq!(cmp(s, "v1.0.1", "1.0.0"), Some(Ordering::Greater));
    }

    #[test]
    fn generic_compares_numbers_numerically() {
        assert_eq!(generic_cmp("1.10.0", "1.9.0"), Ordering::Greater);
        assert_eq!(generic_cmp("1.0", "1.0.1"), Ordering::Less);
        assert_eq!(generic_cmp("2.0.0.Final", "2.0.0.Final"), Ordering::Equal);
    }

    #[test]
    fn schemes_do_not_compare_across() {
        let a = Scheme::Npm.parse("1.0.0");
        let b = Scheme::Semver.parse("1.0.0");
        assert_eq!(a.zip(b).and_then(|(a, b)| a.compare(&b)), None);
    }
}
