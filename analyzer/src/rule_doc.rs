//! What a rule is, as its model files document it (`models/classes.toml`
//! for the vulnerability classes, `models/risks.toml` for the deployment
//! risks): the family of results it reports and the text people read. The
//! checks read their own documentation; the reports render it.

use serde::Deserialize;

/// Which kind of result a rule reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum Family {
    /// A data flow from attacker input to a sink (the contract's `[[flow]]`).
    #[default]
    #[serde(rename = "data-flow")]
    Flow,
    /// A data flow of secret material to where it is exposed, labelled as
    /// a `[[finding]]` at its sink.
    #[serde(rename = "secret-flow")]
    SecretFlow,
    /// Something the deployment file gets wrong (`[[finding]]`).
    #[serde(rename = "deployment-risk")]
    DeploymentRisk,
}

impl Family {
    /// The `family` property of SARIF results and the rule tag.
    pub fn name(self) -> &'static str {
        match self {
            Family::Flow => "data-flow",
            Family::SecretFlow => "secret-flow",
            Family::DeploymentRisk => "deployment-risk",
        }
    }

    /// Whether its results are labelled as `[[finding]]`s (rule, file,
    /// line) rather than `[[flow]]`s.
    pub fn labelled_as_finding(self) -> bool {
        self != Family::Flow
    }
}

/// One rule: a vulnerability class or a deployment risk.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassDoc {
    #[serde(default)]
    pub family: Family,
    pub id: String,
    pub name: String,
    pub cwe: Vec<u32>,
    pub severity: f64,
    pub precision: String,
    pub short: String,
    pub what: String,
    pub why: String,
    pub example: String,
    pub fix: String,
    /// The SARIF level of its results (deployment risks); flows are errors.
    #[serde(default)]
    pub level: Option<crate::sarif::Level>,
}
