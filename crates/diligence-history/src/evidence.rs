//! History statistics as evidence for collector `git`.

use std::collections::{BTreeMap, BTreeSet};

use diligence_model::{
    Catalog, CollectorId, CommitRef, Confidence, Effort, Evidence, Fact, FactName, Finding,
    Inventory, Location, RuleId, Series, SeriesPoint, Severity, Table, Timestamp, Unit,
};

use crate::classify::{self, AssistantInput, ReviewInput};
use crate::walk::{CommitRecord, History};

const DAY: i64 = 86_400;

/// Facts: name, description.
const FACTS: &[(&str, &str)] = &[
    (
        "git.commits",
        "Commits reachable from any reference (git rev-list --count --all).",
    ),
    (
        "git.commits.head",
        "Commits reachable from HEAD (git rev-list --count HEAD).",
    ),
    (
        "git.authors",
        "Distinct author identities after .mailmap (git shortlog -sne --all).",
    ),
    (
        "git.committers",
        "Distinct committer identities after .mailmap.",
    ),
    ("git.first-commit", "Author date of the oldest commit."),
    ("git.last-commit", "Committer date of the newest commit."),
    (
        "git.age-days",
        "Days from the oldest commit to the reference date.",
    ),
    (
        "git.contributors.active-90d",
        "Authors with a commit in the 90 days before the reference date.",
    ),
    (
        "git.contributors.active-365d",
        "Authors with a commit in the 365 days before the reference date.",
    ),
    (
        "git.truck-factor",
        "Truck factor by degree of authorship on HEAD's files (Avelino et al. 2016).",
    ),
    (
        "git.top-author.share-12m",
        "Share of the last 12 months' non-merge commits made by the most active author.",
    ),
    (
        "git.merges",
        "Merge commits (git rev-list --count --merges --all).",
    ),
    (
        "git.review.share",
        "Share of HEAD's first-parent commits with a sign of review.",
    ),
    (
        "git.signed.share",
        "Share of commits carrying a signature header.",
    ),
    ("git.tags", "Tags."),
    ("git.releases.last", "Date of the newest tag."),
    (
        "git.releases.cadence-days",
        "Median days between consecutive tags.",
    ),
    ("git.reverts", "Commits that revert another."),
    (
        "git.traceability.share",
        "Share of non-merge commits that reference an issue, a ticket or follow conventional commits.",
    ),
    (
        "git.throwaway.share",
        "Share of non-merge commits with an empty or throwaway message.",
    ),
    (
        "git.ai.assistant-commits",
        "Commits whose trailers, message or identity name a coding assistant.",
    ),
    (
        "git.ai.instruction-files",
        "Coding-assistant instruction files at HEAD.",
    ),
    (
        "git.ai.generator-markers",
        "Markers of app-builder tools at HEAD.",
    ),
    ("git.blobs", "Unique blobs reachable from any reference."),
    (
        "git.objects.missing",
        "Objects referenced but absent from the object database.",
    ),
    ("git.shallow", "Whether the clone is shallow."),
    (
        "git.submodules",
        "Submodule paths at HEAD (their history is in other repositories).",
    ),
    ("git.env-files", "Environment files ever committed (paths)."),
];

/// Rules: id, description.
const RULES: &[(&str, &str)] = &[
    (
        "git.env-file-committed",
        "An environment file (.env, .env.production, ...) was committed at some point in the history.",
    ),
    (
        "git.key-person-risk",
        "The truck factor is 1: one person authors most of the code at HEAD.",
    ),
];

fn fact_name(name: &str) -> FactName {
    FactName::new(name).expect("built-in fact name is valid")
}

fn rule_id(id: &str) -> RuleId {
    RuleId::new(id).expect("built-in rule id is valid")
}

fn ratio(numerator: usize, denominator: usize) -> Fact {
    Fact::ratio(numerator as u64, denominator as u64)
}

fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2
    } else {
        values[mid]
    })
}

/// Instruction files of coding assistants, by path.
pub(crate) fn is_instruction_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        ".cursorrules"
            | "CLAUDE.md"
            | "CLAUDE.local.md"
            | "AGENTS.md"
            | "AGENT.md"
            | "GEMINI.md"
            | ".windsurfrules"
            | ".clinerules"
            | ".roorules"
            | "copilot-instructions.md"
            | "CONVENTIONS.md"
    ) && (name != "copilot-instructions.md" || path.ends_with(".github/copilot-instructions.md"))
        && (name != "CONVENTIONS.md" || path == "CONVENTIONS.md")
        || name.starts_with(".aider")
        || path.starts_with(".cursor/rules/")
        || path.starts_with(".github/instructions/")
        || path.starts_with(".claude/")
        || path.starts_with(".windsurf/rules/")
        || path.starts_with(".clinerules/")
        || path.starts_with(".amazonq/rules/")
        || path.starts_with(".junie/")
}

/// App-builder markers among HEAD paths.
fn generator_marker(path: &str) -> Option<String> {
    let marker = if path.starts_with(".bolt/") {
        "bolt"
    } else if path == ".replit" || path == "replit.nix" || path == ".replit.nix" {
        "replit"
    } else if path.starts_with(".lovable/") {
        "lovable"
    } else if path.starts_with(".same/") {
        "same"
    } else if path == ".v0" || path.starts_with(".v0/") {
        "v0"
    } else {
        return None;
    };
    Some(format!("{marker}: {path}"))
}

impl History {
    /// Every fact and rule [`evidence`](Self::evidence) can emit.
    pub fn catalog() -> Catalog {
        let mut catalog = Catalog::default();
        for (name, description) in FACTS {
            catalog
                .fact(name, description)
                .expect("built-in fact name is valid");
        }
        for (id, description) in RULES {
            catalog
                .rule(id, description)
                .expect("built-in rule id is valid");
        }
        catalog
    }

    fn commit_ref(&self, index: usize) -> CommitRef {
        let c = &self.commits[index];
        CommitRef {
            id: c.id.to_string(),
            author: Some(c.author.clone()),
            date: Some(c.author_time),
        }
    }

    /// Statistics as evidence for collector `git`.
    pub fn evidence(&self) -> Evidence {
        let mut ev = Evidence::new(CollectorId::new("git").expect("valid collector id"));
        let commits = &self.commits;
        let mut set = |name: &str, fact: Fact| ev.set_fact(fact_name(name), fact);

        set("git.commits", Fact::count(commits.len(), Unit::Commits));
        set(
            "git.commits.head",
            Fact::count(commits.iter().filter(|c| c.on_head).count(), Unit::Commits),
        );
        let authors: BTreeSet<String> = commits.iter().map(CommitRecord::author_identity).collect();
        let committers: BTreeSet<String> = commits
            .iter()
            .map(CommitRecord::committer_identity)
            .collect();
        set("git.authors", Fact::count(authors.len(), Unit::People));
        set(
            "git.committers",
            Fact::count(committers.len(), Unit::People),
        );
        if let Some(first) = commits.iter().map(|c| c.author_time).min() {
            set("git.first-commit", Fact::date(first));
            let days = (self.as_of.seconds() - first.seconds()).max(0) / DAY;
            set("git.age-days", Fact::int(days, Unit::Days));
        }
        if let Some(last) = commits.iter().map(|c| c.commit_time).max() {
            set("git.last-commit", Fact::date(last));
        }
        let active = |days: i64| {
            let from = self.as_of.seconds() - days * DAY;
            commits
                .iter()
                .filter(|c| c.author_time.seconds() > from && c.author_time <= self.as_of)
                .map(CommitRecord::author_identity)
                .collect::<BTreeSet<_>>()
                .len()
        };
        set(
            "git.contributors.active-90d",
            Fact::count(active(90), Unit::People),
        );
        set(
            "git.contributors.active-365d",
            Fact::count(active(365), Unit::People),
        );

        set(
            "git.truck-factor",
            Fact::count(self.truck.value, Unit::People)
                .heuristic(Confidence::Medium)
                .detail(format!(
                    "Degree-of-authorship estimate over {} of HEAD's {} files with history ({} have an author); exact renames followed.",
                    self.truck.files,
                    self.head_files.len(),
                    self.truck.authored_files
                )),
        );

        let year_from = self.as_of.seconds() - 365 * DAY;
        let mut per_author: BTreeMap<String, usize> = BTreeMap::new();
        for c in commits.iter().filter(|c| {
            !c.is_merge() && c.author_time.seconds() > year_from && c.author_time <= self.as_of
        }) {
            *per_author.entry(c.author_identity()).or_default() += 1;
        }
        let year_total: usize = per_author.values().sum();
        let top = per_author.values().copied().max().unwrap_or(0);
        set("git.top-author.share-12m", ratio(top, year_total));

        set(
            "git.merges",
            Fact::count(
                commits.iter().filter(|c| c.is_merge()).count(),
                Unit::Commits,
            ),
        );

        let mut first_parent = Vec::new();
        let mut cursor = self.head;
        while let Some(i) = cursor {
            first_parent.push(i);
            cursor = commits[i].parent_indices.first().copied();
        }
        let reviewed = first_parent
            .iter()
            .filter(|&&i| {
                let c = &commits[i];
                classify::has_review_sign(&ReviewInput {
                    parents: c.parents,
                    subject: &c.subject,
                    trailers: &c.trailers,
                    author_email: &c.author_email,
                    committer_email: &c.committer_email,
                })
            })
            .count();
        set(
            "git.review.share",
            ratio(reviewed, first_parent.len())
                .heuristic(Confidence::Medium)
                .detail("Merge commits, squash markers (#n), review or co-author trailers, or a committer other than the author."),
        );
        set(
            "git.signed.share",
            ratio(commits.iter().filter(|c| c.signed).count(), commits.len()),
        );

        set("git.tags", Fact::count(self.tags.len(), Unit::Count));
        let mut tag_dates: Vec<Timestamp> = self.tags.iter().filter_map(|t| t.date).collect();
        tag_dates.sort();
        if let Some(last) = tag_dates.last() {
            set("git.releases.last", Fact::date(*last));
        }
        let mut gaps: Vec<i64> = tag_dates
            .windows(2)
            .map(|w| (w[1].seconds() - w[0].seconds()) / DAY)
            .collect();
        if let Some(m) = median(&mut gaps) {
            set("git.releases.cadence-days", Fact::int(m, Unit::Days));
        }

        set(
            "git.reverts",
            Fact::count(
                commits
                    .iter()
                    .filter(|c| classify::is_revert(&c.subject, &c.body))
                    .count(),
                Unit::Commits,
            ),
        );
        let non_merge: Vec<&CommitRecord> = commits.iter().filter(|c| !c.is_merge()).collect();
        let traceable = non_merge
            .iter()
            .filter(|c| classify::is_traceable(&c.subject, &c.body, &c.trailers))
            .count();
        set(
            "git.traceability.share",
            ratio(traceable, non_merge.len()).heuristic(Confidence::Medium),
        );
        let throwaway = non_merge
            .iter()
            .filter(|c| classify::is_throwaway(&c.subject))
            .count();
        set(
            "git.throwaway.share",
            ratio(throwaway, non_merge.len()).heuristic(Confidence::Medium),
        );
        let assistant = commits
            .iter()
            .filter(|c| {
                classify::names_assistant(&AssistantInput {
                    subject: &c.subject,
                    body: &c.body,
                    trailers: &c.trailers,
                    author: &c.author_identity(),
                    committer: &c.committer_identity(),
                })
            })
            .count();
        set(
            "git.ai.assistant-commits",
            Fact::count(assistant, Unit::Commits)
                .heuristic(Confidence::Medium)
                .detail("Co-author trailers, generated-with lines or bot identities naming a coding assistant; unattributed assistant use leaves no trace."),
        );
        set(
            "git.ai.instruction-files",
            Fact::list(
                self.head_files
                    .iter()
                    .filter(|f| is_instruction_file(&f.path))
                    .map(|f| f.path.clone()),
            ),
        );
        let mut markers: BTreeSet<String> = self
            .head_files
            .iter()
            .filter_map(|f| generator_marker(&f.path))
            .collect();
        markers.extend(self.package_json_markers.iter().cloned());
        // One entry per directory marker is enough: keep the first path.
        let mut seen = BTreeSet::new();
        markers.retain(|m| {
            let key = m.split('/').next().unwrap_or(m).to_owned();
            seen.insert(key)
        });
        set("git.ai.generator-markers", Fact::list(markers));
        set("git.blobs", Fact::count(self.blobs.len(), Unit::Count));
        set(
            "git.objects.missing",
            Fact::int(
                i64::try_from(self.missing_objects).unwrap_or(i64::MAX),
                Unit::Count,
            ),
        );
        set("git.shallow", Fact::bool(self.shallow));
        set(
            "git.submodules",
            Fact::list(self.submodules.iter().cloned()),
        );
        set("git.env-files", Fact::list(self.env_files.keys().cloned()));

        self.findings(&mut ev);
        self.inventories(&mut ev);

        let mut partial = Vec::new();
        if self.shallow {
            partial.push(
                "the clone is shallow: history before the shallow boundary is absent".to_owned(),
            );
        }
        if self.missing_objects > 0 {
            partial.push(format!(
                "{} referenced objects are missing from the object database",
                self.missing_objects
            ));
        }
        if !partial.is_empty() {
            ev.partial = Some(partial.join("; "));
        }
        ev.normalise();
        ev
    }

    fn findings(&self, ev: &mut Evidence) {
        let head_paths: BTreeSet<&str> = self.head_files.iter().map(|f| f.path.as_str()).collect();
        for (path, &commit) in &self.env_files {
            let at_head = head_paths.contains(path.as_str());
            let c = &self.commits[commit];
            let finding = Finding::builder(rule_id("git.env-file-committed"), Severity::High, Confidence::High)
                .message(format!(
                    "Environment file `{path}` was committed on {} by {}{}",
                    c.author_time.date_string(),
                    c.author,
                    if at_head { " and is still in the tree" } else { "; it remains in the history" }
                ))
                .location(Location {
                    path: Some(path.clone()),
                    commit: Some(self.commit_ref(commit)),
                    at_head: Some(at_head),
                    ..Location::default()
                })
                .remediation("Rotate every credential the file ever held, remove it from the tree, add it to .gitignore, and purge it from the history if the repository will be shared.")
                .effort(Effort::new(5, 20).expect("valid effort"))
                .tag("env-file")
                .tag(if at_head { "at-head" } else { "history-only" })
                .build()
                .expect("finding has a message");
            ev.findings.push(finding);
        }
        if self.truck.value == 1 {
            let (name, files) = self.truck.key_people[0].clone();
            let finding = Finding::builder(
                rule_id("git.key-person-risk"),
                Severity::Medium,
                Confidence::Medium,
            )
            .message(format!(
                "Truck factor is 1: {name} authors {files} of the {} files at HEAD with history",
                self.truck.files
            ))
            .remediation(
                "Spread knowledge: pair on and review the key person's areas, and document them.",
            )
            .tag("heuristic")
            .build()
            .expect("finding has a message");
            ev.findings.push(finding);
        }
    }

    fn inventories(&self, ev: &mut Evidence) {
        let commits = &self.commits;
        let mut per_month: BTreeMap<diligence_model::YearMonth, i64> = BTreeMap::new();
        for c in commits {
            *per_month.entry(c.author_time.year_month()).or_default() += 1;
        }
        let mut points = Vec::new();
        if let (Some((&first, _)), Some((&last, _))) =
            (per_month.first_key_value(), per_month.last_key_value())
        {
            let mut month = first;
            while month <= last {
                points.push(SeriesPoint {
                    label: month.to_string(),
                    value: per_month.get(&month).copied().unwrap_or(0),
                });
                month = month.next();
            }
        }
        ev.inventories.insert(
            "commits-per-month".to_owned(),
            Inventory::Series(Series {
                title: "Commits per month".to_owned(),
                unit: Unit::Commits,
                points,
            }),
        );

        struct Person {
            commits: usize,
            first: Timestamp,
            last: Timestamp,
        }
        let mut people: BTreeMap<String, Person> = BTreeMap::new();
        for c in commits {
            let p = people.entry(c.author_identity()).or_insert(Person {
                commits: 0,
                first: c.author_time,
                last: c.author_time,
            });
            p.commits += 1;
            p.first = p.first.min(c.author_time);
            p.last = p.last.max(c.author_time);
        }
        let mut ranked: Vec<(&String, &Person)> = people.iter().collect();
        ranked.sort_by(|a, b| b.1.commits.cmp(&a.1.commits).then_with(|| a.0.cmp(b.0)));
        let name_of = |identity: &str| {
            identity
                .rsplit_once(" <")
                .map_or(identity, |(n, _)| n)
                .to_owned()
        };
        ev.inventories.insert(
            "contributors".to_owned(),
            Inventory::Table(Table {
                title: "Top contributors".to_owned(),
                columns: ["name", "commits", "first", "last"]
                    .map(String::from)
                    .to_vec(),
                rows: ranked
                    .iter()
                    .take(15)
                    .map(|(id, p)| {
                        vec![
                            name_of(id),
                            p.commits.to_string(),
                            p.first.date_string(),
                            p.last.date_string(),
                        ]
                    })
                    .collect(),
            }),
        );
        ev.inventories.insert(
            "key-people".to_owned(),
            Inventory::Table(Table {
                title: "Key people (truck factor)".to_owned(),
                columns: ["name", "files authored"].map(String::from).to_vec(),
                rows: self
                    .truck
                    .key_people
                    .iter()
                    .map(|(id, files)| vec![name_of(id), files.to_string()])
                    .collect(),
            }),
        );
        let mut tags: Vec<_> = self.tags.iter().collect();
        tags.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.name.cmp(&b.name)));
        ev.inventories.insert(
            "tags".to_owned(),
            Inventory::Table(Table {
                title: "Tags".to_owned(),
                columns: ["tag", "date", "commit"].map(String::from).to_vec(),
                rows: tags
                    .iter()
                    .take(15)
                    .map(|t| {
                        vec![
                            t.name.clone(),
                            t.date.map(Timestamp::date_string).unwrap_or_default(),
                            t.commit
                                .map(|c| self.commits[c].id.to_hex_with_len(12).to_string())
                                .unwrap_or_default(),
                        ]
                    })
                    .collect(),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instruction_files_both_sides() {
        for p in [
            "CLAUDE.md",
            ".cursorrules",
            ".cursor/rules/db.mdc",
            "AGENTS.md",
            "web/AGENTS.md",
            ".github/copilot-instructions.md",
            ".windsurfrules",
            "GEMINI.md",
            ".aider.conf.yml",
        ] {
            assert!(is_instruction_file(p), "{p} must be listed");
        }
        for p in [
            "README.md",
            "docs/claude.txt",
            "cursor.rs",
            "copilot-instructions.md",
            "src/CONVENTIONS.md",
        ] {
            assert!(!is_instruction_file(p), "{p} must not be listed");
        }
    }

    #[test]
    fn generator_markers_both_sides() {
        assert!(generator_marker(".bolt/config.json").is_some());
        assert!(generator_marker(".replit").is_some());
        assert!(generator_marker("src/bolt/x.ts").is_none());
        assert!(generator_marker("replit.md").is_none());
    }

    #[test]
    fn catalog_knows_everything() {
        let c = History::catalog();
        assert!(c.facts.contains_key("git.truck-factor"));
        assert!(c.rules.contains_key("git.env-file-committed"));
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 2]), Some(3));
        assert_eq!(median(&mut []), None);
    }
}
