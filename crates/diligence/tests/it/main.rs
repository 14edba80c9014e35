//! Integration tests of the facade.

#![allow(clippy::unwrap_used)]

mod history_walk;
mod live;
mod scope;
mod source_model;

use std::path::Path;
use std::sync::Mutex;

use diligence::model::Assessment;
use diligence::{Progress, Scan};

/// Copies a folder tree.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// Runs `scan` and returns the assessment with the stages that started.
pub(crate) fn run(scan: Scan<'_>) -> (Assessment, Vec<String>) {
    let stages = Mutex::new(Vec::new());
    let assessment = scan
        .on_progress(|event| {
            if let Progress::Started { stage } = event {
                stages.lock().unwrap().push(stage);
            }
        })
        .run()
        .unwrap();
    (assessment, stages.into_inner().unwrap())
}
