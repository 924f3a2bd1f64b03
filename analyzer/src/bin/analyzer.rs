//! The analyzer's command line. Exit codes: 0 no findings, 1 findings
//! (flows, or deployment risks of level error), 2 error (the harness and CI scripts rely on them).

use std::path::PathBuf;
use std::process::ExitCode;

use analyzer::analysis::{Options, ThreatModel};
use analyzer::config::{self, CommandLine, Effective, Settings};
use analyzer::infra::model::InfraOptions;
use analyzer::report;
use clap::{Parser, Subcommand, ValueEnum};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "analyzer", version, about = "Finds security-sensitive data flows in serverless applications")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScanFormat {
    Sarif,
    Json,
    Text,
    /// GitHub Actions workflow annotations (`::error file=...`).
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum InfraFormat {
    Json,
    Text,
}

#[derive(Clone, Copy, ValueEnum)]
enum PolicyFormat {
    Text,
    Json,
    /// `iamRoleStatements` per function (serverless-iam-roles-per-function).
    Serverless,
    /// An inline policy per function (SAM `Policies`).
    Sam,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Clone, Copy, ValueEnum)]
enum Threat {
    /// Entry-point events, object listings and command-line input.
    Default,
    /// Every handler's event is a source.
    AllEvents,
}

/// The options of every command that analyses an app. Each overrides the
/// project configuration file (serverless-flows.toml, .serverless-flows.toml
/// or pyproject.toml [tool.serverless-flows]); a repeated option replaces
/// the file's list.
#[derive(clap::Args)]
struct AnalysisArgs {
    /// Application folder.
    app: PathBuf,
    /// Analyse only this deployment file, relative to the app (repeatable).
    #[arg(long = "config", value_name = "DEPLOYMENT_FILE")]
    deployment_files: Vec<String>,
    /// Default: the contract's threat model.
    #[arg(long, value_enum)]
    threat_model: Option<Threat>,
    /// Turn a capability off (repeatable): env, plugins, resources,
    /// permissions, filters, links.
    #[arg(long = "disable", value_name = "FEATURE")]
    disable: Vec<String>,
    /// Do not report this rule: a vulnerability class or a deployment risk
    /// (repeatable).
    #[arg(long = "disable-rule", value_name = "RULE")]
    disable_rules: Vec<String>,
    /// Keep paths out of the analysis, gitignore-like (repeatable):
    /// `tests`, `scripts/*.py`.
    #[arg(long = "exclude", value_name = "PATTERN")]
    exclude: Vec<String>,
    /// Count permissions that cannot be decided as denied.
    #[arg(long)]
    unknown_permissions_denied: bool,
    /// Extra model files (taint models or aws/ service models).
    #[arg(long = "models", value_name = "FILE")]
    models: Vec<String>,
    /// Read the configuration from this file instead of looking for one.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    settings: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long)]
    isolated: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse an application and report its data flows.
    Scan {
        #[command(flatten)]
        args: AnalysisArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: ScanFormat,
        /// Write the report here instead of standard output.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// Report only findings not in this earlier SARIF log of ours.
        #[arg(long, value_name = "SARIF", conflicts_with = "baseline_ref")]
        baseline: Option<PathBuf>,
        /// Report only findings the app did not have at this git revision
        /// (analysed in a temporary worktree).
        #[arg(long, value_name = "REV")]
        baseline_ref: Option<String>,
    },
    /// Print a rule's documentation (what, why, example, fix) as Markdown,
    /// or list the rules.
    Rule {
        /// A rule id (`code-injection`); none lists every rule.
        id: Option<String>,
    },
    /// Print the configuration an analysis of the app would use, each
    /// setting with where it comes from.
    Config {
        #[command(flatten)]
        args: AnalysisArgs,
    },
    /// Print the resolved infrastructure model with its diagnostics.
    Infra {
        #[command(flatten)]
        args: AnalysisArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: InfraFormat,
        /// Show environment values that look like secrets (redacted by
        /// default: a password or key in a deployment file).
        #[arg(long)]
        show_values: bool,
    },
    /// Least privilege: what each function's code needs from IAM, the
    /// statements that grant exactly that, and what its role denies or
    /// grants in excess.
    Policy {
        #[command(flatten)]
        args: AnalysisArgs,
        #[arg(long, value_enum, default_value = "text")]
        format: PolicyFormat,
    },
    /// Draw the static service map: triggers, handlers, API calls.
    Graph {
        #[command(flatten)]
        args: AnalysisArgs,
        #[arg(long, value_enum, default_value = "mermaid")]
        format: GraphFormat,
    },
}

fn effective(a: &AnalysisArgs) -> Result<Effective, String> {
    let file = match (&a.settings, a.isolated) {
        (Some(path), _) => Some(config::read(path).map_err(|e| e.to_string())?),
        (None, true) => None,
        (None, false) => config::find(&a.app).map_err(|e| e.to_string())?,
    };
    let cli = Settings::from_values(CommandLine {
        deployment_files: a.deployment_files.clone(),
        exclude: a.exclude.clone(),
        models: a.models.clone(),
        threat_model: a.threat_model.map(|t| match t {
            Threat::Default => ThreatModel::Default,
            Threat::AllEvents => ThreatModel::AllEvents,
        }),
        disable: a.disable.clone(),
        disable_rules: a.disable_rules.clone(),
        unknown_permissions_denied: a.unknown_permissions_denied,
    });
    config::resolve(&a.app, file.as_ref(), &cli).map_err(|e| e.to_string())
}

fn options(a: &AnalysisArgs) -> Result<Options, String> {
    Ok(effective(a)?.options)
}

fn write_out(output: &Option<PathBuf>, text: &str) -> Result<(), String> {
    match output {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Scan { args, format, output, baseline, baseline_ref } => {
            let opts = options(&args)?;
            let mut analysis = analyzer::analyze(&args.app, &opts).map_err(|e| e.to_string())?;
            analyzer::suppress::apply(&mut analysis);
            let known = match (&baseline, &baseline_ref) {
                (Some(path), _) => Some(analyzer::baseline::from_sarif(path)?),
                (None, Some(rev)) => Some(analyzer::baseline::from_git_revision(&args.app, rev, &opts)?),
                (None, None) => None,
            };
            if let Some(known) = &known {
                analyzer::baseline::apply(&mut analysis, known);
            }
            let text = match format {
                ScanFormat::Github => report::github::render(&analysis),
                ScanFormat::Sarif => report::sarif::to_sarif(&analysis).to_json_pretty() + "\n",
                ScanFormat::Json => serde_json::to_string_pretty(&report::json::render(&analysis)).map_err(|e| e.to_string())? + "\n",
                ScanFormat::Text => report::text::render(&analysis),
            };
            write_out(&output, &text)?;
            let errors = analysis.errors();
            if !errors.is_empty() {
                if output.is_some() || !matches!(format, ScanFormat::Text) {
                    for e in &errors {
                        eprintln!("analyzer: {e}");
                    }
                }
                return Ok(ExitCode::from(2));
            }
            // Deployment risks of level warning or note are shown, not failed on.
            let failing_risk = analysis.risks.iter().any(|r| report::rules::class(&r.rule).is_some_and(|c| c.result_level() == analyzer::sarif::Level::Error));
            Ok(if analysis.findings.is_empty() && !failing_risk { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Rule { id: None } => {
            for c in report::rules::classes() {
                println!("{:<28} {}", c.id, c.short);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { id: Some(id) } => {
            let doc = report::rules::class(&id).ok_or_else(|| format!("unknown rule {id:?}; `analyzer rule` lists them"))?;
            print!("{}", doc.help_markdown());
            Ok(ExitCode::SUCCESS)
        }
        Command::Config { args } => {
            print!("{}", effective(&args)?.render(&args.app));
            Ok(ExitCode::SUCCESS)
        }
        Command::Infra { args, format, show_values } => {
            if !args.app.is_dir() {
                return Err(format!("{}: not a folder", args.app.display()));
            }
            let opts = options(&args)?;
            let mut model = analyzer::infra::load(&args.app, &opts.deployment_files, &opts.exclude, &InfraOptions::default());
            if !show_values {
                analyzer::redact::model(&mut model);
            }
            let text = match format {
                InfraFormat::Json => serde_json::to_string_pretty(&model).map_err(|e| e.to_string())? + "\n",
                InfraFormat::Text => analyzer::infra::render_text(&model),
            };
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy { args, format } => {
            let opts = options(&args)?;
            let analysis = analyzer::analyze(&args.app, &opts).map_err(|e| e.to_string())?;
            let errors = analysis.errors();
            if !errors.is_empty() {
                return Err(errors.join("\n"));
            }
            let fs = analyzer::privilege::privileges(&analysis);
            let text = match format {
                PolicyFormat::Text => analyzer::privilege::render_text(&fs),
                PolicyFormat::Json => serde_json::to_string_pretty(&analyzer::privilege::render_json(&fs)).map_err(|e| e.to_string())? + "\n",
                PolicyFormat::Serverless => analyzer::privilege::render_serverless(&fs),
                PolicyFormat::Sam => analyzer::privilege::render_sam(&fs),
            };
            print!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Graph { args, format } => {
            let opts = options(&args)?;
            let analysis = analyzer::analyze(&args.app, &opts).map_err(|e| e.to_string())?;
            let f = match format {
                GraphFormat::Dot => report::graph::Format::Dot,
                GraphFormat::Mermaid => report::graph::Format::Mermaid,
            };
            print!("{}", report::graph::render(&analysis, f));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("analyzer: {e}");
            ExitCode::from(2)
        }
    }
}
