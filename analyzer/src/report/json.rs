//! Findings, deployment risks, statistics and timings as JSON, for scripts and the harness.

use serde_json::json;

use crate::analysis::Analysis;

pub fn render(analysis: &Analysis) -> serde_json::Value {
    json!({
        "app": analysis.app.display().to_string(),
        "errors": analysis.errors(),
        "findings": analysis.findings,
        "risks": analysis.risks,
        "suppressed": analysis.suppressed,
        "unused_suppressions": analysis.unused_suppressions,
        "baseline_known": analysis.baseline_known,
        "parse_failures": analysis.parse_failures,
        "stats": analysis.stats,
        "timings": analysis.timings,
        "diagnostics": analysis.infra.services.iter().flat_map(|s| s.diagnostics.iter()).chain(analysis.infra.diagnostics.iter()).collect::<Vec<_>>(),
    })
}
