//! The Python function a deployment file's `handler: module.name` runs.
//!
//! Most handlers are top-level functions, but real apps also bind the name
//! at module level to something defined elsewhere:
//!
//! * an alias: `handler = main`, `from api.views import main as handler`;
//! * a function of an imported module: `create = handlers.create`;
//! * a method of a module-level object: `handler = Handler()` then
//!   `create_group = handler.create_group` (the object, evaluated with the
//!   module, is the method's receiver).

use ruff_python_ast::{Expr, Stmt};

use super::{ClassId, FuncId, Index};

/// What a handler name resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlerCode {
    /// The file the deployment file names (where the name is bound).
    pub file: usize,
    pub func: FuncId,
    /// A module-level variable of `file` holding the method's receiver.
    pub receiver: Option<String>,
}

/// Aliases are followed this many times at most (they may form cycles).
const MAX_HOPS: u8 = 8;

pub fn resolve(index: &Index, file: usize, name: &str) -> Option<HandlerCode> {
    let code = resolve_in(index, file, name, 0)?;
    Some(HandlerCode { file, ..code })
}

fn resolve_in(index: &Index, file: usize, name: &str, hops: u8) -> Option<HandlerCode> {
    if let Some(func) = index.top_level_function(file, name) {
        return Some(HandlerCode { file, func, receiver: None });
    }
    if hops >= MAX_HOPS {
        return None;
    }
    // The last module-level binding of the name is the one Lambda sees.
    for stmt in index.program.files[file].ast.body.iter().rev() {
        match stmt {
            Stmt::Assign(a) if a.targets.iter().any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)) => {
                if let Some(code) = resolve_expr(index, file, &a.value, hops + 1) {
                    return Some(code);
                }
                // A callable object (`handler = cfn_resource.Resource()`):
                // Lambda calls it, which runs its class's `__call__` on it.
                let class = instance_class(index, file, name)?;
                let func = index.method_resolving_bases(class, "__call__")?;
                return Some(HandlerCode { file, func, receiver: Some(name.to_string()) });
            }
            Stmt::ImportFrom(i) => {
                let Some(alias) = i.names.iter().find(|al| al.asname.as_ref().unwrap_or(&al.name).as_str() == name) else { continue };
                let module = i.module.as_ref().map(|m| m.as_str());
                let from = if i.level > 0 {
                    index.program.resolve_relative(file, i.level, module)
                } else {
                    module.and_then(|m| index.program.resolve_module(m, Some(file)))
                }?;
                return resolve_in(index, from, alias.name.as_str(), hops + 1);
            }
            _ => {}
        }
    }
    None
}

fn resolve_expr(index: &Index, file: usize, value: &Expr, hops: u8) -> Option<HandlerCode> {
    match value {
        Expr::Name(n) => resolve_in(index, file, n.id.as_str(), hops),
        Expr::Attribute(a) => {
            let Expr::Name(base) = &*a.value else { return None };
            if let Some(module) = imported_module(index, file, base.id.as_str()) {
                return resolve_in(index, module, a.attr.as_str(), hops + 1);
            }
            let class = instance_class(index, file, base.id.as_str())?;
            let func = index.method_resolving_bases(class, a.attr.as_str())?;
            Some(HandlerCode { file, func, receiver: Some(base.id.to_string()) })
        }
        _ => None,
    }
}

/// Whether module-level code binds `name` (by assignment or import) to
/// something that is not a function: a web app or an adapter around one
/// (`handler = Mangum(app)`, a Flask `app` served by serverless-wsgi),
/// known only once the module has run.
pub fn binds_object(index: &Index, file: usize, name: &str) -> bool {
    index.program.files[file].ast.body.iter().any(|stmt| match stmt {
        Stmt::Assign(a) => a.targets.iter().any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)),
        Stmt::AnnAssign(a) => matches!(&*a.target, Expr::Name(n) if n.id.as_str() == name),
        Stmt::ImportFrom(i) => i.names.iter().any(|al| al.asname.as_ref().unwrap_or(&al.name).as_str() == name),
        _ => false,
    })
}

/// The application module a module-level `import` binds to `name`.
fn imported_module(index: &Index, file: usize, name: &str) -> Option<usize> {
    let program = index.program;
    program.files[file].ast.body.iter().rev().find_map(|stmt| match stmt {
        Stmt::Import(i) => i.names.iter().find_map(|al| match &al.asname {
            Some(as_name) if as_name.as_str() == name => program.resolve_module(al.name.as_str(), Some(file)),
            None if al.name.as_str() == name => program.resolve_module(name, Some(file)),
            _ => None,
        }),
        Stmt::ImportFrom(i) => {
            let al = i.names.iter().find(|al| al.asname.as_ref().unwrap_or(&al.name).as_str() == name)?;
            let dotted = match i.module.as_ref() {
                Some(m) => format!("{}.{}", m.as_str(), al.name.as_str()),
                None => al.name.to_string(),
            };
            if i.level > 0 {
                program.resolve_relative(file, i.level, Some(&dotted))
            } else {
                program.resolve_module(&dotted, Some(file))
            }
        }
        _ => None,
    })
}

/// The class of a module-level `name = Class(...)` (or `module.Class(...)`
/// of an application module) defined in the program.
fn instance_class(index: &Index, file: usize, name: &str) -> Option<ClassId> {
    let constructor = index.program.files[file].ast.body.iter().rev().find_map(|stmt| match stmt {
        Stmt::Assign(a) if a.targets.iter().any(|t| matches!(t, Expr::Name(n) if n.id.as_str() == name)) => match &*a.value {
            Expr::Call(c) => Some(&*c.func),
            _ => None,
        },
        _ => None,
    })?;
    let position = match constructor {
        Expr::Name(n) => {
            let same_file = index.classes.iter().position(|c| c.name == n.id.as_str() && c.file == file);
            same_file.or_else(|| index.classes.iter().position(|c| c.name == n.id.as_str()))
        }
        Expr::Attribute(a) => {
            let Expr::Name(base) = &*a.value else { return None };
            let module = imported_module(index, file, base.id.as_str())?;
            index.classes.iter().position(|c| c.name == a.attr.as_str() && c.file == module)
        }
        _ => None,
    };
    position.map(|i| ClassId(i as u32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{parse_source, Program};

    fn program(files: &[(&str, &str)]) -> Program {
        Program::from_files(files.iter().map(|(rel, text)| parse_source(text, rel).ok().unwrap()).collect(), Vec::new())
    }

    #[test]
    fn aliases_imports_and_bound_methods() {
        let p = program(&[
            (
                "handler.py",
                "from api.views import list_items as list_handler\nimport api.views as views\nclass Handler:\n    def __init__(self):\n        self.n = 0\n    def create(self, event, context):\n        return event\nhandler = Handler()\ncreate = handler.create\ndef main(event, context):\n    return 1\nentry = main\nshow = views.show\n",
            ),
            ("api/views.py", "def list_items(event, context):\n    return []\ndef show(event, context):\n    return {}\n"),
        ]);
        let index = Index::new(&p);
        let name = |h: HandlerCode| (index.fqn(h.func), h.receiver);
        assert_eq!(name(resolve(&index, 0, "main").unwrap()), ("handler.main".into(), None));
        assert_eq!(name(resolve(&index, 0, "entry").unwrap()), ("handler.main".into(), None));
        assert_eq!(name(resolve(&index, 0, "list_handler").unwrap()), ("api.views.list_items".into(), None));
        assert_eq!(name(resolve(&index, 0, "show").unwrap()), ("api.views.show".into(), None));
        assert_eq!(name(resolve(&index, 0, "create").unwrap()), ("handler.Handler.create".into(), Some("handler".into())));
        assert_eq!(resolve(&index, 0, "missing"), None);
        assert_eq!(resolve(&index, 0, "handler"), None);
    }

    #[test]
    fn a_callable_object_runs_its_call_method() {
        let p = program(&[
            ("handler.py", "from src import resource\nhandler = resource.Resource()\nplain = resource.Plain()\n"),
            ("src/resource.py", "class Resource:\n    def __call__(self, event, context):\n        return event\nclass Plain:\n    pass\n"),
        ]);
        let index = Index::new(&p);
        let code = resolve(&index, 0, "handler").unwrap();
        assert_eq!((index.fqn(code.func), code.receiver), ("src.resource.Resource.__call__".into(), Some("handler".into())));
        assert_eq!(resolve(&index, 0, "plain"), None);
    }

    #[test]
    fn alias_cycles_end() {
        let p = program(&[("h.py", "a = b\nb = a\n")]);
        let index = Index::new(&p);
        assert_eq!(resolve(&index, 0, "a"), None);
    }
}
