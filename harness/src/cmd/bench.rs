//! `harness bench [--suite DIR|URL@REV] [--labels DIR] [--tool NAME]... [--tools FILE]
//! [--jobs N] [--timeout S] [--out DIR] [--resume] [--case PATTERN]... [--report]`
//!
//! Runs each tool on each case in parallel, scores the labelled cases and
//! writes `<out>/<tool>/` (sarif/, status/, summary.json, summary.csv,
//! cases.csv, summary.md) and `<out>/side-by-side.{csv,md,parquet}`.

use crate::dataset::progress::Progress;
use crate::run::bench::{run_selected, select, write_outputs};
use crate::run::suite;
use crate::run::RunOptions;
use crate::summary::case_table;
use crate::tools::Tools;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Run analyzers over a suite, score them, write per-tool and side-by-side tables.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The suite: a folder, or a git repository `URL@REV` fetched at that revision.
    #[arg(long, default_value = "microbenchmarks")]
    pub suite: String,
    /// Label overlay: a folder of `<case-name>.toml` labels (schema of expected.toml).
    #[arg(long)]
    pub labels: Option<PathBuf>,
    /// A tool declared in tools.toml (repeatable): analyzer, bandit, semgrep, pysa, analyzer-cli.
    #[arg(long = "tool", value_name = "NAME", default_values_t = vec!["analyzer".to_string()])]
    pub tools: Vec<String>,
    /// Your own tools.toml (default: the one shipped in harness/tools.toml).
    #[arg(long = "tools", value_name = "FILE")]
    pub tools_file: Option<PathBuf>,
    /// Cases run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Seconds a tool may spend on one case.
    #[arg(long, default_value_t = 120.0)]
    pub timeout: f64,
    /// The output folder.
    #[arg(long, default_value = "results/latest")]
    pub out: PathBuf,
    /// Do not run again cases finished by an earlier run into --out.
    #[arg(long)]
    pub resume: bool,
    /// Only cases whose name or folder contains this text (repeatable).
    #[arg(long = "case", value_name = "TEXT")]
    pub cases: Vec<String>,
    /// Where git suites are fetched.
    #[arg(long, default_value = ".cache/suites")]
    pub cache: PathBuf,
    /// Also write the report (report.md, report.html, tables/, figures/) into --out.
    #[arg(long)]
    pub report: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    let tools = match &args.tools_file {
        Some(p) => Tools::load(p)?,
        None => Tools::builtin(),
    };
    let (root, name) = suite::resolve(&args.suite, &args.cache)?;
    let mut suite = suite::load(&root, args.labels.as_deref(), Some(name))?;
    suite.filter(&args.cases);
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let opts = RunOptions { jobs, timeout: Duration::from_secs_f64(args.timeout), out: args.out.clone(), resume: args.resume };
    let (ready, skipped) = select(&tools, &args.tools)?;
    let mut text = String::new();
    for (tool, why) in &skipped {
        text.push_str(&format!("skip {tool}: {why}\n"));
    }
    let total = (suite.cases.len() + suite.unlabelled.len()) * ready.len();
    let progress = Progress::new(total as u64, "bench");
    let result = run_selected(&suite, &ready, skipped, &opts, &progress)?;
    progress.finish();
    write_outputs(&result, &args.out)?;
    if result.tools.len() == 1 {
        let t = &result.tools[0];
        text.push_str(&case_table(&t.scores));
        text.push_str(&format!("{}\n\n{}", t.summary.headline(), t.summary.category_table()));
        if let Some(line) = t.summary.findings_headline() {
            text.push_str(&format!("\n{line}\n"));
        }
    } else {
        for t in &result.tools {
            text.push_str(&format!("{}\n", t.summary.headline()));
            if let Some(line) = t.summary.findings_headline() {
                text.push_str(&format!("  {line}\n"));
            }
        }
    }
    let summaries: Vec<_> = result.tools.iter().map(|t| t.summary.clone()).collect();
    if !summaries.is_empty() {
        text.push_str(&format!("\n{}", crate::report::tables::to_markdown(&crate::report::bench::side_by_side(&summaries)?)));
    }
    if !suite.unlabelled.is_empty() {
        text.push_str(&format!(
            "{} unlabelled case(s), run but not scored: findings per tool in <tool>/unlabelled.csv\n",
            suite.unlabelled.len()
        ));
    }
    let resumed: usize = result.tools.iter().map(|t| t.resumed).sum();
    if resumed > 0 {
        text.push_str(&format!("resumed {resumed} finished case run(s) from {}\n", args.out.display()));
    }
    if args.report && !summaries.is_empty() {
        let md = crate::report::bench::write_report(&summaries, &args.out)?;
        text.push_str(&format!("report: {}\n", md.display()));
    }
    let written: Vec<String> = result
        .tools
        .iter()
        .map(|t| args.out.join(&t.spec.name).join("summary.json").display().to_string())
        .chain(std::iter::once(args.out.join("side-by-side.md").display().to_string()))
        .collect();
    text.push_str(&format!("wrote {}\n", written.join(", ")));
    text.push_str(&format!(
        "{:.2} s wall clock with {jobs} jobs; the table's seconds add up each case's own analysis time\n",
        start.elapsed().as_secs_f64()
    ));
    if result.tools.iter().any(|t| t.summary.mode == "strict") {
        text.push_str("strict: a case passes when each expected flow is found with its class, source and sink, and nothing else is (docs/ground-truth.md, Matching)\n");
    }
    crate::cmd::score::emit(&text);
    Ok(ExitCode::SUCCESS)
}
