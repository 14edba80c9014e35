//! The scan builder: from a path and options to an [`Assessment`].

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use diligence_collect::{
    CollectContext, CollectError, Collector, FileIndex, Options, Progress, ReadOutcome,
};
use diligence_history::{History, HistoryOptions, HistoryProgress, Target};
use diligence_model::{
    Assessment, Catalog, CollectorFailure, CollectorId, Evidence, FailureKind, LiveValidationInfo,
    SCHEMA_VERSION, ScanOptionsInfo, Timestamp, ToolInfo,
};
use diligence_scoring::Framework;
use diligence_source::{SourceFile, SourceModel};
use rayon::prelude::*;

use crate::collectors::default_collectors;
use crate::error::{Error, Result};

/// Which framework to score against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkSource {
    /// One embedded in the binary, by id.
    Embedded(String),
    /// A TOML file.
    File(PathBuf),
}

type ProgressSink<'p> = Box<dyn Fn(Progress) + Send + Sync + 'p>;

/// Builds and runs a scan.
///
/// ```no_run
/// let assessment = diligence::Scan::new("path/to/repo")
///     .jobs(2)
///     .only(["git"])
///     .run()?;
/// # Ok::<(), diligence::Error>(())
/// ```
#[must_use]
pub struct Scan<'p> {
    path: PathBuf,
    framework: FrameworkSource,
    options: Options,
    jobs: usize,
    only: Option<BTreeSet<String>>,
    generated_at: Option<Timestamp>,
    collectors: Vec<Box<dyn Collector>>,
    progress: Option<ProgressSink<'p>>,
    #[cfg(feature = "validate")]
    live: Option<diligence_secrets::live::LiveOptions>,
}

/// The union of the catalogs of `collectors`: every fact and rule a
/// framework file may refer to.
pub fn catalog(collectors: &[Box<dyn Collector>]) -> Catalog {
    let mut catalog = Catalog::default();
    for collector in collectors {
        catalog.merge(collector.catalog());
    }
    catalog
}

impl<'p> Scan<'p> {
    /// A scan of `path` with the default framework and collectors.
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            framework: FrameworkSource::Embedded(diligence_scoring::DEFAULT_FRAMEWORK.into()),
            options: Options::default(),
            jobs: 0,
            only: None,
            generated_at: None,
            collectors: default_collectors(),
            progress: None,
            #[cfg(feature = "validate")]
            live: None,
        }
    }

    /// Checks every credential found with its provider after collection
    /// (live validation): the one scan option that uses the network. The
    /// secrets collector keeps the raw values sealed for this stage; the
    /// collectors themselves never open a socket. The assessment records
    /// that it ran and which hosts were contacted.
    #[cfg(feature = "validate")]
    pub fn validate(mut self, options: diligence_secrets::live::LiveOptions) -> Self {
        self.options.keep_secret_values = true;
        self.live = Some(options);
        self
    }

    /// Scores against a framework file.
    pub fn framework_file(mut self, path: impl AsRef<Path>) -> Self {
        self.framework = FrameworkSource::File(path.as_ref().to_path_buf());
        self
    }

    /// Scores against an embedded framework.
    pub fn framework_embedded(mut self, id: impl Into<String>) -> Self {
        self.framework = FrameworkSource::Embedded(id.into());
        self
    }

    /// Worker threads; 0 uses every core. Results do not depend on it.
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs;
        self
    }

    /// The report date: the reference for every window ("active in the
    /// last 90 days"), staleness and expiry, recorded as the assessment's
    /// `options.as_of` beside the assessed commit's own date
    /// (`target.vcs.head_date`).
    ///
    /// Default: the assessed (HEAD) commit's date, so that the library never
    /// reads the clock and the same commit gives the same assessment (without
    /// a HEAD commit, the newest commit's date when the history is walked).
    /// That default flatters a dormant repository, whose windows then end
    /// at its last commit: an embedder making a report *today* should pass
    /// today's date, as the `diligence` command does.
    pub fn as_of(mut self, as_of: Timestamp) -> Self {
        self.options.as_of = Some(as_of);
        self
    }

    /// History statistics over every branch and tag instead of the history
    /// reachable from the assessed commit (off by default). Secrets and
    /// environment files are searched on every reference either way.
    pub fn all_refs(mut self, all: bool) -> Self {
        self.options.all_refs = all;
        self
    }

    /// A consultant's identity merges and bots (see
    /// [`IdentityConfig`](diligence_history::IdentityConfig); the command
    /// reads them from `--identities FILE`).
    pub fn identities(mut self, identities: diligence_history::IdentityConfig) -> Self {
        self.options.identities = identities;
        self
    }

    /// Honours `.gitignore` when listing files (off by default).
    pub fn respect_gitignore(mut self, respect: bool) -> Self {
        self.options.files.respect_gitignore = respect;
        self
    }

    /// Adds an advisory database directory (RustSec or OSV; repeatable).
    pub fn advisory_db(mut self, dir: impl AsRef<Path>) -> Self {
        self.options.advisory_dbs.push(dir.as_ref().to_path_buf());
        self
    }

    /// Adds a folder of secret rules to the built-in ones (repeatable).
    pub fn secret_rules(mut self, dir: impl AsRef<Path>) -> Self {
        self.options.secret_rules.push(dir.as_ref().to_path_buf());
        self
    }

    /// Also scans objects no branch or tag reaches (stashes, pull-request
    /// refs, unreachable objects).
    pub fn all_objects(mut self, all: bool) -> Self {
        self.options.all_objects = all;
        self
    }

    /// Adds a coverage report to read besides those found in the tree
    /// (repeatable).
    pub fn coverage_report(mut self, file: impl AsRef<Path>) -> Self {
        self.options
            .coverage_reports
            .push(file.as_ref().to_path_buf());
        self
    }

    /// A private key for secret fingerprints instead of the public default
    /// (baselines made under one key do not match under another).
    pub fn fingerprint_key(mut self, key: crate::FingerprintKey) -> Self {
        self.options.fingerprint_key = Some(key);
        self
    }

    /// A baseline or suppression file of accepted findings.
    pub fn baseline(mut self, file: impl AsRef<Path>) -> Self {
        self.options.baseline = Some(file.as_ref().to_path_buf());
        self
    }

    /// Runs only these collectors.
    pub fn only<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.only = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Records when the report was generated (off by default: it breaks
    /// byte-identical output).
    pub fn generated_at(mut self, at: Timestamp) -> Self {
        self.generated_at = Some(at);
        self
    }

    /// Replaces the collectors (for embedders with their own).
    pub fn collectors(mut self, collectors: Vec<Box<dyn Collector>>) -> Self {
        self.collectors = collectors;
        self
    }

    /// Receives progress events, from any thread.
    pub fn on_progress(mut self, sink: impl Fn(Progress) + Send + Sync + 'p) -> Self {
        self.progress = Some(Box::new(sink));
        self
    }

    /// Runs the scan.
    pub fn run(self) -> Result<Assessment> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs)
            .build()
            .map_err(|source| Error::Threads {
                jobs: self.jobs,
                source,
            })?;
        pool.install(|| self.run_in_pool())
    }

    fn run_in_pool(self) -> Result<Assessment> {
        let noop = |_: Progress| {};
        let progress: &(dyn Fn(Progress) + Sync) = match &self.progress {
            Some(sink) => sink.as_ref(),
            None => &noop,
        };

        let catalog = catalog(&self.collectors);
        let framework = match &self.framework {
            FrameworkSource::Embedded(id) => diligence_scoring::embedded(id, &catalog),
            FrameworkSource::File(path) => Framework::load(path, &catalog),
        }
        .map_err(Error::Framework)?;

        let collectors = self.selected_collectors()?;

        let target = Target::resolve(&self.path).map_err(|source| Error::Target {
            path: self.path.clone(),
            source,
        })?;

        // The report date, resolved once for the walk and every collector:
        // the caller's, else the assessed commit's (read from HEAD, without
        // a walk).
        let mut options = self.options.clone();
        options.as_of = options
            .as_of
            .or_else(|| target.info().vcs.as_ref().and_then(|v| v.head_date));

        // The walk is the expensive step: skip it when nothing reads it.
        // What needs no history (the file index, the one parse of the
        // source, each collector's own preparation) is done meanwhile.
        let reads_history = collectors.iter().any(|c| c.reads_history());
        let cancel = AtomicBool::new(false);
        let ((history, history_error), prepared) = rayon::join(
            || {
                if reads_history {
                    walk_history(&target, &options, self.jobs, progress)
                } else {
                    (None, None)
                }
            },
            || -> Result<(FileIndex, Option<SourceModel>)> {
                collectors.par_iter().for_each(|c| c.prepare(&options));
                let files =
                    FileIndex::build(&target, &options.files).map_err(|source| Error::Files {
                        path: target.root().to_path_buf(),
                        source,
                    })?;
                // The one parse of the source, when a selected collector
                // reads it.
                let source = collectors
                    .iter()
                    .any(|c| c.reads_source())
                    .then(|| build_source(&files, progress));
                // What the collectors can read of the checkout before the
                // history is there. A panic here loses only the head
                // start: `collect` does the work again and reports it.
                let early = CollectContext::new(&target, None, &files, &options, progress, &cancel)
                    .with_source(source.as_ref());
                collectors.par_iter().for_each(|c| {
                    let _ = catch_unwind(AssertUnwindSafe(|| c.prepare_checkout(&early)));
                });
                Ok((files, source))
            },
        );
        let (files, source) = prepared?;

        let cx = CollectContext::new(
            &target,
            history.as_ref(),
            &files,
            &options,
            progress,
            &cancel,
        )
        .with_source(source.as_ref());
        let results: Vec<(CollectorId, std::result::Result<Evidence, CollectorFailure>)> =
            collectors
                .par_iter()
                .map(|collector| {
                    let id = collector.id();
                    if id.as_str() == "git"
                        && let Some(message) = &history_error
                    {
                        let failure = CollectorFailure {
                            collector: id.clone(),
                            kind: FailureKind::Failed,
                            message: format!("the history walk failed: {message}"),
                        };
                        return (id, Err(failure));
                    }
                    progress(Progress::Started {
                        stage: id.to_string(),
                    });
                    let outcome = run_collector(*collector, &cx);
                    progress(Progress::Finished {
                        stage: id.to_string(),
                    });
                    (id, outcome)
                })
                .collect();

        let mut evidence = Vec::new();
        let mut failures = Vec::new();
        for (_, outcome) in results {
            match outcome {
                Ok(mut found) => {
                    found.normalise();
                    evidence.push(found);
                }
                Err(failure) => failures.push(failure),
            }
        }

        let live_validation = self.live_stage(&collectors, &mut evidence, progress);

        let mut databases: Vec<_> = evidence
            .iter()
            .flat_map(|e| e.databases.iter().cloned())
            .collect();
        databases.sort();
        databases.dedup();

        let scoring = framework.evaluate(&evidence, &failures);
        Ok(Assessment {
            schema_version: SCHEMA_VERSION,
            tool: ToolInfo {
                name: "diligence".into(),
                version: crate::VERSION.into(),
            },
            target: target.info().clone(),
            framework: framework.info(),
            options: ScanOptionsInfo {
                collectors: collectors.iter().map(|c| c.id()).collect(),
                // Without a HEAD commit, the walk's date (the newest commit's).
                as_of: options
                    .as_of
                    .or_else(|| history.as_ref().map(History::as_of)),
                live_validation,
            },
            generated_at: self.generated_at,
            databases,
            evidence,
            failures,
            controls: scoring.controls,
            scores: scoring.scores,
            gate: scoring.gate,
            remediation: scoring.remediation,
            questions: scoring.questions,
            annotations: None,
        })
    }

    /// Live validation, after collection and before scoring, when asked.
    #[cfg(feature = "validate")]
    fn live_stage(
        &self,
        collectors: &[&dyn Collector],
        evidence: &mut [Evidence],
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Option<LiveValidationInfo> {
        use diligence_model::LiveStatus;
        use diligence_secrets::SecretsCollector;
        let live = self.live.as_ref()?;
        let stage = "live validation".to_owned();
        progress(Progress::Started {
            stage: stage.clone(),
        });
        let vault = collectors
            .iter()
            .find_map(|c| c.as_any()?.downcast_ref::<SecretsCollector>())
            .and_then(SecretsCollector::take_vault)
            .unwrap_or_default();
        let report = diligence_secrets::live::validate(&vault, live);
        let mut info = LiveValidationInfo {
            hosts: report.hosts().iter().cloned().collect(),
            timeout_seconds: live.timeout_value().as_secs(),
            concurrency: live.concurrency_value(),
            ..LiveValidationInfo::default()
        };
        let secrets = diligence_secrets::collector_id();
        for found in evidence.iter_mut().filter(|e| e.collector == secrets) {
            diligence_secrets::live::apply(found, &report);
            for check in found.findings.iter().filter_map(|f| f.live.as_ref()) {
                info.checked += 1;
                match check.status {
                    LiveStatus::Live => info.live += 1,
                    LiveStatus::Revoked => info.revoked += 1,
                    LiveStatus::Unknown => info.unknown += 1,
                }
            }
        }
        progress(Progress::Finished { stage });
        Some(info)
    }

    /// Without the `validate` feature there is no live stage.
    #[cfg(not(feature = "validate"))]
    #[allow(clippy::unused_self)]
    fn live_stage(
        &self,
        _: &[&dyn Collector],
        _: &mut [Evidence],
        _: &(dyn Fn(Progress) + Sync),
    ) -> Option<LiveValidationInfo> {
        None
    }

    fn selected_collectors(&self) -> Result<Vec<&dyn Collector>> {
        let Some(only) = &self.only else {
            return Ok(self.collectors.iter().map(AsRef::as_ref).collect());
        };
        let known: Vec<String> = self.collectors.iter().map(|c| c.id().to_string()).collect();
        if let Some(unknown) = only.iter().find(|id| !known.contains(id)) {
            return Err(Error::UnknownCollector {
                id: unknown.clone(),
                known: known.join(", "),
            });
        }
        Ok(self
            .collectors
            .iter()
            .filter(|c| only.contains(c.id().as_str()))
            .map(AsRef::as_ref)
            .collect())
    }
}

/// Walks the history once, with progress under the `history` stage; a
/// failed walk yields its error message (the `git` collector reports it).
fn walk_history(
    target: &Target,
    options: &Options,
    jobs: usize,
    progress: &(dyn Fn(Progress) + Sync),
) -> (Option<History>, Option<String>) {
    progress(Progress::Started {
        stage: "history".into(),
    });
    let history_options = HistoryOptions {
        as_of: options.as_of,
        jobs,
        all_refs: options.all_refs,
        identities: options.identities.clone(),
    };
    let history_progress = |p: HistoryProgress| {
        progress(Progress::Advanced {
            stage: format!("history: {:?}", p.phase).to_lowercase(),
            done: p.done as u64,
            total: p.total.map(|t| t as u64),
        });
    };
    let outcome = match History::walk(target, &history_options, &history_progress) {
        Ok(history) => (history, None),
        Err(error) => (None, Some(error_chain(&error))),
    };
    progress(Progress::Finished {
        stage: "history".into(),
    });
    outcome
}

/// Parses the source files of the index once, under the `source model`
/// progress stage.
fn build_source(files: &FileIndex, progress: &(dyn Fn(Progress) + Sync)) -> SourceModel {
    progress(Progress::Started {
        stage: "source model".into(),
    });
    let listed: Vec<SourceFile<'_>> = files
        .entries()
        .iter()
        .map(|e| SourceFile {
            path: &e.path,
            size: e.size,
        })
        .collect();
    let read = |path: &str| -> std::io::Result<Vec<u8>> {
        let entry = files
            .get(path)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        match files.read_capped(entry, diligence_source::MAX_FILE_SIZE)? {
            ReadOutcome::Content(bytes) => Ok(bytes),
            ReadOutcome::TooLarge { size } => Err(std::io::Error::other(format!(
                "grew to {size} bytes, over the parser's cap"
            ))),
        }
    };
    let model = SourceModel::build(&listed, &read);
    progress(Progress::Finished {
        stage: "source model".into(),
    });
    model
}

/// Runs one collector; a panic becomes a failure record, so hostile input
/// in one collector never takes the report down.
fn run_collector(
    collector: &dyn Collector,
    cx: &CollectContext<'_>,
) -> std::result::Result<Evidence, CollectorFailure> {
    let id = collector.id();
    let failure = |kind, message| CollectorFailure {
        collector: id.clone(),
        kind,
        message,
    };
    match catch_unwind(AssertUnwindSafe(|| collector.collect(cx))) {
        Ok(Ok(mut evidence)) => {
            evidence.collector = id.clone();
            Ok(evidence)
        }
        Ok(Err(CollectError::Unavailable { reason })) => {
            Err(failure(FailureKind::Unavailable, reason))
        }
        Ok(Err(error)) => Err(failure(FailureKind::Failed, error_chain(&error))),
        Err(_) => Err(failure(
            FailureKind::Failed,
            "the collector stopped on an internal error; its evidence is missing".into(),
        )),
    }
}

/// An error and its causes on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
