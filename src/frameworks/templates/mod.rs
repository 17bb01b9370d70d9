//! Django templates: where they are, what they read.
//!
//! Template directories are found the way Django's loaders find them, statically: the
//! `DIRS` of `TEMPLATES` in settings modules (literal paths, `BASE_DIR / "templates"`,
//! `os.path.join(BASE_DIR, "templates")`), then every app's `templates/` directory
//! (`APP_DIRS`). Template files (`.html`, `.txt`) join the project's file list so findings
//! can point into them; they are parsed on first use, by the views that render them.

pub mod parse;
pub mod walk;

use crate::ast::{ExprId, ExprKind, Module, StmtKind, Target};
use crate::project::{File, FileId};
use crate::semantic::imports::Scope;
use crate::source::LineIndex;
use parse::Node;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use walkdir::WalkDir;

/// Template files larger than this are not read.
const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// What a custom template tag or filter does with its function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagKind {
    /// `@register.inclusion_tag("x.html")`: renders the template with the returned dict.
    Inclusion(String),
    /// `@register.simple_tag`: the function's result is output (or bound with `as`).
    Simple,
    /// `@register.filter`: `{{ value|name }}` calls the function with the value.
    Filter,
}

/// One tag or filter of a `templatetags` library.
#[derive(Debug, Clone)]
pub struct TagDef {
    pub name: String,
    pub kind: TagKind,
    /// The module that defines it (a project file).
    pub file: FileId,
    /// The function's index in that module.
    pub func: usize,
    /// `takes_context=True`: the first parameter is the template context.
    pub takes_context: bool,
}

/// Custom tag libraries by the name `{% load %}` uses: the modules of every app's
/// `templatetags` package (`shop/templatetags/shop_tags.py` is `shop_tags`).
#[derive(Debug, Default)]
pub struct TagLibs {
    by_lib: HashMap<String, Vec<TagDef>>,
}

impl TagLibs {
    /// The tag (or filter) `name` among libraries `libs` loaded in this order; a library
    /// loaded later wins, as in Django. Names defined by two modules of one library name
    /// are ambiguous and not followed.
    pub fn find(
        &self,
        libs: &[(String, Option<Vec<String>>)],
        name: &str,
        filter: bool,
    ) -> Option<&TagDef> {
        libs.iter().rev().find_map(|(lib, only)| {
            if only.as_ref().is_some_and(|o| !o.iter().any(|t| t == name)) {
                return None;
            }
            let mut defs = self
                .by_lib
                .get(lib)?
                .iter()
                .filter(|d| d.name == name && (d.kind == TagKind::Filter) == filter);
            let d = defs.next()?;
            defs.next().is_none().then_some(d)
        })
    }

    /// Build from the project's Python files.
    pub fn build(files: &[File]) -> TagLibs {
        let mut out = TagLibs::default();
        let by_module: HashMap<&str, &File> = files
            .iter()
            .filter(|f| !f.template)
            .map(|f| (f.scope.module.as_str(), f))
            .collect();
        for f in files {
            if f.template {
                continue;
            }
            let Some(lib) = library_name(&f.rel) else {
                continue;
            };
            let defs = tag_defs(f, &by_module);
            if !defs.is_empty() {
                out.by_lib.entry(lib).or_default().extend(defs);
            }
        }
        out
    }
}

/// `app/templatetags/shop_tags.py` → `shop_tags` (`app/templatetags/sub/x.py` → `sub.x`).
fn library_name(rel: &Path) -> Option<String> {
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    let pos = parts.iter().rposition(|p| *p == "templatetags")?;
    let rest = &parts[pos + 1..];
    let (last, dirs) = rest.split_last()?;
    let stem = last.strip_suffix(".py")?;
    if stem == "__init__" {
        return None;
    }
    let mut name: Vec<&str> = dirs.to_vec();
    name.push(stem);
    Some(name.join("."))
}

/// The tags and filters a module registers on a `template.Library()`: decorated functions
/// (`@register.inclusion_tag("x.html")`) and module-level calls on a function of this or
/// another module (`x = register.inclusion_tag("x.html")(x)`, `register.simple_tag(f)`).
fn tag_defs(f: &File, by_module: &HashMap<&str, &File>) -> Vec<TagDef> {
    let m = &f.ast;
    // module-level names bound to `template.Library()`
    let registers: Vec<&str> = m
        .body
        .iter()
        .filter_map(|st| match &st.kind {
            StmtKind::Assign {
                targets,
                value: Some(v),
            } => match (targets.as_slice(), m.kind(*v)) {
                ([Target::Name(n, _)], ExprKind::Call { func, .. }) => {
                    let q = f.scope.qualify(&m.dotted(*func)?);
                    (q.starts_with("django.template.") && q.ends_with(".Library")).then_some(&**n)
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    if registers.is_empty() {
        return out;
    }
    let top_fn = |file: &File, name: &str| {
        file.ast
            .functions
            .iter()
            .position(|g| g.class.is_none() && g.parent.is_none() && *g.name == *name)
    };
    for (fi, func) in m.functions.iter().enumerate() {
        if func.class.is_some() || func.parent.is_some() {
            continue;
        }
        for d in &func.decorators {
            if let Some((kind, takes_context, name)) = registration(f, &registers, *d) {
                out.push(TagDef {
                    name: name.unwrap_or_else(|| func.name.to_string()),
                    kind,
                    file: f.id,
                    func: fi,
                    takes_context,
                });
            }
        }
    }
    for st in &m.body {
        let v = match &st.kind {
            StmtKind::Assign { value: Some(v), .. } => *v,
            StmtKind::Expr(v) => *v,
            _ => continue,
        };
        // `register.inclusion_tag("x.html")(fn)` or `register.simple_tag(fn)`
        let ExprKind::Call { func, args, .. } = m.kind(v) else {
            continue;
        };
        let (reg, fn_arg) = match m.kind(*func) {
            ExprKind::Call { .. } => (*func, args.last()),
            ExprKind::Attr { .. } => (v, args.last()),
            _ => continue,
        };
        let Some(ExprKind::Name(fname)) = fn_arg.map(|a| m.kind(*a)) else {
            continue;
        };
        let Some((kind, takes_context, name)) = registration(f, &registers, reg) else {
            continue;
        };
        let target = match top_fn(f, fname) {
            Some(fi) => Some((f, fi)),
            None => {
                let q = f.scope.qualify(fname);
                q.rsplit_once('.').and_then(|(module, n)| {
                    let other = by_module.get(module)?;
                    Some((*other, top_fn(other, n)?))
                })
            }
        };
        if let Some((file, fi)) = target {
            out.push(TagDef {
                name: name.unwrap_or_else(|| file.ast.functions[fi].name.to_string()),
                kind,
                file: file.id,
                func: fi,
                takes_context,
            });
        }
    }
    out
}

/// What a registration expression on one of `registers` declares: `register.simple_tag`,
/// `register.inclusion_tag("x.html", takes_context=True)`, `register.filter("name")`...
/// (the kind, `takes_context`, and the name given).
fn registration(
    f: &File,
    registers: &[&str],
    d: ExprId,
) -> Option<(TagKind, bool, Option<String>)> {
    let m = &f.ast;
    let (callee, args, kwargs): (ExprId, &[ExprId], &[crate::ast::Keyword]) = match m.kind(d) {
        ExprKind::Call { func, args, kwargs } => (*func, args, kwargs),
        _ => (d, &[], &[]),
    };
    let ExprKind::Attr { value, attr, .. } = m.kind(callee) else {
        return None;
    };
    if !matches!(m.kind(*value), ExprKind::Name(r) if registers.contains(&&**r)) {
        return None;
    }
    let kw = |k: &str| {
        kwargs
            .iter()
            .find(|x| x.name.as_deref() == Some(k))
            .map(|x| x.value)
    };
    let takes_context = kw("takes_context")
        .is_some_and(|v| matches!(m.kind(v), ExprKind::Const(crate::ast::Const::True)));
    let kind = match &**attr {
        "inclusion_tag" => {
            let t = args
                .first()
                .copied()
                .or_else(|| kw("filename"))
                .and_then(|a| m.str_value(a))?;
            TagKind::Inclusion(t.to_owned())
        }
        "simple_tag" => TagKind::Simple,
        "filter" => TagKind::Filter,
        _ => return None,
    };
    // `@register.filter("name")`, `name="..."`
    let positional_name = (kind == TagKind::Filter)
        .then(|| args.first().and_then(|a| m.str_value(*a)))
        .flatten();
    let name = kw("name")
        .and_then(|v| m.str_value(v))
        .or(positional_name)
        .map(str::to_owned);
    Some((kind, takes_context, name))
}

/// The project's templates by name, parsed lazily.
#[derive(Default)]
pub struct Templates {
    /// Name (`shop/book_list.html`) → file id, the first directory in lookup order winning.
    by_name: HashMap<String, FileId>,
    /// Parsed nodes per template file, indexed by `id - first`.
    parsed: Vec<OnceLock<Arc<Vec<Node>>>>,
    first: FileId,
    /// Custom tag libraries, built on first use.
    libs: OnceLock<TagLibs>,
}

impl Templates {
    pub fn find(&self, name: &str) -> Option<FileId> {
        self.by_name.get(name).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The project's custom tag libraries.
    pub fn tag_libs(&self, files: &[File]) -> &TagLibs {
        self.libs.get_or_init(|| TagLibs::build(files))
    }

    /// The nodes of a template file.
    pub fn nodes(&self, files: &[File], id: FileId) -> Arc<Vec<Node>> {
        let Some(cell) = id
            .checked_sub(self.first)
            .and_then(|i| self.parsed.get(i as usize))
        else {
            return Arc::default();
        };
        cell.get_or_init(|| {
            let text = files
                .get(id as usize)
                .and_then(|f| f.text.as_deref())
                .unwrap_or("");
            Arc::new(parse::parse(text))
        })
        .clone()
    }
}

/// Find the template directories of a project, in lookup order.
pub fn template_dirs(root: &Path, py: &[File]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for f in py {
        let name = f.rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let in_settings_pkg = f
            .rel
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == "settings");
        if name == "settings.py" || in_settings_pkg || name.ends_with("_settings.py") {
            for d in settings_dirs(f) {
                if d.is_dir() && !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
        }
    }
    // APP_DIRS: `templates/` next to a package's `__init__.py`.
    let mut app_dirs = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_dir() && crate::discover::skip_dir(e.path()))
        });
    for e in walker.flatten() {
        if e.file_type().is_dir()
            && e.file_name() == "templates"
            && e.path()
                .parent()
                .is_some_and(|p| p.join("__init__.py").is_file())
        {
            app_dirs.push(e.into_path());
        }
    }
    app_dirs.sort();
    for d in app_dirs {
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    dirs
}

/// The `DIRS` entries of `TEMPLATES = [...]` in one settings module that can be computed.
fn settings_dirs(f: &File) -> Vec<PathBuf> {
    let m = &f.ast;
    let mut env: HashMap<&str, PathBuf> = HashMap::default();
    let mut out = Vec::new();
    for st in &m.body {
        let Some((n, v)) = st.name_assign() else {
            continue;
        };
        if &**n == "TEMPLATES" {
            let ExprKind::Seq { elts, .. } = m.kind(*v) else {
                continue;
            };
            for cfg in elts.iter() {
                let ExprKind::Dict(items) = m.kind(*cfg) else {
                    continue;
                };
                for (k, dv) in items.iter() {
                    if k.and_then(|k| m.str_value(k)) != Some("DIRS") {
                        continue;
                    }
                    if let ExprKind::Seq { elts, .. } = m.kind(*dv) {
                        for d in elts.iter() {
                            if let Some(p) = path_value(m, &f.scope, *d, &f.path, &env) {
                                out.push(crate::discover::normalize(&p));
                            }
                        }
                    }
                }
            }
        } else if let Some(p) = path_value(m, &f.scope, *v, &f.path, &env) {
            env.insert(n, p);
        }
    }
    out
}

/// A path computed from `__file__`, names bound to paths and string literals.
fn path_value(
    m: &Module,
    scope: &Scope,
    e: ExprId,
    file: &Path,
    env: &HashMap<&str, PathBuf>,
) -> Option<PathBuf> {
    match m.kind(e) {
        ExprKind::Name(n) if &**n == "__file__" => Some(file.to_path_buf()),
        ExprKind::Name(n) => env.get(&**n).cloned(),
        ExprKind::Str(s) => {
            let p = PathBuf::from(&**s);
            // a relative literal is relative to the working directory: assume the project root
            Some(if p.is_absolute() {
                p
            } else {
                file.parent()?.join(p)
            })
        }
        ExprKind::Attr { value, attr, .. } if &**attr == "parent" => {
            path_value(m, scope, *value, file, env)?
                .parent()
                .map(Path::to_path_buf)
        }
        ExprKind::BinOp { left, op, right } if &**op == "/" => {
            let l = path_value(m, scope, *left, file, env)?;
            let r = m.str_value(*right)?;
            Some(l.join(r))
        }
        ExprKind::Call { func, args, .. } => {
            // `Path(__file__).resolve()`, `.absolute()`
            if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                if matches!(&**attr, "resolve" | "absolute") {
                    return path_value(m, scope, *value, file, env);
                }
            }
            let callee = scope.qualify(&m.dotted(*func)?);
            match callee.as_str() {
                "pathlib.Path" | "os.path.abspath" | "os.path.realpath" | "str" => {
                    path_value(m, scope, *args.first()?, file, env)
                }
                "os.path.dirname" => path_value(m, scope, *args.first()?, file, env)?
                    .parent()
                    .map(Path::to_path_buf),
                "os.path.join" => {
                    let mut p = path_value(m, scope, *args.first()?, file, env)?;
                    for a in &args[1..] {
                        p.push(m.str_value(*a)?);
                    }
                    Some(p)
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Template files under the template directories, as unreported project files with ids
/// from `first_id` on, and the registry naming them.
pub fn load(dirs: &[PathBuf], first_id: FileId, cwd: &Path) -> (Vec<File>, Templates) {
    let mut names: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    let mut order: Vec<(String, PathBuf)> = Vec::new();
    for d in dirs {
        let mut found: Vec<PathBuf> = WalkDir::new(d)
            .follow_links(false)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(walkdir::DirEntry::into_path)
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("html" | "txt" | "htm" | "xml")
                )
            })
            .collect();
        found.sort();
        for p in found {
            let Ok(rel) = p.strip_prefix(d) else { continue };
            let name = crate::discover::slashed(rel);
            order.push((name.clone(), p.clone()));
            names.entry(p).or_default().push(name);
        }
    }
    let mut files = Vec::new();
    let mut ids: HashMap<PathBuf, FileId> = HashMap::default();
    let mut tpl = Templates {
        first: first_id,
        ..Templates::default()
    };
    for (name, p) in order {
        let id = match ids.get(&p) {
            Some(id) => *id,
            None => {
                let Ok(meta) = std::fs::metadata(&p) else {
                    continue;
                };
                if meta.len() > MAX_TEMPLATE_BYTES {
                    continue;
                }
                let Ok(bytes) = std::fs::read(&p) else {
                    continue;
                };
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let id = first_id + u32::try_from(files.len()).unwrap_or(u32::MAX);
                files.push(File {
                    id,
                    rel: PathBuf::from(&name),
                    display: crate::discover::display_path(&p, cwd),
                    path: p.clone(),
                    scope: Scope::default(),
                    ast: Module::default(),
                    lines: LineIndex::new(&text),
                    hash: crate::cache::key(&text),
                    text: crate::project::Text::kept(Some(Arc::from(text))),
                    report: false,
                    in_migrations: false,
                    is_test: false,
                    builtin: false,
                    template: true,
                    io_error: None,
                    quote: std::sync::OnceLock::new(),
                });
                ids.insert(p, id);
                tpl.parsed.push(OnceLock::new());
                id
            }
        };
        tpl.by_name.entry(name).or_insert(id);
    }
    (files, tpl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_dirs_are_computed_from_base_dir() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("proj")).unwrap();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::create_dir_all(root.join("other")).unwrap();
        let src = "import os\nfrom pathlib import Path\n\
                   BASE_DIR = Path(__file__).resolve().parent.parent\n\
                   OLD = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n\
                   TEMPLATES = [{\"BACKEND\": \"x\", \"DIRS\": [BASE_DIR / \"templates\", os.path.join(OLD, \"other\"), some_call()]}]\n";
        let path = root.join("proj/settings.py");
        std::fs::write(&path, src).unwrap();
        let ast = crate::parse::parse(src).unwrap();
        let scope = Scope::build("proj.settings", false, &ast);
        let f = File {
            id: 0,
            path: path.clone(),
            rel: PathBuf::from("proj/settings.py"),
            display: String::new(),
            scope,
            ast,
            lines: LineIndex::new(src),
            text: Default::default(),
            hash: 0,
            report: false,
            in_migrations: false,
            is_test: false,
            builtin: false,
            template: false,
            io_error: None,
            quote: std::sync::OnceLock::new(),
        };
        assert_eq!(
            settings_dirs(&f),
            vec![root.join("templates"), root.join("other")]
        );
    }

    fn py_file(id: FileId, rel: &str, src: &str) -> File {
        let ast = crate::parse::parse(src).unwrap();
        let module = crate::discover::module_name(Path::new(rel));
        let scope = Scope::build(&module, false, &ast);
        File {
            id,
            path: PathBuf::from(rel),
            rel: PathBuf::from(rel),
            display: String::new(),
            scope,
            ast,
            lines: LineIndex::new(src),
            text: Default::default(),
            hash: 0,
            report: false,
            in_migrations: false,
            is_test: false,
            builtin: false,
            template: false,
            io_error: None,
            quote: std::sync::OnceLock::new(),
        }
    }

    #[test]
    fn tag_libraries_by_decorator_and_by_call() {
        let tags = "from django import template\n\
                    from shop.fmt import line\n\
                    register = template.Library()\n\
                    @register.inclusion_tag(\"card.html\", takes_context=True)\n\
                    def card(context, book): return {}\n\
                    @register.simple_tag(name=\"stars\")\n\
                    def rating(book): return 1\n\
                    @register.filter(\"upper_title\")\n\
                    def up(book): return ''\n\
                    @other.simple_tag\n\
                    def not_ours(book): return 1\n\
                    line = register.inclusion_tag(filename=\"line.html\")(line)\n";
        let files = vec![
            py_file(0, "shop/templatetags/shop_tags.py", tags),
            py_file(1, "shop/fmt.py", "def line(book):\n    return {}\n"),
            py_file(2, "shop/templatetags/__init__.py", ""),
        ];
        let libs = TagLibs::build(&files);
        let loaded = vec![("shop_tags".to_owned(), None)];
        let card = libs.find(&loaded, "card", false).unwrap();
        assert_eq!(card.kind, TagKind::Inclusion("card.html".into()));
        assert!(card.takes_context);
        assert_eq!(
            libs.find(&loaded, "stars", false).unwrap().kind,
            TagKind::Simple
        );
        assert!(libs.find(&loaded, "rating", false).is_none());
        assert!(libs.find(&loaded, "upper_title", true).is_some());
        assert!(libs.find(&loaded, "upper_title", false).is_none());
        assert!(libs.find(&loaded, "not_ours", false).is_none());
        let line = libs.find(&loaded, "line", false).unwrap();
        assert_eq!((line.file, line.func), (1, 0));
        assert_eq!(line.kind, TagKind::Inclusion("line.html".into()));
        // `{% load card from shop_tags %}` picks one tag; an unloaded library gives nothing
        let picked = vec![("shop_tags".to_owned(), Some(vec!["card".to_owned()]))];
        assert!(libs.find(&picked, "card", false).is_some());
        assert!(libs.find(&picked, "stars", false).is_none());
        assert!(libs
            .find(&[("other".to_owned(), None)], "card", false)
            .is_none());
    }
}
