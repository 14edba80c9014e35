//! Every format parses reports made by the real tools (or shaped like
//! them), with the totals those tools print.

use diligence_coverage::{Counts, Format, parse_report};

use crate::fixture;

fn parse(path: &str) -> anyhow::Result<diligence_coverage::CoverageReport> {
    let data = std::fs::read(fixture(path))?;
    Ok(parse_report(path, &data)?)
}

#[test]
fn coverage_py_reports_agree_with_coverage_report() -> anyhow::Result<()> {
    // `coverage report`: 14 statements, 5 missed; 8 branches, 4 covered.
    let xml = parse("cobertura/coverage-py.xml")?;
    assert_eq!(xml.format, Format::Cobertura);
    assert_eq!(xml.sources, ["/home/ci/work/shop"]);
    let t = xml.totals();
    assert_eq!(t.lines, Counts::new(14, 9));
    assert_eq!(t.branches, Some(Counts::new(8, 4)));
    assert_eq!(t.functions, None);

    let json = parse("coveragepy/coverage.json")?;
    assert_eq!(json.format, Format::CoveragePy);
    let t = json.totals();
    assert_eq!(t.lines, Counts::new(14, 9));
    assert_eq!(t.branches, Some(Counts::new(8, 4)));
    assert_eq!(t.functions, Some(Counts::new(3, 2)));

    let lcov = parse("lcov/coverage-py.info")?;
    assert_eq!(lcov.totals().lines, Counts::new(14, 9));
    assert_eq!(lcov.totals().functions, Some(Counts::new(3, 2)));
    Ok(())
}

#[test]
fn jest_reports_agree_with_jest_summary() -> anyhow::Result<()> {
    // Jest's text summary: statements 9/14, branches 3/7, functions 2/3.
    for path in ["clover/jest.xml", "lcov/jest.info"] {
        let t = parse(path)?.totals();
        assert_eq!(t.lines, Counts::new(14, 9), "{path}");
        assert_eq!(t.branches, Some(Counts::new(7, 3)), "{path}");
        assert_eq!(t.functions, Some(Counts::new(3, 2)), "{path}");
    }
    let clover = parse("clover/jest.xml")?;
    assert_eq!(clover.format, Format::Clover);
    assert!(clover.files.contains_key("C:\\ci\\web\\src\\cart.js"));
    let cobertura = parse("cobertura/jest.xml")?;
    assert_eq!(cobertura.totals().lines, Counts::new(14, 9));
    assert_eq!(cobertura.totals().functions, Some(Counts::new(3, 2)));
    Ok(())
}

#[test]
fn gcc_jacoco_llvm_and_go_reports() -> anyhow::Result<()> {
    let gcc = parse("lcov/gcc-geninfo.info")?.totals();
    assert_eq!(gcc.lines, Counts::new(14, 11));
    assert_eq!(gcc.branches, Some(Counts::new(6, 5)));

    let jacoco = parse("jacoco/jacoco.xml")?;
    assert_eq!(jacoco.format, Format::Jacoco);
    let t = jacoco.files["com/acme/billing/Invoice.java"].clone();
    assert_eq!(t.lines, Counts::new(6, 3));
    assert_eq!(t.branches, Some(Counts::new(2, 1)));
    assert_eq!(t.functions, Some(Counts::new(3, 2)));

    let llvm = parse("llvm/cov.json")?;
    assert_eq!(llvm.format, Format::LlvmJson);
    let t = llvm.totals();
    // The export's own `totals` block: lines 34/46, functions 4/6, branches 3/4.
    assert_eq!(t.lines, Counts::new(46, 34));
    assert_eq!(t.functions, Some(Counts::new(6, 4)));
    assert_eq!(t.branches, Some(Counts::new(4, 3)));

    let go = parse("go/cover.out")?;
    assert_eq!(go.format, Format::GoCover);
    assert_eq!(
        go.files["example.com/shop/pricing/pricing.go"].lines,
        Counts::new(6, 3)
    );
    assert_eq!(go.totals().lines, Counts::new(9, 3));
    Ok(())
}

#[test]
fn malformed_reports_give_errors_with_lines() -> anyhow::Result<()> {
    let bad = parse("malformed/bad-count.info").unwrap_err();
    let bad = bad.downcast::<diligence_coverage::ParseError>()?;
    assert_eq!(bad.line, Some(4));
    assert!(bad.to_string().starts_with("line 4: "), "{bad}");

    let bomb = parse("malformed/entity-bomb.xml").unwrap_err();
    assert!(bomb.to_string().contains("invalid XML"), "{bomb}");

    let truncated = parse("malformed/truncated-coverage.json").unwrap_err();
    assert!(
        truncated.to_string().contains("coverage.py JSON"),
        "{truncated}"
    );
    Ok(())
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 100_000;
    let xml = format!(
        "<coverage>{}{}</coverage>",
        "<packages>".repeat(depth),
        "</packages>".repeat(depth)
    );
    // Either a clean parse with nothing in it or a clean error; never a crash.
    if let Ok(report) = parse_report("coverage.xml", xml.as_bytes()) {
        assert!(report.files.is_empty());
    }
    let json = format!(
        "{{\"meta\": {}1{}, \"files\": {{}}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert!(parse_report("coverage.json", json.as_bytes()).is_err());
}

#[test]
fn every_fact_and_rule_is_documented() -> anyhow::Result<()> {
    let docs = std::fs::read_to_string(
        diligence_testkit::workspace_root().join("docs/collectors/tests.md"),
    )?;
    let catalog = diligence_coverage::TestsCollector::catalog();
    let ids = catalog
        .facts
        .keys()
        .map(|f| f.to_string())
        .chain(catalog.rules.keys().map(|r| r.to_string()));
    for id in ids {
        let anchor = format!("<a id=\"{}\"></a>**`{id}`**", id.replace('.', "-"));
        assert!(
            docs.contains(&anchor),
            "{id} has no entry in docs/collectors/tests.md"
        );
    }
    Ok(())
}
