//! Name resolution: what a local name in a module refers to, as a dotted qualified path.

use crate::ast::{ExprKind, Module, Stmt, StmtKind, Target};
use crate::discover::ImportRoots;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

/// The other names of the project's modules and packages, from the import roots that do not
/// name them (`label_studio.projects.models` → `projects.models` when
/// `label_studio/manage.py` exists): every absolute import is resolved against all the roots.
#[derive(Debug, Default)]
pub struct ModuleAliases {
    map: HashMap<String, String>,
}

impl ModuleAliases {
    /// The aliases of the files at `rels` (relative to the project root).
    pub fn build(roots: &ImportRoots, rels: &[&Path]) -> ModuleAliases {
        let mut map = HashMap::default();
        if roots.is_trivial() {
            return ModuleAliases { map };
        }
        // Every canonical module and package name: an alias never shadows one of them.
        let mut canonical: HashSet<String> = HashSet::default();
        let named: Vec<(String, Vec<String>)> = rels
            .iter()
            .map(|r| (roots.module_name(r), roots.other_names(r)))
            .collect();
        for (own, _) in &named {
            let mut cur = own.as_str();
            loop {
                if !canonical.insert(cur.to_owned()) {
                    break;
                }
                match cur.rsplit_once('.') {
                    Some((head, _)) => cur = head,
                    None => break,
                }
            }
        }
        for (own, others) in &named {
            for other in others {
                // Same file: the names differ only in their leading segments. Walk both
                // up to the packages that hold it.
                let (mut o, mut c) = (other.as_str(), own.as_str());
                while !o.is_empty() && !c.is_empty() && !canonical.contains(o) {
                    map.entry(o.to_owned()).or_insert_with(|| c.to_owned());
                    match (o.rsplit_once('.'), c.rsplit_once('.')) {
                        (Some((oh, ot)), Some((ch, ct))) if ot == ct => (o, c) = (oh, ch),
                        _ => break,
                    }
                }
            }
        }
        ModuleAliases { map }
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `q` with its longest aliased module prefix replaced by the canonical name.
    pub fn canonical<'a>(&self, q: &'a str) -> Cow<'a, str> {
        if self.map.is_empty() {
            return Cow::Borrowed(q);
        }
        let mut end = q.len();
        loop {
            if let Some(c) = self.map.get(&q[..end]) {
                return Cow::Owned(format!("{c}{}", &q[end..]));
            }
            match q[..end].rfind('.') {
                Some(i) => end = i,
                None => return Cow::Borrowed(q),
            }
        }
    }
}

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
    /// Top-level names bound to the user model: `User = get_user_model()` (Django's, or a
    /// project's function of that name, as django-oscar's `oscar.core.compat` has).
    pub user_models: Vec<Box<str>>,
    /// Names bound at module level (imports, classes, functions): what `from m import *`
    /// exports. Function-local imports resolve names in the module but export nothing.
    pub top: HashSet<Box<str>>,
    /// A literal `__all__` of the module, which replaces what a star import exports.
    pub all: Option<Vec<Box<str>>>,
    /// Other names of project modules (several import roots).
    pub roots: Option<Arc<ModuleAliases>>,
}

impl Scope {
    /// Build the scope of a module from every import statement it holds (at any depth:
    /// function-local imports usually mirror module ones) and its top-level definitions.
    pub fn build(module: &str, is_package: bool, m: &Module) -> Scope {
        Scope::build_in(module, is_package, m, None)
    }

    /// [`Scope::build`] in a project with several import roots: absolute imports through
    /// another root's name resolve to the module's canonical name.
    pub fn build_in(
        module: &str,
        is_package: bool,
        m: &Module,
        roots: Option<Arc<ModuleAliases>>,
    ) -> Scope {
        let mut s = Scope {
            module: module.to_owned(),
            is_package,
            names: HashMap::default(),
            stars: Vec::new(),
            model_labels: Vec::new(),
            user_models: Vec::new(),
            top: HashSet::default(),
            all: None,
            roots: roots.filter(|r| !r.is_empty()),
        };
        s.collect_definitions(m, &m.body, 0);
        s.collect_imports(&m.body, 0, true);
        for f in &m.functions {
            s.collect_imports(&f.body, 1, false);
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
                ("get_user_model", Target::Name(n, _)) if args.is_empty() && kwargs.is_empty() => {
                    self.names.insert(n.clone(), format!("{}.{n}", self.module));
                    self.user_models.push(n.clone());
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

    /// Classes, functions and assigned names at module level (also under a module-level
    /// `if`/`try`: `if TYPE_CHECKING:`, `try: ... except ImportError:`). A definition directly
    /// in the module body wins over one in a block.
    fn collect_definitions(&mut self, m: &Module, body: &[Stmt], depth: u32) {
        if depth > 8 {
            return;
        }
        let module = self.module.clone();
        for st in body {
            let defined = match &st.kind {
                StmtKind::ClassDef(c) => Some(&m.classes[*c as usize].name),
                StmtKind::FunctionDef(f) => Some(&m.functions[*f as usize].name),
                StmtKind::Assign { targets, value } => {
                    for t in targets {
                        if let Target::Name(n, _) = t {
                            if &**n == "__all__" {
                                self.all = value.and_then(|v| literal_names(m, v));
                            } else {
                                self.top.insert(n.clone());
                            }
                        }
                    }
                    None
                }
                k => {
                    for blk in k.blocks() {
                        self.collect_definitions(m, blk, depth + 1);
                    }
                    None
                }
            };
            if let Some(name) = defined {
                self.top.insert(name.clone());
                let q = format!("{module}.{name}");
                if depth == 0 {
                    self.names.insert(name.clone(), q);
                } else {
                    self.names.entry(name.clone()).or_insert(q);
                }
            }
        }
    }

    /// `top`: the statements are at module level (possibly in a block), not in a function.
    fn collect_imports(&mut self, body: &[Stmt], depth: u32, top: bool) {
        if depth > 8 {
            return;
        }
        for st in body {
            match &st.kind {
                StmtKind::Import(names) => {
                    for n in names {
                        match &n.alias {
                            Some(a) => {
                                self.bind(a.clone(), n.path.to_string(), depth, top);
                            }
                            None => {
                                let first = n.path.split('.').next().unwrap_or("");
                                self.bind(first.into(), first.to_owned(), depth, top);
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
                        if top {
                            let base = self.canonical(&base).into_owned();
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
                        self.bind(local, q, depth, top);
                    }
                }
                k => {
                    for blk in k.blocks() {
                        self.collect_imports(blk, depth + 1, top);
                    }
                }
            }
        }
    }

    /// Module-level bindings win over function-local ones of the same name.
    fn bind(&mut self, local: Box<str>, qual: String, depth: u32, top: bool) {
        let qual = match self.canonical(&qual) {
            Cow::Owned(c) => c,
            Cow::Borrowed(_) => qual,
        };
        if top {
            self.top.insert(local.clone());
        }
        if depth == 0 {
            self.names.insert(local, qual);
        } else {
            self.names.entry(local).or_insert(qual);
        }
    }

    /// A qualified name with another import root's module name replaced by the canonical one.
    fn canonical<'q>(&self, q: &'q str) -> Cow<'q, str> {
        match &self.roots {
            Some(r) => r.canonical(q),
            None => Cow::Borrowed(q),
        }
    }

    /// The names `from <this module> import *` binds: `__all__` when it is a literal, else
    /// every module-level name not starting with `_`.
    pub fn star_exports(&self) -> Vec<&str> {
        match &self.all {
            Some(all) => all.iter().map(|n| &**n).collect(),
            None => {
                let mut v: Vec<&str> = self
                    .top
                    .iter()
                    .map(|n| &**n)
                    .filter(|n| !n.starts_with('_'))
                    .collect();
                v.sort_unstable();
                v
            }
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
            (Some(q), Some(r)) => self.canonical(&format!("{q}.{r}")).into_owned(),
            (Some(q), None) => q.clone(),
            (None, _) => dotted.to_owned(),
        }
    }
}

/// The strings of a literal list or tuple (`__all__ = ["A", "B"]`).
fn literal_names(m: &Module, v: crate::ast::ExprId) -> Option<Vec<Box<str>>> {
    match m.kind(v) {
        ExprKind::Seq { elts, .. } => elts
            .iter()
            .map(|e| m.str_value(*e).map(Box::from))
            .collect(),
        _ => None,
    }
}

/// What `from m import *` binds, followed through chains of star imports
/// (`serializers/__init__.py` doing `from .books import *`, itself `from .base import *`):
/// `(importer.name, what it names)` for every name a module's star imports bind and it does
/// not bind itself. A name is resolved in the star module, or left as `star.name` when that
/// module has it from a star import of its own (the alias chain goes on from there).
pub fn star_reexports(scopes: &[&Scope]) -> Vec<(String, String)> {
    let by_module: HashMap<&str, &Scope> = scopes.iter().map(|s| (s.module.as_str(), *s)).collect();
    // exports[m]: the public names of module m, its star imports' names included.
    let mut exports: HashMap<&str, Vec<&str>> = scopes
        .iter()
        .map(|s| (s.module.as_str(), s.star_exports()))
        .collect();
    for _ in 0..8 {
        let mut changed = false;
        for s in scopes
            .iter()
            .filter(|s| s.all.is_none() && !s.stars.is_empty())
        {
            let mut add: Vec<&str> = Vec::new();
            for star in &s.stars {
                if let Some(names) = exports.get(star.as_str()) {
                    add.extend(names.iter().filter(|n| !n.starts_with('_')));
                }
            }
            let own = exports.entry(s.module.as_str()).or_default();
            for n in add {
                if !own.contains(&n) {
                    own.push(n);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Vec::new();
    for s in scopes.iter().filter(|s| !s.stars.is_empty()) {
        for star in &s.stars {
            let (Some(src), Some(names)) =
                (by_module.get(star.as_str()), exports.get(star.as_str()))
            else {
                continue;
            };
            for n in names {
                if s.top.contains(*n) {
                    continue;
                }
                let target = if src.names.contains_key(*n) {
                    src.qualify(n)
                } else {
                    format!("{}.{n}", src.module)
                };
                out.push((format!("{}.{n}", s.module), target));
            }
        }
    }
    out
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
    fn star_imports_export_module_level_names_through_chains() {
        let init = scope("from .books import *\n", "app.serializers", true);
        let books = scope(
            "from rest_framework import serializers\nfrom .base import *\n\
             class BookSerializer(serializers.ModelSerializer): pass\n\
             def helper():\n    from app.models import Tagging\n",
            "app.serializers.books",
            false,
        );
        let base = scope(
            "try:\n    from app.models import Book\nexcept ImportError:\n    pass\n\
             class AuthorSerializer: pass\n_private = 1\n",
            "app.serializers.base",
            false,
        );
        let only = scope(
            "from .base import *\n__all__ = ['Hidden']\nclass Visible: pass\n",
            "app.only",
            false,
        );
        let user = scope("from .only import *\n", "app.user", false);
        let mut got = star_reexports(&[&init, &books, &base, &only, &user]);
        got.sort();
        let has = |a: &str, b: &str| got.iter().any(|(x, y)| x == a && y == b);
        assert!(has(
            "app.serializers.BookSerializer",
            "app.serializers.books.BookSerializer"
        ));
        // two stars deep: left for the alias chain to follow
        assert!(has(
            "app.serializers.AuthorSerializer",
            "app.serializers.books.AuthorSerializer"
        ));
        assert!(has(
            "app.serializers.books.AuthorSerializer",
            "app.serializers.base.AuthorSerializer"
        ));
        // an import under a module-level `try` is module level
        assert!(has("app.serializers.books.Book", "app.models.Book"));
        // a function-local import and a private name are not exported
        assert!(!got.iter().any(|(x, _)| x.ends_with(".Tagging")), "{got:?}");
        assert!(
            !got.iter().any(|(x, _)| x.ends_with("._private")),
            "{got:?}"
        );
        // `__all__` decides
        assert!(has("app.user.Hidden", "app.only.Hidden"));
        assert!(!got.iter().any(|(x, _)| x == "app.user.Visible"), "{got:?}");
        assert!(books.names.contains_key("Tagging") && !books.top.contains("Tagging"));
    }

    #[test]
    fn other_import_roots_name_the_same_modules() {
        use crate::discover::ImportRoots;
        use std::path::{Path, PathBuf};
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("backend/shop")).unwrap();
        std::fs::write(
            root.join("backend/manage.py"),
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n",
        )
        .unwrap();
        std::fs::write(root.join("backend/shop/settings.py"), "").unwrap();
        let rels = [
            Path::new("backend/manage.py"),
            Path::new("backend/shop/__init__.py"),
            Path::new("backend/shop/models.py"),
            Path::new("backend/shop/settings.py"),
        ];
        let roots = ImportRoots::find(root, &rels, &[]);
        assert_eq!(roots.roots[0].dir, PathBuf::from("backend"));
        assert!(roots.roots[0].primary);
        assert_eq!(roots.module_name(rels[2]), "shop.models");
        let aliases = ModuleAliases::build(&roots, &rels);
        assert_eq!(
            aliases.canonical("backend.shop.models.Order"),
            "shop.models.Order"
        );
        assert_eq!(aliases.canonical("shop.models.Order"), "shop.models.Order");
        assert_eq!(aliases.canonical("django.db.models"), "django.db.models");
        let m = crate::parse::parse(
            "import backend.shop.models\nfrom backend.shop import models as m\n",
        )
        .unwrap();
        let s = Scope::build_in("shop.views", false, &m, Some(Arc::new(aliases)));
        assert_eq!(s.qualify("backend.shop.models.Order"), "shop.models.Order");
        assert_eq!(s.qualify("m.Order"), "shop.models.Order");
        // A manage.py whose settings are found only from the repository root (a test project
        // inside a package) resolves imports but does not name the modules.
        std::fs::create_dir_all(root.join("pkg/test/app")).unwrap();
        std::fs::write(
            root.join("pkg/test/manage.py"),
            "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"pkg.test.settings\")\n",
        )
        .unwrap();
        std::fs::write(root.join("pkg/test/settings.py"), "").unwrap();
        let rels = [
            Path::new("pkg/__init__.py"),
            Path::new("pkg/test/__init__.py"),
            Path::new("pkg/test/manage.py"),
            Path::new("pkg/test/app/models.py"),
        ];
        let roots = ImportRoots::find(root, &rels, &[]);
        assert_eq!(roots.module_name(rels[3]), "pkg.test.app.models");
        let aliases = ModuleAliases::build(&roots, &rels);
        assert_eq!(aliases.canonical("app.models.X"), "pkg.test.app.models.X");
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

    #[test]
    fn binds_the_user_model_from_get_user_model() {
        let s = scope(
            "from django.contrib.auth import get_user_model\nfrom shop import compat\n\
             User = get_user_model()\nMember = compat.get_user_model()\n\
             Other = get_user_model('x')\n",
            "shop.views",
            false,
        );
        assert_eq!(s.qualify("User"), "shop.views.User");
        assert_eq!(s.qualify("Member"), "shop.views.Member");
        assert_eq!(s.user_models, vec![Box::from("User"), Box::from("Member")]);
        // with arguments it is not Django's accessor
        assert_eq!(s.qualify("Other"), "Other");
    }
}
