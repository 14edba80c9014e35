//! History statistics as evidence for collector `git`.

use std::collections::{BTreeMap, BTreeSet};

use diligence_model::{
    Catalog, CollectorId, CommitRef, Confidence, Effort, Evidence, Fact, FactName, Finding,
    Inventory, Location, RuleId, Series, SeriesPoint, Severity, Table, Timestamp, Unit,
};

use crate::classify::{self, AssistantInput, ReviewInput};
use crate::people::{self, AutomationKind};
use crate::walk::{CommitRecord, History};

const DAY: i64 = 86_400;

/// Facts: name, description.
const FACTS: &[(&str, &str)] = &[
    (
        "git.scope",
        "What the history statistics describe: the history reachable from the assessed commit, or every reference (--all-refs).",
    ),
    (
        "git.commits",
        "Commits in scope: reachable from the assessed commit (git rev-list --count HEAD), or from any reference with --all-refs.",
    ),
    (
        "git.commits.all-refs",
        "Commits reachable from any reference (git rev-list --count --all).",
    ),
    (
        "git.refs",
        "Branches, remote-tracking branches and tags in the repository.",
    ),
    (
        "git.branches.outside-scope",
        "Branches whose tip the assessed commit does not reach, with the commits only they hold.",
    ),
    (
        "git.authors",
        "People who authored commits in scope: identities after .mailmap and identity merging, automation left out.",
    ),
    (
        "git.author-identities",
        "Distinct author identities in scope after .mailmap (git shortlog -sne HEAD).",
    ),
    (
        "git.identity-merges",
        "Author identities joined to another of the same person beyond .mailmap (same e-mail, same name at one company domain or a GitHub noreply address, identity file).",
    ),
    (
        "git.committers",
        "Distinct committer identities in scope after .mailmap.",
    ),
    (
        "git.automation.share",
        "Share of the commits in scope authored by automation (dependency, CI, release and coding-agent bots, app builders).",
    ),
    (
        "git.automation.accounts",
        "Automation accounts among the authors in scope, with their kind and commits.",
    ),
    (
        "git.first-commit",
        "Author date of the oldest commit in scope.",
    ),
    (
        "git.last-commit",
        "Committer date of the newest commit in scope.",
    ),
    (
        "git.days-since-last-commit",
        "Days from the newest commit in scope to the report date.",
    ),
    (
        "git.age-days",
        "Days from the oldest commit in scope to the report date.",
    ),
    (
        "git.contributors.active-90d",
        "People (automation left out) with a commit in scope in the 90 days before the report date.",
    ),
    (
        "git.contributors.active-365d",
        "People (automation left out) with a commit in scope in the 365 days before the report date.",
    ),
    (
        "git.truck-factor",
        "Truck factor by degree of authorship on HEAD's files, people only (Avelino et al. 2016).",
    ),
    (
        "git.key-people",
        "The people the truck-factor estimate removed, most files first.",
    ),
    (
        "git.top-author",
        "The person with the most non-merge commits in the last 12 months (automation left out).",
    ),
    (
        "git.top-author.share-12m",
        "Share of the last 12 months' non-merge commits by people (automation left out) made by the most active person.",
    ),
    (
        "git.merges",
        "Merge commits in scope (git rev-list --count --merges HEAD).",
    ),
    (
        "git.review.share",
        "Share of HEAD's first-parent commits with a sign of review.",
    ),
    (
        "git.signed.share",
        "Share of commits in scope carrying a signature header.",
    ),
    (
        "git.tags",
        "Tags in scope: reachable from the assessed commit and dated on or before the report date.",
    ),
    (
        "git.tags.all-refs",
        "Tags in the repository, whatever they point at.",
    ),
    (
        "git.releases",
        "Release tags in scope: tags whose name parses as a version (v1.2.3, 1.2, pkg@1.2.3, pkg-v1.2.3).",
    ),
    (
        "git.releases.last",
        "Date of the newest release tag in scope.",
    ),
    (
        "git.releases.days-since-last",
        "Days from the newest release tag in scope to the report date.",
    ),
    (
        "git.releases.cadence-days",
        "Median days between consecutive release tags in scope.",
    ),
    ("git.reverts", "Commits in scope that revert another."),
    (
        "git.traceability.share",
        "Share of non-merge commits in scope that reference an issue, a ticket or follow conventional commits.",
    ),
    (
        "git.throwaway.share",
        "Share of non-merge commits in scope with an empty or throwaway message.",
    ),
    (
        "git.ai.assistant-commits",
        "Commits in scope whose trailers, message or identity name a coding assistant.",
    ),
    (
        "git.ai.instruction-files",
        "Coding-assistant instruction files at HEAD.",
    ),
    (
        "git.ai.generator-markers",
        "Markers of app-builder tools ever committed in scope (a marker deleted later still counts).",
    ),
    (
        "git.ai.builders",
        "App builders and coding agents recognised by their bot identities, trailers and commit patterns, with the share of commits in scope each made.",
    ),
    (
        "git.blobs",
        "Unique blobs reachable from any reference (all of them are scanned for exposure).",
    ),
    (
        "git.objects.missing",
        "Objects referenced but absent from the object database.",
    ),
    ("git.shallow", "Whether the clone is shallow."),
    (
        "git.submodules",
        "Submodule paths at HEAD (their history is in other repositories).",
    ),
    (
        "git.env-files",
        "Environment files ever committed on any reference (paths).",
    ),
];

/// Renamed facts: old name, new name. The old name is accepted by framework
/// files until the next major framework version.
pub(crate) const FACT_ALIASES: &[(&str, &str)] = &[("git.commits.head", "git.commits")];

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
    (
        "git.dormant",
        "No commit in scope for more than six months before the report date.",
    ),
    (
        "git.release-stale",
        "The newest release tag in scope is more than a year older than the report date.",
    ),
];

/// Branches named in `git.branches.outside-scope` before a count.
const BRANCHES_LISTED: usize = 10;

/// Days without a commit before the history reads as dormant.
const DORMANT_DAYS: i64 = 183;
/// Days without a release before releases read as stale.
const RELEASE_STALE_DAYS: i64 = 365;

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

/// App-builder markers among paths: the builder and the path.
pub(crate) fn generator_marker(path: &str) -> Option<(&'static str, &str)> {
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
    Some((marker, path))
}

/// The app builder or coding agent that made a commit, by its bot
/// identity, its trailers, or (for Bolt, only where a Bolt marker was ever
/// committed) its subject pattern.
fn builder_of(history: &History, c: &CommitRecord, bolt_marker: bool) -> Option<String> {
    for identity in [c.author_identity(), c.committer_identity()] {
        if let Some(person) = history.people.person(&identity)
            && matches!(
                person.automation,
                Some(AutomationKind::AppBuilder | AutomationKind::CodingAgent)
            )
        {
            return Some(builder_name(&person.name));
        }
        let (name, email) = identity
            .rsplit_once(" <")
            .map_or((identity.as_str(), ""), |(n, e)| {
                (n, e.trim_end_matches('>'))
            });
        if let Some(AutomationKind::AppBuilder | AutomationKind::CodingAgent) =
            people::automation(name, email)
        {
            return Some(builder_name(name));
        }
    }
    if c.trailers
        .iter()
        .any(|(k, _)| k.to_ascii_lowercase().starts_with("replit-commit-"))
    {
        return Some("Replit Agent".to_owned());
    }
    if bolt_marker && classify::is_bolt_subject(&c.subject) {
        return Some("Bolt".to_owned());
    }
    None
}

/// A reader's name for a builder or agent account.
fn builder_name(account: &str) -> String {
    let key = people::normalise_name(account);
    let name = match key.as_str() {
        "gpt engineer app" | "lovable dev" | "lovable" => "Lovable",
        "v0" | "v0 dev" => "v0",
        "bolt new" => "Bolt",
        "replit agent" | "replit" => "Replit Agent",
        "copilot" | "copilot swe agent" => "GitHub Copilot coding agent",
        "devin ai integration" => "Devin",
        "claude" => "Claude",
        "cursor agent" | "cursoragent" => "Cursor agent",
        "google labs jules" | "jules" => "Jules",
        "chatgpt codex connector" | "codex" => "Codex",
        _ => account,
    };
    name.to_owned()
}

/// A release tag in scope.
struct Release<'a> {
    name: &'a str,
    date: Timestamp,
    commit: Option<usize>,
}

impl History {
    /// Every fact and rule [`evidence`](Self::evidence) can emit.
    pub fn catalog() -> Catalog {
        let mut catalog =
            Catalog::from_tables(FACTS, RULES).expect("built-in fact names and rule ids are valid");
        for (old, new) in FACT_ALIASES {
            catalog
                .fact_alias(old, new)
                .expect("built-in fact alias is valid");
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

    /// The person key of a commit's author; `None` for automation.
    fn human(&self, c: &CommitRecord) -> Option<&str> {
        self.people
            .person(&c.author_identity())
            .filter(|p| p.automation.is_none())
            .map(|p| p.key.as_str())
    }

    /// Tags in scope: reachable from the assessed commit (any tag with
    /// `all_refs`) and dated on or before the report date.
    fn scoped_tags(&self) -> Vec<&crate::walk::TagRecord> {
        self.tags
            .iter()
            .filter(|t| {
                t.commit
                    .is_some_and(|c| self.all_refs || self.commits[c].on_head)
            })
            .filter(|t| t.date.is_none_or(|d| d <= self.as_of))
            .collect()
    }

    /// Release tags in scope, oldest first.
    fn releases(&self) -> Vec<Release<'_>> {
        let mut releases: Vec<Release<'_>> = self
            .scoped_tags()
            .into_iter()
            .filter(|t| classify::release_version(&t.name).is_some())
            .filter_map(|t| {
                Some(Release {
                    name: &t.name,
                    date: t.date?,
                    commit: t.commit,
                })
            })
            .collect();
        releases.sort_by(|a, b| (a.date, a.name).cmp(&(b.date, b.name)));
        releases
    }

    /// Statistics as evidence for collector `git`.
    pub fn evidence(&self) -> Evidence {
        let mut ev = Evidence::new(CollectorId::new("git").expect("valid collector id"));
        let scoped: Vec<&CommitRecord> = self.scoped_commits().collect();
        let as_of = self.as_of;
        let mut set = |name: &str, fact: Fact| ev.set_fact(fact_name(name), fact);

        let head = self.head.map(|h| &self.commits[h]);
        set(
            "git.scope",
            Fact::text(match (self.all_refs, head) {
                (true, _) => "every reference (--all-refs)".to_owned(),
                (false, Some(h)) => format!(
                    "the history reachable from the assessed commit {} ({})",
                    h.id.to_hex_with_len(12),
                    h.commit_time.date_string()
                ),
                (false, None) => "no assessed commit (the repository has none)".to_owned(),
            }),
        );
        set("git.commits", Fact::count(scoped.len(), Unit::Commits));
        set(
            "git.commits.all-refs",
            Fact::count(self.commits.len(), Unit::Commits),
        );
        set("git.refs", Fact::count(self.refs.len(), Unit::Count));
        // Branches (local and remote-tracking) the assessed commit does not
        // reach: the first ten by name, then a count. Other refs (pull
        // requests, notes, stashes) are counted in the detail.
        let is_branch = |r: &&crate::walk::RefRecord| {
            r.name.starts_with("refs/heads/") || r.name.starts_with("refs/remotes/")
        };
        let mut outside: Vec<String> = self
            .refs
            .iter()
            .filter(is_branch)
            .filter(|r| !self.commits[r.commit].on_head)
            .map(|r| r.short_name())
            .collect();
        outside.sort();
        let other_refs = self
            .refs
            .iter()
            .filter(|r| !is_branch(r) && !r.name.starts_with("refs/tags/"))
            .filter(|r| !self.commits[r.commit].on_head)
            .count();
        let more = outside.len().saturating_sub(BRANCHES_LISTED);
        outside.truncate(BRANCHES_LISTED);
        if more > 0 {
            outside.push(format!("and {more} more"));
        }
        let mut detail = "Their commits are not counted in the statistics; their files are still scanned for secrets.".to_owned();
        if other_refs > 0 {
            detail.push_str(&format!(
                " {other_refs} other references (pull requests, notes, stashes) outside the assessed history are scanned too."
            ));
        }
        let mut outside_fact = Fact::list(Vec::new()).detail(detail);
        outside_fact.value = diligence_model::FactValue::List { values: outside };
        set("git.branches.outside-scope", outside_fact);

        let identities: BTreeSet<String> = scoped.iter().map(|c| c.author_identity()).collect();
        let humans: BTreeSet<&str> = scoped.iter().filter_map(|c| self.human(c)).collect();
        set("git.authors", Fact::count(humans.len(), Unit::People));
        set(
            "git.author-identities",
            Fact::count(identities.len(), Unit::People),
        );
        set(
            "git.identity-merges",
            Fact::count(self.people.merges().len(), Unit::Count).heuristic(Confidence::Medium),
        );
        let committers: BTreeSet<String> = scoped.iter().map(|c| c.committer_identity()).collect();
        set(
            "git.committers",
            Fact::count(committers.len(), Unit::People),
        );

        let mut bots: BTreeMap<(&str, AutomationKind), usize> = BTreeMap::new();
        for c in &scoped {
            if let Some(p) = self.people.person(&c.author_identity())
                && let Some(kind) = p.automation
            {
                *bots.entry((p.name.as_str(), kind)).or_default() += 1;
            }
        }
        let automated: usize = bots.values().sum();
        set(
            "git.automation.share",
            ratio(automated, scoped.len()).heuristic(Confidence::High),
        );
        set(
            "git.automation.accounts",
            Fact::list(
                bots.iter()
                    .map(|((name, kind), n)| format!("{name} ({}): {n} commits", kind.label())),
            ),
        );

        if let Some(first) = scoped.iter().map(|c| c.author_time).min() {
            set("git.first-commit", Fact::date(first));
            let days = (as_of.seconds() - first.seconds()).max(0) / DAY;
            set("git.age-days", Fact::int(days, Unit::Days));
        }
        let last = scoped.iter().map(|c| c.commit_time).max();
        if let Some(last) = last {
            set("git.last-commit", Fact::date(last));
            set(
                "git.days-since-last-commit",
                Fact::int((as_of.seconds() - last.seconds()).max(0) / DAY, Unit::Days),
            );
        }
        let active = |days: i64| {
            let from = as_of.seconds() - days * DAY;
            scoped
                .iter()
                .filter(|c| c.author_time.seconds() > from && c.author_time <= as_of)
                .filter_map(|c| self.human(c))
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
                    "Degree-of-authorship estimate over {} of HEAD's {} files with history ({} have an author); exact renames followed, identities merged, automation left out.",
                    self.truck.files,
                    self.head_files.len(),
                    self.truck.authored_files
                )),
        );

        let year_from = as_of.seconds() - 365 * DAY;
        let mut per_person: BTreeMap<&str, usize> = BTreeMap::new();
        for c in scoped.iter().filter(|c| {
            !c.is_merge() && c.author_time.seconds() > year_from && c.author_time <= as_of
        }) {
            if let Some(key) = self.human(c) {
                *per_person.entry(key).or_default() += 1;
            }
        }
        let year_total: usize = per_person.values().sum();
        let top = per_person.values().copied().max().unwrap_or(0);
        set("git.top-author.share-12m", ratio(top, year_total));
        if let Some((key, _)) = per_person
            .iter()
            .filter(|(_, n)| **n == top && top > 0)
            .min_by_key(|(k, _)| **k)
        {
            set("git.top-author", Fact::text(name_of(key)));
        }
        // Kept in the truck factor's order, not sorted: the first is the
        // person who carries the most.
        let mut key_people = Fact::list(Vec::new());
        key_people.value = diligence_model::FactValue::List {
            values: self
                .truck
                .key_people
                .iter()
                .map(|(k, _)| name_of(k))
                .collect(),
        };
        set("git.key-people", key_people);

        set(
            "git.merges",
            Fact::count(
                scoped.iter().filter(|c| c.is_merge()).count(),
                Unit::Commits,
            ),
        );

        let mut first_parent = Vec::new();
        let mut cursor = self.head;
        while let Some(i) = cursor {
            first_parent.push(i);
            cursor = self.commits[i].parent_indices.first().copied();
        }
        let reviewed = first_parent
            .iter()
            .filter(|&&i| {
                let c = &self.commits[i];
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
            ratio(scoped.iter().filter(|c| c.signed).count(), scoped.len()),
        );

        set(
            "git.tags",
            Fact::count(self.scoped_tags().len(), Unit::Count),
        );
        set(
            "git.tags.all-refs",
            Fact::count(self.tags.len(), Unit::Count),
        );
        let releases = self.releases();
        set("git.releases", Fact::count(releases.len(), Unit::Count));
        if let Some(last) = releases.iter().map(|r| r.date).max() {
            set("git.releases.last", Fact::date(last));
            set(
                "git.releases.days-since-last",
                Fact::int((as_of.seconds() - last.seconds()).max(0) / DAY, Unit::Days),
            );
        }
        let mut gaps: Vec<i64> = releases
            .windows(2)
            .map(|w| (w[1].date.seconds() - w[0].date.seconds()) / DAY)
            .collect();
        if let Some(m) = median(&mut gaps) {
            set("git.releases.cadence-days", Fact::int(m, Unit::Days));
        }

        set(
            "git.reverts",
            Fact::count(
                scoped
                    .iter()
                    .filter(|c| classify::is_revert(&c.subject, &c.body))
                    .count(),
                Unit::Commits,
            ),
        );
        let non_merge: Vec<&&CommitRecord> = scoped.iter().filter(|c| !c.is_merge()).collect();
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
        let assistant = scoped
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
        let head_paths: BTreeSet<&str> = self.head_files.iter().map(|f| f.path.as_str()).collect();
        let mut markers: BTreeSet<String> = self
            .markers_ever
            .iter()
            .map(|(builder, (path, commit))| {
                let c = &self.commits[*commit];
                if head_paths.contains(path.as_str()) {
                    format!("{builder}: {path}")
                } else {
                    format!(
                        "{builder}: {path} (committed {}, no longer in the tree)",
                        c.commit_time.date_string()
                    )
                }
            })
            .collect();
        markers.extend(self.package_json_markers.iter().cloned());
        set("git.ai.generator-markers", Fact::list(markers));
        let bolt_marker = self.markers_ever.contains_key("bolt");
        let mut builders: BTreeMap<String, usize> = BTreeMap::new();
        for c in &scoped {
            if let Some(name) = builder_of(self, c, bolt_marker) {
                *builders.entry(name).or_default() += 1;
            }
        }
        set(
            "git.ai.builders",
            Fact::list(builders.iter().map(|(name, n)| {
                format!(
                    "{name}: {n} of {} commits ({} %)",
                    scoped.len(),
                    percent(*n, scoped.len())
                )
            }))
            .heuristic(Confidence::Medium)
            .detail("Bot identities of app builders and coding agents, Replit Agent trailers, and Bolt's \"Updated <file>\" commits where a Bolt marker was ever committed."),
        );
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

        self.findings(&mut ev, last, releases.last().map(|r| r.date));
        self.inventories(&mut ev, &scoped, &releases, &bots);

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

    /// A location of history content: the introducing commit, whether the
    /// assessed commit reaches it and, when not, the references that do.
    pub fn history_location(&self, path: &str, commit: usize, at_head: bool) -> Location {
        let reach = self.reach(commit);
        Location {
            path: Some(path.to_owned()),
            commit: Some(self.commit_ref(commit)),
            at_head: Some(at_head),
            in_scope: Some(reach.assessed),
            refs: if reach.assessed {
                Vec::new()
            } else {
                reach.refs
            },
            refs_more: if reach.assessed {
                0
            } else {
                u32::try_from(reach.more).unwrap_or(u32::MAX)
            },
            ..Location::default()
        }
    }

    /// Fills in, for every location of `findings` that names a commit of
    /// this history, whether the assessed commit reaches it and, when not,
    /// the references that do. Locations already marked are left alone.
    pub fn annotate_reach(&self, findings: &mut [Finding]) {
        let wanted: Vec<&mut Location> = findings
            .iter_mut()
            .flat_map(|f| std::iter::once(&mut f.location).chain(f.occurrences.iter_mut()))
            .filter(|l| l.commit.is_some() && l.in_scope.is_none())
            .collect();
        if wanted.is_empty() {
            return;
        }
        let index: std::collections::HashMap<String, usize> = self
            .commits
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.to_string(), i))
            .collect();
        let mut memo: BTreeMap<usize, crate::walk::Reach> = BTreeMap::new();
        for location in wanted {
            let Some(&i) = location.commit.as_ref().and_then(|c| index.get(&c.id)) else {
                continue;
            };
            let reach = memo.entry(i).or_insert_with(|| self.reach(i));
            location.in_scope = Some(reach.assessed);
            if !reach.assessed {
                location.refs = reach.refs.clone();
                location.refs_more = u32::try_from(reach.more).unwrap_or(u32::MAX);
            }
        }
    }

    fn findings(
        &self,
        ev: &mut Evidence,
        last: Option<Timestamp>,
        last_release: Option<Timestamp>,
    ) {
        let head_paths: BTreeSet<&str> = self.head_files.iter().map(|f| f.path.as_str()).collect();
        for (path, &commit) in &self.env_files {
            let at_head = head_paths.contains(path.as_str());
            let c = &self.commits[commit];
            let location = self.history_location(path, commit, at_head);
            // The references that hold it are in the location; the message
            // only says that the assessed history does not.
            let reach = if location.in_scope == Some(false) {
                " on a line of history the assessed commit does not reach"
            } else {
                ""
            };
            // A file whose every version was read and none assigned a
            // credential-looking value (browser-public keys, a database on
            // the developer's machine, flags) is a practice to fix, not a
            // leak to rotate.
            let values = self.env_values.get(path).cloned().unwrap_or_default();
            let public_only = values.secret.is_none() && values.unread == 0 && values.versions > 0;
            let held = match (&values.secret, public_only) {
                (Some(name), _) => format!(": `{name}` holds a credential-looking value"),
                (None, true) if values.versions == 1 => ". Its one version holds no credential-looking value (only browser-public keys, local addresses and settings)".to_owned(),
                (None, true) => format!(
                    ". None of its {} versions holds a credential-looking value (only browser-public keys, local addresses and settings)",
                    values.versions
                ),
                (None, false) => String::new(),
            };
            let severity = if public_only {
                Severity::Low
            } else {
                Severity::High
            };
            let finding = Finding::builder(rule_id("git.env-file-committed"), severity, Confidence::High)
                .message(format!(
                    "Environment file `{path}` was committed on {} by {}{reach}{}{held}",
                    c.author_time.date_string(),
                    c.author,
                    if at_head { " and is still in the tree" } else { "; it remains in the history" }
                ))
                .location(location)
                .remediation(if public_only {
                    "Remove the file from the tree, add it to .gitignore and commit a .env.example instead; its values were public or local, so nothing needs rotating."
                } else {
                    "Rotate every credential the file ever held, remove it from the tree, add it to .gitignore, and purge it from the history if the repository will be shared."
                })
                .effort(Effort::new(5, 20).expect("valid effort"))
                .tag("env-file")
                .tag(if at_head { "at-head" } else { "history-only" })
                .build()
                .expect("finding has a message");
            ev.findings.push(finding);
        }
        if self.truck.value == 1 {
            let (key, files) = self.truck.key_people[0].clone();
            let finding = Finding::builder(
                rule_id("git.key-person-risk"),
                Severity::Medium,
                Confidence::Medium,
            )
            .message(format!(
                "Truck factor is 1: {} authors {files} of the {} files at HEAD with history",
                name_of(&key),
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
        let as_of = self.as_of;
        if let Some(last) = last {
            let days = (as_of.seconds() - last.seconds()) / DAY;
            if days > DORMANT_DAYS {
                let finding = Finding::builder(
                    rule_id("git.dormant"),
                    if days > 2 * RELEASE_STALE_DAYS { Severity::High } else { Severity::Medium },
                    Confidence::High,
                )
                .message(format!(
                    "No commit in {} months: the newest commit in scope is from {}, the report is dated {}",
                    days * 12 / 365,
                    last.date_string(),
                    as_of.date_string()
                ))
                .remediation("Ask who maintains the code today, and plan for dependency and security updates that have not been made since.")
                .build()
                .expect("finding has a message");
                ev.findings.push(finding);
            }
        }
        if let Some(release) = last_release {
            let days = (as_of.seconds() - release.seconds()) / DAY;
            if days > RELEASE_STALE_DAYS {
                let finding = Finding::builder(
                    rule_id("git.release-stale"),
                    Severity::Medium,
                    Confidence::High,
                )
                .message(format!(
                    "No release in {} months: the newest release tag in scope is from {}, the report is dated {}",
                    days * 12 / 365,
                    release.date_string(),
                    as_of.date_string()
                ))
                .remediation("Ask how the running version was built and released, and whether releases are still cut.")
                .build()
                .expect("finding has a message");
                ev.findings.push(finding);
            }
        }
    }

    fn inventories(
        &self,
        ev: &mut Evidence,
        scoped: &[&CommitRecord],
        releases: &[Release<'_>],
        bots: &BTreeMap<(&str, AutomationKind), usize>,
    ) {
        let mut per_month: BTreeMap<diligence_model::YearMonth, i64> = BTreeMap::new();
        for c in scoped {
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
        let mut people: BTreeMap<&str, Person> = BTreeMap::new();
        for c in scoped {
            let Some(key) = self.human(c) else {
                continue;
            };
            let p = people.entry(key).or_insert(Person {
                commits: 0,
                first: c.author_time,
                last: c.author_time,
            });
            p.commits += 1;
            p.first = p.first.min(c.author_time);
            p.last = p.last.max(c.author_time);
        }
        let mut ranked: Vec<(&&str, &Person)> = people.iter().collect();
        ranked.sort_by(|a, b| b.1.commits.cmp(&a.1.commits).then_with(|| a.0.cmp(b.0)));
        ev.inventories.insert(
            "contributors".to_owned(),
            Inventory::Table(Table {
                title: "Top contributors (people; identities merged, automation left out)"
                    .to_owned(),
                columns: ["name", "commits", "first", "last", "identities"]
                    .map(String::from)
                    .to_vec(),
                rows: ranked
                    .iter()
                    .take(15)
                    .map(|(key, p)| {
                        let identities = self
                            .people
                            .person(key)
                            .map_or(1, |person| person.identities.len());
                        vec![
                            name_of(key),
                            p.commits.to_string(),
                            p.first.date_string(),
                            p.last.date_string(),
                            identities.to_string(),
                        ]
                    })
                    .collect(),
            }),
        );
        if !bots.is_empty() {
            let mut rows: Vec<(&(&str, AutomationKind), &usize)> = bots.iter().collect();
            rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
            ev.inventories.insert(
                "automation".to_owned(),
                Inventory::Table(Table {
                    title: "Automation among the authors".to_owned(),
                    columns: ["account", "kind", "commits", "share"]
                        .map(String::from)
                        .to_vec(),
                    rows: rows
                        .iter()
                        .take(15)
                        .map(|((name, kind), n)| {
                            vec![
                                (*name).to_owned(),
                                kind.label().to_owned(),
                                n.to_string(),
                                format!("{} %", percent(**n, scoped.len())),
                            ]
                        })
                        .collect(),
                }),
            );
        }
        if !self.people.merges().is_empty() {
            ev.inventories.insert(
                "identity-merges".to_owned(),
                Inventory::Table(Table {
                    title: "Identities counted as one person".to_owned(),
                    columns: ["person", "also as", "why"].map(String::from).to_vec(),
                    rows: self
                        .people
                        .merges()
                        .iter()
                        .take(50)
                        .map(|m| {
                            vec![
                                m.into.clone(),
                                m.identity.clone(),
                                m.reason.label().to_owned(),
                            ]
                        })
                        .collect(),
                }),
            );
        }
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
        ev.inventories.insert(
            "tags".to_owned(),
            Inventory::Table(Table {
                title: "Releases in scope (newest first)".to_owned(),
                columns: ["tag", "date", "commit"].map(String::from).to_vec(),
                rows: releases
                    .iter()
                    .rev()
                    .take(15)
                    .map(|r| {
                        vec![
                            r.name.to_owned(),
                            r.date.date_string(),
                            r.commit
                                .map(|c| self.commits[c].id.to_hex_with_len(12).to_string())
                                .unwrap_or_default(),
                        ]
                    })
                    .collect(),
            }),
        );
        let mut branches: Vec<Vec<String>> = self
            .refs
            .iter()
            .filter(|r| r.name.starts_with("refs/heads/") || r.name.starts_with("refs/remotes/"))
            .map(|r| {
                let c = &self.commits[r.commit];
                vec![
                    r.short_name(),
                    c.commit_time.date_string(),
                    if c.on_head { "yes" } else { "no" }.to_owned(),
                ]
            })
            .collect();
        branches.sort_by(|a, b| (&a[2], &b[1], &a[0]).cmp(&(&b[2], &a[1], &b[0])));
        if !branches.is_empty() {
            ev.inventories.insert(
                "branches".to_owned(),
                Inventory::Table(Table {
                    title: "Branches (statistics count only what the assessed commit reaches)"
                        .to_owned(),
                    columns: ["branch", "last commit", "reached by the assessed commit"]
                        .map(String::from)
                        .to_vec(),
                    rows: branches.into_iter().take(20).collect(),
                }),
            );
        }
    }
}

fn name_of(identity: &str) -> String {
    identity
        .rsplit_once(" <")
        .map_or(identity, |(n, _)| n)
        .to_owned()
}

fn percent(n: usize, of: usize) -> usize {
    (n * 100 + of / 2).checked_div(of).unwrap_or(0)
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
        assert_eq!(
            generator_marker(".bolt/config.json"),
            Some(("bolt", ".bolt/config.json"))
        );
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
