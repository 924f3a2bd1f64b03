//! `harness bench` as a library: choose tools from a tools.toml, run them
//! over a suite with the executor, score the labelled cases and write the
//! per-tool summaries and the side-by-side table.

use super::suite::Suite;
use super::{execute, InProcess, Outcome, RunOptions, Runner, Status, ToolRun};
use crate::dataset::progress::Progress;
use crate::score::findings::is_finding;
use crate::score::{score_case, CaseScore, ToolOutput};
use crate::summary::Summary;
use crate::tools::{Kind, ToolSpec, Tools};
use anyhow::{bail, Result};
use std::path::Path;
use std::sync::Arc;

/// Our analyzer, in-process, with some features turned off.
pub fn analyzer_runner(disable: &[String]) -> Result<InProcess> {
    let mut opts = analyzer::Options::default();
    for d in disable {
        opts.disable.set(d).map_err(anyhow::Error::msg)?;
    }
    Ok(Arc::new(move |dir: &Path| {
        analyzer::analyze(dir, &opts).map(|a| analyzer::report::sarif::to_sarif(&a)).map_err(|e| e.to_string())
    }))
}

/// The runnable tools among `names`, and the skipped ones with why (not installed).
pub fn select(tools: &Tools, names: &[String]) -> Result<(Vec<(ToolSpec, ToolRun)>, Vec<(String, String)>)> {
    let mut ready = vec![];
    let mut skipped = vec![];
    for name in names {
        let Some(spec) = tools.get(name) else {
            bail!("unknown tool {name:?}; tools.toml declares: {}", tools.names().join(", "));
        };
        if ready.iter().any(|(s, _): &(ToolSpec, ToolRun)| &s.name == name) {
            continue;
        }
        let runner = match spec.kind {
            Kind::Builtin => Runner::InProcess(analyzer_runner(&spec.disable)?),
            Kind::Command => {
                if let Err(e) = spec.check_installed(&tools.dir) {
                    skipped.push((name.clone(), format!("not installed ({e})")));
                    continue;
                }
                Runner::Command { spec: spec.clone(), dir: tools.dir.clone() }
            }
        };
        ready.push((spec.clone(), ToolRun { name: name.clone(), runner }));
    }
    Ok((ready, skipped))
}

/// One tool's results.
#[derive(Debug, Clone)]
pub struct ToolResult {
    pub spec: ToolSpec,
    pub scores: Vec<CaseScore>,
    pub summary: Summary,
    /// Unlabelled cases: (case, flow results reported, error).
    pub unlabelled: Vec<(String, usize, Option<String>)>,
    /// Cases taken from a previous run (`--resume`).
    pub resumed: usize,
    /// Sum of the per-case times.
    pub seconds: f64,
}

#[derive(Debug, Clone)]
pub struct BenchResult {
    pub tools: Vec<ToolResult>,
    pub skipped: Vec<(String, String)>,
}

/// Scores one tool's outcomes on the suite's targets (labelled cases first).
pub fn score_outcomes(spec: &ToolSpec, suite: &Suite, outcomes: &[Outcome]) -> ToolResult {
    let mode = spec.mode();
    let scores: Vec<CaseScore> = suite
        .cases
        .iter()
        .zip(outcomes)
        .map(|(case, o)| {
            let output = match (&o.log, o.status.status) {
                (Some(log), Status::Ok) => ToolOutput::Sarif(log.clone()),
                _ => ToolOutput::Failed(o.status.error.clone().unwrap_or_else(|| "failed".into())),
            };
            score_case(case, output, mode, Some(o.status.seconds))
        })
        .collect();
    let unlabelled = suite
        .unlabelled
        .iter()
        .zip(&outcomes[suite.cases.len()..])
        .map(|(t, o)| {
            // Flows, as in the scores: deployment risks are not findings of a data flow.
            let flows = o.log.as_ref().map(|l| l.results().filter(|(run, r)| !is_finding(run, r)).count()).unwrap_or(0);
            (t.name.clone(), flows, o.status.error.clone())
        })
        .collect();
    let mut summary = Summary::from_scores(&spec.name, &suite.name, mode, &scores);
    summary.tool_version = outcomes.iter().filter_map(|o| o.log.as_ref()).find_map(|l| {
        let d = &l.runs.first()?.tool.driver;
        d.version.as_deref().filter(|v| !v.is_empty()).map(|v| format!("{} {v}", d.name))
    });
    ToolResult {
        spec: spec.clone(),
        summary,
        scores,
        unlabelled,
        resumed: outcomes.iter().filter(|o| o.resumed).count(),
        seconds: outcomes.iter().map(|o| o.status.seconds).sum(),
    }
}

/// Runs and scores `names` over the suite.
pub fn bench(suite: &Suite, tools: &Tools, names: &[String], opts: &RunOptions, progress: &Progress) -> Result<BenchResult> {
    let (ready, skipped) = select(tools, names)?;
    run_selected(suite, &ready, skipped, opts, progress)
}

/// Runs and scores tools chosen by [`select`].
pub fn run_selected(
    suite: &Suite,
    ready: &[(ToolSpec, ToolRun)],
    skipped: Vec<(String, String)>,
    opts: &RunOptions,
    progress: &Progress,
) -> Result<BenchResult> {
    let runs: Vec<ToolRun> = ready.iter().map(|(_, r)| r.clone()).collect();
    let targets = suite.targets();
    let outcomes = execute(&runs, &targets, opts, progress)?;
    let tools = ready
        .iter()
        .zip(&outcomes)
        .map(|((spec, run), o)| {
            let mut result = score_outcomes(spec, suite, o);
            // Tools whose logs carry no version (Bandit's JSON) say it when checked.
            if let (None, Runner::Command { dir, .. }) = (&result.summary.tool_version, &run.runner) {
                result.summary.tool_version = spec.check_installed(dir).ok().flatten();
            }
            result
        })
        .collect();
    Ok(BenchResult { tools, skipped })
}

/// Writes `<out>/<tool>/{summary.json,summary.csv,cases.csv,summary.md}`
/// (plus `unlabelled.csv` when the suite has unlabelled cases) and the
/// side-by-side table `<out>/side-by-side.{csv,md,parquet}`.
pub fn write_outputs(result: &BenchResult, out: &Path) -> Result<()> {
    for t in &result.tools {
        let dir = out.join(&t.spec.name);
        t.summary.write_all(&dir)?;
        if !t.unlabelled.is_empty() {
            let mut w = csv::Writer::from_path(dir.join("unlabelled.csv"))?;
            w.write_record(["case", "findings", "error"])?;
            for (c, n, e) in &t.unlabelled {
                w.write_record([c.as_str(), &n.to_string(), e.as_deref().unwrap_or("")])?;
            }
            w.flush()?;
        }
    }
    let summaries: Vec<Summary> = result.tools.iter().map(|t| t.summary.clone()).collect();
    let mut df = crate::report::bench::side_by_side(&summaries)?;
    crate::report::tables::write_all(&mut df, out, "side-by-side", "Side by side")?;
    Ok(())
}
