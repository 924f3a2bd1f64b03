//! `harness review [--results DIR]`: list the flows not yet reviewed and
//! record verdicts (vulnerability, potential, not-a-vulnerability, with a
//! note) in `results/review/verdicts.csv`. Non-interactive with
//! `--fingerprint F --verdict V [--note N]` (scripts, tests); on a terminal,
//! without those flags and without `--list`, it prompts for each flow.
//! Afterwards it rewrites the verdict tables (`summary`, the study's
//! Table 6.2, and `review_by_class`) in the results folder.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::report::tables;
use crate::scan::review::{self, Item, Verdict, DEFAULT_VERDICTS};
use crate::scan::{record, report};

/// List unreviewed flows of a scan and record verdicts.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A scan (or merge) output folder.
    #[arg(long, default_value = "results/scan")]
    pub results: PathBuf,
    #[arg(long, default_value = DEFAULT_VERDICTS)]
    pub verdicts: PathBuf,
    /// Fingerprint of the flow to judge (see the list or findings.csv).
    #[arg(long, requires = "verdict")]
    pub fingerprint: Option<String>,
    /// vulnerability | potential | not-a-vulnerability
    #[arg(long, requires = "fingerprint")]
    pub verdict: Option<Verdict>,
    #[arg(long, default_value = "")]
    pub note: String,
    /// Only list, never prompt.
    #[arg(long)]
    pub list: bool,
    /// Also flows of apps left out by triage (templates...).
    #[arg(long)]
    pub all: bool,
}

fn describe(i: &Item<'_>) -> String {
    format!(
        "{}  {}  {}{}\n    source: {}\n    sink:   {}",
        i.flow.fingerprint,
        i.app.id(),
        i.flow.vulnerability,
        if i.flow.inter { " (inter-procedural)" } else { "" },
        i.source(),
        i.sink()
    )
}

pub fn run(a: Args) -> Result<ExitCode> {
    let records = record::load_records(&a.results)?;
    if records.is_empty() {
        bail!("{}: no scan records (run harness scan first)", a.results.display());
    }
    let items = review::items(&records, a.all);
    let mut verdicts = review::read_verdicts(&a.verdicts)?;
    let mut recorded = 0;
    if let (Some(fp), Some(v)) = (&a.fingerprint, a.verdict) {
        let all_items = review::items(&records, true);
        let Some(item) = all_items.iter().find(|i| &i.flow.fingerprint == fp) else {
            bail!("{fp}: no flow with this fingerprint in {}", a.results.display());
        };
        let row = item.row(v, &a.note);
        review::append_verdict(&a.verdicts, &row)?;
        println!("{fp}: {v} recorded in {}", a.verdicts.display());
        verdicts.insert(fp.clone(), row);
        recorded += 1;
    } else {
        let pending: Vec<&Item<'_>> = items.iter().filter(|i| !verdicts.contains_key(&i.flow.fingerprint)).collect();
        let interactive = !a.list && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        println!("{} of {} flows not reviewed", pending.len(), items.len());
        if !interactive {
            for i in &pending {
                println!("{}", describe(i));
            }
        } else {
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines();
            for (n, i) in pending.iter().enumerate() {
                println!("\n[{}/{}] {}", n + 1, pending.len(), describe(i));
                let v = loop {
                    print!("verdict: [v]ulnerability, [p]otential, [n]ot a vulnerability, [s]kip, [q]uit: ");
                    std::io::stdout().flush()?;
                    let Some(line) = lines.next() else { break None };
                    let line = line?;
                    match line.trim() {
                        "s" | "skip" => break Some(None),
                        "q" | "quit" => break None,
                        other => match other.parse::<Verdict>() {
                            Ok(v) => break Some(Some(v)),
                            Err(e) => println!("{e}"),
                        },
                    }
                };
                let v = match v {
                    None => break,
                    Some(None) => continue,
                    Some(Some(v)) => v,
                };
                print!("note: ");
                std::io::stdout().flush()?;
                let note = lines.next().transpose()?.unwrap_or_default();
                let row = i.row(v, note.trim());
                review::append_verdict(&a.verdicts, &row)?;
                verdicts.insert(row.fingerprint.clone(), row);
                recorded += 1;
            }
        }
    }
    let changes = review::changes(&review::items(&records, true), None);
    let t = report::build_tables(&records, &verdicts, &changes)?;
    for (stem, title, df) in t {
        if matches!(stem.as_str(), "summary" | "review_by_class") {
            let mut df = df;
            tables::write_all(&mut df, &a.results, &stem, &title)?;
            if stem == "summary" {
                println!("\n## {title}\n\n{}", tables::to_markdown(&df));
            }
        }
    }
    if recorded > 0 {
        println!("{recorded} verdicts recorded");
    }
    Ok(ExitCode::SUCCESS)
}
