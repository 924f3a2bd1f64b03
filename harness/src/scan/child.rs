//! The child's side of a scan: one app analysed in a worker process
//! (`worker.rs`), turned into what the parent records.
//!
//! Test hook: the worker reads `HARNESS_SCAN_TEST_HOOK`, a `;`-separated
//! list of `SUBSTRING=ACTION` where ACTION is `sleep:MS`, `alloc:MB`
//! (allocate and touch MB megabytes) or `abort`, applied when the app
//! folder's path contains SUBSTRING. It exists only so that tests can make
//! an app time out, run out of memory or crash; nothing sets it otherwise.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::record::{ChildOutput, FlowRecord, HandlerInfo, PrivilegeCounts, RiskRecord};

pub const TEST_HOOK_ENV: &str = "HARNESS_SCAN_TEST_HOOK";

/// The child's side: analyses one app in this process and returns what the
/// parent records.
pub fn analyze_app(app_dir: &Path, config: Option<&Path>) -> Result<ChildOutput> {
    apply_test_hook(app_dir);
    let opts = analyzer::Options { deployment_files: config.map(Path::to_path_buf).into_iter().collect(), ..analyzer::Options::default() };
    let a = analyzer::analyze(app_dir, &opts).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut o = ChildOutput {
        services: a.infra.services.len() as u64,
        invalid: a.infra.diagnostics.iter().map(|d| format!("{}:{}: {}", d.file, d.line, d.message)).collect(),
        python_files: a.stats.python_files as u64,
        python_lines: a.stats.python_lines as u64,
        functions: a.stats.functions as u64,
        parse_failures: a.parse_failures.iter().map(|p| (p.file.clone(), p.line, p.reason.clone())).collect(),
        python2_files: a.stats.python2_files.len() as u64,
        vendored_files: a.vendored.iter().map(|v| v.files as u64).sum(),
        privileges: PrivilegeCounts::of(&analyzer::privilege::privileges(&a)),
        risks: a
            .risks
            .iter()
            .map(|r| RiskRecord {
                rule: r.rule.clone(),
                file: r.file.clone(),
                line: r.line,
                function: r.function.clone().unwrap_or_default(),
                subject: r.subject.clone(),
                message: r.message.clone(),
            })
            .collect(),
        infra_ms: a.timings.infra_ms,
        parse_ms: a.timings.parse_ms,
        taint_ms: a.timings.taint_ms,
        ..ChildOutput::default()
    };
    if let Some(s) = a.infra.services.first() {
        o.framework = serde_json::to_value(s.framework).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        o.provider = s.provider.name.clone();
    }
    for s in &a.infra.services {
        for f in &s.functions {
            let runtime = f.runtime.clone().unwrap_or_default();
            let not_python = a.stats.other_runtimes.iter().any(|o| o.function == f.name && o.deployment_file == s.file);
            let missing = a.stats.handlers_missing.iter().find(|m| m.function == f.name && m.deployment_file == s.file);
            if let (false, analyzer::infra::model::Code::Inline { text, .. }) = (not_python, &f.code) {
                o.inline_python_lines += crate::dataset::loc::python_code_lines(text);
            }
            let found = missing.is_none();
            let problem = missing.map(|m| m.reason.text().to_string()).unwrap_or_default();
            o.handlers.push(HandlerInfo {
                name: f.name.clone(),
                file: f.handler.file.clone(),
                function: f.handler.function.clone(),
                python: !not_python,
                runtime,
                found,
                problem,
            });
        }
    }
    for f in &a.findings {
        let sarif_fp = analyzer::fingerprint::fingerprint(f);
        for fl in &f.flows {
            o.flows.push(FlowRecord {
                fingerprint: String::new(),
                sarif_fingerprint: sarif_fp.clone(),
                vulnerability: f.vulnerability.clone(),
                callee: f.callee.clone(),
                sink_file: f.sink.file.clone(),
                sink_line: f.sink.line,
                sink_function: f.sink.function.clone(),
                source_kind: fl.source.kind.name().to_string(),
                source_what: fl.source.what.clone(),
                source_file: fl.source.site.file.clone(),
                source_line: fl.source.site.line,
                source_function: fl.source.site.function.clone(),
                hops: fl.hops.len() as u32,
                inter: fl.inter_procedural(&f.sink),
            });
        }
    }
    Ok(o)
}

/// See the module documentation: test-only actions by app path.
fn apply_test_hook(app_dir: &Path) {
    let Ok(spec) = std::env::var(TEST_HOOK_ENV) else { return };
    let path = app_dir.to_string_lossy();
    for item in spec.split(';') {
        let Some((needle, action)) = item.split_once('=') else { continue };
        if needle.is_empty() || !path.contains(needle) {
            continue;
        }
        match action.split_once(':') {
            Some(("sleep", ms)) => std::thread::sleep(Duration::from_millis(ms.parse().unwrap_or(0))),
            Some(("alloc", mb)) => {
                let n: usize = mb.parse::<usize>().unwrap_or(0) * 1024 * 1024;
                let mut v: Vec<u8> = Vec::with_capacity(n);
                v.resize(n, 1);
                std::hint::black_box(&v);
            }
            _ if action == "abort" => std::process::abort(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_python_counts_as_code_lines_of_the_app() {
        let app = tempfile::tempdir().unwrap();
        std::fs::write(
            app.path().join("template.yaml"),
            r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json

        # Answers every request.
        def handler(event, context):
            return {"statusCode": 200, "body": json.dumps(event)}
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: |
        exports.handler = async () => ({ statusCode: 200 });
"#,
        )
        .unwrap();
        std::fs::write(app.path().join("tool.py"), "import sys\nprint(sys.argv)\n").unwrap();
        let o = analyze_app(app.path(), Some(Path::new("template.yaml"))).unwrap();
        assert_eq!(o.inline_python_lines, 3, "the Node.js function's code and the comment and blank lines do not count");
        let mut rec: crate::scan::record::AppRecord = serde_json::from_value(serde_json::json!({
            "repo": "r", "deployment_file": "template.yaml", "status": "ok", "detail": "", "triage": "analysed",
            "triage_reason": "", "framework": "", "loc": crate::dataset::loc::count_python(app.path()),
            "python_files": 0, "python_failed": 0, "python2_files": 0, "handlers": 0, "handlers_missing": 0,
            "other_runtime_functions": 0, "functions": 0, "flows": [], "problems": [],
            "timing": {"total_ms": 0.0, "infra_ms": 0.0, "parse_ms": 0.0, "taint_ms": 0.0, "max_rss_mb": 0.0}
        }))
        .unwrap();
        crate::scan::scan::fill_from_child(&mut rec, o);
        assert_eq!(rec.loc, 5, "tool.py's two lines and the inline handler's three");
    }
}
