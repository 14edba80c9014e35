//! Whether anyone will see the errors, beyond the error tracker: global
//! error handlers, structured logging, and error handlers that drop the
//! error (an empty `catch {}`, `.catch(() => {})`, `except …: pass`).
//!
//! Dropped errors are reported once for the pattern, with the files that
//! hold the most, so that a codebase full of them gives one finding, not
//! one per file.

use std::collections::BTreeSet;

use diligence_model::{Confidence, Evidence, Fact, FileClass, Finding, Location, Severity, Unit};

use crate::SourceModel;
use crate::evidence::{fact_name, rule};
use crate::model::{Arg, FileModel, Language};

/// Structured-logging libraries, by import: (module, name).
const LOGGERS: &[(&str, &str)] = &[
    ("pino", "pino"),
    ("winston", "winston"),
    ("bunyan", "bunyan"),
    ("@logtape/", "LogTape"),
    ("consola", "consola"),
    ("structlog", "structlog"),
    ("loguru", "loguru"),
    ("pythonjsonlogger", "python-json-logger"),
    ("tracing", "tracing"),
    ("slog", "slog"),
];

/// The global error handlers a file sets up, in words.
fn handlers_in(file: &FileModel) -> Vec<String> {
    let mut out = Vec::new();
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    let stem = name.split('.').next().unwrap_or(name);
    if matches!(
        file.language,
        Language::Tsx | Language::Jsx | Language::TypeScript | Language::JavaScript
    ) && matches!(stem, "error" | "global-error")
        && file.path.contains("app/")
    {
        out.push("Next.js error page".to_owned());
    }
    for call in &file.calls {
        let first = call.args.first().and_then(Arg::as_str);
        match call.callee.as_str() {
            "process.on" if matches!(first, Some("uncaughtException" | "unhandledRejection")) => {
                out.push(format!("process `{}` handler", first.unwrap_or_default()));
            }
            "window.addEventListener" | "addEventListener"
                if matches!(first, Some("error" | "unhandledrejection")) =>
            {
                out.push("browser error listener".to_owned());
            }
            _ => {}
        }
        if call.method() == "setErrorHandler" || call.method() == "onError" {
            out.push(format!("`{}`", call.callee));
        }
    }
    // Express error middleware: a function of four parameters given to
    // `use`.
    if file
        .functions
        .iter()
        .any(|f| f.params.len() == 4 && f.passed_to.as_deref().is_some_and(|p| p.ends_with(".use")))
    {
        out.push("Express error middleware".to_owned());
    }
    for function in &file.functions {
        for decorator in &function.decorators {
            if decorator.ends_with(".exception_handler") {
                out.push("FastAPI exception handler".to_owned());
            } else if decorator.ends_with(".errorhandler")
                || decorator.ends_with("app_errorhandler")
            {
                out.push("Flask error handler".to_owned());
            }
        }
        if function.name.as_deref() == Some("componentDidCatch") {
            out.push("React error boundary".to_owned());
        }
    }
    if file
        .imports
        .iter()
        .any(|i| i.specifier == "react-error-boundary")
    {
        out.push("React error boundary".to_owned());
    }
    if file
        .python
        .assignments
        .iter()
        .any(|a| !a.in_function && a.target == "handler500")
    {
        out.push("Django `handler500`".to_owned());
    }
    out
}

/// The observability facts and the dropped-errors finding.
pub(crate) fn add_evidence(model: &SourceModel, evidence: &mut Evidence) {
    let product: Vec<&FileModel> = model
        .files
        .iter()
        .filter(|f| f.class == FileClass::Production)
        .collect();
    let set = |e: &mut Evidence, name: &str, fact: Fact| e.set_fact(fact_name(name), fact);

    let handlers: BTreeSet<String> = product.iter().flat_map(|f| handlers_in(f)).collect();
    set(
        evidence,
        "source.error-handlers",
        Fact::list(handlers).detail("Global error handlers set up in production code (Express error middleware, FastAPI and Flask handlers, Django's handler500, process and browser listeners, React error boundaries, Next.js error pages); what they do with an error is not judged."),
    );
    let loggers: BTreeSet<String> = product
        .iter()
        .flat_map(|f| &f.imports)
        .filter_map(|i| {
            LOGGERS
                .iter()
                .find(|(module, _)| {
                    i.specifier == *module
                        || i.specifier.starts_with(&format!("{module}/"))
                        || i.specifier.starts_with(&format!("{module}::"))
                        || (module.ends_with('/') && i.specifier.starts_with(module))
                })
                .map(|(_, name)| (*name).to_owned())
        })
        .collect();
    set(
        evidence,
        "source.logging",
        Fact::list(loggers).detail("Structured-logging libraries imported by production code; the standard library's loggers and console output are not listed."),
    );

    let mut swallowed: Vec<(&str, &[u32])> = product
        .iter()
        .filter(|f| !f.swallowed.is_empty())
        .map(|f| (f.path.as_str(), f.swallowed.as_slice()))
        .collect();
    let total: usize = swallowed.iter().map(|(_, lines)| lines.len()).sum();
    // Files with the most first, then by path.
    swallowed.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut listed: Vec<String> = swallowed
        .iter()
        .take(5)
        .map(|(path, lines)| format!("{path} ({})", lines.len()))
        .collect();
    if swallowed.len() > 5 {
        listed.push(format!("and {} more files", swallowed.len() - 5));
    }
    set(
        evidence,
        "source.errors-swallowed",
        Fact::count(total, Unit::Count).detail(if total == 0 {
            "No error handler in production code drops its error.".to_owned()
        } else {
            format!(
                "Empty catch blocks, `.catch(() => {{}})` and `except: pass` in production code: {}.",
                listed.join(", ")
            )
        }),
    );
    let Some((first, lines)) = swallowed.first() else {
        return;
    };
    let built = Finding::builder(rule("source.error-swallowed"), Severity::Low, Confidence::High)
        .message(format!(
            "{total} error handler{} in {} file{} {} the error without a trace: {}. A failure there reaches no log and no tracker, so customers find it first.",
            if total == 1 { "" } else { "s" },
            swallowed.len(),
            if swallowed.len() == 1 { "" } else { "s" },
            if total == 1 { "drops" } else { "drop" },
            listed.join(", ")
        ))
        .location(Location::line(*first, lines[0]))
        .remediation("Log or report every caught error (with the error tracker where one is set up), or let it propagate; keep an empty handler only where the failure is expected, with a comment saying why.")
        .build();
    if let Ok(finding) = built {
        evidence.findings.push(finding);
    }
}
