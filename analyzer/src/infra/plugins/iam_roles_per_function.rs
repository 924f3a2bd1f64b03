//! serverless-iam-roles-per-function: a function with its own
//! `iamRoleStatements` gets its own role holding only those statements,
//! plus the provider's when it inherits them (`iamRoleStatementsInherit`,
//! or `custom.serverless-iam-roles-per-function.defaultInherit`). Without
//! the plugin, AWS never sees the per-function statements: the provider
//! role applies.

use crate::infra::model::Statement;
use crate::infra::policy::statements_of;
use crate::infra::yaml::Node;

/// The statements of one function's role under the plugin, or `None` when
/// the plugin does not give the function a role of its own.
pub fn function_statements(
    fn_key: &str,
    function: &Node,
    custom: Option<&Node>,
    provider_statements: &[Statement],
) -> Option<(Vec<Statement>, bool)> {
    let own = function.get("iamRoleStatements")?;
    let default_inherit = custom
        .and_then(|c| c.path(&["serverless-iam-roles-per-function", "defaultInherit"]))
        .is_some_and(Node::truthy);
    let inherit = function.get("iamRoleStatementsInherit").map(Node::truthy).unwrap_or(default_inherit);
    let mut out = if inherit { provider_statements.to_vec() } else { vec![] };
    out.extend(statements_of(own, &format!("functions.{fn_key}.iamRoleStatements")));
    Some((out, inherit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::yaml::load_str;

    #[test]
    fn replace_or_inherit() {
        let prov = statements_of(&load_str("- Effect: Allow\n  Action: s3:*\n  Resource: '*'\n").unwrap(), "p");
        let f = load_str("iamRoleStatements:\n  - Effect: Allow\n    Action: sqs:SendMessage\n    Resource: '*'\n").unwrap();
        let (s, inh) = function_statements("f", &f, None, &prov).unwrap();
        assert_eq!(s.len(), 1);
        assert!(!inh);
        let custom = load_str("serverless-iam-roles-per-function:\n  defaultInherit: true\n").unwrap();
        let (s, _) = function_statements("f", &f, Some(&custom), &prov).unwrap();
        assert_eq!(s.len(), 2);
        let f2 = load_str("iamRoleStatementsInherit: false\niamRoleStatements: []\n").unwrap();
        let (s, _) = function_statements("f", &f2, Some(&custom), &prov).unwrap();
        assert_eq!(s.len(), 0);
        assert!(function_statements("f", &load_str("handler: x.y\n").unwrap(), None, &prov).is_none());
    }
}
