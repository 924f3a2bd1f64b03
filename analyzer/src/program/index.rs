//! Every function and class of the program, with stable ids, so that
//! abstract values can name the code they refer to.

use std::collections::HashMap;

use ruff_python_ast::{Stmt, StmtClassDef, StmtFunctionDef};
use ruff_text_size::Ranged;

use super::Program;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassId(pub u32);

pub struct FuncInfo<'p> {
    pub def: &'p StmtFunctionDef,
    pub file: usize,
    /// `Class.method` or `outer.inner` within the module.
    pub qualname: String,
    pub class: Option<ClassId>,
    pub line: u32,
}

pub struct ClassInfo<'p> {
    pub def: &'p StmtClassDef,
    pub file: usize,
    pub name: String,
    pub methods: HashMap<String, FuncId>,
    /// Base class names as written (resolved lazily by the interpreter).
    pub bases: Vec<&'p ruff_python_ast::Expr>,
}

pub struct Index<'p> {
    pub program: &'p Program,
    pub funcs: Vec<FuncInfo<'p>>,
    pub classes: Vec<ClassInfo<'p>>,
    by_def: HashMap<*const StmtFunctionDef, FuncId>,
    class_by_def: HashMap<*const StmtClassDef, ClassId>,
    /// Top-level functions per file by name, for handler lookup.
    top_level: HashMap<(usize, String), FuncId>,
}

impl<'p> Index<'p> {
    pub fn new(program: &'p Program) -> Index<'p> {
        let mut index = Index {
            program,
            funcs: Vec::new(),
            classes: Vec::new(),
            by_def: HashMap::new(),
            class_by_def: HashMap::new(),
            top_level: HashMap::new(),
        };
        for (file, f) in program.files.iter().enumerate() {
            index.walk(file, &f.ast.body, "", None, true);
        }
        index
    }

    fn walk(&mut self, file: usize, body: &'p [Stmt], prefix: &str, class: Option<ClassId>, top: bool) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(def) => {
                    let id = FuncId(self.funcs.len() as u32);
                    let qualname = format!("{prefix}{}", def.name.as_str());
                    let line = self.program.files[file].lines.line(def.name.range().start());
                    self.funcs.push(FuncInfo { def, file, qualname: qualname.clone(), class, line });
                    self.by_def.insert(def as *const _, id);
                    if top && class.is_none() {
                        self.top_level.insert((file, def.name.to_string()), id);
                    }
                    if let Some(c) = class {
                        self.classes[c.0 as usize].methods.entry(def.name.to_string()).or_insert(id);
                    }
                    self.walk(file, &def.body, &format!("{qualname}."), None, false);
                }
                Stmt::ClassDef(def) => {
                    let id = ClassId(self.classes.len() as u32);
                    let bases = def.arguments.as_ref().map(|a| a.args.iter().collect()).unwrap_or_default();
                    self.classes.push(ClassInfo {
                        def,
                        file,
                        name: def.name.to_string(),
                        methods: HashMap::new(),
                        bases,
                    });
                    self.class_by_def.insert(def as *const _, id);
                    self.walk(file, &def.body, &format!("{prefix}{}.", def.name.as_str()), Some(id), false);
                }
                _ => {
                    for inner in nested_bodies(stmt) {
                        self.walk(file, inner, prefix, class, top);
                    }
                }
            }
        }
    }

    pub fn func_of(&self, def: &StmtFunctionDef) -> Option<FuncId> {
        self.by_def.get(&(def as *const _)).copied()
    }

    pub fn class_of(&self, def: &StmtClassDef) -> Option<ClassId> {
        self.class_by_def.get(&(def as *const _)).copied()
    }

    pub fn func(&self, id: FuncId) -> &FuncInfo<'p> {
        &self.funcs[id.0 as usize]
    }

    pub fn class(&self, id: ClassId) -> &ClassInfo<'p> {
        &self.classes[id.0 as usize]
    }

    pub fn top_level_function(&self, file: usize, name: &str) -> Option<FuncId> {
        self.top_level.get(&(file, name.to_string())).copied()
    }

    /// `module.qualname`, the name SARIF logical locations use.
    pub fn fqn(&self, id: FuncId) -> String {
        let f = self.func(id);
        format!("{}.{}", self.program.files[f.file].module, f.qualname)
    }

    /// Looks a method up along the class's bases, each resolved by name
    /// among the program's classes (the same file first).
    pub fn method_resolving_bases(&self, class: ClassId, name: &str) -> Option<FuncId> {
        self.find_in_ancestors(class, |c| self.class(c).methods.get(name).copied())
    }

    /// The first answer of `f` along the class and its bases defined in the
    /// program (each base resolved by name, the same file first), from the
    /// class up.
    pub fn find_in_ancestors<T>(&self, class: ClassId, mut f: impl FnMut(ClassId) -> Option<T>) -> Option<T> {
        let mut seen = Vec::new();
        let mut todo = vec![class];
        while let Some(c) = todo.pop() {
            if seen.contains(&c) || seen.len() > 32 {
                continue;
            }
            seen.push(c);
            if let Some(found) = f(c) {
                return Some(found);
            }
            let info = self.class(c);
            todo.extend(info.bases.iter().filter_map(|base| self.base_class(base, info.file)));
        }
        None
    }

    fn base_class(&self, base: &ruff_python_ast::Expr, file: usize) -> Option<ClassId> {
        let name = match base {
            ruff_python_ast::Expr::Name(n) => n.id.as_str(),
            ruff_python_ast::Expr::Attribute(a) => a.attr.as_str(),
            _ => return None,
        };
        let same_file = self.classes.iter().position(|c| c.name == name && c.file == file);
        same_file.or_else(|| self.classes.iter().position(|c| c.name == name)).map(|i| ClassId(i as u32))
    }
}

/// The statement blocks nested in a compound statement (not function or
/// class bodies).
pub fn nested_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::If(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body];
            v.extend(s.elif_else_clauses.iter().map(|c| &c.body[..]));
            v
        }
        Stmt::For(s) => vec![&s.body, &s.orelse],
        Stmt::While(s) => vec![&s.body, &s.orelse],
        Stmt::With(s) => vec![&s.body],
        Stmt::Try(s) => {
            let mut v: Vec<&[Stmt]> = vec![&s.body, &s.orelse, &s.finalbody];
            for h in &s.handlers {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                v.push(&h.body);
            }
            v
        }
        Stmt::Match(s) => s.cases.iter().map(|c| &c.body[..]).collect(),
        _ => Vec::new(),
    }
}
