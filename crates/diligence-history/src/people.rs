//! People behind the commits: author identities merged into persons, and
//! automation (dependency updaters, CI, release and coding-agent bots, app
//! builders) told apart from people.
//!
//! Identities are `Name <email>` pairs after `.mailmap`. They are merged
//! transitively (union-find), in this order: the consultant's merges from an
//! identity file, then an identical e-mail address, then an identical
//! normalised name where the addresses share a company domain or one is a
//! GitHub noreply address, then a login used as a name that is the user
//! part of another identity's address. Shared or meaningless addresses
//! (`noreply@github.com`, `root@localhost`, example and local domains) never
//! merge anything, and neither do generic names ("root", "Your Name").
//! Every merge is recorded with its reason so the report can show it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// What kind of automation made a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum AutomationKind {
    /// Dependency updaters (Dependabot, Renovate …).
    DependencyUpdates,
    /// CI and merge queues (GitHub Actions, Mergify, bors …).
    Ci,
    /// Release tooling (semantic-release, release-please, changesets …).
    Release,
    /// Translation platforms (Weblate, Crowdin …).
    Translation,
    /// Coding agents that open their own commits (Copilot coding agent,
    /// Devin, Jules, Codex, Cursor's background agent …).
    CodingAgent,
    /// AI app builders (Lovable, Bolt, v0, Replit Agent …).
    AppBuilder,
    /// A bot by its name or address, or named in the identity file.
    Other,
}

impl AutomationKind {
    /// Words for the report.
    pub fn label(self) -> &'static str {
        match self {
            Self::DependencyUpdates => "dependency updates",
            Self::Ci => "CI",
            Self::Release => "release automation",
            Self::Translation => "translation platform",
            Self::CodingAgent => "coding agent",
            Self::AppBuilder => "app builder",
            Self::Other => "bot",
        }
    }
}

/// Well-known automation accounts, by normalised login or name (lowercase,
/// `[bot]` and punctuation removed).
const KNOWN: &[(&str, AutomationKind)] = &[
    ("dependabot", AutomationKind::DependencyUpdates),
    ("dependabot preview", AutomationKind::DependencyUpdates),
    ("renovate", AutomationKind::DependencyUpdates),
    ("renovate bot", AutomationKind::DependencyUpdates),
    ("renovatebot", AutomationKind::DependencyUpdates),
    ("whitesource renovate", AutomationKind::DependencyUpdates),
    ("mend renovate", AutomationKind::DependencyUpdates),
    ("greenkeeper", AutomationKind::DependencyUpdates),
    ("greenkeeperio bot", AutomationKind::DependencyUpdates),
    ("snyk bot", AutomationKind::DependencyUpdates),
    ("pyup bot", AutomationKind::DependencyUpdates),
    ("depfu", AutomationKind::DependencyUpdates),
    ("scala steward", AutomationKind::DependencyUpdates),
    ("pre commit ci", AutomationKind::DependencyUpdates),
    ("imgbot", AutomationKind::DependencyUpdates),
    ("allcontributors", AutomationKind::Ci),
    ("all contributors", AutomationKind::Ci),
    ("github actions", AutomationKind::Ci),
    ("github action", AutomationKind::Ci),
    ("actions user", AutomationKind::Ci),
    ("gitlab ci", AutomationKind::Ci),
    ("travis ci", AutomationKind::Ci),
    ("travis", AutomationKind::Ci),
    ("circleci", AutomationKind::Ci),
    ("jenkins", AutomationKind::Ci),
    ("buildkite", AutomationKind::Ci),
    ("azure pipelines", AutomationKind::Ci),
    ("mergify", AutomationKind::Ci),
    ("bors", AutomationKind::Ci),
    ("kodiakhq", AutomationKind::Ci),
    ("codecov", AutomationKind::Ci),
    ("autofix ci", AutomationKind::Ci),
    ("deepsource autofix", AutomationKind::Ci),
    ("semantic release bot", AutomationKind::Release),
    ("release please", AutomationKind::Release),
    ("changeset bot", AutomationKind::Release),
    ("changesets", AutomationKind::Release),
    ("goreleaserbot", AutomationKind::Release),
    ("release bot", AutomationKind::Release),
    ("weblate", AutomationKind::Translation),
    ("hosted weblate", AutomationKind::Translation),
    ("crowdin bot", AutomationKind::Translation),
    ("transifex", AutomationKind::Translation),
    ("copilot", AutomationKind::CodingAgent),
    ("copilot swe agent", AutomationKind::CodingAgent),
    ("devin ai integration", AutomationKind::CodingAgent),
    ("claude", AutomationKind::CodingAgent),
    ("cursor agent", AutomationKind::CodingAgent),
    ("cursoragent", AutomationKind::CodingAgent),
    ("google labs jules", AutomationKind::CodingAgent),
    ("jules", AutomationKind::CodingAgent),
    ("chatgpt codex connector", AutomationKind::CodingAgent),
    ("codex", AutomationKind::CodingAgent),
    ("openhands", AutomationKind::CodingAgent),
    ("openhands agent", AutomationKind::CodingAgent),
    ("sweep ai", AutomationKind::CodingAgent),
    ("codegen sh", AutomationKind::CodingAgent),
    ("amazon q developer", AutomationKind::CodingAgent),
    ("gemini code assist", AutomationKind::CodingAgent),
    ("gpt engineer app", AutomationKind::AppBuilder),
    ("lovable dev", AutomationKind::AppBuilder),
    ("lovable", AutomationKind::AppBuilder),
    ("v0", AutomationKind::AppBuilder),
    ("v0 dev", AutomationKind::AppBuilder),
    ("bolt new", AutomationKind::AppBuilder),
    ("replit agent", AutomationKind::AppBuilder),
    ("replit", AutomationKind::AppBuilder),
];

/// Known account names that a person could carry as a name.
const AMBIGUOUS: &[&str] = &[
    "claude",
    "jules",
    "copilot",
    "codex",
    "travis",
    "jenkins",
    "lovable",
    "replit",
    "bors",
    "v0",
    "depfu",
    "changesets",
    "transifex",
    "weblate",
    "buildkite",
    "openhands",
];

/// Well-known automation addresses (whole address, lowercase).
const KNOWN_EMAILS: &[(&str, AutomationKind)] = &[
    ("support@dependabot.com", AutomationKind::DependencyUpdates),
    ("bot@renovateapp.com", AutomationKind::DependencyUpdates),
    ("github-actions@github.com", AutomationKind::Ci),
    ("action@github.com", AutomationKind::Ci),
    ("actions@github.com", AutomationKind::Ci),
    ("noreply@weblate.org", AutomationKind::Translation),
    ("hosted@weblate.org", AutomationKind::Translation),
    ("noreply@anthropic.com", AutomationKind::CodingAgent),
    ("cursoragent@cursor.com", AutomationKind::CodingAgent),
];

/// Lowercase, punctuation and `[bot]` removed, words joined by one space.
pub fn normalise_name(name: &str) -> String {
    let lower = name.to_lowercase().replace("[bot]", " ");
    lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The login of a GitHub noreply address (`12345+login@users.noreply.github.com`
/// or `login@users.noreply.github.com`).
pub fn github_noreply_login(email: &str) -> Option<&str> {
    let (local, domain) = email.rsplit_once('@')?;
    if !domain.eq_ignore_ascii_case("users.noreply.github.com") {
        return None;
    }
    Some(local.rsplit_once('+').map_or(local, |(_, login)| login))
}

/// Whether an identity is automation, and which kind.
pub fn automation(name: &str, email: &str) -> Option<AutomationKind> {
    let email = email.trim().to_lowercase();
    if let Some(&(_, kind)) = KNOWN_EMAILS.iter().find(|(e, _)| *e == email) {
        return Some(kind);
    }
    let login = github_noreply_login(&email);
    let known = |text: &str| {
        let key = normalise_name(text);
        KNOWN
            .iter()
            .find(|(k, _)| *k == key)
            .map(|&(k, kind)| (k, kind))
    };
    let local = email.split('@').next().unwrap_or("");
    let bot_word = |text: &str| {
        let words: Vec<&str> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        words.len() >= 2 && matches!(words.last(), Some(&"bot" | &"bots")) || words == ["bot"]
    };
    let marked = name.contains("[bot]")
        || email.contains("[bot]")
        || bot_word(&name.to_lowercase())
        || bot_word(local);
    if let Some((_, kind)) = login.and_then(known) {
        return Some(kind);
    }
    // A known account by its name: distinctive names alone, names a person
    // could carry ("Claude", "Jules", "Travis") only with a bot marker or an
    // address that is no one's.
    if let Some((key, kind)) = known(name)
        && (!AMBIGUOUS.contains(&key)
            || marked
            || login.is_some()
            || email.is_empty()
            || is_meaningless_email(&email))
    {
        return Some(kind);
    }
    if marked {
        return Some(AutomationKind::Other);
    }
    None
}

/// Domains of free mail providers: a shared domain there says nothing about
/// two addresses belonging to one person.
const WEBMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "protonmail.com",
    "proton.me",
    "pm.me",
    "gmx.de",
    "gmx.net",
    "gmx.com",
    "web.de",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "qq.com",
    "163.com",
    "126.com",
    "fastmail.com",
    "hey.com",
    "zoho.com",
    "users.noreply.github.com",
];

/// Whether an address is shared or meaningless, so that it must never join
/// two identities: GitHub's web committer, local and example domains,
/// placeholder and role addresses.
pub fn is_meaningless_email(email: &str) -> bool {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return true;
    };
    if local.is_empty() || domain.is_empty() || !domain.contains('.') {
        return true;
    }
    const LOCALS: &[&str] = &[
        "root",
        "noreply",
        "no-reply",
        "nobody",
        "none",
        "unknown",
        "user",
        "admin",
        "git",
        "you",
        "your.email",
        "email",
        "test",
        "invalid",
    ];
    const DOMAINS: &[&str] = &[
        "example.com",
        "example.org",
        "example.net",
        "localhost",
        "localhost.localdomain",
        "github.com",
        "none.com",
        "domain.com",
        "email.com",
        "test.com",
    ];
    const SUFFIXES: &[&str] = &[
        ".example",
        ".invalid",
        ".local",
        ".localdomain",
        ".localhost",
        ".lan",
        ".internal",
        ".test",
    ];
    LOCALS.contains(&local)
        || DOMAINS.contains(&domain)
        || SUFFIXES.iter().any(|s| domain.ends_with(s))
}

/// User parts of addresses that name a role, not a person.
const ROLE_LOCALS: &[&str] = &[
    "admin",
    "info",
    "contact",
    "hello",
    "support",
    "dev",
    "developer",
    "team",
    "office",
    "mail",
    "sales",
    "billing",
    "security",
    "noreply",
    "no-reply",
    "webmaster",
    "postmaster",
    "github",
];

/// Names that say nothing about who someone is.
fn is_generic_name(key: &str) -> bool {
    const GENERIC: &[&str] = &[
        "root",
        "admin",
        "administrator",
        "user",
        "ubuntu",
        "unknown",
        "your name",
        "name",
        "dev",
        "developer",
        "test",
        "git",
        "github",
        "me",
        "local",
        "build",
        "ci",
        "runner",
    ];
    key.chars().count() < 3 || GENERIC.contains(&key)
}

fn domain_of(email: &str) -> Option<String> {
    email.trim().rsplit_once('@').map(|(_, d)| d.to_lowercase())
}

/// A consultant's identity file: extra merges and extra bots.
///
/// ```toml
/// # Each group is one person: entries are `Name <email>`, an e-mail or a name.
/// merge = [["Alice Smith <alice@corp.io>", "asmith@contractor.io"]]
/// # Accounts that are automation, not people (same forms).
/// bots = ["deploy@corp.io", "Release Train"]
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Groups of identities that are one person.
    #[serde(default)]
    pub merge: Vec<Vec<String>>,
    /// Identities that are automation.
    #[serde(default)]
    pub bots: Vec<String>,
}

impl IdentityConfig {
    /// Parses an identity file.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        toml::from_str(text).map_err(|source| Error::IdentityFile {
            path: path.to_owned(),
            message: source.to_string(),
        })
    }

    /// Reads and parses an identity file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::IdentityFile {
            path: path.to_owned(),
            message: source.to_string(),
        })?;
        Self::parse(&text, path)
    }
}

/// Whether a config entry (`Name <email>`, an e-mail or a name) names an
/// identity.
fn entry_matches(entry: &str, name: &str, email: &str) -> bool {
    let entry = entry.trim();
    if let Some((n, rest)) = entry.split_once('<') {
        let e = rest.trim_end_matches('>').trim();
        return n.trim() == name && e.eq_ignore_ascii_case(email);
    }
    if entry.contains('@') {
        return entry.eq_ignore_ascii_case(email);
    }
    normalise_name(entry) == normalise_name(name)
}

/// Why two identities were joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MergeReason {
    /// The identity file says so.
    IdentityFile,
    /// The same e-mail address.
    SameEmail,
    /// The same name, with addresses at one company domain.
    SameNameAndDomain,
    /// The same name, one address a GitHub noreply address.
    SameNameGitHubNoreply,
    /// A one-word name (a login) that is the user part of the other
    /// identity's address.
    LoginIsAddress,
}

impl MergeReason {
    /// Words for the report.
    pub fn label(self) -> &'static str {
        match self {
            Self::IdentityFile => "named in the identity file",
            Self::SameEmail => "same e-mail address",
            Self::SameNameAndDomain => "same name, same company domain",
            Self::SameNameGitHubNoreply => "same name, GitHub noreply address",
            Self::LoginIsAddress => "the name is the user part of the other's address",
        }
    }
}

/// One person (or one automation account) behind one or more identities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The display name: the name of the identity with the most commits.
    pub name: String,
    /// That identity, `Name <email>`: a unique key for the person.
    pub key: String,
    /// Identities (`Name <email>`), sorted.
    pub identities: Vec<String>,
    /// Automation kind, when this is not a person.
    pub automation: Option<AutomationKind>,
}

/// One recorded merge: `identity` joined `into` (the person's display
/// identity) because of `reason`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IdentityMerge {
    /// The display identity of the person.
    pub into: String,
    /// The identity joined to it.
    pub identity: String,
    /// Why.
    pub reason: MergeReason,
}

/// Identities resolved into people.
#[derive(Clone, Debug, Default)]
pub struct People {
    persons: Vec<Person>,
    of_identity: HashMap<String, usize>,
    merges: Vec<IdentityMerge>,
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Joins two sets; returns whether they were apart.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        let (low, high) = (a.min(b), a.max(b));
        self.parent[high] = low;
        true
    }
}

impl People {
    /// Resolves identities (`name`, `email`, commits) into people.
    /// Deterministic: the result does not depend on the input order.
    pub fn resolve(identities: &[(String, String, usize)], config: &IdentityConfig) -> Self {
        let mut ids: Vec<&(String, String, usize)> = identities.iter().collect();
        ids.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        ids.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        let n = ids.len();
        let mut uf = UnionFind {
            parent: (0..n).collect(),
        };
        let mut reasons: Vec<(usize, usize, MergeReason)> = Vec::new();
        let automation_of: Vec<Option<AutomationKind>> = ids
            .iter()
            .map(|(name, email, _)| {
                if config.bots.iter().any(|b| entry_matches(b, name, email)) {
                    Some(automation(name, email).unwrap_or(AutomationKind::Other))
                } else {
                    automation(name, email)
                }
            })
            .collect();

        let mut join = |uf: &mut UnionFind, a: usize, b: usize, reason: MergeReason| {
            if uf.union(a, b) {
                reasons.push((a.min(b), a.max(b), reason));
            }
        };

        for group in &config.merge {
            let members: Vec<usize> = (0..n)
                .filter(|&i| group.iter().any(|e| entry_matches(e, &ids[i].0, &ids[i].1)))
                .collect();
            for w in members.windows(2) {
                join(&mut uf, w[0], w[1], MergeReason::IdentityFile);
            }
        }

        // Identical e-mail address.
        let mut by_email: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, (_, email, _)) in ids.iter().enumerate() {
            if !is_meaningless_email(email) {
                by_email
                    .entry(email.trim().to_lowercase())
                    .or_default()
                    .push(i);
            }
        }
        for members in by_email.values() {
            for w in members.windows(2) {
                // Never join a person to a bot through an address.
                if automation_of[w[0]].is_some() != automation_of[w[1]].is_some() {
                    continue;
                }
                join(&mut uf, w[0], w[1], MergeReason::SameEmail);
            }
        }

        // Identical normalised name, with a shared company domain or a
        // GitHub noreply address.
        let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, (name, _, _)) in ids.iter().enumerate() {
            let key = normalise_name(name);
            if !is_generic_name(&key) && automation_of[i].is_none() {
                by_name.entry(key).or_default().push(i);
            }
        }
        // Company domains first, then noreply addresses, so each merge
        // carries the strongest reason.
        for noreply_pass in [false, true] {
            for (key, members) in &by_name {
                let words = key.split(' ').count();
                let compact: String = key.chars().filter(|c| !c.is_whitespace()).collect();
                for (x, &a) in members.iter().enumerate() {
                    for &b in &members[x + 1..] {
                        let (ea, eb) = (&ids[a].1, &ids[b].1);
                        let login = github_noreply_login(ea).or_else(|| github_noreply_login(eb));
                        match (noreply_pass, login) {
                            (true, Some(login)) => {
                                let login_key: String = login
                                    .to_lowercase()
                                    .chars()
                                    .filter(|c| c.is_alphanumeric())
                                    .collect();
                                let other = if github_noreply_login(ea).is_some() {
                                    eb
                                } else {
                                    ea
                                };
                                if (words >= 2 || login_key == compact)
                                    && (github_noreply_login(other).is_some()
                                        || !is_meaningless_email(other))
                                {
                                    join(&mut uf, a, b, MergeReason::SameNameGitHubNoreply);
                                }
                            }
                            (false, None) => {
                                let (Some(da), Some(db)) = (domain_of(ea), domain_of(eb)) else {
                                    continue;
                                };
                                if words >= 2
                                    && da == db
                                    && !WEBMAIL.contains(&da.as_str())
                                    && !is_meaningless_email(ea)
                                    && !is_meaningless_email(eb)
                                {
                                    join(&mut uf, a, b, MergeReason::SameNameAndDomain);
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }

        // A login used as a name (`jdoe <x@y>`) joins the identity whose
        // address is that login (`Jane Doe <jdoe@gmail.com>`), when the
        // login is long and specific enough to be one person's.
        let mut by_local: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, (_, email, _)) in ids.iter().enumerate() {
            if automation_of[i].is_none()
                && !is_meaningless_email(email)
                && let Some((local, _)) = email.trim().rsplit_once('@')
                && github_noreply_login(email).is_none()
            {
                by_local.entry(local.to_lowercase()).or_default().push(i);
            }
        }
        for (a, (name, _, _)) in ids.iter().enumerate() {
            let login = name.trim().to_lowercase();
            if automation_of[a].is_some()
                || login.chars().count() < 5
                || login.contains(char::is_whitespace)
                || is_generic_name(&normalise_name(&login))
                || ROLE_LOCALS.contains(&login.as_str())
            {
                continue;
            }
            if let Some(members) = by_local.get(&login) {
                for &b in members {
                    if b != a {
                        join(&mut uf, a, b, MergeReason::LoginIsAddress);
                    }
                }
            }
        }

        // Build persons: root → members.
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            let root = uf.find(i);
            groups.entry(root).or_default().push(i);
        }
        let mut persons = Vec::with_capacity(groups.len());
        let mut of_identity = HashMap::with_capacity(n);
        let mut display_of_root: HashMap<usize, String> = HashMap::new();
        for (root, members) in &groups {
            let lead = members
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    ids[a]
                        .2
                        .cmp(&ids[b].2)
                        .then_with(|| (&ids[b].0, &ids[b].1).cmp(&(&ids[a].0, &ids[a].1)))
                })
                .expect("a group has members");
            let identities: BTreeSet<String> = members
                .iter()
                .map(|&i| format!("{} <{}>", ids[i].0, ids[i].1))
                .collect();
            let automation = members
                .iter()
                .filter_map(|&i| automation_of[i])
                .min_by_key(|k| (*k == AutomationKind::Other, *k));
            let index = persons.len();
            for identity in &identities {
                of_identity.insert(identity.clone(), index);
            }
            display_of_root.insert(*root, format!("{} <{}>", ids[lead].0, ids[lead].1));
            persons.push(Person {
                name: ids[lead].0.clone(),
                key: format!("{} <{}>", ids[lead].0, ids[lead].1),
                identities: identities.into_iter().collect(),
                automation,
            });
        }
        let mut merges: Vec<IdentityMerge> = reasons
            .into_iter()
            .map(|(_, b, reason)| {
                let root = uf.find(b);
                IdentityMerge {
                    into: display_of_root[&root].clone(),
                    identity: format!("{} <{}>", ids[b].0, ids[b].1),
                    reason,
                }
            })
            .collect();
        merges.sort();
        Self {
            persons,
            of_identity,
            merges,
        }
    }

    /// Every person, ordered by their first identity.
    pub fn persons(&self) -> &[Person] {
        &self.persons
    }

    /// The person index of an identity (`Name <email>`).
    pub fn of(&self, identity: &str) -> Option<usize> {
        self.of_identity.get(identity).copied()
    }

    /// The person behind an identity.
    pub fn person(&self, identity: &str) -> Option<&Person> {
        self.of(identity).map(|i| &self.persons[i])
    }

    /// Merges made beyond `.mailmap`, sorted.
    pub fn merges(&self) -> &[IdentityMerge] {
        &self.merges
    }

    /// Whether an identity is automation.
    pub fn is_automation(&self, identity: &str) -> bool {
        self.person(identity)
            .is_some_and(|p| p.automation.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
        list.iter()
            .map(|(n, e, c)| ((*n).to_owned(), (*e).to_owned(), *c))
            .collect()
    }

    #[test]
    fn bots_both_sides() {
        for (name, email, kind) in [
            (
                "dependabot[bot]",
                "49699333+dependabot[bot]@users.noreply.github.com",
                AutomationKind::DependencyUpdates,
            ),
            (
                "renovate[bot]",
                "bot@renovateapp.com",
                AutomationKind::DependencyUpdates,
            ),
            (
                "github-actions[bot]",
                "41898282+github-actions[bot]@users.noreply.github.com",
                AutomationKind::Ci,
            ),
            ("GitHub Action", "action@github.com", AutomationKind::Ci),
            (
                "gpt-engineer-app[bot]",
                "159125892+gpt-engineer-app[bot]@users.noreply.github.com",
                AutomationKind::AppBuilder,
            ),
            (
                "Copilot",
                "198982749+Copilot@users.noreply.github.com",
                AutomationKind::CodingAgent,
            ),
            (
                "devin-ai-integration[bot]",
                "158243242+devin-ai-integration[bot]@users.noreply.github.com",
                AutomationKind::CodingAgent,
            ),
            (
                "Cursor Agent",
                "cursoragent@cursor.com",
                AutomationKind::CodingAgent,
            ),
            (
                "semantic-release-bot",
                "semantic-release-bot@martynus.net",
                AutomationKind::Release,
            ),
            (
                "Hosted Weblate",
                "hosted@weblate.org",
                AutomationKind::Translation,
            ),
            ("Deploy Bot", "deploy@corp.io", AutomationKind::Other),
            ("someone", "release-bot@corp.io", AutomationKind::Other),
        ] {
            assert_eq!(automation(name, email), Some(kind), "{name} <{email}>");
        }
        for (name, email) in [
            ("Claude Monet", "claude@monet.fr"),
            ("Claude", "claude.dupont@acme.fr"),
            ("Jane Talbot", "jane@talbot.io"),
            ("Abbot Smith", "abbot@corp.io"),
            ("Robot Framework Fan", "fan@corp.io"),
            ("Travis Scott", "travis@scott.io"),
            ("Alice", "12345+alice@users.noreply.github.com"),
        ] {
            assert_eq!(automation(name, email), None, "{name} <{email}>");
        }
    }

    #[test]
    fn merges_by_email_and_name() {
        let people = People::resolve(
            &ids(&[
                ("Alice Smith", "alice@acme-widgets.io", 10),
                ("alice", "alice@acme-widgets.io", 2),
                ("Alice Smith", "asmith@acme-widgets.io", 3),
                ("Alice Smith", "123+alicesmith@users.noreply.github.com", 4),
                ("Bob", "bob@acme-widgets.io", 5),
                ("Bob", "bob.other@acme-widgets.io", 1),
                ("Carol Jones", "carol@gmail.com", 3),
                ("Carol Jones", "carol.jones@hotmail.com", 2),
            ]),
            &IdentityConfig::default(),
        );
        let alice = people
            .person("alice <alice@acme-widgets.io>")
            .expect("known");
        assert_eq!(alice.name, "Alice Smith");
        assert_eq!(alice.identities.len(), 4, "{alice:?}");
        // One-word names at a shared domain stay apart: two Bobs at one company.
        assert_ne!(
            people.of("Bob <bob@acme-widgets.io>"),
            people.of("Bob <bob.other@acme-widgets.io>")
        );
        // Two webmail addresses with one name: not enough.
        assert_ne!(
            people.of("Carol Jones <carol@gmail.com>"),
            people.of("Carol Jones <carol.jones@hotmail.com>")
        );
        assert_eq!(people.persons().len(), 5);
        let reasons: BTreeSet<MergeReason> = people.merges().iter().map(|m| m.reason).collect();
        assert!(reasons.contains(&MergeReason::SameEmail));
        assert!(reasons.contains(&MergeReason::SameNameAndDomain));
        assert!(reasons.contains(&MergeReason::SameNameGitHubNoreply));
        assert_eq!(people.merges().len(), 3);
    }

    #[test]
    fn a_login_joins_the_address_it_names() {
        let people = People::resolve(
            &ids(&[
                ("Ponnapalli Bhargav", "pbhargav5@gmail.com", 10),
                ("Bhargav Ponnapalli", "pbhargav5@gmail.com", 9),
                ("Ponnapalli Bhargav", "bhargav.other@gmail.com", 8),
                ("pbhargav5", "bhargav.other@gmail.com", 2),
                // Short or role-like logins join nothing.
                ("admin", "admin@corp-one.io", 1),
                ("sam", "sam@corp-one.io", 1),
                ("Sam Lee", "sam@gmail.com", 1),
            ]),
            &IdentityConfig::default(),
        );
        assert_eq!(
            people.of("Ponnapalli Bhargav <pbhargav5@gmail.com>"),
            people.of("pbhargav5 <bhargav.other@gmail.com>")
        );
        assert_eq!(
            people.of("Ponnapalli Bhargav <bhargav.other@gmail.com>"),
            people.of("Bhargav Ponnapalli <pbhargav5@gmail.com>")
        );
        assert_ne!(
            people.of("sam <sam@corp-one.io>"),
            people.of("Sam Lee <sam@gmail.com>")
        );
        assert_eq!(people.persons().len(), 4);
        assert!(
            people
                .merges()
                .iter()
                .any(|m| m.reason == MergeReason::LoginIsAddress)
        );
    }

    #[test]
    fn never_through_meaningless_addresses() {
        let people = People::resolve(
            &ids(&[
                ("Alice", "noreply@github.com", 1),
                ("Bob", "noreply@github.com", 1),
                ("Carol", "root@localhost", 1),
                ("Dan", "root@localhost", 1),
                ("Erin", "me@example.com", 1),
                ("Frank", "me@example.com", 1),
                ("root", "root@build-1.corp.io", 1),
                ("root", "root@build-2.corp.io", 1),
            ]),
            &IdentityConfig::default(),
        );
        assert_eq!(people.persons().len(), 8);
        assert!(people.merges().is_empty());
    }

    #[test]
    fn identity_file_merges_and_bots() {
        let config = IdentityConfig::parse(
            "merge = [[\"Alice Smith <alice@acme-widgets.io>\", \"asmith@contractor.io\"]]\nbots = [\"Release Train\"]\n",
            Path::new("identities.toml"),
        )
        .expect("parses");
        let people = People::resolve(
            &ids(&[
                ("Alice Smith", "alice@acme-widgets.io", 3),
                ("A. Smith", "asmith@contractor.io", 1),
                ("Release Train", "train@acme-widgets.io", 9),
            ]),
            &config,
        );
        assert_eq!(people.persons().len(), 2);
        assert_eq!(
            people.merges()[0].reason,
            MergeReason::IdentityFile,
            "{:?}",
            people.merges()
        );
        assert!(people.is_automation("Release Train <train@acme-widgets.io>"));
        assert!(!people.is_automation("A. Smith <asmith@contractor.io>"));
        assert!(
            IdentityConfig::parse("merges = []", Path::new("x.toml")).is_err(),
            "unknown keys are refused"
        );
    }

    #[test]
    fn transitive_and_order_independent() {
        let mut list = ids(&[
            ("Ann Lee", "ann@corp-one.io", 1),
            ("Ann Lee", "ann.lee@corp-one.io", 1),
            ("ann", "ann.lee@corp-one.io", 1),
            ("A Lee", "ann@corp-one.io", 1),
        ]);
        let a = People::resolve(&list, &IdentityConfig::default());
        list.reverse();
        let b = People::resolve(&list, &IdentityConfig::default());
        assert_eq!(a.persons(), b.persons());
        assert_eq!(a.merges(), b.merges());
        assert_eq!(a.persons().len(), 1);
    }
}
