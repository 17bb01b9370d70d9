//! Migration operations that build indexes, per app, in file order (DJP310).
//!
//! Only what DJP310 needs is read: `atomic`, and the operations that may create an index
//! (`AddIndex`, `AddField`/`AlterField` with `db_index`/`unique`, `AlterUniqueTogether`,
//! `AlterIndexTogether`), plus `CreateModel` to know a table's starting state. The earlier
//! migrations of the same app tell whether an `AlterField` or an `Alter*Together` really adds
//! an index.

use crate::ast::{Const, ExprId, ExprKind};
use crate::project::{File, FileId};
use crate::source::Span;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What a field definition in a migration says about indexes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldDef {
    pub unique: bool,
    /// `db_index=True`, or indexed by default (a foreign key, a `SlugField`).
    pub indexed: bool,
    /// `db_index=True` written out.
    pub explicit_db_index: bool,
    /// `primary_key=True`: a constraint, not only an index.
    pub primary_key: bool,
    /// A `OneToOneField` (unique whatever its arguments say).
    pub one_to_one: bool,
}

#[derive(Debug, Clone)]
pub enum OpKind {
    /// `RenameField(model_name, old_name, new_name)`: the state follows it (a later
    /// `AlterUniqueTogether` naming the new field builds nothing).
    RenameField(String, String),
    /// `RenameModel(old_name, new_name)`, new name lower case.
    RenameModel(String),
    AddIndex,
    AddIndexConcurrently,
    AddField(String, FieldDef),
    AlterField(String, FieldDef),
    /// `AlterUniqueTogether` (true) / `AlterIndexTogether` (false) and the new sets.
    Together(bool, Vec<Vec<String>>),
    CreateModel {
        fields: Vec<(String, FieldDef)>,
        unique_together: Vec<Vec<String>>,
        index_together: Vec<Vec<String>>,
    },
}

#[derive(Debug, Clone)]
pub struct Op {
    pub span: Span,
    /// The operation class as written (`AddIndex`).
    pub class: String,
    /// The model, lower case.
    pub model: String,
    pub kind: OpKind,
}

#[derive(Debug, Clone, Default)]
pub struct MigrationFile {
    pub atomic: bool,
    /// `initial = True` or `replaces = [...]` (a squashed migration): it runs only on a
    /// database that does not have the app's tables yet, so its tables are empty.
    pub fresh_only: bool,
    pub ops: Vec<Op>,
    app: PathBuf,
    order: PathBuf,
    /// The names of the migrations a squashed one replaces.
    replaces: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Migrations {
    pub files: HashMap<FileId, MigrationFile>,
    /// Per migrations directory: its files in name order.
    apps: HashMap<PathBuf, Vec<FileId>>,
    /// `migrations-since`: per app (the directory holding `migrations/`), the last migration
    /// that ran on every database; it and those before it are history, not checked.
    pub since: BTreeMap<String, String>,
}

/// An operation that builds an index on a table that already exists.
#[derive(Debug, Clone)]
pub struct Blocking<'a> {
    pub op: &'a Op,
    /// What the index is on, for the message.
    pub what: String,
    /// The sets an `AlterUniqueTogether`/`AlterIndexTogether` drops (in the state before
    /// it, not after): their constraints or indexes go too.
    pub drops: Vec<Vec<String>>,
}

impl Migrations {
    pub fn build(files: &[File]) -> Migrations {
        let mut out = Migrations::default();
        for f in files {
            if !f.in_migrations || f.builtin {
                continue;
            }
            let Some(mf) = read_file(f) else { continue };
            out.apps.entry(mf.app.clone()).or_default().push(f.id);
            out.files.insert(f.id, mf);
        }
        for ids in out.apps.values_mut() {
            ids.sort_by(|a, b| out.files[a].order.cmp(&out.files[b].order));
        }
        out
    }

    /// The operations of `file` that build an index on an existing table without
    /// `CONCURRENTLY`.
    pub fn blocking(&self, file: FileId) -> Vec<Blocking<'_>> {
        let Some(mf) = self
            .files
            .get(&file)
            .filter(|mf| !mf.fresh_only && !self.applied_everywhere(mf))
        else {
            return Vec::new();
        };
        let created: Vec<&str> = mf
            .ops
            .iter()
            .filter(|o| matches!(o.kind, OpKind::CreateModel { .. }))
            .map(|o| o.model.as_str())
            .collect();
        // The state of each model before this file: fields and together-sets.
        let mut state: HashMap<String, ModelState> = HashMap::default();
        // Whether every earlier migration of the app is part of its initial run, and the
        // models those created (empty tables while this file runs, if it is one too).
        let mut all_initial = true;
        let mut created_initially: Vec<String> = Vec::new();
        if let Some(ids) = self.apps.get(&mf.app) {
            let stem = |id: &FileId| {
                self.files[id]
                    .order
                    .file_stem()
                    .and_then(|n| n.to_str())
                    .map(str::to_owned)
                    .unwrap_or_default()
            };
            let present: Vec<String> = ids.iter().map(stem).collect();
            for id in ids {
                if *id == file {
                    break;
                }
                // A squashed migration whose originals are still here: a database with
                // history ran those, not it (and it sorts before some of them by name).
                let squash = &self.files[id].replaces;
                if squash.iter().any(|r| present.contains(r)) {
                    continue;
                }
                let earlier = &self.files[id];
                all_initial &= earlier.fresh_only || named_initial(&earlier.order);
                for op in &earlier.ops {
                    if all_initial && matches!(op.kind, OpKind::CreateModel { .. }) {
                        created_initially.push(op.model.clone());
                    }
                    apply(&mut state, op);
                }
            }
        }
        // A migration of the app's initial run (`0002_initial` after `0001_initial`, which
        // Django writes when an app's first migration is split, sometimes without `initial =
        // True`): the tables its predecessors created are still empty.
        let initial_run = all_initial && named_initial(&mf.order);
        let mut out = Vec::new();
        for op in &mf.ops {
            if created.contains(&op.model.as_str())
                || (initial_run && created_initially.contains(&op.model))
            {
                apply(&mut state, op);
                continue;
            }
            let drops: Vec<Vec<String>> = match &op.kind {
                OpKind::Together(unique, sets) => state
                    .get(&op.model)
                    .map(|s| if *unique { &s.unique } else { &s.index })
                    .map(|prev| prev.iter().filter(|t| !sets.contains(t)).cloned().collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let what = match &op.kind {
                OpKind::AddIndex => Some("an index".to_owned()),
                OpKind::AddField(name, d) if d.unique || d.explicit_db_index => {
                    Some(format!("an index on the new field `{name}`"))
                }
                OpKind::AlterField(name, d) => state
                    .get(&op.model)
                    .and_then(|s| s.fields.get(name))
                    .filter(|prev| {
                        (d.unique && !prev.unique)
                            || (d.explicit_db_index && !prev.indexed && !prev.unique)
                    })
                    .map(|_| format!("an index on `{name}`")),
                OpKind::Together(unique, sets) => state
                    .get(&op.model)
                    .filter(|s| s.created)
                    .and_then(|s| {
                        let prev = if *unique { &s.unique } else { &s.index };
                        sets.iter().find(|t| !prev.contains(t))
                    })
                    .map(|t| format!("an index on ({})", t.join(", "))),
                _ => None,
            };
            apply(&mut state, op);
            if let Some(what) = what {
                out.push(Blocking { op, what, drops });
            }
        }
        out
    }
}

impl Migrations {
    /// Whether `migrations-since` names this migration or a later one of its app.
    fn applied_everywhere(&self, mf: &MigrationFile) -> bool {
        let app = mf
            .app
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str());
        let name = mf.order.file_stem().and_then(|n| n.to_str());
        match (app.and_then(|a| self.since.get(a)), name) {
            (Some(last), Some(name)) => name <= last.trim_end_matches(".py"),
            _ => false,
        }
    }
}

/// A migration named as part of the app's initial run: `0002_initial`,
/// `0002_initial_accounts` (the number, then `initial`).
fn named_initial(order: &std::path::Path) -> bool {
    let Some(stem) = order.file_stem().and_then(|n| n.to_str()) else {
        return false;
    };
    let rest = stem.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.len() < stem.len()
        && rest
            .strip_prefix("_initial")
            .is_some_and(|r| r.is_empty() || r.starts_with('_'))
}

#[derive(Debug, Default)]
struct ModelState {
    /// Created by a `CreateModel` the migrations show.
    created: bool,
    fields: BTreeMap<String, FieldDef>,
    unique: Vec<Vec<String>>,
    index: Vec<Vec<String>>,
}

fn apply(state: &mut HashMap<String, ModelState>, op: &Op) {
    if let OpKind::RenameModel(new) = &op.kind {
        // A model the migrations shown never created keeps what is known of the new name.
        if let Some(old) = state.remove(&op.model) {
            state.insert(new.clone(), old);
        }
        return;
    }
    let s = state.entry(op.model.clone()).or_default();
    match &op.kind {
        OpKind::CreateModel {
            fields,
            unique_together,
            index_together,
        } => {
            *s = ModelState {
                created: true,
                fields: fields.iter().cloned().collect(),
                unique: unique_together.clone(),
                index: index_together.clone(),
            };
        }
        OpKind::AddField(n, d) | OpKind::AlterField(n, d) => {
            s.fields.insert(n.clone(), *d);
        }
        OpKind::Together(true, sets) => s.unique.clone_from(sets),
        OpKind::Together(false, sets) => s.index.clone_from(sets),
        // Django's state renames the field in the together-sets too.
        OpKind::RenameField(old, new) => {
            if let Some(d) = s.fields.remove(old) {
                s.fields.insert(new.clone(), d);
            }
            for set in s.unique.iter_mut().chain(s.index.iter_mut()) {
                for n in set.iter_mut() {
                    if n == old {
                        n.clone_from(new);
                    }
                }
            }
        }
        OpKind::RenameModel(_) | OpKind::AddIndex | OpKind::AddIndexConcurrently => {}
    }
}

fn read_file(f: &File) -> Option<MigrationFile> {
    let m = &f.ast;
    let c = m
        .classes
        .iter()
        .find(|c| c.outer.is_none() && &*c.name == "Migration")?;
    let comps: Vec<_> = f.rel.components().collect();
    let pos = comps.iter().rposition(|c| c.as_os_str() == "migrations")?;
    let app: PathBuf = comps[..=pos].iter().collect();
    let mut mf = MigrationFile {
        atomic: true,
        fresh_only: false,
        ops: Vec::new(),
        app,
        order: f.rel.clone(),
        replaces: Vec::new(),
    };
    for st in &c.body {
        let Some((n, _, v)) = st.kind.name_assign() else {
            continue;
        };
        match &**n {
            "atomic" => mf.atomic = !matches!(m.kind(v), ExprKind::Const(Const::False)),
            "initial" => mf.fresh_only |= matches!(m.kind(v), ExprKind::Const(Const::True)),
            "replaces" => {
                if let ExprKind::Seq { elts, .. } = m.kind(v) {
                    mf.fresh_only |= !elts.is_empty();
                    for e in elts.iter() {
                        if let ExprKind::Seq { elts: pair, .. } = m.kind(*e) {
                            if let Some(name) = pair.get(1).and_then(|n| m.str_value(*n)) {
                                mf.replaces.push(name.to_owned());
                            }
                        }
                    }
                }
            }
            "operations" => read_ops(f, v, &mut mf.ops, 0),
            _ => {}
        }
    }
    Some(mf)
}

fn read_ops(f: &File, list: ExprId, out: &mut Vec<Op>, depth: u32) {
    let m = &f.ast;
    let ExprKind::Seq { elts, .. } = m.kind(list) else {
        return;
    };
    for e in elts.iter() {
        let ExprKind::Call { func, args, kwargs } = m.kind(*e) else {
            continue;
        };
        let Some(d) = m.dotted(*func) else { continue };
        let class = d.rsplit('.').next().unwrap_or(&d).to_owned();
        let arg = |i: usize, name: &str| -> Option<ExprId> {
            m.kwarg(kwargs, name)
                .map(|k| k.value)
                .or_else(|| args.get(i).copied())
        };
        let model_key = match class.as_str() {
            "CreateModel" | "AlterUniqueTogether" | "AlterIndexTogether" => "name",
            "RenameModel" => "old_name",
            _ => "model_name",
        };
        let model = arg(0, model_key)
            .and_then(|e| m.str_value(e))
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let kind = match class.as_str() {
            "SeparateDatabaseAndState" => {
                // Only the database side builds anything.
                if depth < 4 {
                    if let Some(k) = m.kwarg(kwargs, "database_operations") {
                        read_ops(f, k.value, out, depth + 1);
                    }
                }
                continue;
            }
            "RenameField" => {
                let name = |i: usize, k: &str| arg(i, k).and_then(|e| m.str_value(e));
                let (Some(old), Some(new)) = (name(1, "old_name"), name(2, "new_name")) else {
                    continue;
                };
                OpKind::RenameField(old.to_owned(), new.to_owned())
            }
            "RenameModel" => {
                let Some(new) = arg(1, "new_name").and_then(|e| m.str_value(e)) else {
                    continue;
                };
                OpKind::RenameModel(new.to_ascii_lowercase())
            }
            "AddIndex" => OpKind::AddIndex,
            "AddIndexConcurrently" => OpKind::AddIndexConcurrently,
            "AddField" | "AlterField" => {
                let Some(name) = arg(1, "name").and_then(|e| m.str_value(e)) else {
                    continue;
                };
                let Some(fd) = arg(2, "field").map(|e| field_def(f, e)) else {
                    continue;
                };
                if class == "AddField" {
                    OpKind::AddField(name.to_owned(), fd)
                } else {
                    OpKind::AlterField(name.to_owned(), fd)
                }
            }
            "AlterUniqueTogether" | "AlterIndexTogether" => {
                let key = if class == "AlterUniqueTogether" {
                    "unique_together"
                } else {
                    "index_together"
                };
                let Some(v) = arg(1, key) else { continue };
                OpKind::Together(class == "AlterUniqueTogether", together(f, v))
            }
            "CreateModel" => {
                let mut fields = Vec::new();
                if let Some(fl) = arg(1, "fields") {
                    if let ExprKind::Seq { elts, .. } = m.kind(fl) {
                        for t in elts.iter() {
                            if let ExprKind::Seq { elts: pair, .. } = m.kind(*t) {
                                if let [n, v] = &pair[..] {
                                    if let Some(n) = m.str_value(*n) {
                                        fields.push((n.to_owned(), field_def(f, *v)));
                                    }
                                }
                            }
                        }
                    }
                }
                let mut ut = Vec::new();
                let mut it = Vec::new();
                if let Some(opts) = arg(2, "options") {
                    if let ExprKind::Dict(items) = m.kind(opts) {
                        for (k, v) in items.iter() {
                            match k.and_then(|k| m.str_value(k)) {
                                Some("unique_together") => ut = together(f, *v),
                                Some("index_together") => it = together(f, *v),
                                _ => {}
                            }
                        }
                    }
                }
                OpKind::CreateModel {
                    fields,
                    unique_together: ut,
                    index_together: it,
                }
            }
            _ => continue,
        };
        out.push(Op {
            span: m.span(*e),
            class,
            model,
            kind,
        });
    }
}

/// `{("a", "b")}`, `[("a", "b")]` or `("a", "b")`: the sets of field names.
fn together(f: &File, v: ExprId) -> Vec<Vec<String>> {
    let m = &f.ast;
    let strs = |e: ExprId| -> Option<Vec<String>> {
        match m.kind(e) {
            ExprKind::Seq { elts, .. } => elts
                .iter()
                .map(|x| m.str_value(*x).map(str::to_owned))
                .collect(),
            _ => None,
        }
    };
    if let Some(one) = strs(v) {
        if !one.is_empty() {
            return vec![one];
        }
    }
    match m.kind(v) {
        ExprKind::Seq { elts, .. } => elts.iter().filter_map(|e| strs(*e)).collect(),
        _ => Vec::new(),
    }
}

fn field_def(f: &File, e: ExprId) -> FieldDef {
    let m = &f.ast;
    let ExprKind::Call { func, kwargs, .. } = m.kind(e) else {
        return FieldDef::default();
    };
    let class = m
        .dotted(*func)
        .map(|d| d.rsplit('.').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let kw = |k: &str| -> Option<bool> {
        m.kwarg(kwargs, k)
            .map(|k| matches!(m.kind(k.value), ExprKind::Const(Const::True)))
    };
    let primary_key = kw("primary_key") == Some(true);
    let one_to_one = class.contains("OneToOne");
    let unique = kw("unique") == Some(true) || primary_key || one_to_one;
    let explicit = kw("db_index") == Some(true);
    // Foreign keys (and subclasses: `TreeForeignKey`, `ForeignKeyWithAutoRelatedName`) and
    // slugs are indexed unless `db_index=False`.
    let default_indexed = class.contains("ForeignKey") || class == "SlugField";
    FieldDef {
        unique,
        indexed: explicit || (default_indexed && kw("db_index") != Some(false)),
        explicit_db_index: explicit,
        primary_key,
        one_to_one,
    }
}

/// The database engines a project's settings can select (DJP310): every engine named by a
/// string in its code (`"django.db.backends.sqlite3"`, a GIS or third-party backend module
/// `....backends.postgresql`, a database URL `postgres://...`), branches on environment
/// variables included. PostgreSQL counts from production code (or an import of
/// `django.contrib.postgres`); the other engines from test settings too (a settings module or
/// conftest among the tests, a `"ENGINE": ...` entry in a test), since the migrations run
/// there as well, but not from a test's list of engines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Engines {
    pub postgres: bool,
    /// The other engines: `sqlite`, `mysql`, `oracle`.
    pub others: std::collections::BTreeSet<&'static str>,
    /// The engine is put together at run time (`"django.db.backends." + backend`, pretix):
    /// any backend may be chosen.
    pub runtime: bool,
}

impl Engines {
    pub fn of(files: &[File]) -> Engines {
        let mut out = Engines::default();
        // Code that branches on the backend it runs on (`schema_editor.connection.vendor ==
        // "mysql"`, often in the migrations themselves) runs on those backends too.
        for f in files
            .iter()
            .filter(|f| !f.builtin && !f.template && !f.is_test)
        {
            for e in &f.ast.exprs {
                if let ExprKind::Compare {
                    left, comparators, ..
                } = &e.kind
                {
                    let is_vendor = |x: ExprId| matches!(f.ast.kind(x), ExprKind::Attr { attr, .. } if &**attr == "vendor");
                    if !is_vendor(*left) {
                        continue;
                    }
                    for c in comparators.iter() {
                        let mut names = Vec::new();
                        match f.ast.kind(*c) {
                            ExprKind::Str(s) => names.push(&**s),
                            ExprKind::Seq { .. } => {
                                names.extend(f.ast.constant_strings(*c).unwrap_or_default())
                            }
                            _ => {}
                        }
                        for n in names {
                            match n {
                                "mysql" => {
                                    out.others.insert("mysql");
                                }
                                "sqlite" => {
                                    out.others.insert("sqlite");
                                }
                                "oracle" => {
                                    out.others.insert("oracle");
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
        for f in files
            .iter()
            .filter(|f| !f.builtin && !f.in_migrations && !f.template)
        {
            // PostgreSQL is what production code says; test settings only add engines the
            // migrations must also run on.
            if !f.is_test
                && f.scope
                    .names
                    .values()
                    .any(|q| q.starts_with("django.contrib.postgres"))
            {
                out.postgres = true;
            }
            // In test code only settings count: a settings module (`tests/settings.py`,
            // `conftest.py`) or a `"ENGINE": ...` entry (`override_settings(DATABASES=...)`),
            // not a test's list of engines a system check must reject.
            let settings_file = f.rel.to_string_lossy().to_ascii_lowercase();
            let settings_file =
                settings_file.contains("settings") || settings_file.ends_with("conftest.py");
            let engine_values: Vec<ExprId> = if f.is_test && !settings_file {
                f.ast
                    .exprs
                    .iter()
                    .filter_map(|e| match &e.kind {
                        ExprKind::Dict(items) => Some(items.iter()),
                        _ => None,
                    })
                    .flatten()
                    .filter(|(k, _)| k.is_some_and(|k| f.ast.str_value(k) == Some("ENGINE")))
                    .map(|(_, v)| *v)
                    .collect()
            } else {
                Vec::new()
            };
            for (i, e) in f.ast.exprs.iter().enumerate() {
                if let ExprKind::Str(s) = &e.kind {
                    if f.is_test
                        && !settings_file
                        && !ExprId::try_from(i).is_ok_and(|id| engine_values.contains(&id))
                    {
                        continue;
                    }
                    if s.ends_with(".backends.") {
                        out.runtime = true;
                    }
                    match engine_of(s) {
                        Some("postgresql") => out.postgres |= !f.is_test,
                        Some(other) => {
                            out.others.insert(other);
                        }
                        None => {}
                    }
                }
            }
        }
        out
    }

    /// Only PostgreSQL: `AddIndexConcurrently` works wherever the migrations run.
    pub fn postgres_only(&self) -> bool {
        self.postgres && self.others.is_empty() && !self.runtime
    }
}

/// The engine a string names: a backend module or a database URL.
fn engine_of(s: &str) -> Option<&'static str> {
    let name = if let Some((_, backend)) = s.rsplit_once(".backends.") {
        backend
    } else if let Some((scheme, _)) = s.split_once("://") {
        scheme
    } else {
        return None;
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    {
        return None;
    }
    let name = name.split('+').next().unwrap_or(name);
    Some(match name {
        "postgresql" | "postgresql_psycopg2" | "postgres" | "postgis" | "pgsql" => "postgresql",
        "sqlite3" | "sqlite" | "spatialite" => "sqlite",
        "mysql" | "mysql2" | "mysqlgis" => "mysql",
        "oracle" | "oraclegis" => "oracle",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{engine_of, named_initial};

    #[test]
    fn initial_run_names() {
        for (name, initial) in [
            ("app/migrations/0002_initial.py", true),
            ("app/migrations/0002_initial_openwisp.py", true),
            ("app/migrations/0001_initial.py", true),
            ("app/migrations/0003_initialize_data.py", false),
            ("app/migrations/0003_add_initial.py", false),
            ("app/migrations/initial.py", false),
            ("app/migrations/0004_auto.py", false),
        ] {
            assert_eq!(named_initial(std::path::Path::new(name)), initial, "{name}");
        }
    }

    #[test]
    fn engines_from_backends_and_urls() {
        assert_eq!(
            engine_of("django.db.backends.postgresql"),
            Some("postgresql")
        );
        assert_eq!(
            engine_of("django.contrib.gis.db.backends.postgis"),
            Some("postgresql")
        );
        assert_eq!(
            engine_of("django_prometheus.db.backends.mysql"),
            Some("mysql")
        );
        assert_eq!(engine_of("django.db.backends.sqlite3"), Some("sqlite"));
        assert_eq!(engine_of("sqlite:///db.sqlite3"), Some("sqlite"));
        assert_eq!(engine_of("postgres://u@h/db"), Some("postgresql"));
        assert_eq!(engine_of("mysql+pymysql://u@h/db"), Some("mysql"));
        assert_eq!(engine_of("https://example.com"), None);
        assert_eq!(engine_of("postgresql"), None);
        assert_eq!(engine_of("my.backends.custom"), None);
    }
}
