//! The AWS services the application's code opens a boto3 client or
//! resource for (`boto3.client("dynamodb")`, `session.resource("s3")`,
//! `client(service_name="sns")`), read from the syntax of every file the
//! app owns, followed or not. Where the analysis loses a client (kept in a
//! namedtuple, reached through a dispatch table or a dynamic import), this
//! still says the code may call the service.

use std::collections::BTreeSet;

use ruff_python_ast::visitor::{walk_expr, Visitor};
use ruff_python_ast::{Expr, ExprCall};

use super::Program;

pub fn opened_services(program: &Program) -> BTreeSet<String> {
    let mut v = Opened(BTreeSet::new());
    for f in program.files.iter().filter(|f| !f.vendored) {
        v.visit_body(&f.ast.body);
    }
    v.0
}

struct Opened(BTreeSet<String>);

impl<'a> Visitor<'a> for Opened {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Some(service) = service_of(call) {
                self.0.insert(service);
            }
        }
        walk_expr(self, expr);
    }
}

fn service_of(call: &ExprCall) -> Option<String> {
    let name = match &*call.func {
        Expr::Attribute(a) => a.attr.as_str(),
        Expr::Name(n) => n.id.as_str(),
        _ => return None,
    };
    if name != "client" && name != "resource" {
        return None;
    }
    match call.arguments.find_argument_value("service_name", 0)? {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::parse_source;

    #[test]
    fn clients_and_resources_by_any_route() {
        let code = "import boto3\nfrom collections import namedtuple\nClients = namedtuple('C', 'db cw')\nc = Clients(boto3.resource('dynamodb'), boto3.Session().client(service_name='cloudwatch'))\ndef f(client=boto3.client):\n    return client('sns')\nx = thing.client(region)\n";
        let p = Program::from_files(vec![parse_source(code, "aws_utils.py").ok().unwrap()], Vec::new());
        let got: Vec<String> = opened_services(&p).into_iter().collect();
        assert_eq!(got, ["cloudwatch", "dynamodb", "sns"]);
    }
}
