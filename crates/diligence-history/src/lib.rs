//! The one git history walk of `diligence`.
//!
//! Walking history is the expensive part of a scan, so it happens once:
//! [`Target::resolve`] finds the repository (a worktree, a bare repository,
//! or none for a plain directory), and [`History::walk`] reads every commit
//! reachable from any reference (like `git rev-list --all`), parents before
//! children, diffs each against its first parent, and records every unique
//! blob with the earliest commit and path that introduced it
//! ([`BlobIndex`]). History statistics ([`History::evidence`]), the secret
//! scan of history ([`BlobIndex::for_each_blob`]) and "was an env file ever
//! committed" all read that one walk.
//!
//! The decision to know: the walk never fails on missing objects. Shallow
//! and partial clones are normal input; absent objects are counted and the
//! evidence is marked partial. Nothing from the scanned repository is
//! executed, and no configuration outside it is read.

#![warn(missing_docs)]

pub use gix;

mod blobs;
pub mod classify;
mod envfile;
mod error;
mod evidence;
mod pack;
pub mod people;
mod target;
mod truck;
mod walk;

pub use blobs::{Base, BlobEntry, BlobIndex, BlobScanStats, OTHER_PLACES, OtherPlace};
pub use error::{Cause, Error, Result};
pub use people::{AutomationKind, IdentityConfig, People, Person};
pub use target::{ResolveOptions, Target, strip_credentials};
pub use truck::{FileAuthorship, TruckFactor, degree_of_authorship, file_authors, truck_factor};
pub use walk::{
    Change, ChangeKind, CommitRecord, HeadFile, History, HistoryOptions, HistoryPhase,
    HistoryProgress, Reach, RefRecord, TagRecord, is_env_file,
};
