//! Django REST Framework facts: what each serializer reads per object (relation paths, through
//! nested serializers), and which queryset and serializers each generic view uses. Built once
//! from every file after the model index, so a view in one file meets its serializer in another.
//!
//! What DRF reads (from `rest_framework/relations.py` and `serializers.py`, 3.x):
//! - `PrimaryKeyRelatedField` and `HyperlinkedRelatedField` with `lookup_field="pk"` (the
//!   default) use the "pk only" optimisation: for a forward FK they read
//!   `serializable_value("author")`, i.e. `author_id`, and need no join. With `many=True` they
//!   call `.all()` on the related manager: one query per object unless prefetched.
//! - Every other related field (`SlugRelatedField`, `StringRelatedField`, a nested serializer,
//!   any field with `source="author.name"`) loads the related object.
//! - `ModelSerializer` maps a forward FK in `fields` to a `PrimaryKeyRelatedField`
//!   (`HyperlinkedModelSerializer`: a `HyperlinkedRelatedField`), a many-to-many or a listed
//!   reverse relation to the same with `many=True`; with `Meta.depth > 0` relations become
//!   nested serializers of all the target's fields, `depth - 1` levels further.

use crate::ast::{ExprId, ExprKind, FuncId, Module, StmtKind};
use crate::flow::always::Holes;
use crate::flow::summary::{self, Access, FnKind, FnSummary};
use crate::flow::{class_queryset, Qs, QsSource, Summaries};
use crate::index::effects::LoadSet;
use crate::index::{FieldKind, Index, Member, ModelId, ReverseKind};
use crate::project::{File, FileId};
use crate::source::{Loc, Span};
use rustc_hash::FxHashMap as HashMap;

/// One relation step of a path read per object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub name: String,
    /// Many-valued (a related manager): only `prefetch_related` loads it.
    pub many: bool,
    /// A nullable forward FK: `select_related()` without arguments skips it.
    pub nullable: bool,
    /// A forward FK/one-to-one (what `select_related()` without arguments follows).
    pub forward: bool,
}

/// A relation path a serializer (or an admin column) reads on every object.
#[derive(Debug, Clone)]
pub struct Read {
    pub path: Vec<Seg>,
    /// Where the read is declared (the serializer field, the `list_display` entry...).
    pub file: FileId,
    pub span: Span,
    /// The field (or column) name, for messages.
    pub field: String,
}

/// A query run by a `SerializerMethodField` method for each object.
#[derive(Debug, Clone)]
pub struct MethodQuery {
    pub file: FileId,
    pub span: Span,
    /// The related manager queried (`None`: a `Model.objects` query that nothing can serve).
    pub rel: Option<Vec<Seg>>,
    /// `.count()`/`.exists()`: served by a prefetch of `rel`.
    pub served_by_prefetch: bool,
    pub method: String,
    pub field: String,
    /// Run inside a function the method calls: the call as shown (`review_total()`) and where
    /// the query runs.
    pub via: Option<(String, FileId, Span)>,
}

#[derive(Debug, Clone)]
pub struct Serializer {
    pub qual: String,
    pub name: String,
    pub file: FileId,
    pub model: Option<ModelId>,
    /// Paths read per object, recursively through nested serializers.
    pub reads: Vec<Read>,
    /// Method-field queries, with the path of the object they run on (empty: this serializer's
    /// own objects; else the nested serializer's relation path).
    pub method_queries: Vec<(Vec<Seg>, MethodQuery)>,
    /// The model fields it outputs, when that is certain: a `fields` list or `"__all__"`
    /// with `exclude`, no declared fields and no `to_representation` override. `None`: unknown.
    pub outputs: Option<Vec<String>>,
}

/// The queryset a view (or an admin) lists, with the file of the expression that built it.
#[derive(Debug, Clone)]
pub struct ListQs {
    pub model: ModelId,
    pub loads: LoadSet,
    pub file: FileId,
    pub span: Span,
    /// Where a fix goes when branches built the queryset (empty: `span`).
    pub fix_at: Vec<Span>,
}

#[derive(Debug, Clone)]
pub struct View {
    pub qual: String,
    pub file: FileId,
    pub qs: ListQs,
    /// Indices into [`Facts::serializers`].
    pub serializers: Vec<usize>,
    /// Only retrieves, updates, creates or destroys one object per request (no list action):
    /// its serializer runs once, so only reads nested under a many-valued step repeat.
    pub detail_only: bool,
}

#[derive(Debug, Default)]
pub struct Facts {
    pub serializers: Vec<Serializer>,
    pub views: Vec<View>,
    pub admins: Vec<crate::frameworks::admin::Admin>,
}

pub(crate) use crate::semantic::classes::{class_attr, Hierarchy as Classes};

/// The names of a literal list/tuple of strings, with their spans.
pub(crate) fn str_list(m: &Module, e: ExprId) -> Option<Vec<(String, Span)>> {
    match m.kind(e) {
        ExprKind::Seq { elts, .. } => Some(
            elts.iter()
                .filter_map(|x| m.str_value(*x).map(|s| (s.to_owned(), m.span(*x))))
                .collect(),
        ),
        _ => None,
    }
}

/// Resolve accessor names from `model` into relation steps; stops at the first part that is
/// not a relation. Returns the steps and whether every part was a relation.
pub fn resolve_path(ix: &Index, model: ModelId, parts: &[&str]) -> (Vec<Seg>, bool) {
    let mut segs = Vec::new();
    let mut cur = model;
    for p in parts {
        let Some(mem) = ix.member(cur, p) else {
            return (segs, false);
        };
        let (many, nullable, forward) = match mem {
            Member::Forward(f) => (false, f.null, true),
            Member::ManyToMany(_) | Member::GenericRelation(_) | Member::GenericForeignKey(_) => {
                (true, true, false)
            }
            Member::Reverse(r) => (r.kind != ReverseKind::OneToOne, true, false),
            Member::ForeignKeyId(_) | Member::Plain(_) => return (segs, false),
        };
        segs.push(Seg {
            name: (*p).to_owned(),
            many,
            nullable,
            forward,
        });
        match ix.member_target(&mem) {
            Some(t) => cur = t,
            None => {
                let all = segs.len() == parts.len();
                return (segs, all);
            }
        }
    }
    (segs, true)
}

/// The model a path of steps leads to.
pub fn path_target(ix: &Index, model: ModelId, path: &[Seg]) -> Option<ModelId> {
    let mut cur = model;
    for s in path {
        let mem = ix.member(cur, &s.name)?;
        cur = ix.member_target(&mem)?;
    }
    Some(cur)
}

/// Whether `loads` loads every step of `path`; else the index of the first step it misses.
pub fn first_missing(ix: &Index, model: ModelId, loads: &LoadSet, path: &[Seg]) -> Option<usize> {
    let mut cur_loads = loads.clone();
    let mut cur = Some(model);
    for (i, s) in path.iter().enumerate() {
        let next = match cur_loads.nodes.get(&s.name) {
            Some(n) => n.children.clone(),
            None if cur_loads.select_all && s.forward && !s.nullable => LoadSet {
                select_all: true,
                ..LoadSet::default()
            },
            None => return Some(i),
        };
        cur_loads = next;
        cur = cur
            .and_then(|m| ix.member(m, &s.name))
            .and_then(|mem| ix.member_target(&mem));
    }
    let _ = cur;
    None
}

fn is_serializer_root(q: &str) -> bool {
    crate::django::SERIALIZER_ROOTS.contains(&q)
}

fn is_any_serializer_root(q: &str) -> bool {
    q.starts_with("rest_framework.serializers.") && q.ends_with("Serializer")
}

/// DRF classes that give a view a list action.
fn is_list_root(q: &str) -> bool {
    matches!(
        q,
        "rest_framework.generics.ListAPIView"
            | "rest_framework.generics.ListCreateAPIView"
            | "rest_framework.mixins.ListModelMixin"
            | "rest_framework.viewsets.ModelViewSet"
            | "rest_framework.viewsets.ReadOnlyModelViewSet"
    )
}

/// DRF classes for views that handle one object per request.
fn is_detail_root(q: &str) -> bool {
    matches!(
        q,
        "rest_framework.generics.RetrieveAPIView"
            | "rest_framework.generics.RetrieveUpdateAPIView"
            | "rest_framework.generics.RetrieveDestroyAPIView"
            | "rest_framework.generics.RetrieveUpdateDestroyAPIView"
            | "rest_framework.generics.UpdateAPIView"
            | "rest_framework.generics.DestroyAPIView"
            | "rest_framework.generics.CreateAPIView"
            | "rest_framework.mixins.RetrieveModelMixin"
            | "rest_framework.mixins.UpdateModelMixin"
            | "rest_framework.mixins.DestroyModelMixin"
            | "rest_framework.mixins.CreateModelMixin"
    )
}

fn is_view_root(q: &str) -> bool {
    (q.starts_with("rest_framework.generics.")
        || q.starts_with("rest_framework.viewsets.")
        || q.starts_with("rest_framework.mixins."))
        && !q.ends_with(".APIView")
        && !q.ends_with(".ViewSet")
        && !q.ends_with(".ViewSetMixin")
}

/// Related fields that read only the primary key of a forward FK (`author_id`).
fn pk_only_field(m: &Module, class: &str, kwargs: &[crate::ast::Keyword]) -> bool {
    match class {
        "PrimaryKeyRelatedField" => true,
        "HyperlinkedRelatedField" => m
            .kwarg(kwargs, "lookup_field")
            .and_then(|k| m.str_value(k.value))
            .is_none_or(|s| s == "pk"),
        _ => false,
    }
}

struct Builder<'a> {
    ix: &'a Index,
    sums: &'a Summaries,
    classes: Classes<'a>,
    quals: Vec<String>,
    by_qual: HashMap<String, usize>,
    done: HashMap<usize, Serializer>,
    in_progress: Vec<usize>,
}

/// Build the DRF and admin facts from every project file.
/// `sums` lets method fields and admin columns follow the object into functions anywhere in the
/// project.
pub fn build(files: &[File], ix: &Index, sums: &Summaries) -> Facts {
    let classes = Classes::new(&ix.classes, files);
    let mut quals: Vec<String> = classes
        .quals()
        .filter(|q| classes.mro(q, &is_serializer_root).reached)
        .map(str::to_owned)
        .collect();
    quals.sort();
    quals.dedup();
    let by_qual = quals
        .iter()
        .enumerate()
        .map(|(i, q)| (q.clone(), i))
        .collect();
    let mut b = Builder {
        ix,
        sums,
        classes,
        quals,
        by_qual,
        done: HashMap::default(),
        in_progress: Vec::new(),
    };
    for i in 0..b.quals.len() {
        b.serializer(i);
    }
    let mut serializers: Vec<(usize, Serializer)> = b.done.drain().collect();
    serializers.sort_by_key(|(i, _)| *i);
    let serializers: Vec<Serializer> = serializers.into_iter().map(|(_, s)| s).collect();
    let views = build_views(&b.classes, &b.by_qual, ix);
    let admins = crate::frameworks::admin::build(&b.classes, ix, sums);
    Facts {
        serializers,
        views,
        admins,
    }
}

impl Builder<'_> {
    fn serializer(&mut self, i: usize) -> Option<Serializer> {
        if let Some(s) = self.done.get(&i) {
            return Some(s.clone());
        }
        if self.in_progress.contains(&i) || self.in_progress.len() > 8 {
            return None;
        }
        self.in_progress.push(i);
        let s = self.compute(i);
        self.in_progress.pop();
        self.done.insert(i, s.clone());
        Some(s)
    }

    fn compute(&mut self, i: usize) -> Serializer {
        let qual = self.quals[i].clone();
        let mro = self.classes.mro(&qual, &is_any_serializer_root).classes;
        let (file, cdef, _) = self.classes.class(&qual).expect("indexed class");
        let mut ser = Serializer {
            qual: qual.clone(),
            name: cdef.name.to_string(),
            file: file.id,
            model: None,
            reads: Vec::new(),
            method_queries: Vec::new(),
            outputs: None,
        };
        // Meta: the first class of the MRO that defines one.
        let meta = mro.iter().find_map(|q| {
            let (f, _, ci) = self.classes.class(q)?;
            let mi = f
                .ast
                .classes
                .iter()
                .position(|c| c.outer == Some(ci) && &*c.name == "Meta")?;
            Some((f, &f.ast.classes[mi]))
        });
        let Some((mf, meta)) = meta else { return ser };
        let Some(model) = class_attr(meta, "model")
            .and_then(|e| mf.ast.dotted(e))
            .and_then(|d| self.ix.model_by_qual(&mf.scope.qualify(&d)))
        else {
            return ser;
        };
        ser.model = Some(model);
        let depth: u32 = class_attr(meta, "depth")
            .and_then(|e| match mf.ast.kind(e) {
                ExprKind::Num(n) => n.and_then(|n| u32::try_from(n).ok()),
                _ => None,
            })
            .unwrap_or(0);
        let fields_e = class_attr(meta, "fields");
        let listed: Option<Vec<(String, Span)>> = fields_e.and_then(|e| str_list(&mf.ast, e));
        let exclude: Vec<String> = class_attr(meta, "exclude")
            .and_then(|e| str_list(&mf.ast, e))
            .unwrap_or_default()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        // Declared fields, subclass first.
        let mut declared: Vec<(String, &File, ExprId, Span)> = Vec::new();
        for q in &mro {
            let Some((f, c, _)) = self.classes.class(q) else {
                continue;
            };
            for st in &c.body {
                if let StmtKind::Assign {
                    targets,
                    value: Some(v),
                } = &st.kind
                {
                    if let Some(crate::ast::Target::Name(n, sp)) = targets.first() {
                        if matches!(f.ast.kind(*v), ExprKind::Call { .. })
                            && !declared.iter().any(|(d, ..)| d == &**n)
                        {
                            declared.push((n.to_string(), f, *v, *sp));
                        }
                    }
                }
            }
        }
        let overrides_output = mro.iter().any(|q| {
            self.classes.class(q).is_some_and(|(f, c, _)| {
                c.body.iter().any(|st| {
                    matches!(st.kind, StmtKind::FunctionDef(g)
                        if matches!(&*f.ast.functions[g as usize].name, "to_representation" | "get_fields"))
                })
            })
        });
        if declared.is_empty() && !overrides_output {
            // `fields = "__all__"`, or only `exclude`: every model field but the excluded.
            let all = fields_e
                .and_then(|e| mf.ast.str_value(e))
                .is_some_and(|s| s == "__all__")
                || (fields_e.is_none() && !exclude.is_empty());
            ser.outputs = match (&listed, all) {
                (Some(l), _) => Some(l.iter().map(|(n, _)| n.clone()).collect()),
                (None, true) => Some(
                    self.ix
                        .model(model)
                        .fields
                        .iter()
                        .map(|f| f.name.clone())
                        .filter(|n| !exclude.contains(n))
                        .collect(),
                ),
                (None, false) => None,
            };
        }
        let is_hyperlinked = self.classes.mro(&qual, &|q| {
            q == "rest_framework.serializers.HyperlinkedModelSerializer"
        });
        let _ = is_hyperlinked;
        // The field names serialized.
        let names: Vec<(String, Option<Span>)> = match &listed {
            Some(l) => l.iter().map(|(n, s)| (n.clone(), Some(*s))).collect(),
            None => {
                let all = fields_e
                    .and_then(|e| mf.ast.str_value(e))
                    .is_some_and(|s| s == "__all__")
                    || fields_e.is_none();
                if !all {
                    return ser;
                }
                let mut v: Vec<(String, Option<Span>)> =
                    declared.iter().map(|(n, ..)| (n.clone(), None)).collect();
                for fl in &self.ix.model(model).fields {
                    if matches!(
                        fl.kind,
                        FieldKind::ForeignKey | FieldKind::OneToOne | FieldKind::ManyToMany
                    ) && !exclude.contains(&fl.name)
                        && !v.iter().any(|(n, _)| n == &fl.name)
                    {
                        v.push((fl.name.clone(), None));
                    }
                }
                v
            }
        };
        let meta_span = mf
            .ast
            .classes
            .iter()
            .find(|c| std::ptr::eq(*c, meta))
            .map(|c| c.name_span);
        for (name, lspan) in names {
            if let Some((_, f, call, sp)) = declared.iter().find(|(d, ..)| *d == name) {
                self.declared_field(&mut ser, model, &name, f, *call, *sp, &mro);
            } else {
                let span = lspan.or(meta_span).unwrap_or_default();
                let file = if lspan.is_some() { mf.id } else { file.id };
                self.model_field(
                    &mut ser.reads,
                    model,
                    &name,
                    depth,
                    Vec::new(),
                    file,
                    span,
                    &name,
                );
            }
        }
        ser
    }

    /// A model field listed in `Meta.fields` (or implied by `__all__`), serialized with
    /// `depth` levels of nesting.
    /// A method or property defined on the model's class or a model parent.
    fn model_member_fn(&self, model: ModelId, name: &str) -> Option<(&File, FuncId)> {
        let mut todo = vec![model];
        for _ in 0..8 {
            let mut next = Vec::new();
            for id in todo {
                let m = self.ix.model(id);
                if let Some((f, c, _)) = self.classes.class(&m.qual) {
                    for st in &c.body {
                        if let StmtKind::FunctionDef(g) = st.kind {
                            if &*f.ast.functions[g as usize].name == name {
                                return Some((f, g));
                            }
                        }
                    }
                }
                next.extend(m.parents.iter().copied());
            }
            if next.is_empty() {
                break;
            }
            todo = next;
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn model_field(
        &self,
        reads: &mut Vec<Read>,
        model: ModelId,
        name: &str,
        depth: u32,
        prefix: Vec<Seg>,
        file: FileId,
        span: Span,
        label: &str,
    ) {
        let (segs, _) = resolve_path(self.ix, model, &[name]);
        let Some(seg) = segs.into_iter().next() else {
            // A listed name that is a model property or method: follow what it reads.
            if prefix.is_empty() {
                if let Some((mfile, fid)) = self.model_member_fn(model, name) {
                    method_body(
                        self.ix,
                        self.sums,
                        mfile,
                        fid,
                        0,
                        model,
                        label,
                        reads,
                        &mut Vec::new(),
                    );
                }
            }
            return;
        };
        let is_reverse_one = !seg.many && !seg.forward;
        let mut path = prefix;
        path.push(seg.clone());
        if seg.many || depth > 0 || is_reverse_one {
            reads.push(Read {
                path: path.clone(),
                file,
                span,
                field: label.to_owned(),
            });
        }
        if depth > 0 && path.len() < 6 {
            if let Some(t) = path_target(self.ix, model, std::slice::from_ref(&seg)) {
                let names: Vec<String> = self
                    .ix
                    .model(t)
                    .fields
                    .iter()
                    .filter(|f| {
                        matches!(
                            f.kind,
                            FieldKind::ForeignKey | FieldKind::OneToOne | FieldKind::ManyToMany
                        )
                    })
                    .map(|f| f.name.clone())
                    .collect();
                for n in names {
                    self.model_field(reads, t, &n, depth - 1, path.clone(), file, span, label);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn declared_field(
        &mut self,
        ser: &mut Serializer,
        model: ModelId,
        name: &str,
        f: &File,
        call: ExprId,
        span: Span,
        mro: &[String],
    ) {
        let m = &f.ast;
        let ExprKind::Call { func, kwargs, .. } = m.kind(call) else {
            return;
        };
        let Some(dotted) = m.dotted(*func) else {
            return;
        };
        let fq = ix_alias(self.ix, &f.scope.qualify(&dotted));
        let class = fq.rsplit('.').next().unwrap_or("").to_owned();
        let many = m
            .kwarg(kwargs, "many")
            .is_some_and(|k| matches!(m.kind(k.value), ExprKind::Const(crate::ast::Const::True)));
        let source = m
            .kwarg(kwargs, "source")
            .and_then(|k| m.str_value(k.value))
            .unwrap_or(name)
            .to_owned();
        if class == "SerializerMethodField" {
            let method = m
                .kwarg(kwargs, "method_name")
                .and_then(|k| m.str_value(k.value))
                .map_or_else(|| format!("get_{name}"), str::to_owned);
            if let Some((mfile, fid)) = self.classes.lookup_method(mro, &method) {
                // `get_<name>(self, obj)`: the object is the second parameter.
                follow_method(self.ix, self.sums, ser, (mfile, fid, 1), model, name);
            }
            return;
        }
        if source == "*" || class == "HyperlinkedIdentityField" {
            return;
        }
        let parts: Vec<&str> = source.split('.').collect();
        let (segs, all_rel) = resolve_path(self.ix, model, &parts);
        if segs.is_empty() && parts.len() == 1 {
            // `source="author_label"`: a model property or method; what it reads of `self`
            // is read per serialized object.
            if let Some((mfile, fid)) = self.model_member_fn(model, parts[0]) {
                follow_method(self.ix, self.sums, ser, (mfile, fid, 0), model, name);
            }
            return;
        }
        let nested = self.by_qual.get(&fq).copied();
        let mut needed = segs.clone();
        if pk_only_field(m, &class, kwargs) && !many && all_rel {
            needed.pop();
        }
        if !needed.is_empty() {
            ser.reads.push(Read {
                path: needed,
                file: f.id,
                span,
                field: name.to_owned(),
            });
        }
        if let (Some(ni), true) = (nested, all_rel && !segs.is_empty()) {
            if let Some(inner) = self.serializer(ni) {
                for r in inner.reads {
                    let mut p = segs.clone();
                    p.extend(r.path);
                    ser.reads.push(Read {
                        path: p,
                        field: format!("{name}.{}", r.field),
                        ..r
                    });
                }
                for (p0, q) in inner.method_queries {
                    let mut p = segs.clone();
                    p.extend(p0);
                    ser.method_queries.push((p, q));
                }
            }
        }
    }
}

/// What a serializer's method (or a model member it names) reads of the object in parameter
/// `param`, and the queries it runs, added to the serializer's field `field`.
fn follow_method(
    ix: &Index,
    sums: &Summaries,
    ser: &mut Serializer,
    (f, fid, param): (&File, FuncId, usize),
    model: ModelId,
    field: &str,
) {
    let mut qs = Vec::new();
    method_body(
        ix,
        sums,
        f,
        fid,
        param,
        model,
        field,
        &mut ser.reads,
        &mut qs,
    );
    ser.method_queries
        .extend(qs.into_iter().map(|q| (Vec::new(), q)));
}

/// Relation reads and per-object queries in a `SerializerMethodField` method `def
/// get_x(self, obj)`: `obj.author.name` reads `author`; `obj.tags.all()` needs a prefetch;
/// `obj.tags.filter(...)` or `Model.objects...` queries every time.
#[allow(clippy::too_many_arguments)]
pub(crate) fn method_body(
    ix: &Index,
    sums: &Summaries,
    f: &File,
    fid: FuncId,
    param: usize,
    model: ModelId,
    field: &str,
    reads: &mut Vec<Read>,
    queries: &mut Vec<MethodQuery>,
) {
    method_body_at(ix, sums, f, fid, param, model, field, reads, queries, 0);
}

/// How deep calls that pass the object on are followed (`self._count(obj)`).
const MAX_HELPER_DEPTH: u32 = 3;

/// The function a call inside `caller` resolves to, if it is a method of the same class
/// (`self.helper(...)`) or a module-level function of the same file (`helper(...)`), with the
/// parameter index of positional argument 0.
fn local_callee(m: &Module, caller: FuncId, callee: ExprId) -> Option<(FuncId, usize)> {
    let class = m.functions[caller as usize].class;
    let (name, is_method) = match m.kind(callee) {
        ExprKind::Attr { value, attr, .. }
            if class.is_some() && matches!(m.kind(*value), ExprKind::Name(n) if &**n == "self") =>
        {
            (attr, true)
        }
        ExprKind::Name(n) => (n, false),
        _ => return None,
    };
    let found = m.functions.iter().position(|g| {
        g.name == *name
            && g.parent.is_none()
            && if is_method {
                g.class == class
            } else {
                g.class.is_none()
            }
    })?;
    let found = u32::try_from(found).ok()?;
    (found != caller).then_some((found, usize::from(is_method)))
}

#[allow(clippy::too_many_arguments)]
fn method_body_at(
    ix: &Index,
    sums: &Summaries,
    f: &File,
    fid: FuncId,
    param: usize,
    model: ModelId,
    field: &str,
    reads: &mut Vec<Read>,
    queries: &mut Vec<MethodQuery>,
    depth: u32,
) {
    let m = &f.ast;
    let func = &m.functions[fid as usize];
    let Some(obj) = func.params.get(param).map(|p| p.name.clone()) else {
        return;
    };
    let within = |s: Span| s.start >= func.span.start && s.end <= func.span.end;
    let mut seen_reads: Vec<Vec<Seg>> = Vec::new();
    let mut holes: Option<Holes> = None;
    for (ei, e) in m.exprs.iter().enumerate() {
        if !within(e.span) {
            continue;
        }
        let eid = u32::try_from(ei).unwrap_or(0);
        match &e.kind {
            ExprKind::Call {
                func: callee,
                args,
                kwargs,
            } => {
                // The object handed to a helper of the serializer or module: follow it.
                let local = local_callee(m, fid, *callee);
                if local.is_none() && !sums.is_empty() {
                    // Anywhere else in the project (`from .utils import describe`, a model
                    // method of the object): through the function summaries.
                    let holes =
                        holes.get_or_insert_with(|| Holes::of(m, &func.body, func.span.end));
                    let call = Call {
                        file: f,
                        span: e.span,
                        always: !holes.covers(e.span),
                        field,
                    };
                    follow_call(
                        ix, sums, &call, *callee, args, kwargs, &obj, model, reads, queries,
                    );
                }
                if depth < MAX_HELPER_DEPTH {
                    if let Some((g, shift)) = local {
                        let is_obj =
                            |x: ExprId| matches!(m.kind(x), ExprKind::Name(n) if *n == obj);
                        let gparams = &m.functions[g as usize].params;
                        let pos = args.iter().position(|a| is_obj(*a)).map(|i| i + shift);
                        let kw = kwargs.iter().find(|k| is_obj(k.value)).and_then(|k| {
                            gparams
                                .iter()
                                .position(|p| Some(&p.name) == k.name.as_ref())
                        });
                        if let Some(p) = pos.or(kw) {
                            method_body_at(
                                ix,
                                sums,
                                f,
                                g,
                                p,
                                model,
                                field,
                                reads,
                                queries,
                                depth + 1,
                            );
                        }
                    }
                }
                let ExprKind::Attr { value, attr, .. } = m.kind(*callee) else {
                    continue;
                };
                if let Some(parts) = chain_from(m, *value, &obj) {
                    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                    let (segs, all_rel) = resolve_path(ix, model, &refs);
                    if !all_rel || !segs.last().is_some_and(|s| s.many) {
                        continue;
                    }
                    if segs[..segs.len() - 1].iter().any(|s| s.many) {
                        continue;
                    }
                    match &**attr {
                        "all" if !seen_reads.contains(&segs) => {
                            seen_reads.push(segs.clone());
                            reads.push(Read {
                                path: segs,
                                file: f.id,
                                span: e.span,
                                field: field.to_owned(),
                            });
                        }
                        "count" | "exists" | "filter" | "exclude" | "get" | "first" | "last"
                        | "order_by" | "aggregate" | "values" | "values_list" | "annotate"
                        | "latest" | "earliest" => {
                            queries.push(MethodQuery {
                                file: f.id,
                                span: e.span,
                                rel: Some(segs),
                                served_by_prefetch: matches!(&**attr, "count" | "exists"),
                                method: attr.to_string(),
                                field: field.to_owned(),
                                via: None,
                            });
                        }
                        _ => {}
                    }
                } else if let Some(parts) = manager_call(m, *value) {
                    // `Model.objects.filter(...)` inside the method.
                    let (cls, mgr) = parts;
                    if let Some(mid) = ix.model_by_qual(&f.scope.qualify(&cls)) {
                        if ix.manager(mid, &mgr).is_some() {
                            queries.push(MethodQuery {
                                file: f.id,
                                span: e.span,
                                rel: None,
                                served_by_prefetch: false,
                                method: attr.to_string(),
                                field: field.to_owned(),
                                via: None,
                            });
                        }
                    }
                }
            }
            ExprKind::Attr { .. } => {
                let Some(parts) = chain_from(m, eid, &obj) else {
                    continue;
                };
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                let (segs, _) = resolve_path(ix, model, &refs);
                let single: Vec<Seg> = segs.into_iter().take_while(|s| !s.many).collect();
                // `obj.author` alone is read by `obj.author.name` too; keep the longest.
                if !single.is_empty() && !seen_reads.contains(&single) {
                    seen_reads.push(single.clone());
                    reads.push(Read {
                        path: single,
                        file: f.id,
                        span: e.span,
                        field: field.to_owned(),
                    });
                }
            }
            _ => {}
        }
    }
    // Drop reads that a longer read of the same field implies.
    let own: Vec<Vec<String>> = reads
        .iter()
        .filter(|r| r.field == field)
        .map(|r| r.path.iter().map(|s| s.name.clone()).collect())
        .collect();
    reads.retain(|r| {
        if r.field != field {
            return true;
        }
        let p: Vec<String> = r.path.iter().map(|s| s.name.clone()).collect();
        !own.iter().any(|o| o.len() > p.len() && o.starts_with(&p))
    });
}

/// A call in a method field (or admin column) that the object is handed to.
struct Call<'a> {
    file: &'a File,
    span: Span,
    /// The call runs whenever the method does.
    always: bool,
    field: &'a str,
}

/// Bound on nested summaries followed from one call (helper → property → `__str__`...).
const MAX_SUMMARY_DEPTH: u32 = 4;

/// Follow `obj` (or `obj.a.b`) handed to a function summarised elsewhere in the project:
/// `describe(obj)`, `utils.describe(obj.author)`, `obj.label()`, `obj.author.label()`.
#[allow(clippy::too_many_arguments)]
fn follow_call(
    ix: &Index,
    sums: &Summaries,
    call: &Call<'_>,
    callee: ExprId,
    args: &[ExprId],
    kwargs: &[crate::ast::Keyword],
    obj: &str,
    model: ModelId,
    reads: &mut Vec<Read>,
    queries: &mut Vec<MethodQuery>,
) {
    let m = &call.file.ast;
    // The relation path below `obj` of an expression, if it is `obj` or `obj.a.b`.
    let below_obj = |x: ExprId| -> Option<Vec<String>> {
        match m.kind(x) {
            ExprKind::Name(n) if **n == *obj => Some(Vec::new()),
            _ => chain_from(m, x, obj),
        }
    };
    let at_path = |parts: &[String]| -> Option<(Vec<Seg>, ModelId)> {
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let (segs, all_rel) = resolve_path(ix, model, &refs);
        if !all_rel && !parts.is_empty() || segs.iter().any(|s| s.many) {
            return None;
        }
        let target = if segs.is_empty() {
            model
        } else {
            path_target(ix, model, &segs)?
        };
        Some((segs, target))
    };
    // `obj.<path>.method(...)`: a method of the related object's model.
    if let ExprKind::Attr { value, attr, .. } = m.kind(callee) {
        if let Some(parts) = below_obj(*value) {
            if let Some((segs, target)) = at_path(&parts) {
                if let Some(s) = sums
                    .model_member(ix, target, attr)
                    .filter(|s| s.kind == FnKind::Method && summary::follows(attr))
                {
                    let shown = format!(".{attr}()");
                    summary_reads(
                        ix, sums, call, &shown, s, 0, target, &segs, reads, queries, 0,
                    );
                }
            }
            return;
        }
    }
    let Some(d) = m.dotted(callee) else { return };
    let Some(s) = sums
        .get(&call.file.scope.qualify(&d))
        .filter(|s| matches!(s.kind, FnKind::Function | FnKind::StaticOrClass))
    else {
        return;
    };
    let shown = format!("{}()", d.rsplit('.').next().unwrap_or(&d));
    if call.always {
        own_query(call, &shown, s, queries);
    }
    let handed = args
        .iter()
        .enumerate()
        .filter_map(|(i, a)| Some((s.param_for_pos(i, false)?, *a)))
        .chain(
            kwargs
                .iter()
                .filter_map(|k| Some((s.param_for_kw(k.name.as_deref()?)?, k.value))),
        );
    for (p, a) in handed {
        if let Some((segs, target)) = below_obj(a).and_then(|parts| at_path(&parts)) {
            let tree = &s.trees[p];
            tree_reads(
                ix, sums, call, &shown, tree, target, &segs, reads, queries, 0,
            );
        }
    }
}

/// What a member `s` of `model` (reached by `prefix`) reads of its `self` (parameter `p`) and
/// the query it runs.
#[allow(clippy::too_many_arguments)]
fn summary_reads(
    ix: &Index,
    sums: &Summaries,
    call: &Call<'_>,
    shown: &str,
    s: &FnSummary,
    p: usize,
    model: ModelId,
    prefix: &[Seg],
    reads: &mut Vec<Read>,
    queries: &mut Vec<MethodQuery>,
    depth: u32,
) {
    if call.always {
        own_query(call, shown, s, queries);
    }
    if let Some(tree) = s.trees.get(p) {
        tree_reads(
            ix, sums, call, shown, tree, model, prefix, reads, queries, depth,
        );
    }
}

/// The query `s` runs on every call, as a method query at the call.
fn own_query(call: &Call<'_>, shown: &str, s: &FnSummary, queries: &mut Vec<MethodQuery>) {
    if let Some(q) = &s.query {
        if !queries
            .iter()
            .any(|x| x.span == call.span && x.rel.is_none())
        {
            queries.push(MethodQuery {
                file: call.file.id,
                span: call.span,
                rel: None,
                served_by_prefetch: false,
                method: q.method.clone(),
                field: call.field.to_owned(),
                via: Some((shown.to_owned(), q.at.file, q.at.span)),
            });
        }
    }
}

/// Replay a summary tree read from an object of `model` reached by `prefix`: relations read
/// (at the helper's line), related managers evaluated, members and `__str__` followed.
#[allow(clippy::too_many_arguments)]
fn tree_reads(
    ix: &Index,
    sums: &Summaries,
    call: &Call<'_>,
    shown: &str,
    tree: &Access,
    model: ModelId,
    prefix: &[Seg],
    reads: &mut Vec<Read>,
    queries: &mut Vec<MethodQuery>,
    depth: u32,
) {
    if depth > MAX_SUMMARY_DEPTH || prefix.len() >= 6 {
        return;
    }
    for (name, node) in &tree.children {
        let Some(Loc { file, span }) = node.at else {
            continue;
        };
        let (segs, _) = resolve_path(ix, model, &[name]);
        let Some(seg) = segs.into_iter().next() else {
            // A property or method of the model (`__str__` when formatted).
            if let Some(s) = sums.model_member(ix, model, name).filter(|s| {
                summary::follows(name)
                    && match s.kind {
                        FnKind::Property => true,
                        FnKind::Method => node.called,
                        _ => false,
                    }
            }) {
                let inner = Call {
                    always: call.always && node.always,
                    ..*call
                };
                summary_reads(
                    ix,
                    sums,
                    &inner,
                    shown,
                    s,
                    0,
                    model,
                    prefix,
                    reads,
                    queries,
                    depth + 1,
                );
            }
            continue;
        };
        let mut path = prefix.to_vec();
        path.push(seg.clone());
        if !seg.many {
            reads.push(Read {
                path: path.clone(),
                file,
                span,
                field: call.field.to_owned(),
            });
            if let Some(t) = path_target(ix, model, std::slice::from_ref(&seg)) {
                tree_reads(ix, sums, call, shown, node, t, &path, reads, queries, depth);
            }
            continue;
        }
        if prefix.iter().any(|s| s.many) {
            continue;
        }
        // A related manager: iterated or `.all()` needs a prefetch; `.count()`/`.exists()` are
        // served by one; narrowing methods query every time.
        if node.eval.is_some() {
            reads.push(Read {
                path: path.clone(),
                file,
                span,
                field: call.field.to_owned(),
            });
        }
        for (method, child) in node.children.iter().filter(|(_, c)| c.called) {
            let at = child.at.map_or(span, |l| l.span);
            match &**method {
                "all" => reads.push(Read {
                    path: path.clone(),
                    file,
                    span: at,
                    field: call.field.to_owned(),
                }),
                "count" | "exists" | "filter" | "exclude" | "get" | "first" | "last"
                | "order_by" | "aggregate" | "values" | "values_list" | "annotate" | "latest"
                | "earliest" => queries.push(MethodQuery {
                    file: call.file.id,
                    span: call.span,
                    rel: Some(path.clone()),
                    served_by_prefetch: matches!(&**method, "count" | "exists"),
                    method: method.to_string(),
                    field: call.field.to_owned(),
                    via: Some((shown.to_owned(), file, at)),
                }),
                _ => {}
            }
        }
    }
}

/// `obj.a.b` → `["a", "b"]` when rooted at the name `obj`.
fn chain_from(m: &Module, e: ExprId, obj: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut cur = e;
    for _ in 0..16 {
        match m.kind(cur) {
            ExprKind::Attr { value, attr, .. } => {
                parts.push(attr.to_string());
                cur = *value;
            }
            ExprKind::Name(n) if &**n == obj => {
                parts.reverse();
                return (!parts.is_empty()).then_some(parts);
            }
            _ => return None,
        }
    }
    None
}

/// `Model.objects` (dotted class, manager name) as the receiver of a call.
fn manager_call(m: &Module, e: ExprId) -> Option<(String, String)> {
    let ExprKind::Attr { value, attr, .. } = m.kind(e) else {
        return None;
    };
    let cls = m.dotted(*value)?;
    Some((cls, attr.to_string()))
}

fn build_views(classes: &Classes<'_>, sers: &HashMap<String, usize>, ix: &Index) -> Vec<View> {
    let mut quals: Vec<&str> = classes.quals().collect();
    quals.sort_unstable();
    quals.dedup();
    let mut out = Vec::new();
    for q in quals {
        let crate::semantic::classes::Mro {
            classes: mro,
            reached,
            ..
        } = classes.mro(q, &is_view_root);
        if !reached {
            continue;
        }
        let Some(qs) = view_queryset(classes, &mro, 0, ix) else {
            continue;
        };
        let mut serializers = Vec::new();
        let mut add = |f: &File, e: ExprId| {
            if let Some(d) = f.ast.dotted(e) {
                if let Some(i) = sers.get(&ix.resolve_alias(&f.scope.qualify(&d))) {
                    if !serializers.contains(i) {
                        serializers.push(*i);
                    }
                }
            }
        };
        let attr = classes.lookup_attr(&mro, "serializer_class");
        match classes.lookup_method(&mro, "get_serializer_class") {
            Some((f, fid)) => {
                let func = &f.ast.functions[fid as usize];
                let mut rets = Vec::new();
                collect_returns(&func.body, &mut rets);
                for r in rets {
                    if f.ast.dotted(r).as_deref() == Some("self.serializer_class")
                        || is_super_get_serializer_class(&f.ast, r)
                    {
                        if let Some((af, ae)) = attr {
                            add(af, ae);
                        }
                    } else {
                        add(f, r);
                    }
                }
            }
            None => {
                if let Some((af, ae)) = attr {
                    add(af, ae);
                }
            }
        }
        if serializers.is_empty() {
            continue;
        }
        let (file, ..) = classes.class(q).expect("indexed class");
        // A view defining `list` itself, or reaching no known DRF class, counts as listing.
        let lists = classes.mro(q, &is_list_root).reached
            || classes.lookup_method(&mro, "list").is_some()
            || !classes.mro(q, &is_detail_root).reached;
        out.push(View {
            qual: q.to_owned(),
            file: file.id,
            qs,
            serializers,
            detail_only: !lists,
        });
    }
    out
}

fn is_super_get_serializer_class(m: &Module, e: ExprId) -> bool {
    matches!(m.kind(e), ExprKind::Call { func, .. } if matches!(m.kind(*func), ExprKind::Attr { value, attr, .. } if &**attr == "get_serializer_class" && matches!(m.kind(*value), ExprKind::Call { func: s, .. } if m.dotted(*s).as_deref() == Some("super"))))
}

pub(crate) fn collect_returns(b: &crate::ast::Block, out: &mut Vec<ExprId>) {
    for st in b {
        match &st.kind {
            StmtKind::Return(Some(e)) => out.push(*e),
            k => k
                .blocks()
                .into_iter()
                .for_each(|blk| collect_returns(blk, out)),
        }
    }
}

/// The queryset the view with this MRO lists: the `get_queryset()` found first in the MRO
/// (its `super().get_queryset()` being the next one, and the last one's `self.queryset` the
/// `queryset =` found first in the whole MRO, as on an instance), else `queryset =`.
pub(crate) fn view_queryset(
    classes: &Classes<'_>,
    mro: &[String],
    from: usize,
    ix: &Index,
) -> Option<ListQs> {
    let Some(i) = (from..mro.len().min(from + 32))
        .find(|i| classes.method(&mro[*i], "get_queryset").is_some())
    else {
        return classes
            .lookup_attr(mro, "queryset")
            .and_then(|(af, ae)| eval_qs(ix, af, QsSource::Expr(ae), None));
    };
    let (f, fid) = classes.method(&mro[i], "get_queryset")?;
    let inherited = view_queryset(classes, mro, i + 1, ix);
    eval_qs(ix, f, QsSource::Method(fid), inherited)
}

/// Evaluate with the flow analysis; an unchanged inherited queryset keeps its own file.
pub(crate) fn eval_qs(
    ix: &Index,
    f: &File,
    src: QsSource,
    inherited: Option<ListQs>,
) -> Option<ListQs> {
    let inh_qs = inherited.as_ref().map(|l| Qs {
        model: l.model,
        loads: l.loads.clone(),
        values: false,
        classes: std::rc::Rc::from(Vec::<String>::new()),
        span: Loc::new(l.file, l.span),
        single: false,
        cached: false,
        is_manager: false,
        is_list: false,
        related: None,
        bypass: None,
        narrowed: None,
        iterator: false,
        ordered: false,
        filters: std::rc::Rc::from([]),
        through: std::rc::Rc::from([Loc::new(l.file, l.span)]),
        fix_at: l.fix_at.iter().map(|s| Loc::new(l.file, *s)).collect(),
        locks: false,
    });
    if dynamic_loads(f, src) {
        return None;
    }
    let q = class_queryset(ix, f, src, inh_qs)?;
    Some(ListQs {
        model: q.model,
        loads: q.loads,
        file: q.span.file,
        span: q.span.span,
        fix_at: q.fix_at.iter().map(|l| l.span).collect(),
    })
}

/// A serializer read that a view's queryset does not load.
#[derive(Debug, Clone)]
pub struct MissingRead<'a> {
    pub view: &'a View,
    pub serializer: &'a Serializer,
    pub read: &'a Read,
    /// Some step of the path is many-valued: only `prefetch_related` loads it.
    pub many: bool,
}

impl Facts {
    /// Every serializer read that a view's queryset (built in `file`) does not load.
    pub fn missing_reads(&self, ix: &Index, file: FileId) -> Vec<MissingRead<'_>> {
        let mut out = Vec::new();
        for v in self.views.iter().filter(|v| v.qs.file == file) {
            for si in &v.serializers {
                let s = &self.serializers[*si];
                if s.model != Some(v.qs.model) {
                    continue;
                }
                for r in &s.reads {
                    if v.detail_only && !repeats_per_row(&r.path) {
                        continue;
                    }
                    if first_missing(ix, v.qs.model, &v.qs.loads, &r.path).is_some() {
                        out.push(MissingRead {
                            view: v,
                            serializer: s,
                            read: r,
                            many: r.path.iter().any(|x| x.many),
                        });
                    }
                }
            }
        }
        out
    }
}

/// Whether a read repeats per row of a nested list: a many-valued step before the last one.
pub fn repeats_per_row(path: &[Seg]) -> bool {
    path.len() > 1 && path[..path.len() - 1].iter().any(|s| s.many)
}

/// `["a", "b"]` steps as a lookup `a__b`.
pub fn lookup(path: &[Seg]) -> String {
    path.iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("__")
}

/// Keep only paths no other path extends (`author` is implied by `author__publisher`).
pub fn maximal(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paths
        .iter()
        .filter(|p| {
            !paths.iter().any(|q| {
                q.len() > p.len() && q.starts_with(p.as_str()) && q[p.len()..].starts_with("__")
            })
        })
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

fn ix_alias(ix: &Index, q: &str) -> String {
    ix.resolve_alias(q)
}

/// The code calls `select_related`/`prefetch_related` with computed arguments
/// (`select_related(*fields)`): what it loads is unknown, so nothing is claimed about it.
fn dynamic_loads(f: &File, src: QsSource) -> bool {
    let m = &f.ast;
    let span = match src {
        QsSource::Expr(e) => m.span(e),
        QsSource::Method(fid) => m.functions[fid as usize].span,
    };
    m.exprs.iter().any(|e| {
        e.span.start >= span.start
            && e.span.end <= span.end
            && matches!(&e.kind, ExprKind::Call { func, args, .. }
                if matches!(m.kind(*func), ExprKind::Attr { attr, .. }
                    if matches!(&**attr, "select_related" | "prefetch_related"))
                && args.iter().any(|a| !matches!(m.kind(*a), ExprKind::Str(_) | ExprKind::Call { .. } | ExprKind::Const(_))))
    })
}
