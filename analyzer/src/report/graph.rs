//! The static service map: which triggers start which handlers and which
//! cloud APIs each handler calls on which resource. What AWS X-Ray draws
//! only after deployment, drawn from the code and the deployment file.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::analysis::Analysis;
use crate::catalog::catalog;
use crate::names::normalize;
use crate::sym::SymStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Dot,
    Mermaid,
}

struct Edge {
    from: String,
    to: String,
    label: String,
}

fn node_id(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// Triggers and API calls name the same resource differently (a stream ARN,
/// a table name); both map to one node per service and resource name.
fn resource_node(kind: &str, name: &SymStr) -> String {
    let service = catalog().service(kind).map_or(kind, |s| s.service.as_str());
    format!("{service}:{}", normalize(kind, name))
}

fn edges(analysis: &Analysis) -> (BTreeMap<String, String>, Vec<Edge>) {
    let mut nodes = BTreeMap::new();
    let mut edges = Vec::new();
    for service in &analysis.infra.services {
        for f in &service.functions {
            let fnode = format!("fn:{}", f.name);
            nodes.insert(fnode.clone(), format!("λ {}", f.name));
            for e in &f.events {
                let (src, label) = match (&e.http, &e.resource) {
                    (Some(h), _) => (
                        format!("api:{} {}", h.method.clone().unwrap_or_default(), h.path.clone().unwrap_or_default()),
                        e.raw_type.clone(),
                    ),
                    (None, Some(r)) => (resource_node(e.trigger.name(), r), e.trigger.name().to_string()),
                    (None, None) => (format!("{}:{}", e.trigger.name(), f.name), e.trigger.name().to_string()),
                };
                nodes.entry(src.clone()).or_insert_with(|| src.clone());
                edges.push(Edge { from: src, to: fnode.clone(), label });
            }
        }
        for i in &service.integrations {
            let from = format!("api:{}", i.route);
            nodes.entry(from.clone()).or_insert_with(|| from.clone());
            let to = resource_node(&i.service, &i.resource.clone().unwrap_or_else(|| SymStr::any("resource")));
            nodes.entry(to.clone()).or_insert_with(|| to.clone());
            edges.push(Edge { from, to, label: i.action.clone() });
        }
    }
    for call in &analysis.calls {
        let from = match &call.caller {
            Some(name) => format!("fn:{name}"),
            None => format!("script:{}", call.file),
        };
        nodes.entry(from.clone()).or_insert_with(|| from.trim_start_matches("fn:").to_string());
        let to = resource_node(&call.service, &SymStr::lit(&call.resource));
        nodes.entry(to.clone()).or_insert_with(|| to.clone());
        edges.push(Edge { from, to, label: call.api.clone() });
    }
    // A function invoked by name has no event of its own in the deployment
    // file: the invoke call's target node leads to it.
    for service in &analysis.infra.services {
        for f in &service.functions {
            let target = resource_node("lambda-invoke", &f.physical_name);
            if nodes.contains_key(&target) {
                edges.push(Edge { from: target, to: format!("fn:{}", f.name), label: "invoke".into() });
            }
        }
    }
    (nodes, edges)
}

pub fn render(analysis: &Analysis, format: Format) -> String {
    let (nodes, edges) = edges(analysis);
    let mut out = String::new();
    match format {
        Format::Dot => {
            out.push_str("digraph services {\n  rankdir=LR;\n");
            for (id, label) in &nodes {
                let shape = if id.starts_with("fn:") { "box" } else { "ellipse" };
                let _ = writeln!(out, "  {} [label={:?}, shape={shape}];", node_id(id), label);
            }
            for e in &edges {
                let _ = writeln!(out, "  {} -> {} [label={:?}];", node_id(&e.from), node_id(&e.to), e.label);
            }
            out.push_str("}\n");
        }
        Format::Mermaid => {
            out.push_str("flowchart LR\n");
            for (id, label) in &nodes {
                let text = label.replace('"', "'");
                if id.starts_with("fn:") {
                    let _ = writeln!(out, "  {}[\"{}\"]", node_id(id), text);
                } else {
                    let _ = writeln!(out, "  {}([\"{}\"])", node_id(id), text);
                }
            }
            for e in &edges {
                let _ = writeln!(out, "  {} -- \"{}\" --> {}", node_id(&e.from), e.label.replace('"', "'"), node_id(&e.to));
            }
        }
    }
    out
}
