//! The built-in collectors, in the fixed order they run and report.

use diligence_collect::{CollectContext, CollectError, Collector};
use diligence_history::History;
use diligence_model::{Catalog, CollectorId, Evidence};

/// Every built-in collector, in report order.
pub fn default_collectors() -> Vec<Box<dyn Collector>> {
    vec![
        Box::new(GitCollector),
        Box::new(diligence_secrets::SecretsCollector::new()),
        Box::new(diligence_deps::DepsCollector),
        Box::new(diligence_coverage::TestsCollector),
        Box::new(diligence_deploy::DeployCollector),
        Box::new(SourceCollector),
    ]
}

/// History statistics from the shared walk: activity, contributors,
/// key-person risk, review and traceability signals, the AI-assistance
/// footprint and env files ever committed.
#[derive(Debug, Default, Clone, Copy)]
pub struct GitCollector;

impl Collector for GitCollector {
    fn id(&self) -> CollectorId {
        CollectorId::new("git").expect("`git` is a valid collector id")
    }

    /// Its evidence is the history walk's.
    fn reads_history(&self) -> bool {
        true
    }

    fn catalog(&self) -> Catalog {
        History::catalog()
    }

    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence, CollectError> {
        match cx.history {
            Some(history) => Ok(history.evidence()),
            None => Err(CollectError::unavailable(
                "the target is not a git repository, so its history cannot be assessed",
            )),
        }
    }
}

/// Source analysis from the shared source model: frameworks, the route
/// inventory and authorisation findings (Supabase edge functions first).
///
/// The detectors live in `diligence-source`, below the collect layer, so
/// that the model they read is built once and shared; this is the thin
/// collector that hands their evidence to the scan, as [`GitCollector`]
/// does for the history walk.
#[derive(Debug, Default, Clone, Copy)]
pub struct SourceCollector;

impl Collector for SourceCollector {
    fn id(&self) -> CollectorId {
        CollectorId::new(diligence_source::COLLECTOR).expect("`source` is a valid collector id")
    }

    fn reads_history(&self) -> bool {
        false
    }

    fn reads_source(&self) -> bool {
        true
    }

    fn catalog(&self) -> Catalog {
        diligence_source::catalog()
    }

    fn collect(&self, cx: &CollectContext<'_>) -> Result<Evidence, CollectError> {
        match cx.source {
            Some(model) => Ok(model.evidence()),
            None => Err(CollectError::unavailable(
                "the source model was not built for this scan",
            )),
        }
    }
}
