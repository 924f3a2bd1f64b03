//! The rule behind each vulnerability class and each deployment risk,
//! documented as data (`models/classes.toml`, `models/risks.toml`): SARIF
//! rule metadata that code scanning renders (description, help, CWE tags,
//! severity, precision) and the text people read.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::json;

use crate::rule_doc::{ClassDoc, Family};
use crate::sarif::{MultiformatMessageString, PropertyBag, ReportingDescriptor};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassFile {
    class: Vec<ClassDoc>,
}



const CLASSES: &str = include_str!("../../models/classes.toml");

/// Every rule: the vulnerability classes, then the deployment risks, each
/// in its file's order (the SARIF rule order).
pub fn classes() -> &'static [ClassDoc] {
    static PARSED: OnceLock<Vec<ClassDoc>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut all = toml::from_str::<ClassFile>(CLASSES).expect("models/classes.toml is checked by the tests").class;
        all.extend(crate::risks::models().rule.iter().cloned().map(|r| ClassDoc { family: Family::DeploymentRisk, ..r }));
        all
    })
}

pub fn class(id: &str) -> Option<&'static ClassDoc> {
    classes().iter().find(|c| c.id == id)
}

impl ClassDoc {
    pub fn tags(&self) -> Vec<String> {
        let family = self.family.labelled_as_finding().then(|| self.family.name().to_string());
        std::iter::once("security".to_string()).chain(family).chain(self.cwe.iter().map(|n| format!("external/cwe/cwe-{n}"))).collect()
    }

    /// The level of its results.
    pub fn result_level(&self) -> crate::sarif::Level {
        self.level.unwrap_or(crate::sarif::Level::Error)
    }

    pub fn help_text(&self) -> String {
        format!("{}\n\nWhy: {}\n\nExample:\n{}\nFix: {}\n", self.what, self.why, self.example.trim_start_matches('\n'), self.fix)
    }

    pub fn help_markdown(&self) -> String {
        let cwes: Vec<String> = self.cwe.iter().map(|n| format!("[CWE-{n}](https://cwe.mitre.org/data/definitions/{n}.html)")).collect();
        format!(
            "## {} ({})\n\n{}\n\n### Why it matters\n\n{}\n\n### Example\n\n```{}\n{}```\n\n### How to fix\n\n{}\n\nSee {}.\n",
            self.name,
            self.id,
            self.what,
            self.why,
            if self.family == Family::DeploymentRisk { "yaml" } else { "python" },
            self.example.trim_start_matches('\n'),
            self.fix,
            cwes.join(", ")
        )
    }

    /// The rule's page in our documentation (`docs/rules/ID.md`, written by
    /// `analyzer rule ID`), when the build knows where the repository is
    /// published (`repository` in Cargo.toml).
    pub fn help_uri(&self) -> Option<String> {
        let repository = option_env!("CARGO_PKG_REPOSITORY").filter(|r| !r.is_empty())?;
        Some(format!("{}/blob/v{}/docs/rules/{}.md", repository.trim_end_matches('/'), env!("CARGO_PKG_VERSION"), self.id))
    }

    pub fn descriptor(&self) -> ReportingDescriptor {
        let mut props = PropertyBag::new();
        props.insert("tags".into(), json!(self.tags()));
        props.insert("security-severity".into(), json!(format!("{:.1}", self.severity)));
        props.insert("precision".into(), json!(self.precision));
        let problem = match self.result_level() {
            crate::sarif::Level::Error => "error",
            crate::sarif::Level::Warning => "warning",
            _ => "recommendation",
        };
        props.insert("problem.severity".into(), json!(problem));
        ReportingDescriptor {
            full_description: Some(MultiformatMessageString::text(&self.what)),
            help: Some(MultiformatMessageString { text: self.help_text(), markdown: Some(self.help_markdown()) }),
            properties: Some(props),
            help_uri: self.help_uri(),
            ..ReportingDescriptor::new(&self.id, &self.name, &self.short)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::api::CloudModels;
    use crate::taint::models::TaintModels;

    /// Every class a model can report is documented, and every document is
    /// complete: adding a sink of a new class without its rule fails here.
    #[test]
    fn every_reportable_class_is_documented() {
        let mut reportable: Vec<String> = TaintModels::builtin().sinks.iter().map(|s| s.vulnerability.clone()).collect();
        let cloud = CloudModels::builtin();
        reportable.extend(cloud.services.values().flat_map(|s| &s.api).flat_map(|a| &a.sinks).map(|k| k.vulnerability.clone()));
        reportable.extend(["traceback-leakage".to_string(), "information-leakage".to_string()]);
        for v in &reportable {
            assert!(class(v).is_some(), "class {v} has no entry in models/classes.toml");
        }
        for c in classes() {
            assert_eq!(c.level.is_some(), c.family == Family::DeploymentRisk, "{}: a level for each deployment risk, none for classes", c.id);
            assert!(!c.cwe.is_empty() && (0.0..=10.0).contains(&c.severity), "{}", c.id);
            assert!(["very-high", "high", "medium", "low"].contains(&c.precision.as_str()), "{}", c.id);
            for (field, text) in [("short", &c.short), ("what", &c.what), ("why", &c.why), ("example", &c.example), ("fix", &c.fix)] {
                assert!(!text.trim().is_empty(), "{}: empty {field}", c.id);
            }
        }
    }
}
