//! The report of a bench output folder (every `<tool>/summary.json` under
//! it): the side-by-side table, pass counts per category and tool, time per
//! tool, the per-case matrix, and figures (pass rate per tool and
//! category, precision/recall/F1 per tool, time per case per tool), as
//! Markdown and HTML with tables under `tables/` and figures under
//! `figures/` (`harness report`, and `harness bench` when it ends).

use crate::report::plots::{self, Bars, Figure, Kind, PointSeries};
use crate::report::tables::{self, TableBuilder};
use crate::summary::Summary;
use anyhow::{bail, Result};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Every `<dir>/<tool>/summary.json`, `analyzer` first, then by name.
pub fn read_summaries(dir: &Path) -> Result<Vec<Summary>> {
    let mut found = vec![];
    let entries = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    for e in entries.flatten() {
        let p = e.path().join("summary.json");
        if p.is_file() {
            found.push(Summary::read(&p)?);
        }
    }
    if found.is_empty() {
        bail!("{}: no <tool>/summary.json (run `harness bench --out {}` first)", dir.display(), dir.display());
    }
    found.sort_by(|a, b| (a.tool != "analyzer", &a.tool).cmp(&(b.tool != "analyzer", &b.tool)));
    Ok(found)
}

/// Sum of the per-case seconds (0 when untimed).
pub fn total_seconds(s: &Summary) -> f64 {
    let t: f64 = s.per_case.iter().filter_map(|c| c.seconds).sum();
    (t * 1000.0).round() / 1000.0
}

/// tool | mode | cases | passed | TP | FP | FN | precision | recall | F1 | seconds
pub fn side_by_side(summaries: &[Summary]) -> Result<DataFrame> {
    TableBuilder::new()
        .str("tool", summaries.iter().map(|s| s.tool.as_str()))
        .str("mode", summaries.iter().map(|s| s.mode.as_str()))
        .u64("cases", summaries.iter().map(|s| s.cases as u64))
        .u64("passed", summaries.iter().map(|s| s.passed as u64))
        .u64("TP", summaries.iter().map(|s| s.tp as u64))
        .u64("FP", summaries.iter().map(|s| s.fp as u64))
        .u64("FN", summaries.iter().map(|s| s.fn_ as u64))
        .f64("precision", summaries.iter().map(|s| s.precision))
        .f64("recall", summaries.iter().map(|s| s.recall))
        .f64("F1", summaries.iter().map(|s| s.f1))
        .f64("seconds", summaries.iter().map(total_seconds))
        .build()
}

/// The categories of all summaries, in the contract's order first.
fn categories(summaries: &[Summary]) -> Vec<String> {
    let mut all: Vec<String> = vec![];
    for c in crate::suite::labels::Category::ALL {
        if summaries.iter().any(|s| s.by.category.contains_key(c.as_str())) {
            all.push(c.as_str().to_string());
        }
    }
    for s in summaries {
        for k in s.by.category.keys() {
            if !all.contains(k) {
                all.push(k.clone());
            }
        }
    }
    all
}

/// category | cases | `<tool>` passed ... (the last row is `all`).
pub fn category_pass(summaries: &[Summary]) -> Result<DataFrame> {
    let cats = categories(summaries);
    let mut names: Vec<String> = cats.clone();
    names.push("all".into());
    let cases = |c: &str| -> u64 {
        summaries
            .iter()
            .map(|s| if c == "all" { s.cases } else { s.by.category.get(c).map(|g| g.cases).unwrap_or(0) })
            .max()
            .unwrap_or(0) as u64
    };
    let mut b = TableBuilder::new().str("category", names.iter()).u64("cases", names.iter().map(|c| cases(c)));
    for s in summaries {
        b = b.u64(
            &s.tool,
            names.iter().map(|c| if c == "all" { s.passed } else { s.by.category.get(c).map(|g| g.passed).unwrap_or(0) } as u64),
        );
    }
    b.build()
}

/// tool | mean | median | max seconds per case.
pub fn time_table(summaries: &[Summary]) -> Result<DataFrame> {
    let stats: Vec<(f64, f64, f64)> = summaries
        .iter()
        .map(|s| {
            let mut v: Vec<f64> = s.per_case.iter().filter_map(|c| c.seconds).collect();
            v.sort_by(f64::total_cmp);
            if v.is_empty() {
                return (0.0, 0.0, 0.0);
            }
            (v.iter().sum::<f64>() / v.len() as f64, v[v.len() / 2], v[v.len() - 1])
        })
        .collect();
    TableBuilder::new()
        .str("tool", summaries.iter().map(|s| s.tool.as_str()))
        .f64("mean s/case", stats.iter().map(|s| s.0))
        .f64("median s/case", stats.iter().map(|s| s.1))
        .f64("max s/case", stats.iter().map(|s| s.2))
        .f64("total s", summaries.iter().map(total_seconds))
        .build()
}

/// case | category | `<tool>` PASS/FAIL ... (`-` when a tool has no such case).
pub fn case_matrix(summaries: &[Summary]) -> Result<DataFrame> {
    let mut order: Vec<(String, String)> = vec![];
    for s in summaries {
        for c in &s.per_case {
            if !order.iter().any(|(n, _)| n == &c.name) {
                order.push((c.name.clone(), c.category.clone()));
            }
        }
    }
    let mut b = TableBuilder::new().str("case", order.iter().map(|o| &o.0)).str("category", order.iter().map(|o| &o.1));
    for s in summaries {
        let by: BTreeMap<&str, bool> = s.per_case.iter().map(|c| (c.name.as_str(), c.pass)).collect();
        b = b.str(
            &s.tool,
            order.iter().map(|(n, _)| match by.get(n.as_str()) {
                Some(true) => "PASS",
                Some(false) => "FAIL",
                None => "-",
            }),
        );
    }
    b.build()
}

/// A piece of the report, rendered to both Markdown and HTML.
pub enum Block {
    Heading(u8, String),
    Para(String),
    List(Vec<String>),
    Table(DataFrame),
    /// Figure stem under `figures/` and its caption.
    Figure(String, String),
}

pub fn render_markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading(l, t) => {
                let _ = writeln!(s, "{} {t}\n", "#".repeat(*l as usize));
            }
            Block::Para(t) => {
                let _ = writeln!(s, "{t}\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(s, "* {i}");
                }
                s.push('\n');
            }
            Block::Table(df) => {
                let _ = writeln!(s, "{}", tables::to_markdown(df));
            }
            Block::Figure(stem, cap) => {
                let _ = writeln!(s, "![{cap}](figures/{stem}.png)\n\n*{cap}* ([SVG](figures/{stem}.svg))\n");
            }
        }
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Markdown `code` spans to HTML.
fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in esc(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

pub fn render_html(title: &str, blocks: &[Block]) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title>\n<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.2em .6em}}td.n{{text-align:right}}img{{max-width:100%}}</style></head><body>\n",
        esc(title)
    );
    for b in blocks {
        match b {
            Block::Heading(l, t) => {
                let _ = writeln!(s, "<h{l}>{}</h{l}>", inline(t));
            }
            Block::Para(t) => {
                let _ = writeln!(s, "<p>{}</p>", inline(t));
            }
            Block::List(items) => {
                s.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(s, "<li>{}</li>", inline(i));
                }
                s.push_str("</ul>\n");
            }
            Block::Table(df) => {
                let numeric: Vec<bool> = df.columns().iter().map(|c| c.dtype().is_primitive_numeric()).collect();
                s.push_str("<table>\n<tr>");
                for h in tables::header(df) {
                    let _ = write!(s, "<th>{}</th>", esc(&h));
                }
                s.push_str("</tr>\n");
                for r in tables::rows(df) {
                    s.push_str("<tr>");
                    for (c, n) in r.iter().zip(&numeric) {
                        let _ = write!(s, "<td{}>{}</td>", if *n { " class=\"n\"" } else { "" }, esc(c));
                    }
                    s.push_str("</tr>\n");
                }
                s.push_str("</table>\n");
            }
            Block::Figure(stem, cap) => {
                let _ = writeln!(s, "<figure><img src=\"figures/{stem}.svg\" alt=\"{0}\"><figcaption>{0}</figcaption></figure>", esc(cap));
            }
        }
    }
    s.push_str("</body></html>\n");
    s
}

/// Draws the figures and writes tables/, figures/, report.md and report.html
/// under `out`; returns the Markdown path.
pub fn write_report(summaries: &[Summary], out: &Path) -> Result<PathBuf> {
    let tdir = out.join("tables");
    let fdir = out.join("figures");
    let mut side = side_by_side(summaries)?;
    let mut cats = category_pass(summaries)?;
    let mut times = time_table(summaries)?;
    let mut matrix = case_matrix(summaries)?;
    tables::write_all(&mut side, &tdir, "side-by-side", "Side by side")?;
    tables::write_all(&mut cats, &tdir, "pass-by-category", "Cases passed by category")?;
    tables::write_all(&mut times, &tdir, "time", "Time per case")?;
    tables::write_all(&mut matrix, &tdir, "cases", "Cases")?;

    let cat_names = categories(summaries);
    let rate = |s: &Summary, c: &str| s.by.category.get(c).map(|g| if g.cases == 0 { 0.0 } else { g.passed as f64 / g.cases as f64 }).unwrap_or(0.0);
    let mut pass = Bars::new(
        "Pass rate per category",
        "cases passed / cases",
        cat_names.iter().cloned().chain(["all".to_string()]).collect(),
        summaries
            .iter()
            .map(|s| {
                let mut v: Vec<f64> = cat_names.iter().map(|c| rate(s, c)).collect();
                v.push(if s.cases == 0 { 0.0 } else { s.passed as f64 / s.cases as f64 });
                (s.tool.clone(), v)
            })
            .collect(),
    );
    pass.y_max = Some(1.05);
    plots::draw_bars(&pass, &fdir, "pass-rate")?;
    let mut prf = Bars::new(
        "Precision, recall and F1 per tool",
        "score",
        summaries.iter().map(|s| s.tool.clone()).collect(),
        vec![
            ("precision".into(), summaries.iter().map(|s| s.precision).collect()),
            ("recall".into(), summaries.iter().map(|s| s.recall).collect()),
            ("F1".into(), summaries.iter().map(|s| s.f1).collect()),
        ],
    );
    prf.y_max = Some(1.05);
    plots::draw_bars(&prf, &fdir, "precision-recall")?;
    let series: Vec<PointSeries> = summaries
        .iter()
        .map(|s| {
            let mut v: Vec<f64> = s.per_case.iter().filter_map(|c| c.seconds).collect();
            v.sort_by(f64::total_cmp);
            PointSeries::new(&s.tool, v.into_iter().enumerate().map(|(i, x)| ((i + 1) as f64, x)).collect())
        })
        .collect();
    plots::draw(&Figure::new("Time per case (cases sorted by time)", "case rank", "seconds", Kind::Line), &series, &fdir, "time-per-case")?;

    let suite = summaries.first().map(|s| s.suite.clone()).unwrap_or_default();
    let tools: Vec<String> = summaries.iter().map(|s| format!("`{}` ({})", s.tool, s.mode)).collect();
    let blocks = vec![
        Block::Heading(1, format!("Bench report: {suite}")),
        Block::Para(format!(
            "Tools: {}. Scored with the rules of docs/ground-truth.md: a case passes when every expected flow is found and nothing else is reported; `sink-only` ignores sources, `lenient` ignores the vulnerability class. Seconds are the sum of per-case wall times.",
            tools.join(", ")
        )),
        Block::Heading(2, "Side by side".into()),
        Block::Table(side),
        Block::Figure("precision-recall".into(), "Precision, recall and F1 per tool".into()),
        Block::Heading(2, "Cases passed by category".into()),
        Block::Table(cats),
        Block::Figure("pass-rate".into(), "Pass rate per tool and category".into()),
        Block::Heading(2, "Time".into()),
        Block::Table(times),
        Block::Figure("time-per-case".into(), "Seconds per case per tool".into()),
        Block::Heading(2, "Headlines".into()),
        Block::List(summaries.iter().map(Summary::headline).collect()),
        Block::Heading(2, "Cases".into()),
        Block::Table(matrix),
    ];
    let md = out.join("report.md");
    std::fs::write(&md, render_markdown(&blocks))?;
    std::fs::write(out.join("report.html"), render_html(&format!("Bench report: {suite}"), &blocks))?;
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::mode::Mode;
    use crate::score::CaseScore;

    fn summary(tool: &str, passes: &[bool]) -> Summary {
        let scores: Vec<CaseScore> = passes
            .iter()
            .enumerate()
            .map(|(i, &p)| CaseScore {
                name: format!("c{i}"),
                rel: format!("x/c{i}"),
                category: if i % 2 == 0 { "inter-procedural".into() } else { "intra-procedural".into() },
                target_service: "s3".into(),
                vulnerabilities: vec!["code-injection".into()],
                features: vec![],
                pass: p,
                tp: p as u32,
                fp: 0,
                fn_: (!p) as u32,
                error: None,
                seconds: Some(0.1 * (i + 1) as f64),
                missed: vec![],
                false_positives: vec![],
                findings: None,
            })
            .collect();
        Summary::from_scores(tool, "suite", Mode::STRICT, &scores)
    }

    #[test]
    fn tables_and_report() {
        let s = vec![summary("analyzer", &[true, true, false]), summary("bandit", &[false, true, false])];
        let side = side_by_side(&s).unwrap();
        assert_eq!(tables::rows(&side)[1][..4], ["bandit", "strict", "3", "1"]);
        assert_eq!(tables::rows(&side)[0][10], "0.6");
        let cats = category_pass(&s).unwrap();
        assert_eq!(tables::header(&cats), ["category", "cases", "analyzer", "bandit"]);
        assert_eq!(tables::rows(&cats)[2], ["all", "3", "2", "1"]);
        let m = case_matrix(&s).unwrap();
        assert_eq!(tables::rows(&m)[0], ["c0", "inter-procedural", "PASS", "FAIL"]);
        let t = tempfile::tempdir().unwrap();
        for x in &s {
            x.write_all(&t.path().join(&x.tool)).unwrap();
        }
        let read = read_summaries(t.path()).unwrap();
        assert_eq!(read.iter().map(|s| s.tool.as_str()).collect::<Vec<_>>(), ["analyzer", "bandit"]);
        let md = write_report(&read, t.path()).unwrap();
        let text = std::fs::read_to_string(&md).unwrap();
        assert!(text.contains("| analyzer | strict | 3 | 2 |"), "{text}");
        assert!(text.contains("![Pass rate per tool and category](figures/pass-rate.png)"));
        for f in ["figures/pass-rate.svg", "figures/pass-rate.png", "figures/precision-recall.png", "figures/time-per-case.svg", "tables/side-by-side.parquet", "report.html"] {
            assert!(t.path().join(f).is_file(), "{f}");
        }
        assert!(std::fs::read_to_string(t.path().join("report.html")).unwrap().contains("<td class=\"n\">"));
    }
}
