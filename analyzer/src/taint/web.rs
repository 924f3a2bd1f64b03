//! Web frameworks inside one Lambda function (Flask behind serverless-wsgi,
//! FastAPI behind Mangum, Chalice, Powertools' event handler): the event
//! goes to an adapter, the adapter to the app, the app to the view of the
//! route. Each view is an HTTP entry point of its own, so a flow starts at
//! the view with its route as the source (`GET /cubes/<cube_id>`), not at
//! the generated handler.
//!
//! Routes are recorded while module code runs, from the decorators that
//! register them (`@bp.route(...)` on a Blueprint the app imports counts;
//! a view never imported does not). Objects are known by what constructed
//! them, not by identity: every route of a framework is served by every
//! adapter of its interface in the same app. The frameworks are data
//! (`models/web_frameworks.toml`).

use ruff_python_ast::{self as ast, Expr, StmtFunctionDef};

use crate::engine::Route;

use super::interp::Interp;
use super::label::Site;
use super::models::Parameters;
use super::value::{Kind, Value};

const HTTP_METHODS: &[&str] = &["get", "post", "put", "patch", "delete", "head", "options"];

/// The parameter names of a route path: Flask and Powertools write
/// `<name>` or `<converter:name>`, FastAPI and Chalice `{name}` or
/// `{name:path}`.
pub fn path_parameters(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find(['<', '{']) {
        let close = if rest.as_bytes()[start] == b'<' { '>' } else { '}' };
        let Some(len) = rest[start + 1..].find(close) else { break };
        let inner = &rest[start + 1..start + 1 + len];
        let name = if close == '>' { inner.rsplit(':').next() } else { inner.split(':').next() };
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            out.push(name.to_string());
        }
        rest = &rest[start + 1 + len + 1..];
    }
    out
}

impl<'c, 'a, 'p> Interp<'c, 'a, 'p> {
    /// Records the routes a function definition's decorators register.
    pub fn register_routes(&mut self, def: &'p StmtFunctionDef) {
        let Some(func) = self.ctx.index.func_of(def) else { return };
        for d in &def.decorator_list {
            let Expr::Call(call) = &d.expression else { continue };
            let Expr::Attribute(attr) = &*call.func else { continue };
            let router = self.eval(&attr.value);
            let Some(framework) = self.constructed_as(&router).iter().find_map(|o| self.ctx.taint.router(o)) else { continue };
            let decorator = attr.attr.as_str();
            if !framework.decorators.iter().any(|n| n == decorator) {
                continue;
            }
            let path = call
                .arguments
                .find_argument_value("path", 0)
                .or_else(|| call.arguments.find_keyword("rule").map(|k| &k.value))
                .and_then(literal)
                .unwrap_or_else(|| "?".to_string());
            let methods = if HTTP_METHODS.contains(&decorator) {
                vec![decorator.to_ascii_uppercase()]
            } else {
                let named = call.arguments.find_keyword("methods").or_else(|| call.arguments.find_keyword("method")).map(|k| &k.value);
                let named = named.or_else(|| call.arguments.args.get(1));
                let list = named.map(literals).unwrap_or_default();
                if list.is_empty() {
                    vec![framework.default_method.clone()]
                } else {
                    list.iter().map(|m| m.to_ascii_uppercase()).collect()
                }
            };
            let route = format!("{} {path}", methods.join(","));
            let input = match framework.parameters {
                Parameters::All => None,
                Parameters::Path => Some(path_parameters(&path)),
            };
            let interface = framework.interface.clone();
            let info = self.ctx.index.func(func);
            let site = Site { file: self.ctx.program.files[info.file].rel.clone(), line: info.line, function: self.ctx.index.fqn(func) };
            let entry = self.world.routes.entry(func).or_insert_with(|| Route {
                func,
                interface,
                routes: Vec::new(),
                input_parameters: Some(Vec::new()),
                site,
            });
            if !entry.routes.contains(&route) {
                entry.routes.push(route);
            }
            entry.input_parameters = match (entry.input_parameters.take(), input) {
                (Some(mut have), Some(new)) => {
                    for n in new {
                        if !have.contains(&n) {
                            have.push(n);
                        }
                    }
                    Some(have)
                }
                _ => None,
            };
        }
    }

    /// What library constructors made a value, as the models name them:
    /// `flask.Flask()` for `Flask(...)`, and for an instance of an
    /// application class, the library classes it derives from.
    pub fn constructed_as(&self, v: &Value) -> Vec<String> {
        match &v.kind {
            Kind::Qual(path) => vec![path.to_string()],
            Kind::Instance(cid) => {
                let mut out = Vec::new();
                self.ctx.index.find_in_ancestors(*cid, |c| {
                    out.extend(self.library_bases.get(&c).into_iter().flatten().map(|b| format!("{b}()")));
                    None::<()>
                });
                out
            }
            _ => Vec::new(),
        }
    }

    /// Runs the next view: its request reads get its label, and no call
    /// result computed for another view's request is reused.
    pub fn enter_view(&mut self, site: Site, what: String) {
        self.entry.route = Some((site, what));
        self.forget_calls();
        self.effect();
    }

    /// Notes that the running entry point hands its event to the views of
    /// an interface (see `analysis.rs`, which then runs them).
    pub fn note_adapter(&mut self, callee: &str) {
        let Some(function) = self.entry.function else { return };
        if let Some(interface) = &self.ctx.taint.call_models(callee).adapter {
            self.world.dispatches.insert((function, interface.clone()));
        }
    }
}

fn literal(e: &Expr) -> Option<String> {
    match e {
        Expr::StringLiteral(s) => Some(s.value.to_str().to_string()),
        _ => None,
    }
}

fn literals(e: &Expr) -> Vec<String> {
    match e {
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::Set(ast::ExprSet { elts, .. }) => {
            elts.iter().filter_map(literal).collect()
        }
        other => literal(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taint::models::TaintModels;

    #[test]
    fn route_paths_name_their_parameters() {
        assert_eq!(path_parameters("/cubes/<cube_id>/tiles"), ["cube_id"]);
        assert_eq!(path_parameters("/u/<int:uid>/f/<path:name>"), ["uid", "name"]);
        assert_eq!(path_parameters("/items/{item_id}/{file_path:path}"), ["item_id", "file_path"]);
        assert!(path_parameters("/health").is_empty());
    }

    #[test]
    fn builtin_frameworks_name_routers_adapters_and_requests() {
        let m = TaintModels::builtin();
        assert_eq!(m.router("flask.Blueprint()").unwrap().name, "flask");
        assert_eq!(m.router("aws_lambda_powertools.event_handler.api_gateway.APIGatewayRestResolver()").unwrap().name, "powertools");
        assert_eq!(m.adapter("serverless_wsgi.handle_request"), Some("wsgi"));
        assert_eq!(m.adapter("aws_lambda_powertools.event_handler.APIGatewayHttpResolver().resolve"), Some("powertools"));
        assert_eq!(m.served_interface("mangum.Mangum()"), Some("asgi"));
        assert_eq!(m.served_interface("chalice.Chalice()"), Some("chalice"));
        assert_eq!(m.served_interface("boto3.client()"), None);
        assert!(m.is_request("flask.request"));
        assert!(m.is_request("aws_lambda_powertools.event_handler.ALBResolver().current_event"));
        assert!(!m.is_request("flask.jsonify"));
    }
}
