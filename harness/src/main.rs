use clap::{Parser, Subcommand};
use harness::cmd;
use std::process::ExitCode;

/// Runs serverless analyzers on labelled suites, scores and reports them.
#[derive(Debug, Parser)]
#[command(name = "harness", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run analyzers over a suite in parallel, score them, write per-tool and side-by-side tables.
    Bench(cmd::bench::Args),
    /// Run our analyzer once per disabled feature: which feature turns which case from FAIL to PASS.
    Ablation(cmd::ablation::Args),
    /// Compare two summary.json files; exit 1 on a regression.
    Compare(cmd::compare::Args),
    /// Assemble a Markdown/HTML report with tables and figures from a bench output folder.
    Report(cmd::report::Args),
    /// Score SARIF logs (one `<case-name>.sarif` per case) against a suite.
    Score(cmd::score::Args),
    /// Work on a labelled suite.
    #[command(subcommand)]
    Suite(SuiteCommand),
    /// Clone a manifest's repositories at pinned commits, or download a dataset archive.
    Fetch(cmd::fetch::Args),
    /// Collect serverless repositories from GitHub (Table 3.1), or fill a manifest's metadata.
    Collect(cmd::collect::Args),
    /// Characterise a folder of repositories (AWSomePy Tables 3.2-3.5, Figures 3.2-3.4).
    Characterize(cmd::characterize::Args),
    /// Analyse every app of a dataset in child processes (timeout, memory limit, resumable, --shard K/N).
    Scan(cmd::scan::Args),
    /// List unreviewed flows of a scan and record verdicts.
    Review(cmd::review::Args),
    /// Combine scan outputs (shards) into one result.
    Merge(cmd::merge::Args),
    /// Set published tables (AWSomePy, CloudFlow) beside ours, one column per snapshot.
    Published(cmd::published::Args),
    /// Time analyzers over a dataset, one process per repository and tool: seconds, lines per second, peak memory.
    Perf(cmd::perf::Args),
    /// A worker process of `harness scan` (internal).
    #[command(hide = true)]
    AnalyzeWorker,
    /// The measuring process of `harness perf` (internal).
    #[command(hide = true)]
    PerfMeasure(cmd::perf::MeasureArgs),
}

#[derive(Debug, Subcommand)]
enum SuiteCommand {
    /// Validate every case against the contract; exit 1 on problems.
    Check(cmd::suite_check::Args),
    /// Print and write the suite's coverage tables.
    Describe(cmd::suite_describe::Args),
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Bench(a) => cmd::bench::run(a),
        Command::Ablation(a) => cmd::ablation::run(a),
        Command::Compare(a) => cmd::compare::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Score(a) => cmd::score::run(a),
        Command::Suite(SuiteCommand::Check(a)) => cmd::suite_check::run(a),
        Command::Suite(SuiteCommand::Describe(a)) => cmd::suite_describe::run(a),
        Command::Fetch(a) => cmd::fetch::run(a),
        Command::Collect(a) => cmd::collect::run(a),
        Command::Characterize(a) => cmd::characterize::run(a),
        Command::Scan(a) => cmd::scan::run(a),
        Command::Review(a) => cmd::review::run(a),
        Command::Perf(a) => cmd::perf::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Published(a) => cmd::published::run(a),
        Command::AnalyzeWorker => cmd::analyze_worker::run(),
        Command::PerfMeasure(a) => cmd::perf::measure(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("harness: {e:#}");
            ExitCode::from(2)
        }
    }
}
