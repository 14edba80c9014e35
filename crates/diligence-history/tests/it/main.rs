//! Integration tests of the history walk against fixture repositories.

mod behaviour;
mod counts;
mod people;
mod scope;

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

pub(crate) fn list(ev: &Evidence, name: &str) -> Vec<String> {
    match &ev.facts[name].value {
        FactValue::List { values } => values.clone(),
        other => panic!("{name} is not a list: {other:?}"),
    }
}

pub(crate) fn ratio(ev: &Evidence, name: &str) -> (u64, u64) {
    match &ev.facts[name].value {
        FactValue::Ratio {
            numerator,
            denominator,
        } => (*numerator, *denominator),
        other => panic!("{name} is not a ratio: {other:?}"),
    }
}

pub(crate) fn walk_with(path: &Path, options: &HistoryOptions) -> History {
    let target = Target::resolve(path).expect("target resolves");
    History::walk(&target, options, &|_| {})
        .expect("walk succeeds")
        .expect("target has a repository")
}

pub(crate) fn git_count(repo: &Path, args: &[&str]) -> i64 {
    diligence_testkit::git(repo, args)
        .trim()
        .parse()
        .expect("git prints a number")
}
