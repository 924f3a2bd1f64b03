//! The permission query. A cloud call only links two functions (or reaches
//! a sink) when the caller's role lets it through, so IAM is read as AWS
//! reads it: an explicit Deny wins, otherwise some Allow must match both the
//! action (wildcards, case-insensitive) and the resource ARN (wildcards,
//! case-sensitive). Values the model could not resolve make the answer
//! Unknown rather than a guess; the caller decides how to count Unknown.

use crate::infra::model::{Decision, Effect, Function, Statement};
use crate::names::{arn_of, ACCOUNT_NOTE};
use crate::sym::{Piece, SymStr, Truth};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IamOptions {
    /// Count Unknown as Denied (the switch; default: Unknown stays
    /// Unknown and callers treat it as allowed).
    pub unknown_as_denied: bool,
}

/// `arn:aws:s3:::bucket/key`, the resource of object actions.
pub fn s3_object_arn(bucket: &SymStr, key: &SymStr) -> SymStr {
    let mut out = arn_of("AWS::S3::Bucket", bucket, &SymStr::default());
    out.push_lit("/");
    out.push(key);
    out
}

/// In a statement, the deploying account matches the account of any ARN
/// the model builds: the pattern's unknown account becomes `*`.
fn pattern_of(p: &SymStr) -> SymStr {
    let mut out = SymStr::default();
    for piece in p.pieces() {
        match piece {
            Piece::Any(n) if n == ACCOUNT_NOTE => out.push_lit("*"),
            Piece::Any(n) => out.push_any(n),
            Piece::Lit(l) => out.push_lit(l),
        }
    }
    out
}

fn not(t: Truth) -> Truth {
    match t {
        Truth::Yes => Truth::No,
        Truth::No => Truth::Yes,
        Truth::Maybe => Truth::Maybe,
    }
}

/// Unknown pieces that name one deploy-time value (a generated name
/// suffix, the stack name, an SSM parameter, a reference) denote the same
/// string wherever they occur, so a pattern and an ARN built from the same
/// reference match exactly.
fn identity_note(n: &str) -> bool {
    n == "AWS::StackName"
        || n.ends_with("-suffix")
        || ["ssm:", "cf:", "Ref:", "GetAtt:", "ImportValue:", "parameter:", "self:", "env:", "param:"]
            .iter()
            .any(|p| n.starts_with(p))
}

fn token(i: usize) -> String {
    format!("\u{E000}{i}\u{E001}")
}

/// Replaces shared identity pieces by the same private literal on both
/// sides.
fn unify(subject: &SymStr, pattern: &SymStr) -> (SymStr, SymStr) {
    let mut shared: Vec<&str> = vec![];
    for p in subject.pieces() {
        if let Piece::Any(n) = p {
            if identity_note(n) && pattern.pieces().iter().any(|q| matches!(q, Piece::Any(m) if m == n)) && !shared.contains(&n.as_str()) {
                shared.push(n);
            }
        }
    }
    if shared.is_empty() {
        return (subject.clone(), pattern.clone());
    }
    let map = |s: &SymStr| {
        let mut out = SymStr::default();
        for p in s.pieces() {
            match p {
                Piece::Any(n) => match shared.iter().position(|x| x == n) {
                    Some(i) => out.push_lit(&token(i)),
                    None => out.push_any(n),
                },
                Piece::Lit(l) => out.push_lit(l),
            }
        }
        out
    };
    (map(subject), map(pattern))
}

/// Whether one statement applies to the request.
pub fn statement_matches(st: &Statement, action: &str, arn: &SymStr) -> Truth {
    let mut a = Truth::No;
    for p in &st.actions {
        a = a.or(match p.as_lit() {
            Some(p) => crate::sym::glob_literal(p, action, true),
            None => SymStr::lit(action).matches_pattern(&pattern_of(p), true),
        });
    }
    if st.not_action {
        a = not(a);
    }
    // Most statements are about other actions: their resources, matched
    // as globs against the ARN, need not be.
    if a == Truth::No {
        return Truth::No;
    }
    let mut r = Truth::No;
    for p in &st.resources {
        let (subject, pattern) = unify(arn, &pattern_of(p));
        r = r.or(subject.matches_pattern(&pattern, false));
    }
    if st.not_resource {
        r = not(r);
    }
    a.and(r)
}

/// The IAM decision for a list of statements. `opaque` says that more
/// permissions exist that the model cannot see (managed policies, a role
/// given by ARN): then a missing Allow gives Unknown, not Denied.
pub fn decide(statements: &[Statement], opaque: bool, action: &str, arn: &SymStr, opts: &IamOptions) -> Decision {
    let (mut allow, mut deny) = (Truth::No, Truth::No);
    for st in statements {
        let m = statement_matches(st, action, arn);
        match st.effect {
            Effect::Allow => allow = allow.or(m),
            Effect::Deny => deny = deny.or(m),
        }
    }
    let d = match (deny, allow) {
        (Truth::Yes, _) => Decision::Denied,
        (Truth::Maybe, _) => Decision::Unknown,
        (Truth::No, Truth::Yes) => Decision::Allowed,
        (Truth::No, Truth::Maybe) => Decision::Unknown,
        (Truth::No, Truth::No) if opaque => Decision::Unknown,
        (Truth::No, Truth::No) => Decision::Denied,
    };
    if d == Decision::Unknown && opts.unknown_as_denied {
        Decision::Denied
    } else {
        d
    }
}

impl Function {
    /// May this function's role call `action` on `arn`?
    /// `allows("s3:PutObject", &s3_object_arn(&bucket, &key), &opts)`.
    pub fn allows(&self, action: &str, arn: &SymStr, opts: &IamOptions) -> Decision {
        let opaque = self.opaque_role || !self.managed_policies.is_empty();
        decide(&self.iam, opaque, action, arn, opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::model::Handler;

    fn st(effect: Effect, actions: &[&str], resources: &[SymStr]) -> Statement {
        Statement {
            effect,
            actions: actions.iter().map(|a| SymStr::lit(*a)).collect(),
            not_action: false,
            resources: resources.to_vec(),
            not_resource: false,
            origin: "test".into(),
            line: 1,
        }
    }

    fn func(iam: Vec<Statement>) -> Function {
        Function {
            name: "f".into(),
            physical_name: SymStr::lit("s-dev-f"),
            handler: Handler { file: "h.py".into(), function: "h".into(), module: "h".into() },
            runtime: None,
            events: vec![],
            environment: Default::default(),
            iam,
            managed_policies: vec![],
            opaque_role: false,
            destinations: vec![],
            code: crate::infra::model::Code::Files,
            env_from_files: Default::default(),
            env_lines: Default::default(),
            timeout: None,
            reserved_concurrency: None,
            line: 1,
        }
    }

    const O: IamOptions = IamOptions { unknown_as_denied: false };

    #[test]
    fn bucket_vs_object_arns() {
        let b = SymStr::lit("uploads");
        let f = func(vec![st(Effect::Allow, &["s3:PutObject", "s3:ListBucket"], &[SymStr::lit("arn:aws:s3:::uploads/*")])]);
        let obj = s3_object_arn(&b, &SymStr::lit("a.txt"));
        assert_eq!(f.allows("s3:PutObject", &obj, &O), Decision::Allowed);
        assert_eq!(f.allows("s3:putobject", &obj, &O), Decision::Allowed);
        assert_eq!(f.allows("s3:ListBucket", &arn_of("AWS::S3::Bucket", &b, &SymStr::default()), &O), Decision::Denied);
        assert_eq!(f.allows("s3:GetObject", &obj, &O), Decision::Denied);
    }

    #[test]
    fn wildcards_and_unknown_action_names() {
        let f = func(vec![st(Effect::Allow, &["s3:Get*", "dynamodb:?utItem", "s3:ListObjects"], &[SymStr::lit("*")])]);
        let any = SymStr::lit("arn:aws:s3:::b/k");
        assert_eq!(f.allows("s3:GetObject", &any, &O), Decision::Allowed);
        assert_eq!(f.allows("dynamodb:PutItem", &any, &O), Decision::Allowed);
        assert_eq!(f.allows("s3:ListBucket", &any, &O), Decision::Denied);
    }

    #[test]
    fn explicit_deny_wins() {
        let f = func(vec![
            st(Effect::Allow, &["s3:*"], &[SymStr::lit("*")]),
            st(Effect::Deny, &["s3:DeleteObject"], &[SymStr::lit("arn:aws:s3:::b/*")]),
        ]);
        let a = SymStr::lit("arn:aws:s3:::b/k");
        assert_eq!(f.allows("s3:DeleteObject", &a, &O), Decision::Denied);
        assert_eq!(f.allows("s3:PutObject", &a, &O), Decision::Allowed);
    }

    #[test]
    fn not_action_and_not_resource() {
        let mut s = st(Effect::Allow, &["s3:DeleteObject"], &[SymStr::lit("arn:aws:s3:::secret/*")]);
        s.not_action = true;
        s.not_resource = true;
        let f = func(vec![s]);
        assert_eq!(f.allows("s3:PutObject", &SymStr::lit("arn:aws:s3:::b/k"), &O), Decision::Allowed);
        assert_eq!(f.allows("s3:DeleteObject", &SymStr::lit("arn:aws:s3:::b/k"), &O), Decision::Denied);
        assert_eq!(f.allows("s3:PutObject", &SymStr::lit("arn:aws:s3:::secret/k"), &O), Decision::Denied);
    }

    #[test]
    fn account_in_statement_matches_built_arns() {
        let region = SymStr::lit("us-east-1");
        let res = arn_of("AWS::DynamoDB::Table", &SymStr::lit("Orders"), &region);
        let f = func(vec![st(Effect::Allow, &["dynamodb:PutItem"], &[res.clone()])]);
        assert_eq!(f.allows("dynamodb:PutItem", &res, &O), Decision::Allowed);
        let other = arn_of("AWS::DynamoDB::Table", &SymStr::lit("Users"), &region);
        assert_eq!(f.allows("dynamodb:PutItem", &other, &O), Decision::Denied);
    }

    #[test]
    fn opaque_resources_and_roles_give_unknown() {
        let f = func(vec![st(Effect::Allow, &["sqs:SendMessage"], &[SymStr::any("ssm:/queue")])]);
        let q = arn_of("AWS::SQS::Queue", &SymStr::lit("https://sqs.us-east-1.amazonaws.com/1/jobs"), &SymStr::lit("us-east-1"));
        assert_eq!(q.to_string(), "arn:aws:sqs:us-east-1:${?AWS::AccountId}:jobs");
        assert_eq!(f.allows("sqs:SendMessage", &q, &O), Decision::Unknown);
        assert_eq!(f.allows("sqs:SendMessage", &q, &IamOptions { unknown_as_denied: true }), Decision::Denied);
        let mut g = func(vec![]);
        g.opaque_role = true;
        assert_eq!(g.allows("sqs:SendMessage", &q, &O), Decision::Unknown);
        let g = func(vec![]);
        assert_eq!(g.allows("sqs:SendMessage", &q, &O), Decision::Denied);
    }

    fn statement_from(effect: bool, actions: Vec<String>, resources: Vec<String>, not_action: bool, not_resource: bool) -> Statement {
        Statement {
            effect: if effect { Effect::Allow } else { Effect::Deny },
            actions: actions.iter().map(SymStr::lit).collect(),
            not_action,
            resources: resources.iter().map(|r| if r == "?acct" { SymStr::any(ACCOUNT_NOTE) } else { SymStr::lit(r) }).collect(),
            not_resource,
            origin: "generated".into(),
            line: 1,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Any policy, any question: an answer, the same each time, and an
        /// explicit Deny of `*` on `*` always wins.
        #[test]
        fn policies_always_answer_the_same(
            statements in proptest::collection::vec((proptest::bool::ANY, proptest::collection::vec("(s3|sqs|\\*|[a-z]{1,3}):[A-Za-z*?]{0,6}", 0..3), proptest::collection::vec("(\\*|\\?acct|arn:aws:[a-z*]{0,3}:[a-z0-9*:/-]{0,12})", 0..3), proptest::bool::ANY, proptest::bool::ANY), 0..5),
            action in "[a-z]{1,3}:[A-Za-z]{0,6}",
            arn in "arn:aws:[a-z]{0,3}:[a-z0-9:/-]{0,12}",
        ) {
            let policy: Vec<Statement> = statements.into_iter().map(|(e, a, r, na, nr)| statement_from(e, a, r, na, nr)).collect();
            let arn = SymStr::lit(&arn);
            let first = decide(&policy, false, &action, &arn, &O);
            proptest::prop_assert_eq!(first, decide(&policy, false, &action, &arn, &O));
            let mut denied = policy.clone();
            denied.push(statement_from(false, vec!["*".into()], vec!["*".into()], false, false));
            proptest::prop_assert_eq!(decide(&denied, false, &action, &arn, &O), Decision::Denied);
        }
    }
}

