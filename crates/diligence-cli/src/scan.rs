//! `diligence scan`: run a scan and write the report.

use anyhow::{Context, Result};
use diligence::model::Assessment;
use diligence::{FingerprintKey, Scan};

use crate::{ScanArgs, clock, exit, output};

pub(crate) fn run(args: &ScanArgs) -> Result<u8> {
    let formats = crate::render::formats(&args.formats, args.output.as_deref())?;
    // Read once (and checked even under `--as-of`: a malformed
    // SOURCE_DATE_EPOCH is an error, never a quiet fall-back to the clock).
    let now = clock::now()?;

    let progress = output::Progress::new(!args.quiet);
    let mut scan = Scan::new(&args.path)
        .jobs(args.jobs)
        .respect_gitignore(args.respect_gitignore)
        .on_progress(|event| progress.update(&event));
    for dir in &args.advisory_dbs {
        scan = scan.advisory_db(dir);
    }
    if args.advisory_dbs.is_empty() && !args.no_cached_db {
        let cached = crate::db::cache_dir()
            .map(|cache| crate::db::cached_databases(&cache))
            .unwrap_or_default();
        for dir in cached {
            scan = scan.advisory_db(dir);
        }
    }
    for file in &args.coverage_reports {
        scan = scan.coverage_report(file);
    }
    for dir in &args.secret_rules {
        scan = scan.secret_rules(dir);
    }
    if let Some(file) = &args.baseline {
        scan = scan.baseline(file);
    }
    if let Some(key) = fingerprint_key(args)? {
        scan = scan.fingerprint_key(key);
    }
    scan = scan.all_objects(args.all_objects);
    scan = scan.all_refs(args.all_refs);
    if let Some(file) = &args.identities {
        let identities = diligence::IdentityConfig::load(file)
            .with_context(|| format!("cannot use the identity file {}", file.display()))?;
        scan = scan.identities(identities);
    }
    if let Some(file) = &args.framework {
        scan = scan.framework_file(file);
    }
    // The report date: `--as-of`, else SOURCE_DATE_EPOCH, else today.
    // Never left to the library, whose default (the assessed commit's date)
    // would date a dormant repository's report to its last commit.
    scan = scan.as_of(args.as_of.unwrap_or(now));
    if !args.only.is_empty() {
        // `history` is accepted as another name for the `git` collector.
        scan = scan.only(args.only.iter().map(|id| match id.as_str() {
            "history" => "git".to_owned(),
            other => other.to_owned(),
        }));
    }
    if args.timestamp {
        scan = scan.generated_at(now);
    }
    scan = live_validation(scan, args)?;
    let mut assessment = scan
        .run()
        .with_context(|| format!("scan of {} failed", args.path.display()))?;
    progress.finish();
    crate::render::annotate(&mut assessment, &args.report)?;

    let written =
        crate::render::write_reports(&assessment, &formats, args.output.as_deref(), &args.report)?;

    if !args.quiet {
        output::summary(&assessment, &written, args.verbose);
    }
    Ok(gate_code(&assessment, args.fail_under, args.quiet))
}

/// `--validate`: the live stage, with the wall clock for signatures
/// (never SOURCE_DATE_EPOCH: a provider checks a request's time).
#[cfg(feature = "validate")]
fn live_validation<'p>(scan: Scan<'p>, args: &ScanArgs) -> Result<Scan<'p>> {
    use diligence::secrets::live::LiveOptions;
    if !args.validate {
        return Ok(scan);
    }
    if !args.quiet {
        output::notice(
            "--validate: found credentials will be checked with their providers over the network",
        );
    }
    let options = LiveOptions::default()
        .timeout(std::time::Duration::from_secs(args.validate_timeout))
        .concurrency(usize::try_from(args.validate_concurrency).unwrap_or(1))
        .clock(clock::wall_clock().0);
    Ok(scan.validate(options))
}

/// Without the `validate` feature, `--validate` is refused, never ignored.
#[cfg(not(feature = "validate"))]
fn live_validation<'p>(scan: Scan<'p>, args: &ScanArgs) -> Result<Scan<'p>> {
    if args.validate {
        anyhow::bail!("this build has no live validation: build with the `validate` feature");
    }
    Ok(scan)
}

/// The variable a fingerprint key is read from when no file is given.
const FINGERPRINT_KEY_VAR: &str = "DILIGENCE_FINGERPRINT_KEY";

/// The private fingerprint key from `--fingerprint-key-file` (trailing
/// line breaks and spaces dropped) or the environment; `None` for the
/// public default.
fn fingerprint_key(args: &ScanArgs) -> Result<Option<FingerprintKey>> {
    let bytes = match &args.fingerprint_key_file {
        Some(file) => {
            let mut bytes = std::fs::read(file)
                .with_context(|| format!("cannot read the fingerprint key {}", file.display()))?;
            while bytes.last().is_some_and(u8::is_ascii_whitespace) {
                bytes.pop();
            }
            bytes
        }
        None => match std::env::var_os(FINGERPRINT_KEY_VAR) {
            Some(value) if !value.is_empty() => value.into_encoded_bytes(),
            _ => return Ok(None),
        },
    };
    FingerprintKey::new(bytes)
        .map(Some)
        .map_err(anyhow::Error::msg)
}

fn gate_code(assessment: &Assessment, fail_under: Option<u32>, quiet: bool) -> u8 {
    let Some(threshold) = fail_under else {
        return exit::SUCCESS;
    };
    match assessment.scores.overall {
        Some(score) if score >= threshold => exit::SUCCESS,
        score => {
            if !quiet {
                output::gate_failed(score, threshold);
            }
            exit::GATE_FAILED
        }
    }
}
