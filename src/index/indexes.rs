//! Index facts per model: which columns the database can find through an index (primary
//! key, `unique`, `db_index`, foreign keys, `Meta.indexes`, `index_together`,
//! `unique_together`, `UniqueConstraint`), the model's `Meta.ordering`, and its large
//! columns. Read by DJP301-DJP303.

use super::{Field, FieldKind, Index, ModelId};
use crate::ast::{ClassDef, Const, ExprId, ExprKind, StmtKind, Target};
use crate::project::{File, FileId};
use crate::source::Span;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Options of the index rules (the `[tool.djperf]` configuration fills them in).
#[derive(Debug, Clone, Copy)]
pub struct IndexOptions {
    /// A `CharField` whose `max_length` is above this is a large column.
    pub large_char_length: u32,
    /// More indexes than this on one table (besides the primary key) is too many (DJP303);
    /// `None`: the count is not checked (`max-indexes` turns it on).
    pub max_indexes: Option<usize>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            large_char_length: 1000,
            max_indexes: None,
        }
    }
}

/// Where an index comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    PrimaryKey,
    /// `unique=True` (or a one-to-one field).
    FieldUnique,
    /// `db_index=True` (or a `SlugField`, indexed by default).
    FieldDbIndex,
    /// A `ForeignKey`: Django indexes it unless `db_index=False` (`db_index=True` on it is
    /// the default spelled out: the same one index).
    ForeignKey,
    MetaIndex,
    IndexTogether,
    UniqueTogether,
    UniqueConstraint,
}

impl IndexKind {
    pub fn describe(self) -> &'static str {
        match self {
            IndexKind::PrimaryKey => "primary key",
            IndexKind::FieldUnique => "unique=True",
            IndexKind::FieldDbIndex => "db_index=True",
            IndexKind::ForeignKey => "foreign key index",
            IndexKind::MetaIndex => "Meta.indexes",
            IndexKind::IndexTogether => "Meta.index_together",
            IndexKind::UniqueTogether => "Meta.unique_together",
            IndexKind::UniqueConstraint => "UniqueConstraint",
        }
    }
}

/// One index of a table.
#[derive(Debug, Clone)]
pub struct IndexDef {
    /// Field names in order (a leading `-` stripped). Empty for expression indexes.
    pub columns: Vec<String>,
    /// Which columns are descending (`"-id"` in `Index(fields=...)`); empty: all ascending.
    pub descending: Vec<bool>,
    pub kind: IndexKind,
    pub unique: bool,
    /// A plain B-tree index on the columns alone: no `condition`, no expressions, no
    /// `opclasses`/`include`, not a GIN/GiST/... index. Only these can be redundant.
    pub plain: bool,
    pub file: Option<FileId>,
    pub span: Span,
}

/// The index facts of one model.
#[derive(Debug, Clone, Default)]
pub struct ModelIndexes {
    /// Indexes of the model's own table (inherited abstract fields and Meta included).
    pub defs: Vec<IndexDef>,
    /// `Meta.ordering` field names (a leading `-`/`?` kept) and where it is written.
    pub ordering: Vec<String>,
    pub ordering_at: Option<(FileId, Span)>,
    /// Every base class is known (a Django model, a project model or a project mixin), so
    /// no library parent can add indexes or fields the index does not see.
    pub complete: bool,
    /// Field names declared with `db_index=False` (here or in an abstract parent).
    no_index: HashSet<String>,
    /// `Meta` entries, kept for abstract children that inherit the parent's `Meta`.
    meta_defs: Vec<IndexDef>,
}

impl ModelIndexes {
    /// Whether `field` leads some index of this table.
    pub fn leads(&self, field: &str) -> bool {
        self.defs
            .iter()
            .any(|d| d.columns.first().is_some_and(|c| c == field))
    }
}

/// A model's own facts before inheritance.
pub(super) struct OwnFacts {
    meta_defs: Vec<IndexDef>,
    ordering: Option<(Vec<String>, FileId, Span)>,
    /// No `Meta`, or a `Meta` that subclasses a parent's: the abstract parent's `Meta` applies.
    inherits_meta: bool,
    no_index: HashSet<String>,
}

/// Read the `Meta` class and field keywords of a model class.
pub(super) fn own_facts(f: &File, c: &ClassDef) -> OwnFacts {
    let m = &f.ast;
    let mut out = OwnFacts {
        meta_defs: Vec::new(),
        ordering: None,
        inherits_meta: true,
        no_index: HashSet::default(),
    };
    for st in &c.body {
        match &st.kind {
            StmtKind::Assign {
                targets,
                value: Some(v),
            } => {
                let Some(Target::Name(name, _)) = targets.first() else {
                    continue;
                };
                if let ExprKind::Call { kwargs, .. } = m.kind(*v) {
                    if let Some(k) = m.kwarg(kwargs, "db_index") {
                        if matches!(m.kind(k.value), ExprKind::Const(Const::False)) {
                            out.no_index.insert(name.to_string());
                        }
                    }
                }
            }
            StmtKind::ClassDef(id) if &*m.classes[*id as usize].name == "Meta" => {
                let meta = &m.classes[*id as usize];
                out.inherits_meta = !meta.bases.is_empty();
                read_meta(f, meta, &mut out);
            }
            _ => {}
        }
    }
    out
}

fn read_meta(f: &File, meta: &ClassDef, out: &mut OwnFacts) {
    let m = &f.ast;
    for st in &meta.body {
        let Some((name, _, v)) = st.kind.name_assign() else {
            continue;
        };
        let def = |columns: Vec<String>, kind, unique, plain, span| IndexDef {
            columns,
            descending: Vec::new(),
            kind,
            unique,
            plain,
            file: Some(f.id),
            span,
        };
        match &**name {
            "ordering" => {
                if let Some(cols) = str_list(f, v) {
                    out.ordering = Some((cols, f.id, m.span(v)));
                }
            }
            "indexes" => {
                for e in elts(f, v) {
                    if let Some((cols, descending, plain)) = index_call(f, e) {
                        let mut d = def(cols, IndexKind::MetaIndex, false, plain, m.span(e));
                        d.descending = descending;
                        out.meta_defs.push(d);
                    }
                }
            }
            "constraints" => {
                for e in elts(f, v) {
                    let ExprKind::Call { func, kwargs, .. } = m.kind(e) else {
                        continue;
                    };
                    let Some(d) = m.dotted(*func) else { continue };
                    if crate::semantic::imports::last_segment(&f.scope.qualify(&d))
                        != "UniqueConstraint"
                    {
                        continue;
                    }
                    let cols = m
                        .kwarg(kwargs, "fields")
                        .and_then(|k| str_list(f, k.value))
                        .unwrap_or_default();
                    let plain = !cols.is_empty()
                        && ["condition", "include", "opclasses", "expressions"]
                            .iter()
                            .all(|k| m.kwarg(kwargs, k).is_none());
                    out.meta_defs.push(def(
                        cols,
                        IndexKind::UniqueConstraint,
                        true,
                        plain,
                        m.span(e),
                    ));
                }
            }
            "index_together" | "unique_together" => {
                let (kind, unique) = if &**name == "index_together" {
                    (IndexKind::IndexTogether, false)
                } else {
                    (IndexKind::UniqueTogether, true)
                };
                // One tuple of names, or a sequence of them.
                if let Some(cols) = str_list(f, v) {
                    if !cols.is_empty() {
                        out.meta_defs.push(def(cols, kind, unique, true, m.span(v)));
                    }
                } else {
                    for e in elts(f, v) {
                        if let Some(cols) = str_list(f, e) {
                            out.meta_defs.push(def(cols, kind, unique, true, m.span(e)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn elts(f: &File, v: ExprId) -> Vec<ExprId> {
    match f.ast.kind(v) {
        ExprKind::Seq { elts, .. } => elts.to_vec(),
        _ => Vec::new(),
    }
}

/// A list/tuple of string literals (`None` if any element is not one).
fn str_list(f: &File, v: ExprId) -> Option<Vec<String>> {
    let ExprKind::Seq { elts, .. } = f.ast.kind(v) else {
        return None;
    };
    elts.iter()
        .map(|e| f.ast.str_value(*e).map(str::to_owned))
        .collect()
}

/// `models.Index(fields=[...])` (or a GIN/BTree/... index): its columns and whether it is a
/// plain B-tree index on those columns alone.
fn index_call(f: &File, e: ExprId) -> Option<(Vec<String>, Vec<bool>, bool)> {
    let m = &f.ast;
    let ExprKind::Call { func, args, kwargs } = m.kind(e) else {
        return None;
    };
    let d = m.dotted(*func)?;
    let q = f.scope.qualify(&d);
    let class = crate::semantic::imports::last_segment(&q);
    if !class.ends_with("Index") {
        return None;
    }
    let written = m
        .kwarg(kwargs, "fields")
        .and_then(|k| str_list(f, k.value))
        .unwrap_or_default();
    let descending: Vec<bool> = written.iter().map(|c| c.starts_with('-')).collect();
    let cols: Vec<String> = written
        .iter()
        .map(|c| c.trim_start_matches('-').to_owned())
        .collect();
    let plain = class == "Index"
        && !cols.is_empty()
        && args.is_empty()
        && ["condition", "include", "opclasses", "expressions"]
            .iter()
            .all(|k| m.kwarg(kwargs, k).is_none());
    let descending = if descending.iter().any(|d| *d) {
        descending
    } else {
        Vec::new()
    };
    Some((cols, descending, plain))
}

impl IndexDef {
    /// Whether column `i` is descending.
    pub fn is_descending(&self, i: usize) -> bool {
        self.descending.get(i).copied().unwrap_or(false)
    }
}

/// Whether a field is a large column (worth leaving out with `.defer()`).
pub fn is_large(field: &Field, opts: &IndexOptions) -> bool {
    match field.class.as_str() {
        "TextField" | "JSONField" | "BinaryField" | "ArrayField" | "HStoreField" => true,
        "CharField" => field.max_length.is_some_and(|n| n > opts.large_char_length),
        _ => false,
    }
}

impl Index {
    /// Build [`ModelIndexes`] for every model (called at the end of [`Index::build`]).
    pub(super) fn build_indexes(
        &mut self,
        own: HashMap<ModelId, OwnFacts>,
        complete: &HashMap<ModelId, bool>,
    ) {
        let mut out: Vec<ModelIndexes> = vec![ModelIndexes::default(); self.models.len()];
        let mut own = own;
        for id in self.parent_first_order() {
            let m = &self.models[id as usize];
            let facts = own.remove(&id).unwrap_or(OwnFacts {
                meta_defs: Vec::new(),
                ordering: None,
                inherits_meta: true,
                no_index: HashSet::default(),
            });
            let mut mi = ModelIndexes {
                complete: complete.get(&id).copied().unwrap_or(false)
                    && m.parents.iter().all(|p| out[*p as usize].complete),
                no_index: facts.no_index,
                meta_defs: facts.meta_defs,
                ..ModelIndexes::default()
            };
            let mut ordering = facts.ordering;
            // Fields of multi-table parents live in the parents' tables.
            let mut parent_table_fields: HashSet<&str> = HashSet::default();
            for p in &m.parents {
                let pm = &self.models[*p as usize];
                let pi = &out[*p as usize];
                mi.no_index.extend(pi.no_index.iter().cloned());
                if pm.is_abstract {
                    if facts.inherits_meta {
                        mi.meta_defs.extend(pi.meta_defs.iter().cloned());
                    }
                } else if !m.proxy {
                    parent_table_fields.extend(pm.fields.iter().map(|f| f.name.as_str()));
                }
                if ordering.is_none() && !pi.ordering.is_empty() {
                    ordering = pi
                        .ordering_at
                        .map(|(fid, sp)| (pi.ordering.clone(), fid, sp));
                }
            }
            if let Some((cols, fid, sp)) = ordering {
                mi.ordering = cols;
                mi.ordering_at = Some((fid, sp));
            }
            if !m.proxy {
                let has_pk = m.fields.iter().any(|f| f.primary_key);
                if !has_pk {
                    mi.defs.push(IndexDef {
                        descending: Vec::new(),
                        columns: vec!["id".into()],
                        kind: IndexKind::PrimaryKey,
                        unique: true,
                        plain: true,
                        file: m.file,
                        span: m.span,
                    });
                }
                for fl in &m.fields {
                    if parent_table_fields.contains(fl.name.as_str()) {
                        continue;
                    }
                    let off = mi.no_index.contains(&fl.name);
                    let kind = if fl.primary_key {
                        Some(IndexKind::PrimaryKey)
                    } else if fl.unique || fl.kind == FieldKind::OneToOne {
                        Some(IndexKind::FieldUnique)
                    } else if fl.kind == FieldKind::ForeignKey && !off {
                        Some(IndexKind::ForeignKey)
                    } else if fl.db_index || (fl.class == "SlugField" && !off) {
                        Some(IndexKind::FieldDbIndex)
                    } else {
                        None
                    };
                    if let Some(kind) = kind {
                        mi.defs.push(IndexDef {
                            descending: Vec::new(),
                            columns: vec![fl.name.clone()],
                            kind,
                            unique: matches!(kind, IndexKind::PrimaryKey | IndexKind::FieldUnique),
                            plain: true,
                            file: fl.file,
                            span: fl.span,
                        });
                    }
                }
                mi.defs.extend(mi.meta_defs.iter().cloned());
            }
            out[id as usize] = mi;
        }
        self.indexes = out;
    }

    /// The index facts of a model.
    pub fn indexes_of(&self, model: ModelId) -> &ModelIndexes {
        &self.indexes[model as usize]
    }

    /// Whether an index of `model`'s table (or a parent's) can find rows by `field` once the
    /// columns in `fixed` are pinned by equality: `field` leads it, or every column before
    /// `field` in it is in `fixed` (`(category, name)` serves `category=1, name="x"`).
    pub fn is_served(&self, model: ModelId, field: &str, fixed: &[String]) -> bool {
        let mut todo = vec![model];
        let mut seen = 0;
        while let Some(id) = todo.pop() {
            seen += 1;
            if seen > 16 {
                return true;
            }
            let served = self.indexes[id as usize].defs.iter().any(|d| {
                d.columns
                    .iter()
                    .position(|c| c == field)
                    .is_some_and(|k| d.columns[..k].iter().all(|c| fixed.contains(c)))
            });
            if served {
                return true;
            }
            todo.extend(self.models[id as usize].parents.iter().copied());
        }
        false
    }

    /// Apply the configured thresholds and database engine (`[tool.djperf]`).
    pub fn configure(&mut self, opts: &crate::config::RuleOptions) {
        self.index_options = IndexOptions {
            large_char_length: opts.large_charfield_max_length,
            max_indexes: opts.max_indexes,
        };
        if let Some(db) = &opts.database {
            self.engines = super::migrations::Engines::default();
            match db.as_str() {
                "postgresql" => self.engines.postgres = true,
                "sqlite" => {
                    self.engines.others.insert("sqlite");
                }
                "mysql" => {
                    self.engines.others.insert("mysql");
                }
                _ => {
                    self.engines.others.insert("oracle");
                }
            }
        }
        self.migrations.since.clone_from(&opts.migrations_since);
    }

    /// Whether every class behind `model` (and its parents) is known.
    pub fn indexes_complete(&self, model: ModelId) -> bool {
        self.indexes[model as usize].complete
    }
}
