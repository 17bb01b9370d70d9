//! The project index: every model with its fields, relations, reverse accessors and managers,
//! and the queryset effect of every manager/queryset method, built once from all files under
//! the project root.

pub mod effects;
pub mod indexes;
pub mod migrations;
pub mod signals;

use crate::ast::{ClassDef, ExprId, ExprKind, Module, StmtKind};
use crate::project::{File, FileId};
use crate::semantic::classes::ClassTable;
use crate::semantic::imports::last_segment;
use crate::source::Span;
pub use effects::ChainEffect;
use effects::LoadSet;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

pub type ModelId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    ForeignKey,
    OneToOne,
    ManyToMany,
    GenericForeignKey,
    GenericRelation,
    Plain,
}

impl FieldKind {
    /// A forward relation to a single object (a join can load it).
    pub fn is_single(self) -> bool {
        matches!(self, FieldKind::ForeignKey | FieldKind::OneToOne)
    }
}

#[derive(Debug, Clone)]
pub enum TargetRef {
    /// A class reference, qualified through the declaring module's imports.
    Qual(String),
    /// `"Model"` or `"app_label.Model"`.
    Str(String),
    SelfRef,
    AuthUser,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// The field class's name (`ForeignKey`, `TextField`...).
    pub class: String,
    pub kind: FieldKind,
    pub target_ref: Option<TargetRef>,
    pub target: Option<ModelId>,
    pub null: bool,
    pub unique: bool,
    pub primary_key: bool,
    pub db_index: bool,
    pub related_name: Option<String>,
    pub related_query_name: Option<String>,
    /// The field class (a project subclass overriding `contribute_to_class`) picks its own
    /// `related_name` when none is given: the reverse accessor's name is unknown.
    pub own_related_name: bool,
    pub max_length: Option<u32>,
    /// `symmetrical=` of a many-to-many field, when a literal.
    pub symmetrical: Option<bool>,
    pub file: Option<FileId>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReverseKind {
    /// `author.book_set`: a manager of many rows.
    ForeignKey,
    /// `book.detail`: a single object.
    OneToOne,
    /// `tag.book_set`: a manager of many rows.
    ManyToMany,
}

#[derive(Debug, Clone)]
pub struct Reverse {
    /// The accessor on instances (`book_set`).
    pub name: String,
    /// The name lookups use (`filter(book__title=...)`): `related_query_name`, else the
    /// related name, else the model's name in lower case.
    pub query_name: String,
    pub kind: ReverseKind,
    pub from_model: ModelId,
    /// The relation field's name on `from_model`.
    pub field: String,
}

#[derive(Debug, Clone)]
pub struct Manager {
    pub name: String,
    /// Qualified names of the manager class and the queryset class(es) it is built from.
    pub classes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub qual: String,
    pub app_label: String,
    pub file: Option<FileId>,
    pub span: Span,
    pub is_abstract: bool,
    pub proxy: bool,
    pub builtin: bool,
    pub parents: Vec<ModelId>,
    /// Own and inherited fields.
    pub fields: Vec<Field>,
    pub reverse: Vec<Reverse>,
    pub managers: Vec<Manager>,
    /// `Meta.ordering` is set (here or inherited).
    pub ordered: bool,
    pub default_related_name: Option<String>,
    /// Attributes of `self` that the class's own `__init__` or `from_db` touches: a field
    /// among them is read on every instance built, so leaving it out of a query costs one
    /// query per row (DJP201 stays silent).
    pub init_reads: Vec<String>,
    /// Attributes the class's own `__init__` assigns on `self` (`self.source_unit = self`):
    /// a relation among them may be filled on every instance built, so reading it is not
    /// known to query.
    pub init_sets: Vec<String>,
    /// A method of the class that copies the instance's `__dict__` wholesale
    /// (`self.__dict__.copy()`, `vars(self)`): see [`Index::copies_dict`].
    pub copies_dict: Option<String>,
}

/// What an attribute of a model instance is.
#[derive(Debug, Clone, Copy)]
pub enum Member<'a> {
    /// Forward FK/one-to-one: a single related object.
    Forward(&'a Field),
    /// Forward many-to-many: a related manager.
    ManyToMany(&'a Field),
    /// A generic foreign key: a single object, one query per row unless prefetched.
    GenericForeignKey(&'a Field),
    /// A generic relation: a related manager.
    GenericRelation(&'a Field),
    /// `author_id`: the stored key, no query.
    ForeignKeyId(&'a Field),
    Reverse(&'a Reverse),
    Plain(&'a Field),
}

/// A project class that is a manager or queryset.
#[derive(Debug, Clone)]
struct QsClass {
    file: FileId,
    class: u32,
    /// Qualified names of its bases.
    bases: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Index {
    pub models: Vec<Model>,
    /// Every top-level class of the run, with bases and MRO (the one class table).
    pub classes: ClassTable,
    by_qual: HashMap<String, ModelId>,
    by_app: HashMap<(String, String), ModelId>,
    by_name: HashMap<String, Vec<ModelId>>,
    /// Re-exports: `pkg.Book` → `pkg.models.Book`.
    aliases: HashMap<String, String>,
    /// The dotted name of every module indexed (project files and Django's built-ins).
    modules: rustc_hash::FxHashSet<String>,
    qs_classes: HashMap<String, QsClass>,
    /// Method effects of manager/queryset classes, `(class qual, method)` → effect.
    method_effects: HashMap<(String, String), ChainEffect>,
    /// Every class (of the class table) whose body defines `get_queryset`.
    defines_get_queryset: rustc_hash::FxHashSet<String>,
    /// Manager classes setting `use_in_migrations = True` (historical models keep them).
    migration_managers: rustc_hash::FxHashSet<String>,
    pub auth_user: Option<ModelId>,
    /// Attributes the project's code sets on requests (`request.event = Event.objects.get(...)`
    /// in a middleware, a decorator, a view's `dispatch`), when every assignment whose value
    /// is known sets one row of the same model: the model and what every such assignment
    /// loads with it. Filled by the flow layer (`flow::request_attrs`) after the index is
    /// built.
    pub request_attrs: HashMap<Box<str>, (ModelId, LoadSet)>,
    /// Project classes deriving from a relation field class (`class AutoFK(models.ForeignKey)`):
    /// qualified name → the relation they make and whether they pick their own related_name.
    field_classes: HashMap<String, (FieldKind, bool)>,
    /// The model classes of each file: top-level class index → model.
    file_models: HashMap<FileId, HashMap<u32, ModelId>>,
    /// Index facts per model, parallel to `models`.
    pub indexes: Vec<indexes::ModelIndexes>,
    /// Migration operations per app (DJP310).
    pub migrations: migrations::Migrations,
    /// The database engines the project's settings can select (DJP310).
    pub engines: migrations::Engines,
    /// Thresholds of the index rules (defaults until `[tool.djperf]` sets them).
    pub index_options: indexes::IndexOptions,
    /// Model signal receivers (`post_init`, `pre_save`/`post_save`, `pre_delete`/`post_delete`).
    pub signals: signals::Signals,
}

impl Index {
    /// Build the index from every file of the project plus Django's built-in models.
    pub fn build(files: &[File], builtin: &[File]) -> Index {
        let mut ix = Index::default();
        let all: Vec<&File> = builtin.iter().chain(files.iter()).collect();
        ix.modules = all
            .iter()
            .filter(|f| !f.template)
            .map(|f| f.scope.module.clone())
            .collect();
        // 1. aliases (re-exports) and candidate classes
        for (public, builtin_path) in [
            (
                "django.contrib.auth.get_user_model",
                "django.contrib.auth.models.User",
            ),
            (
                "django.contrib.sessions.backends.db.Session",
                "django.contrib.sessions.models.Session",
            ),
        ] {
            ix.aliases
                .insert(public.to_owned(), builtin_path.to_owned());
        }
        for f in &all {
            for (local, q) in &f.scope.names {
                // What the module binds at its top level is an attribute others can import;
                // a function-local import is not.
                if !f.scope.top.contains(local) {
                    continue;
                }
                let own = format!("{}.{}", f.scope.module, local);
                if *q != own {
                    ix.aliases.insert(own, q.clone());
                }
            }
        }
        // `from pkg.abstract_models import *`: the star module's module-level names are
        // re-exported (`pkg.models.AbstractBook` → `pkg.abstract_models.AbstractBook`),
        // through chains of star imports too.
        let scopes: Vec<&crate::semantic::imports::Scope> = all.iter().map(|f| &f.scope).collect();
        for (public, target) in crate::semantic::imports::star_reexports(&scopes) {
            if public != target {
                ix.aliases.entry(public).or_insert(target);
            }
        }
        // 2. find model classes to a fixpoint over project bases
        ix.classes = ClassTable::build(&all, &|f, d| ix.resolve_alias(&ix.qualify_in(f, d)));
        let class_quals: Vec<(FileId, u32, String, Vec<String>)> = ix
            .classes
            .iter()
            .map(|(q, c)| (c.file, c.class, q.to_owned(), c.bases.clone()))
            .collect();
        let files_by_id: HashMap<FileId, &File> = all.iter().map(|f| (f.id, *f)).collect();
        for (fid, ci, q, _) in &class_quals {
            let f = files_by_id[fid];
            if f.ast.functions.iter().any(|func| {
                func.class == Some(*ci) && func.parent.is_none() && &*func.name == "get_queryset"
            }) {
                ix.defines_get_queryset.insert(q.clone());
            }
            if let Some(c) = f.ast.classes.get(*ci as usize) {
                let v = crate::semantic::classes::class_attr(c, "use_in_migrations");
                if v.is_some_and(|v| {
                    matches!(f.ast.kind(v), ExprKind::Const(crate::ast::Const::True))
                }) {
                    ix.migration_managers.insert(q.clone());
                }
            }
        }
        ix.find_field_classes(&class_quals, &files_by_id);
        let mut is_model: HashMap<String, bool> = HashMap::default();
        let mut is_qs: HashMap<String, bool> = HashMap::default();
        for (_, _, q, bases) in &class_quals {
            if bases
                .iter()
                .any(|b| crate::django::MODEL_BASES.contains(&b.as_str()))
            {
                is_model.insert(q.clone(), true);
            }
            if bases
                .iter()
                .any(|b| crate::django::MANAGER_BASES.contains(&b.as_str()))
            {
                is_qs.insert(q.clone(), true);
            }
        }
        for _ in 0..16 {
            let mut changed = false;
            for (fid, ci, q, bases) in &class_quals {
                if !is_model.contains_key(q) {
                    let via_base = bases
                        .iter()
                        .any(|b| is_model.contains_key(&ix.resolve_alias(b)));
                    let f = files_by_id[fid];
                    let declares_fields =
                        via_base || declares_django_fields(f, &f.ast.classes[*ci as usize]);
                    if via_base || declares_fields {
                        is_model.insert(q.clone(), true);
                        changed = true;
                    }
                }
                if !is_qs.contains_key(q)
                    && bases
                        .iter()
                        .any(|b| is_qs.contains_key(&ix.resolve_alias(b)))
                {
                    is_qs.insert(q.clone(), true);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (fid, ci, q, bases) in &class_quals {
            if is_qs.contains_key(q) {
                ix.qs_classes.insert(
                    q.clone(),
                    QsClass {
                        file: *fid,
                        class: *ci,
                        bases: bases.clone(),
                    },
                );
            }
        }
        // Module-level `X = Manager.from_queryset(QS)` synthesises a manager class.
        for f in &all {
            for st in &f.ast.body {
                if let StmtKind::Assign {
                    targets,
                    value: Some(v),
                } = &st.kind
                {
                    if let (Some(crate::ast::Target::Name(n, _)), Some(classes)) =
                        (targets.first(), manager_classes(f, *v, &ix))
                    {
                        ix.qs_classes.insert(
                            format!("{}.{n}", f.scope.module),
                            QsClass {
                                file: f.id,
                                class: u32::MAX,
                                bases: classes,
                            },
                        );
                    }
                }
            }
        }
        // 3. create the models (order: as found; parents resolved afterwards)
        let mut pending: Vec<(ModelId, FileId, u32, Vec<String>)> = Vec::new();
        for (fid, ci, q, bases) in &class_quals {
            if !is_model.contains_key(q) {
                continue;
            }
            let f = files_by_id[fid];
            let c = &f.ast.classes[*ci as usize];
            let id = u32::try_from(ix.models.len()).unwrap_or(u32::MAX);
            let model = new_model(f, c, q, f.builtin);
            ix.by_qual.insert(q.clone(), id);
            ix.file_models.entry(*fid).or_default().insert(*ci, id);
            ix.by_name.entry(model.name.clone()).or_default().push(id);
            ix.models.push(model);
            pending.push((id, *fid, *ci, bases.clone()));
        }
        for (id, _, _, bases) in &pending {
            let parents: Vec<ModelId> = bases
                .iter()
                .filter_map(|b| ix.model_by_qual(b))
                .filter(|p| p != id)
                .collect();
            ix.models[*id as usize].parents = parents;
        }
        for m in &ix.models {
            if !m.is_abstract {
                ix.by_app
                    .entry((m.app_label.to_ascii_lowercase(), m.name.clone()))
                    .or_insert_with(|| ix.by_qual[&m.qual]);
            }
        }
        // `Product = get_model("catalogue", "Product")` names the model by its label.
        for f in &all {
            for (n, app, model) in &f.scope.model_labels {
                if let Some(id) = ix.model_by_app_and_name(app, model) {
                    ix.by_qual
                        .entry(format!("{}.{n}", f.scope.module))
                        .or_insert(id);
                }
            }
        }
        // AUTH_USER_MODEL from settings, else django.contrib.auth's User.
        ix.auth_user = ix.by_qual.get("django.contrib.auth.models.User").copied();
        for f in files {
            if let Some(label) = auth_user_setting(&f.ast) {
                if let Some(id) = ix.model_by_label(&label, None) {
                    // The swapped-out auth.User has no table and no reverse accessors.
                    if let Some(old) = ix.auth_user.filter(|old| *old != id) {
                        ix.models[old as usize].is_abstract = true;
                    }
                    ix.auth_user = Some(id);
                }
            }
        }
        // `User = get_user_model()` at the top of a module names the user model.
        if let Some(user) = ix.auth_user {
            for f in &all {
                for n in &f.scope.user_models {
                    ix.by_qual
                        .entry(format!("{}.{n}", f.scope.module))
                        .or_insert(user);
                }
            }
        }
        // 4. own fields, managers, Meta
        let known_classes: std::collections::HashSet<&str> =
            class_quals.iter().map(|(_, _, q, _)| q.as_str()).collect();
        let mut own_index_facts = HashMap::default();
        let mut complete = HashMap::default();
        for (id, fid, ci, bases) in &pending {
            let f = files_by_id[fid];
            let c = &f.ast.classes[*ci as usize];
            own_index_facts.insert(*id, indexes::own_facts(f, c));
            complete.insert(
                *id,
                bases.iter().all(|b| {
                    crate::django::MODEL_BASES.contains(&b.as_str())
                        || known_classes.contains(ix.resolve_alias(b).as_str())
                        || ix.model_by_qual(b).is_some()
                }),
            );
            let (fields, managers) = own_members(f, c, &ix);
            let m = &mut ix.models[*id as usize];
            m.fields = fields;
            m.managers = managers;
        }
        // 5. inheritance: fields, managers, ordering from parents (parents first)
        let order = ix.parent_first_order();
        for id in order {
            let parents = ix.models[id as usize].parents.clone();
            for p in parents {
                let (pf, pm, pord, parent_abstract) = {
                    let pm = &ix.models[p as usize];
                    (
                        pm.fields.clone(),
                        pm.managers.clone(),
                        pm.ordered,
                        pm.is_abstract,
                    )
                };
                let m = &mut ix.models[id as usize];
                for fld in pf {
                    if !m.fields.iter().any(|x| x.name == fld.name) {
                        m.fields.push(fld);
                    }
                }
                if parent_abstract || m.proxy {
                    for mg in pm {
                        if !m.managers.iter().any(|x| x.name == mg.name) {
                            m.managers.push(mg);
                        }
                    }
                }
                m.ordered |= pord;
                if !parent_abstract && !m.proxy {
                    // multi-table inheritance: a parent link `<parent>_ptr` (one-to-one).
                    let pname = ix.models[p as usize].name.to_ascii_lowercase();
                    let m = &mut ix.models[id as usize];
                    let ptr = format!("{pname}_ptr");
                    if !m.fields.iter().any(|x| x.name == ptr) {
                        m.fields.push(Field {
                            name: ptr,
                            class: "OneToOneField".into(),
                            kind: FieldKind::OneToOne,
                            target_ref: None,
                            target: Some(p),
                            null: false,
                            unique: true,
                            primary_key: true,
                            db_index: true,
                            related_name: None,
                            related_query_name: None,
                            own_related_name: false,
                            max_length: None,
                            symmetrical: None,
                            file: None,
                            span: Span::default(),
                        });
                    }
                }
            }
        }
        // 6. resolve relation targets and reverse accessors (concrete models only)
        for id in 0..ix.models.len() {
            let targets: Vec<Option<ModelId>> = ix.models[id]
                .fields
                .iter()
                .map(|fl| match &fl.target {
                    Some(t) => Some(*t),
                    None => fl.target_ref.as_ref().and_then(|r| {
                        ix.resolve_target(r, u32::try_from(id).unwrap_or(0), fl.file)
                    }),
                })
                .collect();
            for (fl, t) in ix.models[id].fields.iter_mut().zip(targets) {
                fl.target = t;
            }
        }
        let mut reverses: Vec<(ModelId, Reverse)> = Vec::new();
        for (id, m) in ix.models.iter().enumerate() {
            if m.is_abstract {
                continue;
            }
            let id = u32::try_from(id).unwrap_or(0);
            for fl in &m.fields {
                let kind = match fl.kind {
                    FieldKind::ForeignKey => ReverseKind::ForeignKey,
                    FieldKind::OneToOne => ReverseKind::OneToOne,
                    FieldKind::ManyToMany => ReverseKind::ManyToMany,
                    _ => continue,
                };
                let Some(t) = fl.target else { continue };
                // A symmetrical many-to-many to its own model has no reverse accessor
                // (Django names it `<field>_rel_+`). Symmetrical is the default only for
                // `"self"`, not for the class named by reference.
                let symmetrical = fl
                    .symmetrical
                    .unwrap_or(matches!(fl.target_ref, Some(TargetRef::SelfRef)));
                if kind == ReverseKind::ManyToMany && t == id && symmetrical {
                    continue;
                }
                let Some(name) = reverse_name(m, fl, kind) else {
                    continue;
                };
                reverses.push((
                    t,
                    Reverse {
                        query_name: query_name(m, fl),
                        name,
                        kind,
                        from_model: id,
                        field: fl.name.clone(),
                    },
                ));
            }
        }
        for (t, r) in reverses {
            ix.models[t as usize].reverse.push(r);
        }
        // reverse accessors are inherited by proxies and children too (the table is shared)
        // — kept simple: only the target model itself carries them.
        // 7. manager/queryset method effects
        ix.compute_method_effects(&files_by_id);
        ix.build_indexes(own_index_facts, &complete);
        ix.migrations = migrations::Migrations::build(files);
        ix.engines = migrations::Engines::of(files);
        ix.signals = signals::Signals::build(files, &ix);
        ix
    }

    fn parent_first_order(&self) -> Vec<ModelId> {
        let n = self.models.len();
        let mut state = vec![0u8; n];
        let mut out = Vec::with_capacity(n);
        for start in 0..n {
            // iterative DFS, post-order
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            while let Some((node, child)) = stack.pop() {
                if child == 0 {
                    if state[node] != 0 {
                        continue;
                    }
                    state[node] = 1;
                }
                let parents = &self.models[node].parents;
                if child < parents.len() {
                    stack.push((node, child + 1));
                    let p = parents[child] as usize;
                    if state[p] == 0 {
                        stack.push((p, 0));
                    }
                } else {
                    state[node] = 2;
                    out.push(u32::try_from(node).unwrap_or(0));
                }
            }
        }
        out
    }

    pub(crate) fn resolve_alias(&self, q: &str) -> String {
        let mut cur = q.to_owned();
        for _ in 0..8 {
            match self.aliases.get(&cur) {
                Some(n) if *n != cur => cur = n.clone(),
                _ => break,
            }
        }
        cur
    }

    /// A model by a qualified class path, following re-exports, then by unique name.
    pub fn model_by_qual(&self, q: &str) -> Option<ModelId> {
        if let Some(id) = self.by_qual.get(q) {
            return Some(*id);
        }
        let r = self.resolve_alias(q);
        if let Some(id) = self.by_qual.get(&r) {
            return Some(*id);
        }
        // Module names depend on where the project root is; fall back to a suffix match.
        let name = last_segment(&r);
        let cands = self.by_name.get(name)?;
        let suffix: Vec<ModelId> = cands
            .iter()
            .copied()
            .filter(|c| {
                let mq = &self.models[*c as usize].qual;
                mq.ends_with(&format!(".{r}")) || r.ends_with(&format!(".{mq}"))
            })
            .collect();
        if suffix.len() == 1 {
            return Some(suffix[0]);
        }
        None
    }

    /// A model named through a module imported into `f`: `models.Book` after
    /// `from shop import models` or `import shop.models as models`, `shop.models.Book` after
    /// `import shop.models`. The module must be one the index knows (a project module, or
    /// Django's), and the name must be a model of it or re-exported by it: no guess by name.
    pub fn model_by_module_attr(&self, f: &File, dotted: &str) -> Option<ModelId> {
        let (first, _) = dotted.split_once('.')?;
        if !f.scope.names.contains_key(first) {
            return None;
        }
        let q = f.scope.qualify(dotted);
        let (module, _) = q.rsplit_once('.')?;
        let module = self.resolve_alias(module);
        if !self.modules.contains(module.as_str()) {
            return None;
        }
        self.by_qual
            .get(&q)
            .or_else(|| self.by_qual.get(&self.resolve_alias(&q)))
            .copied()
    }

    /// Qualify a dotted name of `f`, a name of a star import included.
    pub fn qualify_in(&self, f: &File, dotted: &str) -> String {
        let first = dotted.split('.').next().unwrap_or(dotted);
        if !f.scope.stars.is_empty() && !f.scope.names.contains_key(first) {
            let own = format!("{}.{dotted}", f.scope.module);
            let own_first = format!("{}.{first}", f.scope.module);
            if self.aliases.contains_key(&own_first) {
                return own;
            }
        }
        f.scope.qualify(dotted)
    }

    /// The concrete model with this app label and name, as `apps.get_model()` finds it (the
    /// name is case-insensitive).
    pub fn model_by_app_and_name(&self, app: &str, name: &str) -> Option<ModelId> {
        let mut found = self.models.iter().enumerate().filter(|(_, m)| {
            !m.is_abstract
                && m.app_label.eq_ignore_ascii_case(app)
                && m.name.eq_ignore_ascii_case(name)
        });
        let (id, _) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        ModelId::try_from(id).ok()
    }

    /// A model by a lazy reference, `"app_label.Model"` or `"Model"`, as Django resolves it:
    /// the model name is case-insensitive (`"auth.user"`, `ManyToManyField("tag")`), and a
    /// name without an app label is looked up in `near`'s app. Failing that, a model of that
    /// name that is unique in the project (Django would not start; the code may rely on an
    /// app djperf does not see).
    pub fn model_by_label(&self, label: &str, near: Option<ModelId>) -> Option<ModelId> {
        if let Some((app, name)) = label.rsplit_once('.') {
            if let Some(id) = self
                .by_app
                .get(&(app.to_ascii_lowercase(), name.to_owned()))
            {
                return Some(*id);
            }
            if let Some(id) = self.model_by_app_and_name(app, name) {
                return Some(id);
            }
            return self.unique_by_name(name);
        }
        if let Some(n) = near {
            let app = self.models[n as usize].app_label.to_ascii_lowercase();
            if let Some(id) = self.by_app.get(&(app.clone(), label.to_owned())) {
                return Some(*id);
            }
            if let Some(id) = self.model_by_app_and_name(&app, label) {
                return Some(id);
            }
        }
        self.unique_by_name(label)
    }

    /// The one model with this name (exact, else case-insensitive), preferring the
    /// project's own models to Django's.
    fn unique_by_name(&self, name: &str) -> Option<ModelId> {
        let exact = self.by_name.get(name);
        let folded;
        let c = match exact {
            Some(c) => c,
            None => {
                folded = self
                    .models
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.name.eq_ignore_ascii_case(name))
                    .filter_map(|(i, _)| ModelId::try_from(i).ok())
                    .collect::<Vec<_>>();
                &folded
            }
        };
        let concrete: Vec<ModelId> = c
            .iter()
            .copied()
            .filter(|m| !self.models[*m as usize].builtin)
            .collect();
        match (concrete.len(), c.len()) {
            (1, _) => Some(concrete[0]),
            (0, 1) => Some(c[0]),
            _ => None,
        }
    }

    fn resolve_target(
        &self,
        r: &TargetRef,
        model: ModelId,
        _file: Option<FileId>,
    ) -> Option<ModelId> {
        match r {
            TargetRef::SelfRef => Some(model),
            TargetRef::AuthUser => self.auth_user,
            TargetRef::Str(s) => self.model_by_label(s, Some(model)),
            TargetRef::Qual(q) => self.model_by_qual(q),
        }
    }

    /// Whether `__init__`/`from_db` of the model or a parent touches `field` on every instance
    /// built (so deferring it costs one query per row).
    pub fn init_touches(&self, model: ModelId, field: &str) -> bool {
        self.model_or_parent(model, |m| m.init_reads.iter().any(|r| r == field))
    }

    /// A method of the model (or a parent) that copies the instance's `__dict__`, as
    /// `Model.method()`: a prefetch puts `_prefetched_objects_cache` (and `Prefetch(to_attr=)`
    /// its list) in `__dict__`, so code handing that copy on (`objects.create(**values)` in a
    /// `clone()`) raises once the rows are prefetched. A join (`select_related`) keeps its
    /// objects in `_state`, which such code drops or copies harmlessly.
    pub fn copies_dict(&self, model: ModelId) -> Option<String> {
        let mut cur = Some(model);
        for _ in 0..8 {
            let m = self.model(cur?);
            if let Some(f) = &m.copies_dict {
                return Some(format!("{}.{f}()", m.name));
            }
            cur = m.parents.first().copied();
        }
        None
    }

    /// Whether `__init__` of the model or a parent assigns `attr` on the instance.
    pub fn init_sets(&self, model: ModelId, attr: &str) -> bool {
        self.model_or_parent(model, |m| m.init_sets.iter().any(|r| r == attr))
    }

    /// Whether `test` holds for the model or one of its parents (eight generations at most).
    fn model_or_parent(&self, model: ModelId, test: impl Fn(&Model) -> bool) -> bool {
        let mut todo = vec![model];
        for _ in 0..8 {
            let mut next = Vec::new();
            for id in todo {
                let m = self.model(id);
                if test(m) {
                    return true;
                }
                next.extend(m.parents.iter().copied());
            }
            if next.is_empty() {
                break;
            }
            todo = next;
        }
        false
    }

    /// The concrete parent of a multi-table child (through proxies): Django's
    /// `bulk_create()` raises `ValueError` for such a model.
    pub fn concrete_parent(&self, id: ModelId) -> Option<ModelId> {
        let mut cur = id;
        for _ in 0..16 {
            let m = self.model(cur);
            let next = m
                .parents
                .iter()
                .copied()
                .find(|p| !self.model(*p).is_abstract)?;
            if !m.proxy {
                return Some(next);
            }
            cur = next;
        }
        None
    }

    pub fn model(&self, id: ModelId) -> &Model {
        &self.models[id as usize]
    }

    /// What `attr` of an instance of `model` is.
    pub fn member(&self, model: ModelId, attr: &str) -> Option<Member<'_>> {
        let m = self.model(model);
        if let Some(f) = m.fields.iter().find(|f| f.name == attr) {
            return Some(match f.kind {
                FieldKind::ForeignKey | FieldKind::OneToOne => Member::Forward(f),
                FieldKind::ManyToMany => Member::ManyToMany(f),
                FieldKind::GenericForeignKey => Member::GenericForeignKey(f),
                FieldKind::GenericRelation => Member::GenericRelation(f),
                FieldKind::Plain => Member::Plain(f),
            });
        }
        if let Some(stem) = attr.strip_suffix("_id") {
            if let Some(f) = m
                .fields
                .iter()
                .find(|f| f.name == stem && f.kind.is_single())
            {
                return Some(Member::ForeignKeyId(f));
            }
        }
        if let Some(r) = self.reverse_of(model, attr) {
            return Some(Member::Reverse(r));
        }
        None
    }

    /// What `seg` of a lookup path (`filter(seg__...)`, `order_by`) names on `model`: a field
    /// (or `<fk>_id`), or a reverse relation by its query name (`book` for the default
    /// `book_set` accessor).
    pub fn lookup_member(&self, model: ModelId, seg: &str) -> Option<Member<'_>> {
        if let Some(m) = self
            .member(model, seg)
            .filter(|m| !matches!(m, Member::Reverse(_)))
        {
            return Some(m);
        }
        self.reverse_by(model, |r| r.query_name == seg)
            .map(Member::Reverse)
    }

    /// A reverse accessor on `model` or, for multi-table children and proxies, its parents.
    fn reverse_of(&self, model: ModelId, attr: &str) -> Option<&Reverse> {
        self.reverse_by(model, |r| r.name == attr)
    }

    fn reverse_by(&self, model: ModelId, pick: impl Fn(&Reverse) -> bool) -> Option<&Reverse> {
        let mut cur = vec![model];
        for _ in 0..8 {
            let mut next = Vec::new();
            for id in cur {
                let m = self.model(id);
                if let Some(r) = m.reverse.iter().find(|r| pick(r)) {
                    return Some(r);
                }
                next.extend(m.parents.iter().copied());
            }
            if next.is_empty() {
                break;
            }
            cur = next;
        }
        None
    }

    /// The model a relation member leads to.
    pub fn member_target(&self, member: &Member<'_>) -> Option<ModelId> {
        match member {
            Member::Forward(f) | Member::ManyToMany(f) | Member::GenericRelation(f) => f.target,
            Member::Reverse(r) => Some(r.from_model),
            _ => None,
        }
    }

    /// The effect of `Model.<manager>` (its `get_queryset`), and the classes that provide
    /// its methods. `None` if the model has no such manager.
    pub fn manager(&self, model: ModelId, name: &str) -> Option<(ChainEffect, Vec<String>)> {
        let m = self.model(model);
        match m.managers.iter().find(|mg| mg.name == name) {
            Some(mg) => {
                let classes = self.class_closure(&mg.classes);
                let eff = self
                    .method_effect_in(&classes, "get_queryset")
                    .unwrap_or_default();
                Some((eff, classes))
            }
            None if name == "objects" && m.managers.is_empty() => {
                Some((ChainEffect::default(), Vec::new()))
            }
            None if name == "_default_manager" || name == "_base_manager" => {
                match (name, m.managers.first()) {
                    ("_default_manager", Some(first)) => self.manager(model, &first.name.clone()),
                    _ => Some((ChainEffect::default(), Vec::new())),
                }
            }
            None => None,
        }
    }

    /// A manager of a *historical* model (`apps.get_model(...)` in a data migration): only
    /// managers with `use_in_migrations = True` keep their class; `objects` (and the default
    /// and base managers) are Django's plain manager otherwise.
    pub fn historical_manager(
        &self,
        model: ModelId,
        name: &str,
    ) -> Option<(ChainEffect, Vec<String>)> {
        if let Some((eff, classes)) = self.manager(model, name) {
            if classes.iter().any(|c| self.migration_managers.contains(c)) {
                return Some((eff, classes));
            }
        }
        matches!(name, "objects" | "_default_manager" | "_base_manager")
            .then(|| (ChainEffect::default(), Vec::new()))
    }

    /// Whether the rows of `model`'s default manager come in a defined order: the manager's
    /// `get_queryset()` orders them (or clears the ordering), else `Meta.ordering`. Related
    /// managers are built on the default manager's class, so a prefetched relation's cached
    /// queryset has this ordering (`.first()` reads the cache only when it is ordered).
    pub fn default_ordered(&self, model: ModelId) -> bool {
        self.manager(model, "_default_manager")
            .and_then(|(eff, _)| eff.ordering)
            .unwrap_or(self.model(model).ordered)
    }

    /// The project's manager and queryset classes behind `model`'s managers (own and through
    /// their bases), as (file, top-level class index): what its querysets' behaviour depends
    /// on besides Django. Sorted.
    pub fn manager_classes(&self, model: ModelId) -> Vec<(FileId, u32)> {
        let m = self.model(model);
        let mut out: Vec<(FileId, u32)> = m
            .managers
            .iter()
            .flat_map(|mg| self.class_closure(&mg.classes))
            .filter_map(|q| self.qs_classes.get(&q))
            .filter(|qc| qc.class != u32::MAX)
            .map(|qc| (qc.file, qc.class))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether `file` declares a manager or queryset class of the project.
    pub fn declares_managers(&self, file: FileId) -> bool {
        self.qs_classes
            .values()
            .any(|qc| qc.file == file && qc.class != u32::MAX)
    }

    /// Every class in the inheritance closure of `classes` that the index knows.
    fn class_closure(&self, classes: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut todo: Vec<String> = classes.iter().map(|c| self.resolve_alias(c)).collect();
        while let Some(c) = todo.pop() {
            if out.contains(&c) || out.len() > 32 {
                continue;
            }
            if let Some(qc) = self.qs_classes.get(&c) {
                todo.extend(qc.bases.iter().map(|b| self.resolve_alias(b)));
            }
            out.push(c);
        }
        out
    }

    /// The effect of calling `method` on a manager/queryset whose classes are `classes`.
    pub fn method_effect_in(&self, classes: &[String], method: &str) -> Option<ChainEffect> {
        classes
            .iter()
            .find_map(|c| self.method_effects.get(&(c.clone(), method.to_owned())))
            .cloned()
    }

    /// Whether `qual` is a project manager or queryset class.
    pub fn is_qs_class(&self, qual: &str) -> bool {
        self.qs_classes.contains_key(&self.resolve_alias(qual))
    }

    /// Whether the rows of a manager/queryset built from `classes` are plain rows of their
    /// model as far as djperf can tell: every class and base is Django's or one djperf reads,
    /// and a `get_queryset()` among them has a known effect (so an `.only()`/`.defer()` in it
    /// is seen).
    pub fn rows_known(&self, classes: &[String]) -> bool {
        let django = |q: &str| q.starts_with("django.");
        classes.iter().all(|c| {
            if django(c) {
                return true;
            }
            let mro = self.classes.mro(c, &django);
            let own_effect = |q: &String| {
                !self.defines_get_queryset.contains(q)
                    || self
                        .method_effects
                        .contains_key(&(q.clone(), "get_queryset".to_owned()))
            };
            // A class `from_queryset()` synthesised at module level is not in the table.
            let synthesised = self
                .qs_classes
                .get(c)
                .is_some_and(|qc| qc.class == u32::MAX);
            (synthesised || !mro.unresolved) && mro.classes.iter().all(own_effect)
        })
    }

    /// Whether any of `classes` defines `method` (so its result is a project queryset).
    pub fn defines_method(&self, classes: &[String], method: &str) -> bool {
        self.method_effect_in(classes, method).is_some()
    }

    fn compute_method_effects(&mut self, files: &HashMap<FileId, &File>) {
        // Collect method bodies per class, then evaluate to a small fixpoint (methods call
        // each other: `def with_all(self): return self.with_author().with_tags()`).
        let mut methods: Vec<(String, String, FileId, ExprId, bool)> = Vec::new();
        // The project's manager/queryset classes, and the plain mixins among their bases
        // (`class PageQuerySet(SpecificQuerySetMixin, QuerySet)`): their methods chain too.
        let mut owners: Vec<(String, FileId, u32)> = Vec::new();
        for (q, qc) in &self.qs_classes {
            if qc.class != u32::MAX {
                owners.push((q.clone(), qc.file, qc.class));
            }
            for b in self.class_closure(std::slice::from_ref(q)) {
                if self.qs_classes.contains_key(&b) {
                    continue;
                }
                if let Some(info) = self.classes.get(&b).filter(|i| !i.builtin) {
                    owners.push((b, info.file, info.class));
                }
            }
        }
        owners.sort();
        owners.dedup();
        for (q, file, class) in &owners {
            let Some(f) = files.get(file) else {
                continue;
            };
            let Some(c) = f.ast.classes.get(*class as usize) else {
                continue;
            };
            for st in &c.body {
                if let StmtKind::FunctionDef(fid) = st.kind {
                    let func = &f.ast.functions[fid as usize];
                    if let Some((ret, sets_attrs)) = effects::returned_chain(&f.ast, &func.body) {
                        methods.push((q.clone(), func.name.to_string(), *file, ret, sets_attrs));
                    }
                }
            }
        }
        methods.sort();
        for _ in 0..3 {
            let mut changed = false;
            for (q, name, fid, ret, sets_attrs) in &methods {
                let f = files[fid];
                let classes = self.class_closure(std::slice::from_ref(q));
                if let Some(mut eff) = effects::eval_self_chain(f, *ret, self, &classes) {
                    // attributes set on the clone (`clone._iterable_class = ...`) may change
                    // what its rows are: what they load is not known
                    eff.loads.opaque |= *sets_attrs;
                    let key = (q.clone(), name.clone());
                    if self.method_effects.get(&key) != Some(&eff) {
                        self.method_effects.insert(key, eff);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
    }
}

impl Index {
    /// Project subclasses of Django's relation fields, to a fixpoint over project bases.
    fn find_field_classes(
        &mut self,
        class_quals: &[(FileId, u32, String, Vec<String>)],
        files: &HashMap<FileId, &File>,
    ) {
        for _ in 0..8 {
            let mut changed = false;
            for (fid, ci, q, bases) in class_quals {
                if self.field_classes.contains_key(q) {
                    continue;
                }
                let inherited = bases.iter().find_map(|b| {
                    let b = self.resolve_alias(b);
                    if is_django_qual(&b) {
                        relation_kind(last_segment(&b)).map(|k| (k, false))
                    } else {
                        self.field_classes.get(&b).copied()
                    }
                });
                let Some((kind, own_name)) = inherited else {
                    continue;
                };
                let names_itself = own_name
                    || files[fid].ast.functions.iter().any(|func| {
                        func.class == Some(*ci) && &*func.name == "contribute_to_class"
                    });
                self.field_classes.insert(q.clone(), (kind, names_itself));
                changed = true;
            }
            if !changed {
                break;
            }
        }
    }
}

impl Index {
    /// The model classes a file declares, by top-level class index.
    pub fn file_models(&self, file: FileId) -> &HashMap<u32, ModelId> {
        static NONE: std::sync::OnceLock<HashMap<u32, ModelId>> = std::sync::OnceLock::new();
        self.file_models
            .get(&file)
            .unwrap_or_else(|| NONE.get_or_init(HashMap::default))
    }
}

/// Whether a class body assigns Django model fields (`x = models.CharField(...)`).
fn declares_django_fields(f: &File, c: &ClassDef) -> bool {
    c.body.iter().any(|st| {
        if let StmtKind::Assign {
            value: Some(v),
            targets,
        } = &st.kind
        {
            targets.len() == 1
                && matches!(field_kind_of_call(f, *v), Some(k) if k != FieldKind::Plain
                    || is_django_qual(&call_qual(f, *v).unwrap_or_default()))
        } else {
            false
        }
    })
}

fn is_django_qual(q: &str) -> bool {
    q.starts_with("django.db.models.") || q.starts_with("django.contrib.")
}

fn call_qual(f: &File, v: ExprId) -> Option<String> {
    if let ExprKind::Call { func, .. } = f.ast.kind(v) {
        // `models.ForeignKey["User", "User"](...)`: a field class subscripted with its types
        // (django-stubs' generics) is the class itself
        let func = match f.ast.kind(*func) {
            ExprKind::Subscript { value, .. } => value,
            _ => func,
        };
        let d = f.ast.dotted(*func)?;
        Some(f.scope.qualify(&d))
    } else {
        None
    }
}

/// The relation a field class makes, by its name (Django's and common packages' classes).
fn relation_kind(name: &str) -> Option<FieldKind> {
    Some(match name {
        "ForeignKey" | "ParentalKey" | "TreeForeignKey" => FieldKind::ForeignKey,
        "OneToOneField" | "TreeOneToOneField" | "AutoOneToOneField" => FieldKind::OneToOne,
        "ManyToManyField" | "ParentalManyToManyField" | "TreeManyToManyField" => {
            FieldKind::ManyToMany
        }
        "GenericForeignKey" => FieldKind::GenericForeignKey,
        "GenericRelation" => FieldKind::GenericRelation,
        _ => return None,
    })
}

/// The kind of field a call constructs, if it looks like a Django model field.
fn field_kind_of_call(f: &File, v: ExprId) -> Option<FieldKind> {
    let q = call_qual(f, v)?;
    let name = last_segment(&q);
    let kind = match relation_kind(name) {
        Some(k) => k,
        None if name.ends_with("Field") && (is_django_qual(&q) || name != "Field") => {
            FieldKind::Plain
        }
        None => return None,
    };
    if kind != FieldKind::Plain
        && !is_django_qual(&q)
        && !q.contains('.')
        && !f.scope.names.contains_key(name)
    {
        // An unresolved bare name that is not imported: not a field class we know.
        return None;
    }
    Some(kind)
}

fn new_model(f: &File, c: &ClassDef, qual: &str, builtin: bool) -> Model {
    let meta = meta_class(f, c);
    let mut app_label = app_label_of(&f.scope.module);
    let mut is_abstract = false;
    let mut proxy = false;
    let mut ordered = false;
    let mut default_related_name = None;
    if let Some(meta) = meta {
        for st in &meta.body {
            if let StmtKind::Assign {
                targets,
                value: Some(v),
            } = &st.kind
            {
                let Some(crate::ast::Target::Name(n, _)) = targets.first() else {
                    continue;
                };
                let is_true = matches!(f.ast.kind(*v), ExprKind::Const(crate::ast::Const::True));
                match &**n {
                    "abstract" => is_abstract = is_true,
                    "proxy" => proxy = is_true,
                    "app_label" => {
                        if let Some(s) = f.ast.str_value(*v) {
                            app_label = s.to_owned();
                        }
                    }
                    "ordering" => {
                        ordered =
                            !matches!(f.ast.kind(*v), ExprKind::Seq { elts, .. } if elts.is_empty())
                    }
                    "default_related_name" => {
                        default_related_name = f.ast.str_value(*v).map(str::to_owned);
                    }
                    _ => {}
                }
            }
        }
    }
    Model {
        name: c.name.to_string(),
        qual: qual.to_owned(),
        app_label,
        file: Some(f.id),
        span: c.name_span,
        is_abstract,
        proxy,
        builtin,
        parents: Vec::new(),
        fields: Vec::new(),
        reverse: Vec::new(),
        managers: Vec::new(),
        ordered,
        default_related_name,
        init_reads: init_reads(f, c),
        init_sets: init_sets(f, c),
        copies_dict: copies_dict(f, c),
    }
}

/// The first method of the class that copies `self.__dict__` or `vars(self)` as a whole
/// (`.copy()`, `dict(...)`, `**`, `.items()`, handed to a call). Reading or writing one name
/// (`"x" in self.__dict__`, the cached-property check; `self.__dict__["x"]`, `.get("x")`,
/// `.pop("x")`, `.setdefault()`, `.update()`) is no copy.
fn copies_dict(f: &File, c: &ClassDef) -> Option<String> {
    let m = &f.ast;
    // One pass over the class's expressions; the method-by-method reading below runs only
    // for the rare class that names `__dict__` or calls `vars()` at all.
    let names_dict = m.exprs.iter().any(|e| {
        e.span.start >= c.span.start
            && e.span.end <= c.span.end
            && match &e.kind {
                ExprKind::Attr { attr, .. } => &**attr == "__dict__",
                ExprKind::Name(n) => &**n == "vars",
                _ => false,
            }
    });
    if !names_dict {
        return None;
    }
    for st in &c.body {
        let StmtKind::FunctionDef(fid) = st.kind else {
            continue;
        };
        let func = &m.functions[fid as usize];
        let Some(me) = func.params.first() else {
            continue;
        };
        let within =
            |e: &crate::ast::Expr| e.span.start >= func.span.start && e.span.end <= func.span.end;
        let is_me = |e: ExprId| matches!(m.kind(e), ExprKind::Name(n) if *n == me.name);
        // The uses of one name in it: not a copy.
        let mut tested = Vec::new();
        for e in m.exprs.iter().filter(|e| within(e)) {
            match &e.kind {
                ExprKind::Compare {
                    ops, comparators, ..
                } => {
                    for (op, c) in ops.iter().zip(comparators.iter()) {
                        if matches!(&**op, "in" | "not in") {
                            tested.push(*c);
                        }
                    }
                }
                ExprKind::Subscript { value, .. } => tested.push(*value),
                ExprKind::Attr { value, attr, .. }
                    if matches!(&**attr, "get" | "pop" | "setdefault" | "update") =>
                {
                    tested.push(*value)
                }
                _ => {}
            }
        }
        let copies = m.exprs.iter().enumerate().any(|(i, e)| {
            within(e)
                && match &e.kind {
                    ExprKind::Attr { value, attr, .. } => {
                        &**attr == "__dict__"
                            && is_me(*value)
                            && !tested.iter().any(|t| *t as usize == i)
                    }
                    ExprKind::Call { func, args, .. } => {
                        matches!(m.kind(*func), ExprKind::Name(n) if &**n == "vars")
                            && args.first().is_some_and(|a| is_me(*a))
                    }
                    _ => false,
                }
        });
        if copies {
            return Some(func.name.to_string());
        }
    }
    None
}

/// `self.<attr> = ...` targets in the class's own `__init__` (in any branch).
fn init_sets(f: &File, c: &ClassDef) -> Vec<String> {
    fn walk(m: &Module, b: &crate::ast::Block, me: &str, out: &mut Vec<String>, depth: u32) {
        if depth > 50 {
            return;
        }
        for st in b {
            if let StmtKind::Assign { targets, .. } = &st.kind {
                for t in targets {
                    if let crate::ast::Target::Attr(e) = t {
                        if let ExprKind::Attr { value, attr, .. } = m.kind(*e) {
                            if matches!(m.kind(*value), ExprKind::Name(n) if &**n == me)
                                && !out.iter().any(|o| o == &**attr)
                            {
                                out.push(attr.to_string());
                            }
                        }
                    }
                }
            }
            for blk in st.kind.blocks() {
                walk(m, blk, me, out, depth + 1);
            }
        }
    }
    let m = &f.ast;
    let mut out = Vec::new();
    for st in &c.body {
        let StmtKind::FunctionDef(fid) = st.kind else {
            continue;
        };
        let func = &m.functions[fid as usize];
        if &*func.name != "__init__" {
            continue;
        }
        if let Some(me) = func.params.first() {
            walk(m, &func.body, &me.name, &mut out, 0);
        }
    }
    out.sort();
    out
}

/// `self.<attr>` names in the class's own `__init__` and `from_db` (nested code included).
fn init_reads(f: &File, c: &ClassDef) -> Vec<String> {
    let m = &f.ast;
    let mut out = std::collections::BTreeSet::new();
    for st in &c.body {
        let StmtKind::FunctionDef(fid) = st.kind else {
            continue;
        };
        let func = &m.functions[fid as usize];
        if !matches!(&*func.name, "__init__" | "from_db") {
            continue;
        }
        // `from_db` is a classmethod: its instance is a local; any attribute counts.
        let me = (&*func.name == "__init__")
            .then(|| func.params.first().map(|p| p.name.clone()))
            .flatten();
        for e in &m.exprs {
            if !(func.span.start <= e.span.start && e.span.end <= func.span.end) {
                continue;
            }
            if let ExprKind::Attr { value, attr, .. } = &e.kind {
                let on_self = match (&me, m.kind(*value)) {
                    (Some(me), ExprKind::Name(n)) => n == me,
                    (Some(_), _) => false,
                    (None, _) => true,
                };
                if on_self {
                    out.insert(attr.to_string());
                }
            }
        }
    }
    out.into_iter().collect()
}

fn meta_class<'a>(f: &'a File, c: &ClassDef) -> Option<&'a ClassDef> {
    c.body.iter().find_map(|st| match st.kind {
        StmtKind::ClassDef(id) if &*f.ast.classes[id as usize].name == "Meta" => {
            Some(&f.ast.classes[id as usize])
        }
        _ => None,
    })
}

/// Django's default app label: the package that holds the models module.
fn app_label_of(module: &str) -> String {
    let parts: Vec<&str> = module.split('.').collect();
    if let Some(pos) = parts.iter().rposition(|p| *p == "models") {
        if pos > 0 {
            return parts[pos - 1].to_owned();
        }
    }
    if parts.len() >= 2 {
        parts[parts.len() - 2].to_owned()
    } else {
        parts.first().map(|s| (*s).to_owned()).unwrap_or_default()
    }
}

fn auth_user_setting(m: &Module) -> Option<String> {
    m.body.iter().find_map(|st| match &st.kind {
        StmtKind::Assign {
            targets,
            value: Some(v),
        } if matches!(targets.first(), Some(crate::ast::Target::Name(n, _)) if &**n == "AUTH_USER_MODEL") => {
            m.str_value(*v).map(str::to_owned)
        }
        _ => None,
    })
}

/// Own fields and managers declared in a model class body.
fn own_members(f: &File, c: &ClassDef, ix: &Index) -> (Vec<Field>, Vec<Manager>) {
    let mut fields = Vec::new();
    let mut managers = Vec::new();
    for st in &c.body {
        let Some((name, name_span, v)) = st.kind.name_assign() else {
            continue;
        };
        let q = call_qual(f, v).unwrap_or_default();
        // A project subclass of a relation field first: its name may end in `Field` too.
        let custom = ix.field_classes.get(&ix.resolve_alias(&q)).copied();
        if let Some(kind) = custom.map(|(k, _)| k).or_else(|| field_kind_of_call(f, v)) {
            let ExprKind::Call { args, kwargs, .. } = f.ast.kind(v) else {
                continue;
            };
            let kw = |k: &str| f.ast.kwarg(kwargs, k).map(|k| k.value);
            let is_true = |e: Option<ExprId>| {
                e.is_some_and(|e| matches!(f.ast.kind(e), ExprKind::Const(crate::ast::Const::True)))
            };
            let target_ref = if matches!(
                kind,
                FieldKind::ForeignKey
                    | FieldKind::OneToOne
                    | FieldKind::ManyToMany
                    | FieldKind::GenericRelation
            ) {
                kw("to")
                    .or_else(|| args.first().copied())
                    .and_then(|t| target_ref(f, t))
            } else {
                None
            };
            let max_length = kw("max_length").and_then(|e| match f.ast.kind(e) {
                ExprKind::Num(n) => n.and_then(|n| u32::try_from(n).ok()),
                _ => None,
            });
            fields.push(Field {
                name: name.to_string(),
                class: last_segment(&q).to_owned(),
                kind,
                target_ref,
                target: None,
                null: is_true(kw("null")),
                unique: is_true(kw("unique")),
                primary_key: is_true(kw("primary_key")),
                db_index: is_true(kw("db_index")),
                related_name: kw("related_name")
                    .and_then(|e| f.ast.str_value(e))
                    .map(str::to_owned),
                related_query_name: kw("related_query_name")
                    .and_then(|e| f.ast.str_value(e))
                    .map(str::to_owned),
                own_related_name: custom.is_some_and(|(_, own)| own),
                max_length,
                symmetrical: kw("symmetrical").and_then(|e| match f.ast.kind(e) {
                    ExprKind::Const(crate::ast::Const::True) => Some(true),
                    ExprKind::Const(crate::ast::Const::False) => Some(false),
                    _ => None,
                }),
                file: Some(f.id),
                span: name_span,
            });
        } else if let Some(classes) = manager_classes(f, v, ix) {
            managers.push(Manager {
                name: name.to_string(),
                classes,
            });
        }
    }
    (fields, managers)
}

/// The manager/queryset classes behind `X()`, `QS.as_manager()`,
/// `M.from_queryset(QS)()`, `models.Manager()`.
fn manager_classes(f: &File, v: ExprId, ix: &Index) -> Option<Vec<String>> {
    let ExprKind::Call { func, args, .. } = f.ast.kind(v) else {
        return None;
    };
    match f.ast.kind(*func) {
        // QS.as_manager()
        ExprKind::Attr { value, attr, .. } if &**attr == "as_manager" => {
            let q = f.scope.qualify(&f.ast.dotted(*value)?);
            Some(vec![q])
        }
        // M.from_queryset(QS) (as a class expression, without the call)
        ExprKind::Attr { value, attr, .. } if &**attr == "from_queryset" => {
            let m = f.scope.qualify(&f.ast.dotted(*value)?);
            let qs = args
                .first()
                .and_then(|a| f.ast.dotted(*a))
                .map(|d| f.scope.qualify(&d))?;
            Some(vec![m, qs])
        }
        // M.from_queryset(QS)()
        ExprKind::Call { .. } => manager_classes(f, *func, ix),
        _ => {
            let mut q = f.scope.qualify(&f.ast.dotted(*func)?);
            // A manager class synthesised in this module (`M = Manager.from_queryset(QS)`).
            let local = format!("{}.{q}", f.scope.module);
            if !q.contains('.') && ix.qs_classes.contains_key(&local) {
                q = local;
            }
            let name = last_segment(&q);
            let known = ix.qs_classes.contains_key(&ix.resolve_alias(&q))
                || crate::django::MANAGER_BASES.contains(&q.as_str())
                || (name.ends_with("Manager")
                    && name.chars().next().is_some_and(char::is_uppercase));
            known.then(|| vec![q])
        }
    }
}

fn target_ref(f: &File, t: ExprId) -> Option<TargetRef> {
    match f.ast.kind(t) {
        ExprKind::Str(s) if &**s == "self" => Some(TargetRef::SelfRef),
        ExprKind::Str(s) => Some(TargetRef::Str(s.to_string())),
        ExprKind::Call { func, .. } => {
            let d = f.ast.dotted(*func)?;
            (last_segment(&d) == "get_user_model").then_some(TargetRef::AuthUser)
        }
        _ => {
            let d = f.ast.dotted(t)?;
            if d.ends_with("AUTH_USER_MODEL") {
                Some(TargetRef::AuthUser)
            } else {
                Some(TargetRef::Qual(f.scope.qualify(&d)))
            }
        }
    }
}

/// The reverse accessor name Django gives a relation field, or `None` for `related_name="+"`.
fn reverse_name(m: &Model, fl: &Field, kind: ReverseKind) -> Option<String> {
    if fl.related_name.is_none() && fl.own_related_name {
        return None;
    }
    let lower = m.name.to_ascii_lowercase();
    let name = match (&fl.related_name, &m.default_related_name) {
        (Some(r), _) | (None, Some(r)) => r
            .replace("%(class)s", &lower)
            .replace("%(model_name)s", &lower)
            .replace("%(app_label)s", &m.app_label.to_ascii_lowercase()),
        (None, None) => match kind {
            ReverseKind::OneToOne => lower,
            _ => format!("{lower}_set"),
        },
    };
    if name.ends_with('+') {
        None
    } else {
        Some(name)
    }
}

/// The name lookups through a relation's reverse side use, as Django's
/// `RelatedField.related_query_name()`: `related_query_name` (with `%(class)s` and
/// `%(app_label)s`), else the related name (or `Meta.default_related_name`), else the model's
/// name in lower case.
fn query_name(m: &Model, fl: &Field) -> String {
    let lower = m.name.to_ascii_lowercase();
    let app = m.app_label.to_ascii_lowercase();
    match (
        &fl.related_query_name,
        &fl.related_name,
        &m.default_related_name,
    ) {
        (Some(q), _, _) => q
            .replace("%(class)s", &lower)
            .replace("%(app_label)s", &app),
        (None, Some(r), _) | (None, None, Some(r)) => r
            .replace("%(class)s", &lower)
            .replace("%(model_name)s", &lower)
            .replace("%(app_label)s", &app),
        (None, None, None) => lower,
    }
}

/// Stable, sorted view of a model's relations (for debugging output and tests).
pub fn relation_summary(ix: &Index, id: ModelId) -> BTreeMap<String, String> {
    let m = ix.model(id);
    let mut out = BTreeMap::new();
    for f in &m.fields {
        if f.kind != FieldKind::Plain {
            let t = f
                .target
                .map_or("?".to_owned(), |t| ix.model(t).name.clone());
            out.insert(f.name.clone(), format!("{:?}->{t}", f.kind));
        }
    }
    for r in &m.reverse {
        out.insert(
            r.name.clone(),
            format!("rev {:?}<-{}", r.kind, ix.model(r.from_model).name),
        );
    }
    out
}
