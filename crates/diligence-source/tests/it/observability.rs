//! Dropped errors, global error handlers and structured logging, on both
//! sides.

use diligence_model::{Confidence, Evidence};

use crate::{evidence_of_files as evidence, found};

fn fact(evidence: &Evidence, name: &str) -> String {
    evidence
        .facts
        .get(name)
        .map(|f| f.value.to_string())
        .unwrap_or_default()
}

#[test]
fn dropped_errors_are_reported_once_for_the_pattern() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "server/jobs.ts",
            "export async function run(task: () => Promise<void>) {\n\
             \x20 try {\n\
             \x20   await task();\n\
             \x20 } catch (e) {}\n\
             \x20 await task().catch(() => {});\n\
             \x20 await task().catch(() => null);\n\
             }\n",
        ),
        (
            "app/sync.py",
            "def sync(client):\n\
             \x20   try:\n\
             \x20       client.pull()\n\
             \x20   except Exception:\n\
             \x20       pass\n",
        ),
        // A test's dropped error is not the product's.
        (
            "tests/test_sync.py",
            "def test_it():\n    try:\n        1 / 0\n    except ZeroDivisionError:\n        pass\n",
        ),
        // Handled errors: logged, rethrown, or a comment and a return.
        (
            "server/handled.ts",
            "export async function safe(task: () => Promise<void>) {\n\
             \x20 try {\n\
             \x20   await task();\n\
             \x20 } catch (e) {\n\
             \x20   console.error(e);\n\
             \x20   throw e;\n\
             \x20 }\n\
             \x20 await task().catch((e) => logger.warn(e));\n\
             }\n",
        ),
        (
            "app/handled.py",
            "import logging\n\
             def sync(client):\n\
             \x20   try:\n\
             \x20       client.pull()\n\
             \x20   except Exception:\n\
             \x20       logging.exception('pull failed')\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.error-swallowed"),
        [("server/jobs.ts", Some(4), Confidence::High)]
    );
    let finding = evidence
        .findings
        .iter()
        .find(|f| f.rule.as_str() == "source.error-swallowed")
        .expect("finding");
    assert!(
        finding.message.contains("4 error handlers in 2 files")
            && finding
                .message
                .contains("server/jobs.ts (3), app/sync.py (1)"),
        "{}",
        finding.message
    );
    assert_eq!(fact(&evidence, "source.errors-swallowed"), "4");
    Ok(())
}

#[test]
fn global_error_handlers_and_structured_logging_are_listed() -> anyhow::Result<()> {
    let evidence = evidence(&[
        (
            "server/app.ts",
            "import express from 'express';\n\
             import pino from 'pino';\n\
             const app = express();\n\
             app.use((err: any, req: any, res: any, next: any) => { res.status(500).end(); });\n\
             process.on('unhandledRejection', (e) => pino().error(e));\n",
        ),
        (
            "api/main.py",
            "import structlog\n\
             from fastapi import FastAPI\n\
             app = FastAPI()\n\
             @app.exception_handler(Exception)\n\
             async def oops(request, exc):\n\
             \x20   return None\n",
        ),
        // A middleware of three parameters is not an error handler.
        (
            "server/other.ts",
            "import express from 'express';\nconst app = express();\napp.use((req: any, res: any, next: any) => next());\n",
        ),
    ])?;
    assert_eq!(
        fact(&evidence, "source.error-handlers"),
        "Express error middleware, FastAPI exception handler, process `unhandledRejection` handler"
    );
    assert_eq!(fact(&evidence, "source.logging"), "pino, structlog");
    assert_eq!(found(&evidence, "source.error-swallowed"), []);
    assert_eq!(fact(&evidence, "source.errors-swallowed"), "0");
    Ok(())
}
