//! Integration tests of the history walk against fixture repositories.

mod behaviour;
mod counts;

use std::path::Path;

use diligence_history::{History, HistoryOptions, Target};
use diligence_model::{Evidence, FactValue};

pub(crate) fn walk(path: &Path) -> (Target, History) {
    let target = Target::resolve(path).expect("target resolves");
    let history = History::walk(&target, &HistoryOptions::default(), &|_| {})
        .expect("walk succeeds")
        .expect("target has a repository");
    (target, history)
}

pub(crate) fn int(ev: &Evidence, name: &str) -> i64 {
    match &ev
        .facts
        .get(name)
        .unwrap_or_else(|| panic!("fact {name} is missing"))
        .value
    {
        FactValue::Int { value, .. } => *value,
        other => panic!("fact {name} is not an integer: {other:?}"),
    }
}

pub(crate) fn git_count(repo: &Path, args: &[&str]) -> i64 {
    diligence_testkit::git(repo, args)
        .trim()
        .parse()
        .expect("git prints a number")
}
