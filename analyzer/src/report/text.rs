//! Findings as chains a person reads at a glance (deployment risks as one
//! line each, after them):
//! `POST /produce  handlers/httphandler.py:14 onHTTPPostEvent -> s3:ObjectCreated
//! (bucket b, prefix uploads/) -> ... -> os.system at handlers/x.py:18`.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::taint::label::Site;

fn short(site: &Site) -> String {
    let func = site.function.rsplit('.').next().unwrap_or(&site.function);
    format!("{}:{} {}", site.file, site.line, func)
}

pub fn render(analysis: &Analysis) -> String {
    let mut out = String::new();
    for e in analysis.errors() {
        let _ = writeln!(out, "error: {e}");
    }
    for f in &analysis.findings {
        let _ = writeln!(out, "{} at {}:{} ({})", f.vulnerability, f.sink.file, f.sink.line, f.callee);
        for flow in &f.flows {
            let mut chain = format!("  {}  {}", flow.source.what, short(&flow.source.site));
            for hop in &flow.hops {
                let _ = write!(chain, " -> {} at {}:{} -> {} ({})", hop.call, hop.from.file, hop.from.line, hop.event, hop.resource);
                if hop.conservative {
                    chain.push_str(" [resource not resolved: linked conservatively]");
                }
                let _ = write!(chain, " -> {}", short(&hop.to));
            }
            let _ = writeln!(chain, " -> {} at {}:{}", f.callee, f.sink.file, f.sink.line);
            out.push_str(&chain);
        }
    }
    for r in &analysis.risks {
        let _ = writeln!(out, "{} at {}:{}: {}", r.rule, r.file, r.line, r.message);
    }
    let _ = writeln!(
        out,
        "{} finding(s), {} deployment risk(s); {} handler(s), {} Python file(s), {} line(s); {} file(s) not parsed",
        analysis.findings.len(),
        analysis.risks.len(),
        analysis.stats.handlers,
        analysis.stats.python_files,
        analysis.stats.python_lines,
        analysis.parse_failures.len()
    );
    for p in &analysis.parse_failures {
        let _ = writeln!(out, "  not parsed: {}:{}: {}", p.file, p.line, p.reason);
    }
    for f in &analysis.stats.python2_files {
        let _ = writeln!(out, "  read as Python 2: {f}");
    }
    for m in &analysis.stats.handlers_missing {
        let _ = writeln!(out, "  handler not found: {}:{}: {m}", m.deployment_file, m.line);
    }
    for s in &analysis.suppressed {
        let _ = writeln!(out, "  suppressed: {} at {}:{} ({}) by {}:{}{}", s.finding.vulnerability, s.finding.sink.file, s.finding.sink.line, s.finding.callee, s.by.file, s.by.line, if s.by.reason.is_empty() { String::new() } else { format!(": {}", s.by.reason) });
    }
    for u in &analysis.unused_suppressions {
        let _ = writeln!(out, "  unused suppression: {}:{}: ignore[{}] matches no finding", u.file, u.line, u.classes.join(","));
    }
    if let Some(known) = analysis.baseline_known.filter(|&n| n > 0) {
        let _ = writeln!(out, "  {known} finding(s) already in the baseline, not shown");
    }
    for v in &analysis.vendored {
        let _ = writeln!(out, "  {v}");
    }
    for m in &analysis.stats.other_runtimes {
        let _ = writeln!(out, "  not analysed, not Python: {m}");
    }
    out
}
