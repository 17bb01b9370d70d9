//! Name resolution: what a local name in a module refers to, as a dotted qualified path.

use crate::ast::{ExprKind, Module, Stmt, StmtKind, Target};
use rustc_hash::FxHashMap as HashMap;

/// The names a module binds by import or definition, mapped to qualified paths.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    /// The module's own dotted name (`shop.views`).
    pub module: String,
    /// Whether the file is a package `__init__`.
    pub is_package: bool,
    /// local name → qualified path (`models` → `django.db.models`).
    pub names: HashMap<Box<str>, String>,
    /// Modules imported with `from x import *` at the top level, in order.
    pub stars: Vec<String>,
    /// Top-level names bound to a model by app label: `Product = get_model("catalogue",
    /// "Product")` (django-oscar's loader, `apps.get_model`): name → (app label, model name).
    pub model_labels: Vec<(Box<str>, String, String)>,
}

impl Scope {
    /// Build the scope of a module from every import statement it holds (at any depth:
    /// function-local imports usually mirror module ones) and its top-level definitions.
    pub fn build(module: &str, is_package: bool, m: &Module) -> Scope {
        let mut s = Scope {
            module: module.to_owned(),
            is_package,
            names: HashMap::default(),
            stars: Vec::new(),
            model_labels: Vec::new(),
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
        s.collect_loaders(m);
        s
    }

    /// Top-level names bound by django-oscar's dynamic loaders: `X = get_class("a.b", "X")`
    /// and `X, Y = get_classes("a.b", ["X", "Y"])` name `oscar.apps.a.b.X` (or the
    /// `module_prefix` given); `X = get_model("app", "Model")` names a model by label.
    fn collect_loaders(&mut self, m: &Module) {
        for st in &m.body {
            let StmtKind::Assign {
                targets,
                value: Some(v),
            } = &st.kind
            else {
                continue;
            };
            let [t] = targets.as_slice() else { continue };
            let ExprKind::Call { func, args, kwargs } = m.kind(*v) else {
                continue;
            };
            let Some(callee) = m.dotted(*func).map(|d| self.qualify(&d)) else {
                continue;
            };
            let lit = |i: usize| args.get(i).and_then(|a| m.str_value(*a));
            match (last_segment(&callee), t) {
                ("get_model", Target::Name(n, _)) => {
                    let label = match (lit(0), lit(1)) {
                        (Some(app), Some(model)) if args.len() == 2 => Some((app, model)),
                        (Some(l), None) if args.len() == 1 => l.split_once('.'),
                        _ => None,
                    };
                    if let Some((app, model)) = label {
                        self.names.insert(n.clone(), format!("{}.{n}", self.module));
                        self.model_labels
                            .push((n.clone(), app.to_owned(), model.to_owned()));
                    }
                }
                (loader @ ("get_class" | "get_classes"), _) if callee.starts_with("oscar.") => {
                    let Some(module) = lit(0) else { continue };
                    let prefix = kwargs
                        .iter()
                        .find(|k| k.name.as_deref() == Some("module_prefix"))
                        .map_or(Some("oscar.apps"), |k| m.str_value(k.value));
                    let Some(prefix) = prefix else { continue };
                    let classes: Vec<&str> = match (loader, args.get(1).map(|a| m.kind(*a))) {
                        ("get_class", _) => lit(1).into_iter().collect(),
                        (_, Some(ExprKind::Seq { elts, .. })) => {
                            elts.iter().filter_map(|e| m.str_value(*e)).collect()
                        }
                        _ => Vec::new(),
                    };
                    let names: Vec<&str> = match t {
                        Target::Name(n, _) => vec![&**n],
                        Target::Tuple(ts) => ts
                            .iter()
                            .filter_map(|t| match t {
                                Target::Name(n, _) => Some(&**n),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    if names.len() == classes.len() && names.len() == targets_len(t) {
                        for (n, c) in names.into_iter().zip(classes) {
                            self.names
                                .insert(n.into(), format!("{prefix}.{module}.{c}"));
                        }
                    }
                }
                _ => {}
            }
        }
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
                    star,
                } => {
                    let base = self.absolute(module, *level);
                    if *star {
                        if depth == 0 {
                            self.stars.push(base);
                        }
                        continue;
                    }
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

/// How many names a loader's assignment target binds.
fn targets_len(t: &Target) -> usize {
    match t {
        Target::Tuple(ts) => ts.len(),
        _ => 1,
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

    #[test]
    fn oscar_loaders_and_star_imports() {
        let s = scope(
            "from oscar.core.loading import get_class, get_classes, get_model\n\
             from .abstract_models import *\n\
             X = get_class('catalogue.views', 'X')\n\
             A, B = get_classes('a.b', ['A', 'B'])\n\
             Q = get_class('x', 'Q', module_prefix='myshop.apps')\n\
             P = get_model('catalogue', 'product')\n\
             R = get_class(name, 'R')\n\
             S, T = get_classes('a.b', ['S'])\n",
            "shop.views",
            false,
        );
        assert_eq!(s.qualify("X"), "oscar.apps.catalogue.views.X");
        assert_eq!(s.qualify("A"), "oscar.apps.a.b.A");
        assert_eq!(s.qualify("B"), "oscar.apps.a.b.B");
        assert_eq!(s.qualify("Q"), "myshop.apps.x.Q");
        assert_eq!(s.qualify("P"), "shop.views.P");
        assert_eq!(
            s.model_labels,
            vec![("P".into(), "catalogue".to_owned(), "product".to_owned())]
        );
        // not literal, or not one class per name: left alone
        assert_eq!(s.qualify("R"), "R");
        assert_eq!(s.qualify("S"), "S");
        assert_eq!(s.stars, vec!["shop.abstract_models".to_owned()]);
        // `get_class` of another library is not django-oscar's
        let other = scope(
            "from mylib import get_class\nX = get_class('a', 'X')\n",
            "m",
            false,
        );
        assert_eq!(other.qualify("X"), "X");
    }
}
