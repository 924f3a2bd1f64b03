//! Resource names: the forms a bucket, queue, topic, table, stream, bus,
//! state machine or function is named by (name, URL, ARN, stream ARN...)
//! brought to the one that identifies it, and compared symbolically.

use crate::sym::{Piece, SymStr, Truth};

/// Whether two names of a resource of some kind (bucket, queue URL or ARN,
/// topic ARN, table ARN or stream ARN...) may denote the same resource.
pub fn same_resource(kind: &str, a: &SymStr, b: &SymStr) -> Truth {
    normalize(kind, a).may_equal(&normalize(kind, b))
}

/// The name that identifies a resource of a kind (trigger or service name),
/// whatever form it was given in: bucket, queue name, topic name, table...
pub fn normalize(kind: &str, s: &SymStr) -> SymStr {
    let cut = |marker: &str| after_marker(s, marker).unwrap_or_else(|| s.clone());
    match kind {
        "s3" => after_marker(s, "arn:aws:s3:::").unwrap_or_else(|| until(s, '/')),
        "sqs" | "sns" => s.last_segment(),
        "dynamodb" | "dynamodb-stream" => cut("table/"),
        "kinesis" | "kinesis-stream" => cut("stream/"),
        "eventbridge" | "events" => cut("event-bus/"),
        "stepfunctions" | "states" => cut("stateMachine:"),
        "lambda-invoke" | "lambda" => cut("function:"),
        "ssm" => match s.known_prefix().strip_prefix('/') {
            Some(_) => drop_first(s),
            None => s.clone(),
        },
        _ => s.clone(),
    }
}

/// The part of `s` after the literal `marker`, up to the next `/` or `:`.
fn after_marker(s: &SymStr, marker: &str) -> Option<SymStr> {
    let mut out: Option<SymStr> = None;
    for p in s.pieces() {
        match (&mut out, p) {
            (None, Piece::Lit(l)) => {
                if let Some(i) = l.find(marker) {
                    let rest = &l[i + marker.len()..];
                    let end = rest.find(['/', ':']).unwrap_or(rest.len());
                    let mut o = SymStr::lit(&rest[..end]);
                    if end < rest.len() {
                        return Some(o);
                    }
                    o.push_lit("");
                    out = Some(o);
                }
            }
            (None, Piece::Any(_)) => {}
            (Some(o), Piece::Lit(l)) => {
                let end = l.find(['/', ':']).unwrap_or(l.len());
                o.push_lit(&l[..end]);
                if end < l.len() {
                    return out;
                }
            }
            (Some(o), Piece::Any(n)) => o.push_any(n),
        }
    }
    out
}

fn until(s: &SymStr, sep: char) -> SymStr {
    let mut out = SymStr::default();
    for p in s.pieces() {
        match p {
            Piece::Lit(l) => match l.find(sep) {
                Some(i) => {
                    out.push_lit(&l[..i]);
                    return out;
                }
                None => out.push_lit(l),
            },
            Piece::Any(n) => out.push_any(n),
        }
    }
    out
}

fn drop_first(s: &SymStr) -> SymStr {
    let mut out = SymStr::default();
    for (i, p) in s.pieces().iter().enumerate() {
        match p {
            Piece::Lit(l) if i == 0 => out.push_lit(&l[1..]),
            Piece::Lit(l) => out.push_lit(l),
            Piece::Any(n) => out.push_any(n),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_normalize_across_forms() {
        let url = SymStr::lit("https://sqs.us-east-1.amazonaws.com/").concat(&SymStr::any("acct")).concat(&SymStr::lit("/jobs"));
        let arn = SymStr::lit("arn:aws:sqs:us-east-1:").concat(&SymStr::any("acct")).concat(&SymStr::lit(":jobs"));
        assert_eq!(same_resource("sqs", &url, &arn), Truth::Yes);
        let stream = SymStr::lit("arn:aws:dynamodb:us-east-1:").concat(&SymStr::any("acct")).concat(&SymStr::lit(":table/Orders/stream/")).concat(&SymStr::any("label"));
        assert_eq!(same_resource("dynamodb-stream", &stream, &SymStr::lit("Orders")), Truth::Yes);
        assert_eq!(same_resource("dynamodb-stream", &stream, &SymStr::lit("Audit")), Truth::No);
        assert_eq!(same_resource("s3", &SymStr::lit("arn:aws:s3:::b"), &SymStr::lit("b")), Truth::Yes);
        assert_eq!(same_resource("ssm", &SymStr::lit("/app/cmd"), &SymStr::lit("app/cmd")), Truth::Yes);
    }
}
