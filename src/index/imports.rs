//! Name resolution: what a local name in a module refers to, as a dotted qualified path.

use crate::ast::{Module, Stmt, StmtKind};
use std::collections::HashMap;

/// The names a module binds by import or definition, mapped to qualified paths.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    /// The module's own dotted name (`shop.views`).
    pub module: String,
    /// Whether the file is a package `__init__`.
    pub is_package: bool,
    /// local name → qualified path (`models` → `django.db.models`).
    pub names: HashMap<Box<str>, String>,
}

impl Scope {
    /// Build the scope of a module from every import statement it holds (at any depth:
    /// function-local imports usually mirror module ones) and its top-level definitions.
    pub fn build(module: &str, is_package: bool, m: &Module) -> Scope {
        let mut s = Scope {
            module: module.to_owned(),
            is_package,
            names: HashMap::new(),
        };
        for st in &m.body {
            match &st.kind {
                StmtKind::ClassDef(c) => {
                    let name = &m.classes[*c as usize].name;
                    s.names.insert(name.clone(), format!("{module}.{name}"));
                }
                StmtKind::FunctionDef(f) => {
                    let name = &m.functions[*f as usize].name;
                    s.names.insert(name.clone(), format!("{module}.{name}"));
                }
                _ => {}
            }
        }
        s.collect_imports(&m.body, 0);
        for f in &m.functions {
            s.collect_imports(&f.body, 1);
        }
        s
    }

    fn collect_imports(&mut self, body: &[Stmt], depth: u32) {
        if depth > 8 {
            return;
        }
        for st in body {
            match &st.kind {
                StmtKind::Import(names) => {
                    for n in names {
                        match &n.alias {
                            Some(a) => {
                                self.bind(a.clone(), n.path.to_string(), depth);
                            }
                            None => {
                                let first = n.path.split('.').next().unwrap_or("");
                                self.bind(first.into(), first.to_owned(), depth);
                            }
                        }
                    }
                }
                StmtKind::ImportFrom {
                    module,
                    level,
                    names,
                    ..
                } => {
                    let base = self.absolute(module, *level);
                    for n in names {
                        let local = n.alias.clone().unwrap_or_else(|| n.path.clone());
                        let q = if base.is_empty() {
                            n.path.to_string()
                        } else {
                            format!("{base}.{}", n.path)
                        };
                        self.bind(local, q, depth);
                    }
                }
                k => {
                    for blk in k.blocks() {
                        self.collect_imports(blk, depth + 1);
                    }
                }
            }
        }
    }

    /// Module-level bindings win over function-local ones of the same name.
    fn bind(&mut self, local: Box<str>, qual: String, depth: u32) {
        if depth == 0 {
            self.names.insert(local, qual);
        } else {
            self.names.entry(local).or_insert(qual);
        }
    }

    /// Resolve a relative import's module to an absolute dotted path.
    pub fn absolute(&self, module: &str, level: u32) -> String {
        if level == 0 {
            return module.to_owned();
        }
        let mut parts: Vec<&str> = self.module.split('.').filter(|p| !p.is_empty()).collect();
        // `from . import x` in pkg/mod.py refers to pkg; in pkg/__init__.py to pkg itself.
        let drop = if self.is_package { level - 1 } else { level };
        for _ in 0..drop {
            parts.pop();
        }
        if !module.is_empty() {
            parts.push(module);
        }
        parts.join(".")
    }

    /// Qualify a dotted expression text (`models.ForeignKey` → `django.db.models.ForeignKey`).
    pub fn qualify(&self, dotted: &str) -> String {
        let (first, rest) = match dotted.split_once('.') {
            Some((f, r)) => (f, Some(r)),
            None => (dotted, None),
        };
        match (self.names.get(first), rest) {
            (Some(q), Some(r)) => format!("{q}.{r}"),
            (Some(q), None) => q.clone(),
            (None, _) => dotted.to_owned(),
        }
    }
}

/// The last dotted segment.
pub fn last_segment(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(src: &str, module: &str, pkg: bool) -> Scope {
        let m = crate::parse::parse(src).unwrap();
        Scope::build(module, pkg, &m)
    }

    #[test]
    fn resolves_aliases_and_relative_imports() {
        let s = scope(
            "from django.db import models as m\nimport django.db.models\nfrom .models import Book\nfrom ..core import utils\nclass X: pass\ndef f():\n    from shop.helpers import helper\n",
            "shop.views",
            false,
        );
        assert_eq!(s.qualify("m.ForeignKey"), "django.db.models.ForeignKey");
        assert_eq!(
            s.qualify("django.db.models.Model"),
            "django.db.models.Model"
        );
        assert_eq!(s.qualify("Book"), "shop.models.Book");
        assert_eq!(s.qualify("utils.describe"), "core.utils.describe");
        assert_eq!(s.qualify("X"), "shop.views.X");
        assert_eq!(s.qualify("helper"), "shop.helpers.helper");
        let p = scope("from .models import Book\n", "shop", true);
        assert_eq!(p.qualify("Book"), "shop.models.Book");
    }
}
