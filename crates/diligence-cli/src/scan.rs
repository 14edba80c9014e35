//! `diligence scan`: run a scan and write the report.

use anyhow::{Context, Result, bail};
use diligence::Scan;
use diligence::model::Assessment;

use crate::{Format, ScanArgs, clock, exit, output};

pub(crate) fn run(args: &ScanArgs) -> Result<u8> {
    let mut formats = args.formats.clone();
    if formats.is_empty() {
        formats.push(Format::Md);
    }
    formats.sort();
    formats.dedup();
    let to_stdout = args.output.as_deref().is_none_or(|p| p.as_os_str() == "-");
    if to_stdout && formats.len() > 1 {
        bail!("several formats need a directory: add `-o DIR`");
    }

    let progress = output::Progress::new(!args.quiet);
    let mut scan = Scan::new(&args.path)
        .jobs(args.jobs)
        .respect_gitignore(args.respect_gitignore)
        .on_progress(|event| progress.update(&event));
    for dir in &args.advisory_dbs {
        scan = scan.advisory_db(dir);
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
    scan = scan.all_objects(args.all_objects);
    if let Some(file) = &args.framework {
        scan = scan.framework_file(file);
    }
    if let Some(date) = args.as_of {
        scan = scan.as_of(date);
    }
    if !args.only.is_empty() {
        // `history` is accepted as another name for the `git` collector.
        scan = scan.only(args.only.iter().map(|id| match id.as_str() {
            "history" => "git".to_owned(),
            other => other.to_owned(),
        }));
    }
    if args.timestamp {
        scan = scan.generated_at(clock::now());
    }
    let mut assessment = scan
        .run()
        .with_context(|| format!("scan of {} failed", args.path.display()))?;
    progress.finish();
    crate::render::annotate(&mut assessment, &args.report)?;

    let mut written = Vec::new();
    for &format in &formats {
        let text = crate::render::bytes(&assessment, format, &args.report)?;
        match &args.output {
            None => output::stdout_bytes(&text)?,
            Some(path) if path.as_os_str() == "-" => output::stdout_bytes(&text)?,
            Some(path) if formats.len() == 1 => {
                output::write_bytes(path, &text)?;
                written.push(path.clone());
            }
            Some(dir) => {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("cannot create the output directory {}", dir.display())
                })?;
                let path = dir.join(format!("report.{}", format.extension()));
                output::write_bytes(&path, &text)?;
                written.push(path);
            }
        }
    }

    if !args.quiet {
        output::summary(&assessment, &written, args.verbose);
    }
    Ok(gate_code(&assessment, args.fail_under, args.quiet))
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
