//! `harness ablation [--suite DIR] [--out DIR]`: runs our analyzer once with
//! every feature on and once per `--disable` switch (env, plugins, resources,
//! permissions, filters, links), and writes tables in the shape of
//! CloudFlow's ablation table:
//!
//! * `ablation-cases`: one row per case some feature turns from FAIL to PASS
//!   (the case passes with every feature and fails with that one off), a
//!   `FAIL` in the column of each such feature;
//! * `ablation-features`: per feature, the cases that go FAIL when it is off
//!   (and those that go PASS, where the feature costs precision);
//! * `ablation-categories`: per category, cases, passed with all features,
//!   passed without each feature.
//!
//! Each as CSV, Markdown and Parquet, and all three in `ablation.md`.

use crate::dataset::progress::Progress;
use crate::report::tables::{self, TableBuilder};
use crate::run::bench::{analyzer_runner, score_outcomes, ToolResult};
use crate::run::{execute, RunOptions, Runner, ToolRun};
use crate::run::suite;
use crate::tools::{Format, Kind, Reports, ToolSpec};
use analyzer::Disabled;
use polars::prelude::DataFrame;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Run our analyzer with each feature turned off and tabulate what each feature buys.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The suite: a folder, or a git repository `URL@REV`.
    #[arg(long, default_value = "microbenchmarks")]
    pub suite: String,
    /// Label overlay: a folder of `<case-name>.toml` labels.
    #[arg(long)]
    pub labels: Option<PathBuf>,
    #[arg(long)]
    pub jobs: Option<usize>,
    #[arg(long, default_value_t = 120.0)]
    pub timeout: f64,
    #[arg(long, default_value = "results/ablation")]
    pub out: PathBuf,
    #[arg(long, default_value = ".cache/suites")]
    pub cache: PathBuf,
    /// Only cases whose name or folder contains this text (repeatable).
    #[arg(long = "case", value_name = "TEXT")]
    pub cases: Vec<String>,
}

/// The scores with every feature on (`all`) and with each feature off.
pub struct Ablation {
    pub all: ToolResult,
    /// (feature, scores with it off), in `Disabled::NAMES` order.
    pub without: Vec<(String, ToolResult)>,
}

fn spec(name: &str, disable: &[String]) -> ToolSpec {
    ToolSpec {
        name: name.to_string(),
        description: String::new(),
        kind: Kind::Builtin,
        check: None,
        command: None,
        ok_exit: vec![0],
        format: Format::Sarif,
        reports: Reports::Flows,
        lenient: false,
        disable: disable.to_vec(),
    }
}

/// Runs the seven configurations; run files go to `runs_dir/<config>/`.
pub fn ablate(suite: &suite::Suite, jobs: usize, timeout: Duration, runs_dir: &Path, progress: &Progress) -> anyhow::Result<Ablation> {
    let mut specs = vec![spec("all", &[])];
    specs.extend(Disabled::NAMES.iter().map(|f| spec(&format!("no-{f}"), &[f.to_string()])));
    let runs = specs
        .iter()
        .map(|s| Ok(ToolRun { name: s.name.clone(), runner: Runner::InProcess(analyzer_runner(&s.disable)?) }))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let opts = RunOptions { jobs, timeout, out: runs_dir.to_path_buf(), resume: false };
    let outcomes = execute(&runs, &suite.targets(), &opts, progress)?;
    let mut results = specs.iter().zip(&outcomes).map(|(s, o)| score_outcomes(s, suite, o));
    let all = results.next().expect("the all-features run");
    let without = Disabled::NAMES.iter().map(|f| f.to_string()).zip(results).collect();
    Ok(Ablation { all, without })
}

impl Ablation {
    /// Cases passing with everything on and failing with `feature` off.
    pub fn turned_fail(&self, r: &ToolResult) -> Vec<(String, String)> {
        self.all
            .scores
            .iter()
            .zip(&r.scores)
            .filter(|(a, b)| a.pass && !b.pass)
            .map(|(a, _)| (a.name.clone(), a.category.clone()))
            .collect()
    }

    /// Cases failing with everything on and passing with `feature` off.
    pub fn turned_pass(&self, r: &ToolResult) -> Vec<String> {
        self.all.scores.iter().zip(&r.scores).filter(|(a, b)| !a.pass && b.pass).map(|(a, _)| a.name.clone()).collect()
    }

    pub fn cases_table(&self) -> anyhow::Result<DataFrame> {
        let mut rows: Vec<(String, String)> = vec![];
        for (_, r) in &self.without {
            for c in self.turned_fail(r) {
                if !rows.contains(&c) {
                    rows.push(c);
                }
            }
        }
        let order: Vec<&str> = self.all.scores.iter().map(|s| s.name.as_str()).collect();
        rows.sort_by_key(|(n, _)| order.iter().position(|o| *o == n.as_str()));
        let mut b = TableBuilder::new().str("case", rows.iter().map(|r| &r.0)).str("category", rows.iter().map(|r| &r.1));
        for (f, r) in &self.without {
            let fails = self.turned_fail(r);
            b = b.str(f, rows.iter().map(|row| if fails.contains(row) { "FAIL" } else { "" }));
        }
        b.build()
    }

    pub fn features_table(&self) -> anyhow::Result<DataFrame> {
        let fails: Vec<Vec<(String, String)>> = self.without.iter().map(|(_, r)| self.turned_fail(r)).collect();
        let passes: Vec<Vec<String>> = self.without.iter().map(|(_, r)| self.turned_pass(r)).collect();
        TableBuilder::new()
            .str("feature", self.without.iter().map(|(f, _)| f))
            .u64("cases FAIL without it", fails.iter().map(|v| v.len() as u64))
            .str("which", fails.iter().map(|v| v.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(" ")))
            .u64("cases PASS without it", passes.iter().map(|v| v.len() as u64))
            .str("which (PASS)", passes.iter().map(|v| v.join(" ")))
            .u64("passed without it", self.without.iter().map(|(_, r)| r.summary.passed as u64))
            .build()
    }

    pub fn categories_table(&self) -> anyhow::Result<DataFrame> {
        let mut cats: Vec<String> = crate::suite::labels::Category::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .filter(|c| self.all.summary.by.category.contains_key(c))
            .collect();
        for k in self.all.summary.by.category.keys() {
            if !cats.contains(k) {
                cats.push(k.clone());
            }
        }
        cats.push("all".into());
        let get = |r: &ToolResult, c: &str| -> (u64, u64) {
            if c == "all" {
                (r.summary.cases as u64, r.summary.passed as u64)
            } else {
                r.summary.by.category.get(c).map(|g| (g.cases as u64, g.passed as u64)).unwrap_or((0, 0))
            }
        };
        let mut b = TableBuilder::new()
            .str("category", cats.iter())
            .u64("cases", cats.iter().map(|c| get(&self.all, c).0))
            .u64("pass (all features)", cats.iter().map(|c| get(&self.all, c).1));
        for (f, r) in &self.without {
            b = b.u64(&format!("pass without {f}"), cats.iter().map(|c| get(r, c).1));
        }
        b.build()
    }

    /// Writes the three tables and ablation.md under `out`; returns the Markdown.
    pub fn write(&self, out: &Path) -> anyhow::Result<String> {
        let mut cases = self.cases_table()?;
        let mut features = self.features_table()?;
        let mut cats = self.categories_table()?;
        tables::write_all(&mut cases, out, "ablation-cases", "Cases each feature turns from FAIL to PASS")?;
        tables::write_all(&mut features, out, "ablation-features", "Per feature")?;
        tables::write_all(&mut cats, out, "ablation-categories", "Per category")?;
        let md = format!(
            "# Ablation: {}\n\n{}\n\nEach column is one run of the analyzer with that feature turned off (`--disable FEATURE`).\n\n## Cases each feature turns from FAIL to PASS\n\n`FAIL`: the case passes with every feature and fails without this one.\n\n{}\n## Per feature\n\n{}\n## Per category (cases passed)\n\n{}",
            self.all.summary.suite,
            self.all.summary.headline().replacen("all on", "analyzer (all features) on", 1),
            tables::to_markdown(&cases),
            tables::to_markdown(&features),
            tables::to_markdown(&cats)
        );
        std::fs::write(out.join("ablation.md"), &md)?;
        Ok(md)
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (root, name) = suite::resolve(&args.suite, &args.cache)?;
    let mut suite = suite::load(&root, args.labels.as_deref(), Some(name))?;
    suite.filter(&args.cases);
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let progress = Progress::new((suite.targets().len() * (Disabled::NAMES.len() + 1)) as u64, "ablation");
    let a = ablate(&suite, jobs, Duration::from_secs_f64(args.timeout), &args.out.join("runs"), &progress)?;
    progress.finish();
    let md = a.write(&args.out)?;
    crate::cmd::score::emit(&format!("{md}\nwrote {}/ablation.md and ablation-*.{{csv,md,parquet}}\n", args.out.display()));
    Ok(ExitCode::SUCCESS)
}
