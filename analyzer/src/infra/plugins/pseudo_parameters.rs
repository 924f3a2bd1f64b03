//! serverless-pseudo-parameters: `#{AWS::Region}`, `#{AWS::AccountId}`,
//! `#{MyQueue.Arn}`... in any string of the service. The plugin rewrites
//! every such string into `Fn::Sub` with `${...}` placeholders before
//! deployment; without that, IAM resources like
//! `arn:aws:dynamodb:#{AWS::Region}:#{AWS::AccountId}:table/items` stay
//! literal and wrongly deny every call on the table.

use crate::infra::yaml::{Kind, Node};
use crate::sym::{Piece, SymStr};

/// The tree with every string holding `#{` turned into an `Fn::Sub`.
pub fn rewrite(n: Node) -> Node {
    let line = n.line;
    let kind = match n.kind {
        Kind::Str(s) if s.pieces().iter().any(|p| matches!(p, Piece::Lit(t) if t.contains("#{"))) => {
            let mut template = SymStr::default();
            for p in s.pieces() {
                match p {
                    Piece::Lit(t) => template.push_lit(&t.replace("#{", "${")),
                    Piece::Any(note) => template.push_any(note),
                }
            }
            Kind::Map(vec![("Fn::Sub".to_string(), Node::str(template, line))])
        }
        Kind::Map(m) => Kind::Map(m.into_iter().map(|(k, v)| (k, rewrite(v))).collect()),
        Kind::Seq(items) => Kind::Seq(items.into_iter().map(rewrite).collect()),
        kind => kind,
    };
    Node::new(kind, line)
}

#[cfg(test)]
mod tests {
    use crate::infra::serverless::tests::svc;
    use crate::sym::SymStr;

    const SERVICE: &str = "service: orders\nplugins:\n  - serverless-pseudo-parameters\nprovider:\n  name: aws\n  region: eu-west-1\n  iamRoleStatements:\n    - Effect: Allow\n      Action: dynamodb:PutItem\n      Resource: 'arn:aws:dynamodb:#{AWS::Region}:#{AWS::AccountId}:table/items'\nfunctions:\n  api:\n    handler: h.main\n    environment:\n      QUEUE: '#{Jobs.Arn}'\nresources:\n  Resources:\n    Jobs:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: jobs\n";

    #[test]
    fn placeholders_become_sub() {
        let s = svc(SERVICE);
        let f = &s.functions[0];
        let arn = f.iam[0].resources[0].to_string();
        assert!(arn.starts_with("arn:aws:dynamodb:eu-west-1:") && arn.ends_with(":table/items") && !arn.contains("#{"), "{arn}");
        assert!(f.environment["QUEUE"].to_string().ends_with(":jobs"), "{}", f.environment["QUEUE"]);
    }

    #[test]
    fn without_the_plugin_they_stay_as_written() {
        let s = svc(&SERVICE.replace("  - serverless-pseudo-parameters\n", "  - other-plugin\n"));
        assert_eq!(s.functions[0].environment["QUEUE"], SymStr::lit("#{Jobs.Arn}"));
    }
}
