//! Licences: the target's own licence from its licence files and manifest
//! fields, and each dependency's licence expression, parsed with the `spdx`
//! crate in lax mode and sorted into classes a buyer cares about.

use std::fmt;

use serde::{Deserialize, Serialize};
use spdx::{Expression, LicenseItem, LicenseReq, ParseMode};

/// How restrictive a licence is, from a buyer's point of view. Ordered from
/// least to most restrictive; `Unknown` sorts last because it must be read.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenceClass {
    /// MIT, BSD, Apache-2.0, ISC, Zlib, CC0 and the like.
    Permissive,
    /// File- or library-level copyleft: LGPL, MPL, EPL, CDDL.
    WeakCopyleft,
    /// GPL and other licences whose copyleft covers the combined work.
    StrongCopyleft,
    /// Copyleft triggered by offering the software over a network: AGPL,
    /// SSPL, OSL.
    NetworkCopyleft,
    /// Not open source: non-commercial clauses, source-available licences
    /// (BUSL, Elastic), `UNLICENSED` and proprietary references.
    NonCommercial,
    /// No licence recorded, or one we cannot read.
    Unknown,
}

impl LicenceClass {
    /// Every class, in order.
    pub const ALL: [Self; 6] = [
        Self::Permissive,
        Self::WeakCopyleft,
        Self::StrongCopyleft,
        Self::NetworkCopyleft,
        Self::NonCommercial,
        Self::Unknown,
    ];

    /// The kebab-case name used in rule ids and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permissive => "permissive",
            Self::WeakCopyleft => "weak-copyleft",
            Self::StrongCopyleft => "strong-copyleft",
            Self::NetworkCopyleft => "network-copyleft",
            Self::NonCommercial => "non-commercial",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for LicenceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const NETWORK: &[&str] = &["AGPL-", "SSPL-", "OSL-", "RPL-", "CPAL-"];
const STRONG: &[&str] = &["GPL-", "EUPL-", "CC-BY-SA-", "Sleepycat", "QPL-"];
const WEAK: &[&str] = &[
    "LGPL-",
    "MPL-",
    "EPL-",
    "CDDL-",
    "CPL-",
    "MS-RL",
    "APSL-",
    "Artistic-1",
    "CECILL-C",
    "ErlPL-",
    "IPL-",
    "SPL-",
];
const NON_COMMERCIAL: &[&str] = &[
    "BUSL-",
    "Elastic-",
    "CC-BY-NC",
    "PolyForm-Noncommercial",
    "PolyForm-Small-Business",
    "Commons-Clause",
    "SSPL-",
];

fn class_of_id(name: &str) -> LicenceClass {
    let starts = |list: &[&str]| list.iter().any(|p| name.starts_with(p));
    if starts(NETWORK) {
        LicenceClass::NetworkCopyleft
    } else if starts(NON_COMMERCIAL) {
        LicenceClass::NonCommercial
    } else if starts(WEAK) {
        LicenceClass::WeakCopyleft
    } else if starts(STRONG) {
        LicenceClass::StrongCopyleft
    } else {
        LicenceClass::Permissive
    }
}

fn class_of_req(req: &LicenseReq) -> LicenceClass {
    let base = match &req.license {
        LicenseItem::Spdx { id, .. } => {
            if id.is_copyleft() || id.is_osi_approved() || id.is_fsf_free_libre() {
                class_of_id(id.name)
            } else {
                match class_of_id(id.name) {
                    // Known to SPDX but neither free nor copyleft: read it.
                    LicenceClass::Permissive if !is_public_domain_like(id.name) => {
                        LicenceClass::Unknown
                    }
                    other => other,
                }
            }
        }
        LicenseItem::Other(r) => {
            let lower = r.to_string().to_ascii_lowercase();
            if lower.contains("proprietary") || lower.contains("commercial") {
                LicenceClass::NonCommercial
            } else {
                LicenceClass::Unknown
            }
        }
    };
    // `Commons Clause` and similar additions turn any base into
    // non-commercial; exceptions such as `Classpath-exception` only relax.
    match &req.addition {
        Some(add) if add.to_string().contains("Commons") => LicenceClass::NonCommercial,
        Some(_) if base == LicenceClass::StrongCopyleft => LicenceClass::WeakCopyleft,
        _ => base,
    }
}

fn is_public_domain_like(name: &str) -> bool {
    matches!(
        name,
        "CC0-1.0" | "Unlicense" | "0BSD" | "WTFPL" | "BSL-1.0" | "Zlib" | "CC-BY-4.0" | "CC-BY-3.0"
    )
}

/// A licence expression read from a manifest, lockfile or licence file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Licence {
    /// The text as recorded.
    pub raw: String,
    /// The canonical SPDX expression, when it parses.
    pub spdx: Option<String>,
    /// The class. For `A OR B` the licensee may choose, so the least
    /// restrictive alternative counts; for `A AND B` the most restrictive.
    pub class: LicenceClass,
}

/// Parses and classifies a licence field. npm's `UNLICENSED` and
/// `SEE LICENSE IN <file>` mean proprietary and unknown respectively.
pub fn classify(raw: &str) -> Licence {
    let trimmed = raw.trim().trim_matches(|c| c == '(' || c == ')');
    let make = |spdx: Option<String>, class| Licence {
        raw: raw.to_owned(),
        spdx,
        class,
    };
    if trimmed.is_empty() {
        return make(None, LicenceClass::Unknown);
    }
    let upper = trimmed.to_ascii_uppercase();
    if upper == "UNLICENSED" || upper == "PROPRIETARY" || upper.contains("ALL RIGHTS RESERVED") {
        return make(None, LicenceClass::NonCommercial);
    }
    if upper.starts_with("SEE LICENSE") || upper == "UNKNOWN" || upper == "NONE" {
        return make(None, LicenceClass::Unknown);
    }
    let canonical = Expression::canonicalize(raw.trim())
        .ok()
        .map(|c| c.unwrap_or_else(|| raw.trim().to_owned()));
    let Some(expr) = canonical
        .as_deref()
        .and_then(|c| Expression::parse_mode(c, ParseMode::LAX).ok())
    else {
        return make(None, LicenceClass::Unknown);
    };
    // The least restrictive class that some choice of alternatives meets.
    let class = LicenceClass::ALL
        .into_iter()
        .find(|limit| expr.evaluate(|req| class_of_req(req) <= *limit))
        .unwrap_or(LicenceClass::Unknown);
    make(canonical, class)
}

/// Recognises a licence file's text by the phrases each common licence
/// carries; returns an SPDX id. Order matters: AGPL and LGPL texts also
/// mention the GPL.
pub fn identify_text(text: &str) -> Option<&'static str> {
    let t: String = text
        .chars()
        .take(20_000)
        .map(|c| {
            if c.is_whitespace() {
                ' '
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let t = t
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let has = |p: &str| t.contains(p);
    Some(if has("gnu affero general public license") {
        "AGPL-3.0"
    } else if has("server side public license") {
        "SSPL-1.0"
    } else if has("business source license") {
        "BUSL-1.1"
    } else if has("elastic license 2.0") || has("elastic license version 2.0") {
        "Elastic-2.0"
    } else if has("polyform noncommercial") {
        "PolyForm-Noncommercial-1.0.0"
    } else if has("gnu lesser general public license") {
        if has("version 2.1") {
            "LGPL-2.1"
        } else {
            "LGPL-3.0"
        }
    } else if has("gnu general public license") {
        if has("version 3") {
            "GPL-3.0"
        } else {
            "GPL-2.0"
        }
    } else if has("mozilla public license version 2.0")
        || has("mozilla public license, version 2.0")
    {
        "MPL-2.0"
    } else if has("eclipse public license - v 2.0") || has("eclipse public license v2.0") {
        "EPL-2.0"
    } else if has("apache license") && has("version 2.0") {
        "Apache-2.0"
    } else if has("permission is hereby granted, free of charge") {
        "MIT"
    } else if has("redistribution and use in source and binary forms") {
        if has("neither the name") || has("names of its contributors") {
            "BSD-3-Clause"
        } else {
            "BSD-2-Clause"
        }
    } else if has("permission to use, copy, modify, and/or distribute this software") {
        "ISC"
    } else if has("this is free and unencumbered software released into the public domain") {
        "Unlicense"
    } else if has("boost software license") {
        "BSL-1.0"
    } else if has("creative commons legal code cc0") || has("cc0 1.0 universal") {
        "CC0-1.0"
    } else if has("this software is provided 'as-is'") && has("altered source versions") {
        "Zlib"
    } else {
        return None;
    })
}

/// Whether a root-level file name is a licence file (`LICENSE`,
/// `LICENSE-MIT`, `COPYING.txt`, `LICENCE.md`).
pub fn is_licence_file(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING", "UNLICENSE"]
        .iter()
        .any(|p| upper.starts_with(p))
}

/// Combines licences found in several files of one project. Two licence
/// files side by side (`LICENSE-MIT`, `LICENSE-APACHE`) are the usual way to
/// offer a choice, so they are joined with `OR`.
pub fn combine(ids: &[String]) -> Option<String> {
    let mut ids: Vec<&String> = ids.iter().collect();
    ids.sort();
    ids.dedup();
    match ids.len() {
        0 => None,
        1 => Some(ids[0].clone()),
        _ => Some(
            ids.iter()
                .map(|s| {
                    if s.contains(' ') {
                        format!("({s})")
                    } else {
                        (*s).clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let c = |s| classify(s).class;
        assert_eq!(c("MIT"), LicenceClass::Permissive);
        assert_eq!(c("MIT/Apache-2.0"), LicenceClass::Permissive);
        assert_eq!(c("Apache 2.0"), LicenceClass::Permissive);
        assert_eq!(c("GPL-3.0-or-later"), LicenceClass::StrongCopyleft);
        assert_eq!(c("GPL-2.0+"), LicenceClass::StrongCopyleft);
        assert_eq!(c("MIT OR GPL-3.0"), LicenceClass::Permissive);
        assert_eq!(c("MIT AND GPL-3.0"), LicenceClass::StrongCopyleft);
        assert_eq!(c("LGPL-2.1"), LicenceClass::WeakCopyleft);
        assert_eq!(c("MPL-2.0"), LicenceClass::WeakCopyleft);
        assert_eq!(c("AGPL-3.0-only"), LicenceClass::NetworkCopyleft);
        assert_eq!(c("SSPL-1.0"), LicenceClass::NetworkCopyleft);
        assert_eq!(c("BUSL-1.1"), LicenceClass::NonCommercial);
        assert_eq!(c("UNLICENSED"), LicenceClass::NonCommercial);
        assert_eq!(c("SEE LICENSE IN LICENSE.txt"), LicenceClass::Unknown);
        assert_eq!(c("some words"), LicenceClass::Unknown);
        assert_eq!(c(""), LicenceClass::Unknown);
        assert_eq!(c("CC0-1.0"), LicenceClass::Permissive);
        assert_eq!(
            c("GPL-2.0-only WITH Classpath-exception-2.0"),
            LicenceClass::WeakCopyleft
        );
        assert_eq!(classify("Apache 2.0").spdx.as_deref(), Some("Apache-2.0"));
    }

    #[test]
    fn licence_texts() {
        assert_eq!(
            identify_text(
                "MIT License\n\nPermission is hereby granted, free of charge, to any person"
            ),
            Some("MIT")
        );
        assert_eq!(
            identify_text(
                "                    GNU AFFERO GENERAL PUBLIC LICENSE\n Version 3, 19 November 2007\n GNU General Public License"
            ),
            Some("AGPL-3.0")
        );
        assert_eq!(
            identify_text("Apache License\n  Version 2.0, January 2004"),
            Some("Apache-2.0")
        );
        assert_eq!(identify_text("Copyright Acme. All rights reserved."), None);
        assert!(
            is_licence_file("LICENSE-MIT")
                && is_licence_file("COPYING")
                && !is_licence_file("README")
        );
        assert_eq!(
            combine(&["MIT".into(), "Apache-2.0".into()]).as_deref(),
            Some("Apache-2.0 OR MIT")
        );
    }
}
