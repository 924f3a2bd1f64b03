//! Findings as SARIF 2.1.0, in the contract's shape: one result per sink
//! and vulnerability class, one code flow per source, whose locations are
//! the source, every cloud hop (writing call, receiving handler) and the
//! sink. Deployment risks are results too: at the deployment file's line,
//! no code flow, `properties.family = "deployment-risk"`. Secret-exposure
//! flows carry `properties.family = "secret-flow"`: they are labelled and
//! scored as findings at their sink.

use std::collections::BTreeSet;

use serde_json::json;

use crate::analysis::{Analysis, Finding, Flow};
use crate::fingerprint::{fingerprint, risk_fingerprint};
use crate::sarif::{CodeFlow, Invocation, Location, Log, Message, Notification, Result as SarifResult};
use crate::taint::label::Site;

pub const TOOL_NAME: &str = "serverless-flows";

fn site_location(site: &Site, message: impl Into<String>) -> Location {
    let kind = if site.function.ends_with(".<module>") { "module" } else { "function" };
    Location::at(&site.file, site.line).in_function(&site.function, kind).with_message(message)
}

fn flow_locations(finding: &Finding, flow: &Flow) -> Vec<Location> {
    let mut locs = vec![site_location(&flow.source.site, format!("source ({}): {}", flow.source.kind.name(), flow.source.what))];
    for hop in &flow.hops {
        locs.push(site_location(&hop.from, format!("{} writes to {} ({})", hop.call, hop.resource, hop.event)));
        locs.push(site_location(&hop.to, format!("receives {} from {}", hop.event, hop.resource)));
    }
    locs.push(site_location(&finding.sink, format!("sink: {}", finding.callee)));
    locs
}

/// Every cloud hop of the finding's flows, once: where data is written to
/// a resource and where it is delivered.
fn related_locations(finding: &Finding) -> Vec<Location> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for hop in finding.flows.iter().flat_map(|fl| &fl.hops) {
        for (site, text) in [
            (&hop.from, format!("written to {} ({}) by {}", hop.resource, hop.event, hop.call)),
            (&hop.to, format!("delivered from {} ({}) to this handler", hop.resource, hop.event)),
        ] {
            if seen.insert((site.file.clone(), site.line, text.clone())) {
                let mut loc = site_location(site, text);
                loc.id = Some(out.len() as i64);
                out.push(loc);
            }
        }
    }
    out
}

pub fn to_sarif(analysis: &Analysis) -> Log {
    let classes = super::rules::classes();
    let rules = classes.iter().map(|c| c.descriptor()).collect();
    let mut log = Log::new(TOOL_NAME, env!("CARGO_PKG_VERSION"), None, rules);
    let run = &mut log.runs[0];
    let active = analysis.findings.iter().map(|f| (f, None));
    let suppressed = analysis.suppressed.iter().map(|s| (&s.finding, Some(&s.by)));
    for (f, suppressed_by) in active.chain(suppressed) {
        let hops: BTreeSet<String> = f.flows.iter().flat_map(|fl| fl.hops.iter().map(|h| h.event.clone())).collect();
        let kinds: BTreeSet<&str> = f.flows.iter().map(|fl| fl.source.kind.name()).collect();
        let conservative = f.flows.iter().any(Flow::conservative);
        let inter = f.flows.iter().any(|fl| fl.inter_procedural(&f.sink));
        let rule_index = classes.iter().position(|c| c.id == f.vulnerability).map(|i| i as i64);
        let mut props = crate::sarif::PropertyBag::new();
        props.insert("sourceKind".into(), json!(kinds.into_iter().collect::<Vec<_>>().join(",")));
        props.insert("sinkCallee".into(), json!(f.callee));
        props.insert("hops".into(), json!(hops.into_iter().collect::<Vec<_>>()));
        props.insert("interProcedural".into(), json!(inter));
        if conservative {
            props.insert("conservativeLink".into(), json!(true));
        }
        if let Some(family) = rule_index.map(|i| classes[i as usize].family).filter(|f| f.labelled_as_finding()) {
            props.insert("family".into(), json!(family.name()));
        }
        let first = &f.flows[0];
        let text = format!(
            "{} reaches {} ({}){}",
            first.source.what,
            f.callee,
            f.vulnerability,
            if f.flows.len() > 1 { format!(" and {} more sources", f.flows.len() - 1) } else { String::new() }
        );
        run.results.push(SarifResult {
            rule_id: Some(f.vulnerability.clone()),
            rule_index,
            level: Some(crate::sarif::Level::Error),
            message: Message::text(text),
            locations: vec![site_location(&f.sink, f.callee.clone())],
            code_flows: f.flows.iter().map(|fl| CodeFlow::through(flow_locations(f, fl))).collect(),
            related_locations: related_locations(f),
            partial_fingerprints: Some(std::iter::once(("primaryLocationLineHash".to_string(), fingerprint(f))).collect()),
            properties: Some(props),
            suppressions: suppressed_by
                .map(|by| crate::sarif::Suppression {
                    kind: "inSource".into(),
                    justification: (!by.reason.is_empty()).then(|| by.reason.clone()),
                    locations: vec![Location::at(&by.file, by.line)],
                })
                .into_iter()
                .collect(),
            baseline_state: analysis.baseline_known.map(|_| "new".to_string()),
            ..Default::default()
        });
    }
    for r in &analysis.risks {
        let doc = classes.iter().position(|c| c.id == r.rule);
        let mut props = crate::sarif::PropertyBag::new();
        props.insert("family".into(), json!(crate::rule_doc::Family::DeploymentRisk.name()));
        if let Some(f) = &r.function {
            props.insert("function".into(), json!(f));
        }
        run.results.push(SarifResult {
            rule_id: Some(r.rule.clone()),
            rule_index: doc.map(|i| i as i64),
            level: Some(doc.map_or(crate::sarif::Level::Warning, |i| classes[i].result_level())),
            message: Message::text(r.message.clone()),
            locations: vec![Location::at(&r.file, r.line)],
            partial_fingerprints: Some(std::iter::once(("primaryLocationLineHash".to_string(), risk_fingerprint(r))).collect()),
            properties: Some(props),
            baseline_state: analysis.baseline_known.map(|_| "new".to_string()),
            ..Default::default()
        });
    }
    let errors = analysis.errors();
    let mut notes: Vec<Notification> = errors.iter().map(|e| Notification { message: Message::text(e.clone()), level: Some(crate::sarif::Level::Error), locations: Vec::new() }).collect();
    notes.extend(notifications(analysis));
    run.invocations = vec![Invocation { execution_successful: errors.is_empty(), exit_code: None, tool_execution_notifications: notes }];
    log
}

/// What the analysis could not see, for whoever triages the findings: a
/// missing finding is often explained here (an unresolved variable, a file
/// that does not parse, a handler whose code is missing).
fn notifications(analysis: &Analysis) -> Vec<Notification> {
    let warn = |text: String, at: Option<(&str, u32)>| Notification {
        message: Message::text(text),
        level: Some(crate::sarif::Level::Warning),
        locations: at.map(|(file, line)| Location::at(file, line)).into_iter().collect(),
    };
    let infra = &analysis.infra;
    let diagnostics = infra.diagnostics.iter().chain(infra.services.iter().flat_map(|s| &s.diagnostics));
    let mut out: Vec<Notification> = diagnostics.map(|d| warn(d.message.clone(), Some((&d.file, d.line)))).collect();
    out.extend(analysis.parse_failures.iter().map(|p| warn(format!("not parsed: {}", p.reason), Some((&p.file, p.line)))));
    out.extend(analysis.unused_suppressions.iter().map(|u| warn(format!("unused suppression: ignore[{}] matches no finding", u.classes.join(",")), Some((&u.file, u.line)))));
    out.extend(analysis.stats.handlers_missing.iter().map(|m| warn(format!("handler not found: {m}"), Some((&m.deployment_file, m.line)))));
    out.extend(analysis.vendored.iter().map(|v| Notification {
        message: Message::text(v.to_string()),
        level: Some(crate::sarif::Level::Note),
        locations: vec![Location::at(&v.metadata, 0)],
    }));
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::analysis::{analyze, Options};

    #[test]
    fn the_analyzers_own_output_validates_against_the_official_schema() {
        let validator = crate::sarif::official_schema_validator();
        let suite = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../microbenchmarks");
        for case in [
            "inter-procedural/api-put-item-boto3-client",
            "intra-procedural/traceback-leakage-response",
            "inter-procedural/api-put-item-wrong-table",
            "inter-procedural/apigw-sqs-proxy-command",
            "inter-procedural/sam-s3-eventbridge-rule",
        ] {
            let a = analyze(&suite.join(case), &Options::default()).unwrap();
            let log = serde_json::to_value(super::to_sarif(&a)).unwrap();
            let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{case}: {errors:#?}");
        }
    }

    /// What the analysis could not resolve travels with the findings, at
    /// the line that caused it, and the log still validates.
    #[test]
    fn diagnostics_become_notifications() {
        let dir = tempfile::tempdir().unwrap();
        let yml = "service: s\nprovider:\n  name: aws\n  runtime: python3.11\n  environment:\n    KEY: ${file(./missing.yml):key}\nfunctions:\n  api:\n    handler: api.main\n  gone:\n    handler: gone.main\n";
        std::fs::write(dir.path().join("serverless.yml"), yml).unwrap();
        std::fs::write(dir.path().join("api.py"), "def main(event, context):\n    return 1\n").unwrap();
        std::fs::write(dir.path().join("broken.py"), "def f(:\n").unwrap();
        let a = analyze(dir.path(), &Options::default()).unwrap();
        let log = super::to_sarif(&a);
        let inv = &log.runs[0].invocations[0];
        assert!(inv.execution_successful);
        let texts: Vec<(String, Option<u32>)> = inv
            .tool_execution_notifications
            .iter()
            .map(|n| (n.message.text.clone(), n.locations.first().and_then(|l| l.start_line())))
            .collect();
        assert!(texts.iter().any(|(t, l)| t.contains("missing.yml") && *l == Some(6)), "{texts:?}");
        assert!(texts.iter().any(|(t, l)| t.starts_with("not parsed:") && *l == Some(1)), "{texts:?}");
        assert!(texts.iter().any(|(t, l)| t.starts_with("handler not found: gone") && *l == Some(11)), "{texts:?}");
        let errors: Vec<String> = crate::sarif::official_schema_validator()
            .iter_errors(&serde_json::to_value(&log).unwrap())
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
