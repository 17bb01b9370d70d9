//! DRF row sources: a list view serializes every row of its queryset (a detail view one row),
//! and a serializer built over rows in code (`TagSerializer(obj.tags.all(), many=True)`)
//! serializes each of them. The walk binds a row to each field of the serializer and lets
//! the interpreter run what DRF runs for it: the `source` lookups, nested serializers over
//! related rows, `str()` of a `StringRelatedField`, and the body of a `SerializerMethodField`
//! with `obj` bound to the row. What the interpreter observes is kept with its origin.

use super::serializers::{FieldRead, Serializer};
use super::View;
use crate::ast::{Const, ExprId, ExprKind, Keyword, StmtKind};
use crate::flow::{Analyzer, CallHooks, EvalHow, Event, Qs, RowsUse, Summaries, Value};
use crate::frameworks::{Observation, Origin};
use crate::index::{FieldKind, Index, Member, ReverseKind};
use crate::project::File;
use crate::source::Loc;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;

/// Nested serializers followed from one field at most this deep.
const MAX_NESTING: usize = 8;
/// Longest relation path followed through `Meta.depth` nesting.
const MAX_PATH: usize = 6;

pub(crate) struct Walker<'s> {
    ix: &'s Index,
    sums: &'s Summaries,
    files: &'s [File],
    serializers: &'s [Serializer],
    by_qual: &'s HashMap<String, usize>,
    /// Serializers some code constructs with `many=True`.
    many: &'s HashSet<usize>,
    /// The class names of the serializers (what a call's dotted name must end in).
    names: HashSet<&'s str>,
    /// Serializers being walked (a serializer nesting itself stops there).
    stack: RefCell<Vec<usize>>,
    /// Names the rows of the view being walked are annotated with (`annotate(total=...)`):
    /// an annotation hides a model method of the same name.
    annotated: RefCell<Vec<String>>,
    /// The queryset whose rows the current walk serializes (a view's, or a serializer's own
    /// rows): a nested serializer over rows rooted elsewhere serializes a fresh queryset.
    root: RefCell<Option<Loc>>,
}

/// The observations of one walk, with the field being walked.
struct Sink {
    view: Option<usize>,
    serializer: usize,
    out: Vec<Observation>,
}

impl<'s> Walker<'s> {
    pub(crate) fn new(
        ix: &'s Index,
        sums: &'s Summaries,
        files: &'s [File],
        serializers: &'s [Serializer],
        by_qual: &'s HashMap<String, usize>,
        many: &'s HashSet<usize>,
    ) -> Self {
        Walker {
            ix,
            sums,
            files,
            serializers,
            by_qual,
            many,
            names: serializers.iter().map(|s| s.name.as_str()).collect(),
            stack: RefCell::new(Vec::new()),
            annotated: RefCell::new(Vec::new()),
            root: RefCell::new(None),
        }
    }

    fn file(&self, id: crate::project::FileId) -> Option<&'s File> {
        self.files.get(id as usize).filter(|f| f.id == id)
    }

    /// Walk every view's serializers over its rows, then every serializer no view reached
    /// over rows of its model whose loads are unknown (nothing loaded).
    /// A plain serializer no view reaches is walked only when some code constructs it with
    /// `many=True` (`many`): otherwise it may serialize one object per request.
    /// Also returns, per view, what its serializers read of its rows ([`RowsUse`], rooted
    /// at the view's queryset): escaped whole unless they are the rows' only consumer.
    pub(crate) fn views(&'s self, views: &[(View, Qs)]) -> (Vec<Observation>, Vec<RowsUse>) {
        let many = self.many;
        let mut out = Vec::new();
        let mut rows_uses = Vec::new();
        let mut reached: HashSet<usize> = HashSet::default();
        let classes = super::Classes::new(&self.ix.classes, self.files);
        for (vi, (view, qs)) in views.iter().enumerate() {
            let root = qs.span;
            let mut whole = RowsUse {
                root,
                model: Some(qs.model),
                through: qs.through.to_vec(),
                fetched: true,
                ..RowsUse::default()
            };
            if qs.loads.opaque
                || !super::consumed::view_only_serializes(
                    &classes,
                    self.by_qual,
                    self.ix,
                    &view.qual,
                    root,
                )
            {
                whole.escaped.insert(Vec::new());
            }
            for &si in &view.serializers {
                let Some(s) = self.serializers.get(si) else {
                    whole.escaped.insert(Vec::new());
                    continue;
                };
                if s.model.is_some_and(|m| m != qs.model) || (s.model.is_none() && !s.plain) {
                    whole.escaped.insert(Vec::new());
                    continue;
                }
                let Some(file) = self.file(s.file) else {
                    whole.escaped.insert(Vec::new());
                    continue;
                };
                *self.annotated.borrow_mut() = self.annotations(qs);
                *self.root.borrow_mut() = Some(root);
                let mut an = Analyzer::new(self.ix, file, self.sums);
                an.set_hooks(self);
                let rows = Value::QuerySet(qs.clone());
                let row = if view.detail_only {
                    an.single_object(&rows, qs.span)
                } else {
                    an.enter_loop(&rows, qs.span)
                };
                let mut sink = Sink {
                    view: Some(vi),
                    serializer: si,
                    out: Vec::new(),
                };
                self.fields(&mut an, si, &row, "", &mut sink, &mut reached);
                out.extend(sink.out);
                for u in an.take_rows_uses() {
                    if u.root == root {
                        whole.read.extend(u.read);
                        whole.escaped.extend(u.escaped);
                    }
                }
            }
            rows_uses.push(whole);
        }
        self.annotated.borrow_mut().clear();
        *self.root.borrow_mut() = None;
        for (si, s) in self.serializers.iter().enumerate() {
            let Some(file) = self.file(s.file) else {
                continue;
            };
            if reached.contains(&si) || (s.plain && !many.contains(&si)) {
                continue;
            }
            // rows of the serializer's model, or of a model not known (a plain serializer)
            let model = match s.model {
                Some(m) => Some(m),
                None if s.plain => None,
                None => continue,
            };
            let Some(cdef) = self
                .ix
                .classes
                .get(&s.qual)
                .and_then(|c| file.ast.classes.get(c.class as usize))
            else {
                continue;
            };
            let mut an = Analyzer::new(self.ix, file, self.sums);
            an.set_hooks(self);
            let at = Loc::new(file.id, cdef.name_span);
            // rows of a view djperf does not know: what they load is not known either
            let unknown = crate::index::effects::LoadSet {
                opaque: true,
                ..Default::default()
            };
            let rows = match model {
                Some(model) => Value::QuerySet(Qs::rows_of(model, unknown, at)),
                None => Value::Unknown,
            };
            let row = an.enter_loop(&rows, at);
            *self.root.borrow_mut() = Some(at);
            let mut sink = Sink {
                view: None,
                serializer: si,
                out: Vec::new(),
            };
            self.fields(&mut an, si, &row, "", &mut sink, &mut HashSet::default());
            out.extend(sink.out);
        }
        *self.root.borrow_mut() = None;
        (out, rows_uses)
    }

    /// Walk serializer `si`'s fields over `row` (labels prefixed by `prefix` for nested ones).
    fn fields(
        &self,
        an: &mut Analyzer<'s>,
        si: usize,
        row: &Value,
        prefix: &str,
        sink: &mut Sink,
        reached: &mut HashSet<usize>,
    ) {
        {
            let stack = self.stack.borrow();
            if stack.contains(&si) || stack.len() > MAX_NESTING {
                return;
            }
        }
        let Some(s) = self.serializers.get(si) else {
            return;
        };
        reached.insert(si);
        // a serializer reading its object in code of its own: what it reads is not known
        let classes = super::Classes::new(&self.ix.classes, self.files);
        if !super::consumed::serializer_known(&classes, s) {
            an.escape(row);
        }
        self.stack.borrow_mut().push(si);
        let object = match row {
            Value::Instance(i) => i.row.as_ref().map(|r| r.path.clone()).unwrap_or_default(),
            _ => Vec::new(),
        };
        for field in &s.fields {
            let label = if prefix.is_empty() {
                field.name.clone()
            } else {
                format!("{prefix}.{}", field.name)
            };
            an.forget_seen();
            let start = an.events.len();
            let origin = Origin::Serializer {
                view: sink.view,
                serializer: sink.serializer,
                field: label.clone(),
                object: object.clone(),
            };
            match &field.read {
                FieldRead::Model { depth } => {
                    self.model_field(an, row, &field.name, *depth, field.at, 0);
                }
                FieldRead::Source {
                    parts,
                    many,
                    pk_only,
                    known,
                    nested,
                    stringify,
                    slug,
                    child,
                } => {
                    let nested_row = self.source(
                        an,
                        row,
                        parts,
                        *many,
                        *pk_only,
                        *known,
                        nested.is_some(),
                        field.at,
                    );
                    // this field's own reads first, then the nested serializer's
                    flush(an, start, &origin, sink);
                    if let Some((v, looped)) = nested_row {
                        if let Some(ni) = nested {
                            self.fields(an, *ni, &v, &label, sink, reached);
                        }
                        if *stringify {
                            an.format(&v, field.at);
                        }
                        // `attrgetter(slug_field)` on each related object
                        let mut cur = v.clone();
                        for p in slug {
                            cur = an.lookup(&cur, p, field.at);
                        }
                        if let Some((cf, cfid)) = child {
                            if let Some(f) = self.file(*cf) {
                                an.call_bound(f, *cfid, &[(1, v.clone())]);
                            }
                        }
                        if looped {
                            an.exit_loop();
                        }
                    }
                }
                FieldRead::Method { file, func } => {
                    if let Some(f) = self.file(*file) {
                        for r in an.call_bound(f, *func, &[(1, row.clone())]) {
                            // DRF renders a returned queryset: its rows are fetched.
                            if let Value::QuerySet(q) = &r {
                                if !q.values {
                                    let at = q.span;
                                    an.evaluate(&r, at, EvalHow::Iterate);
                                }
                            }
                        }
                    }
                }
            }
            flush(an, start, &origin, sink);
        }
        self.stack.borrow_mut().pop();
    }

    /// A `source` path read on `row`: the lookups of every step, and the value the field
    /// serializes (with `true` when a loop over a many-valued last step was entered, which the
    /// caller exits), or `None` when nothing further is read.
    #[allow(clippy::too_many_arguments)]
    fn source(
        &self,
        an: &mut Analyzer<'s>,
        row: &Value,
        parts: &[String],
        many: bool,
        pk_only: bool,
        known: bool,
        nested: bool,
        at: Loc,
    ) -> Option<(Value, bool)> {
        // `source="*"`: the object itself
        let Some((last, init)) = parts.split_last() else {
            return Some((row.clone(), false));
        };
        let mut cur = row.clone();
        for p in init {
            let prev = cur;
            cur = an.lookup(&prev, p, at);
            if matches!(cur, Value::Unknown) && self.no_arg_method(&prev, p) {
                // `source="get_team.name"`: DRF calls a method it meets on the way
                cur = self.member(an, &prev, p, at).unwrap_or_default();
            }
            if matches!(cur, Value::Unknown) {
                // not a relation djperf follows: what DRF reads below it is not known
                an.escape(&prev);
                return None;
            }
        }
        match &cur {
            Value::Instance(inst) => match self.ix.member(inst.model, last) {
                // the list a `Prefetch(..., to_attr=last)` stores: read like a relation
                None if inst
                    .loads
                    .nodes
                    .get(last.as_str())
                    .is_some_and(|n| n.to_attr_of.is_some()) =>
                {
                    let v = an.lookup(&cur, last, at);
                    if many && known {
                        let el = an.enter_loop(&v, at);
                        Some((el, true))
                    } else {
                        // a field other than a `many=True` one of DRF's over the list: what
                        // it reads of the objects is not known
                        an.escape(&v);
                        None
                    }
                }
                // a property or method of the model: DRF reads (or calls) it, and serializes
                // what it returns
                None => {
                    let v = self.member(an, &cur, last, at)?;
                    if !known {
                        // a field of another library: what it reads of the value is not known
                        an.escape(&v);
                        return None;
                    }
                    self.member_rows(an, v, many, nested, at)
                }
                // `PrimaryKeyRelatedField`: the key column, no join
                Some(Member::Forward(_)) if pk_only && !many => None,
                Some(Member::Plain(_) | Member::ForeignKeyId(_)) => None,
                // a field of another library over a single relation: it may read the key
                // only, nothing is claimed
                Some(_) if !known && !many => {
                    let v = an.lookup(&cur, last, at);
                    an.escape(&v);
                    None
                }
                Some(_) => {
                    let v = an.lookup(&cur, last, at);
                    if many {
                        let el = an.enter_loop(&v, at);
                        Some((el, true))
                    } else {
                        Some((v, false))
                    }
                }
            },
            // `source="tags.count"`: a manager's method
            Value::QuerySet(_) => {
                an.lookup(&cur, last, at);
                None
            }
            _ => None,
        }
    }

    /// DRF reads model member `name` of `v` (a property, or a method it calls): its code
    /// runs, unless an annotation of the rows may stand in for it. An annotation can hide a
    /// plain method or a `cached_property` (not a `property`): the view's queryset annotates
    /// that name, or the rows come from a queryset djperf does not know.
    /// Returns the value the member's code returns, when it was followed.
    fn member(&self, an: &mut Analyzer<'s>, v: &Value, name: &str, at: Loc) -> Option<Value> {
        let Value::Instance(inst) = v else {
            return None;
        };
        let own_rows = inst.row.as_ref().is_none_or(|r| r.path.is_empty());
        let annotated = |n: &str| {
            inst.loads.opaque
                || inst.loads.nodes.contains_key(n)
                || (own_rows && self.annotated.borrow().iter().any(|a| a == n))
        };
        if let Some((f, fid, property)) = self.member_fn(inst.model, name) {
            // an annotation of the same name hides a method or a `cached_property`
            if !property && annotated(name) {
                return None;
            }
            // `if hasattr(self, "cached_value"): return self.cached_value`: the rows may
            // carry the value the code would query for
            if guard_attr(f, fid).is_some_and(|g| annotated(&g)) {
                return None;
            }
        }
        // the automatic primary key, or a value the rows' annotations carry
        let plain = matches!(name, "id" | "pk") || annotated(name);
        let value = an.call_member_value(v, name, at);
        if value.is_none() && !plain {
            // a member without code djperf follows may read any relation of the row
            an.escape(v);
        }
        value
    }

    /// `name` is a plain method of `v`'s model callable without arguments (not a field, not a
    /// property): DRF's `get_attribute` calls it.
    fn no_arg_method(&self, v: &Value, name: &str) -> bool {
        let Value::Instance(inst) = v else {
            return false;
        };
        self.ix.member(inst.model, name).is_none()
            && self
                .sums
                .model_member(self.ix, inst.model, name)
                .is_some_and(|f| f.kind == crate::flow::summary::FnKind::Method && f.no_arg_call)
    }

    /// What a field serializes of value `v` a model member returned: one object (a nested
    /// serializer over a property returning a related object), or with `many` each row of a
    /// returned queryset, which DRF iterates. Rows of the walked rows' related managers are
    /// followed as the walked rows' (a prefetch on the view's queryset serves them); rows of
    /// a queryset the member builds or narrows are fetched once per object (that query is
    /// kept), and what is read of them is never charged to the view's queryset.
    ///
    /// A nested serializer (`nested`, DRF's `ListSerializer`) iterates a returned queryset
    /// as it is, so its prefetch cache serves it. A related field with `many=True`
    /// (`ManyRelatedField.get_attribute`) calls `.all()` on it: a manager's `.all()` reads
    /// the prefetch cache, a queryset's clones it into a fresh query on every object.
    fn member_rows(
        &self,
        an: &mut Analyzer<'s>,
        v: Value,
        many: bool,
        nested: bool,
        at: Loc,
    ) -> Option<(Value, bool)> {
        let v = match v {
            Value::QuerySet(q) if many && !nested && !q.is_manager && !q.is_list => {
                let mut q2 = q;
                q2.cached = false;
                q2.is_list = false;
                if let Some(rel) = &q2.related {
                    // a prefetched relation re-queried, or one no prefetch can serve
                    if rel.prefetched && q2.bypass.is_none() {
                        q2.bypass = Some((at, "all".into()));
                    }
                    if q2.narrowed.is_none() {
                        q2.narrowed = Some("all".into());
                    }
                }
                Value::QuerySet(q2)
            }
            v => v,
        };
        match &v {
            Value::QuerySet(q) if many && !q.values => {
                let el = an.enter_loop(&v, at);
                let el_root = match &el {
                    Value::Instance(i) => i.row.as_ref().map(|r| r.root_span),
                    _ => None,
                };
                if el_root.is_none() || el_root != *self.root.borrow() {
                    an.exit_loop();
                    return None;
                }
                Some((el, true))
            }
            Value::Instance(_) if !many => Some((v, false)),
            _ => None,
        }
    }

    /// The code of model member `name` (the getter of a property), with whether it is a
    /// `property` (which an instance attribute cannot hide).
    fn member_fn(
        &self,
        model: crate::index::ModelId,
        name: &str,
    ) -> Option<(&'s File, crate::ast::FuncId, bool)> {
        let h = crate::semantic::classes::Hierarchy::new(&self.ix.classes, self.files);
        let mro = h.mro(&self.ix.model(model).qual, &|_| false).classes;
        let (f, fid) = h.lookup_method(&mro, name)?;
        let m = &f.ast;
        let class = m.functions.get(fid as usize)?.class;
        let decorated = |func: &crate::ast::FunctionDef, ends: &[&str]| {
            func.decorators.iter().any(|d| {
                m.dotted(*d).is_some_and(|n| {
                    ends.iter()
                        .any(|e| n == e.trim_start_matches('.') || n.ends_with(e))
                })
            })
        };
        // `@name.setter` redefines the name: the getter is the `@property` of that name
        let mut found = None;
        for (i, func) in m.functions.iter().enumerate() {
            if func.class != class || &*func.name != name {
                continue;
            }
            let property = decorated(func, &[".property", ".setter", ".getter", ".deleter"]);
            let getter = !decorated(func, &[".setter", ".deleter"]);
            if getter {
                found = Some((i as crate::ast::FuncId, property));
                break;
            }
            found = found.or(Some((i as crate::ast::FuncId, property)));
        }
        let (fid, property) = found?;
        Some((f, fid, property))
    }

    /// The names the chain of queryset `q` annotates or aliases.
    fn annotations(&self, q: &Qs) -> Vec<String> {
        // what the chain annotates, also inside helpers it went through
        // (`Voucher.annotate_budget_used(qs)`)
        let mut out: Vec<String> = q.loads.annotated.iter().cloned().collect();
        for loc in q.through.iter().chain(std::iter::once(&q.span)) {
            let Some(f) = self.file(loc.file) else {
                continue;
            };
            let m = &f.ast;
            let Some(e) = m.expr_at(loc.span) else {
                continue;
            };
            if let ExprKind::Call { func, kwargs, .. } = m.kind(e) {
                if matches!(m.kind(*func), ExprKind::Attr { attr, .. } if matches!(&**attr, "annotate" | "alias"))
                {
                    out.extend(
                        kwargs
                            .iter()
                            .filter_map(|k| k.name.as_deref().map(str::to_owned)),
                    );
                }
            }
        }
        out
    }

    /// A model field of `Meta.fields` on `v`, nested `depth` levels as `Meta.depth` does.
    fn model_field(
        &self,
        an: &mut Analyzer<'s>,
        v: &Value,
        name: &str,
        depth: u32,
        at: Loc,
        level: usize,
    ) {
        let Value::Instance(inst) = v else { return };
        match self.ix.member(inst.model, name) {
            // a property or method listed in `fields`: a read-only field reading it
            None if level == 0 => {
                self.member(an, v, name, at);
            }
            // without depth, a `PrimaryKeyRelatedField`: the key column only
            Some(Member::Forward(_)) if depth > 0 => {
                let c = an.lookup(v, name, at);
                self.relations(an, &c, depth - 1, at, level + 1);
            }
            Some(Member::Reverse(r)) if r.kind == ReverseKind::OneToOne => {
                let c = an.lookup(v, name, at);
                if depth > 0 {
                    self.relations(an, &c, depth - 1, at, level + 1);
                }
            }
            Some(Member::Reverse(_) | Member::ManyToMany(_)) => {
                let mgr = an.lookup(v, name, at);
                let el = an.enter_loop(&mgr, at);
                if depth > 0 {
                    self.relations(an, &el, depth - 1, at, level + 1);
                }
                an.exit_loop();
            }
            _ => {}
        }
    }

    /// Every relation field of `v`'s model, as a nested serializer of all its fields does.
    fn relations(&self, an: &mut Analyzer<'s>, v: &Value, depth: u32, at: Loc, level: usize) {
        let Value::Instance(inst) = v else { return };
        if level >= MAX_PATH {
            return;
        }
        let names: Vec<String> = self
            .ix
            .model(inst.model)
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
            self.model_field(an, v, &n, depth, at, level);
        }
    }
}

/// Move the events observed since `start` into the sink, with their origin.
fn flush(an: &mut Analyzer<'_>, start: usize, origin: &Origin, sink: &mut Sink) {
    let events: Vec<_> = an.events.drain(start..).collect();
    sink.out.extend(events.into_iter().map(|event| Observation {
        origin: origin.clone(),
        event,
    }));
}

/// `many=True` among the keyword arguments.
fn many_kwarg(an: &Analyzer<'_>, kwargs: &[Keyword]) -> bool {
    let m = an.module();
    kwargs.iter().any(|k| {
        k.name.as_deref() == Some("many") && matches!(m.kind(k.value), ExprKind::Const(Const::True))
    })
}

impl<'s> CallHooks<'s> for Walker<'s> {
    fn may_handle(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    fn handles(&self, callee: &str) -> bool {
        self.by_qual.contains_key(callee)
    }

    /// `Serializer(rows, many=True)` serializes each row; `Serializer(obj)` one object.
    fn call(
        &self,
        an: &mut Analyzer<'s>,
        callee: &str,
        argv: &[Value],
        kwargs: &[Keyword],
        kwv: &[(Box<str>, Value)],
        at: Loc,
    ) -> Value {
        let Some(&si) = self.by_qual.get(callee) else {
            return Value::Unknown;
        };
        let instance = argv
            .first()
            .or_else(|| kwv.iter().find(|(k, _)| &**k == "instance").map(|(_, v)| v));
        let Some(instance) = instance else {
            return Value::Unknown;
        };
        let Some(s) = self.serializers.get(si) else {
            return Value::Unknown;
        };
        // a plain serializer reads whatever rows it is given
        let fits = |m| s.model.map_or(s.plain, |sm| sm == m);
        // Called from an ordinary function (no serializer is being walked): the rows are
        // handed over here, where a finding points; the field reading them is related.
        let handed_over = self.stack.borrow().is_empty();
        // the walk's observations belong to the field being walked by the caller
        let mut sink = Sink {
            view: None,
            serializer: si,
            out: Vec::new(),
        };
        let before = an.events.len();
        let mut fresh = false;
        match instance {
            Value::QuerySet(q) if many_kwarg(an, kwargs) && !q.values && fits(q.model) => {
                let el = an.enter_loop(instance, at);
                // Inside a walk, rows rooted at a queryset other than the walked rows' (one
                // built in a method field, a narrowed related manager) are a fresh
                // queryset: what its rows read is loaded there, not by the view.
                let el_root = match &el {
                    Value::Instance(i) => i.row.as_ref().map(|r| r.root_span),
                    _ => None,
                };
                fresh = !handed_over && el_root.is_some() && el_root != *self.root.borrow();
                // Rows handed over by a function are the walk's rows from here on.
                let outer = if handed_over {
                    Some(self.root.replace(el_root))
                } else {
                    None
                };
                self.fields(an, si, &el, "", &mut sink, &mut HashSet::default());
                if let Some(outer) = outer {
                    *self.root.borrow_mut() = outer;
                }
                an.exit_loop();
            }
            Value::Instance(i) if fits(i.model) && !many_kwarg(an, kwargs) => {
                self.fields(an, si, instance, "", &mut sink, &mut HashSet::default());
            }
            _ => {}
        }
        if fresh {
            // The query fetching the fresh rows runs once per walked object (kept, for
            // DJP112); the reads of its rows are reported at this call by the analysis of
            // the function building it (DJP101/DJP102 with the load on that queryset), and
            // never charged to the walked rows' queryset, whose model may not even have
            // those relations.
            return Value::Unknown;
        }
        // Fields drained their events into the sink: put them back for the caller's walk.
        an.events.truncate(before);
        if handed_over {
            // Queries of method fields are DJP112's, reported at the method, for every
            // serializer walked by itself (a model serializer, or one built with `many=True`).
            let reported = !s.plain || self.many.contains(&si);
            let shown = format!("{}()", s.name);
            an.events.extend(
                sink.out
                    .into_iter()
                    .filter_map(|o| handed_over_at(o.event, at, &shown, reported)),
            );
        } else {
            an.events.extend(sink.out.into_iter().map(|o| o.event));
        }
        Value::Unknown
    }
}

/// An event of a serializer walked over rows handed to it at `at` in a function: it is
/// located at the call, reading (or querying) where the serializer does. `None` for a query
/// of a method field that DJP112 reports at the method (`reported`), and for rows rooted
/// outside the caller's file.
fn handed_over_at(mut ev: Event, at: Loc, shown: &str, reported: bool) -> Option<Event> {
    // Rows the serializer itself reaches from one object handed to it (`op.print_logs` of
    // `PositionSerializer(op)`): no queryset of the caller's file loads them.
    if let Event::FkAccess { root_span, .. } | Event::RelatedEval { root_span, .. } = &ev {
        if root_span.file != at.file {
            return None;
        }
    }
    match &mut ev {
        Event::RelatedEval {
            narrowed: Some(_), ..
        }
        | Event::QueryInLoop { .. }
        | Event::PrefetchBypass { .. }
            if reported =>
        {
            return None
        }
        Event::FkAccess { span, via, .. } => {
            *via = via.or(Some(*span));
            *span = at;
        }
        Event::RelatedEval {
            span,
            via,
            via_call,
            ..
        } => {
            *via = via.or(Some(*span));
            if via_call.is_none() {
                *via_call = Some(shown.to_owned());
            }
            *span = at;
        }
        Event::QueryInLoop { span, via, .. } => {
            if via.is_none() {
                *via = Some((shown.to_owned(), *span));
            }
            *span = at;
        }
        // kept where it is (no call to point at in a summary of it)
        _ => {}
    }
    Some(ev)
}

/// The attribute the code of a member tests for on `self` first (`if hasattr(self, "x"):`,
/// `if "x" in self.__dict__:`): a value the rows may carry instead of what the code reads.
fn guard_attr(f: &File, fid: crate::ast::FuncId) -> Option<String> {
    let m = &f.ast;
    let func = m.functions.get(fid as usize)?;
    let first = func
        .body
        .iter()
        .find(|st| !matches!(&st.kind, StmtKind::Expr(e) if m.str_value(*e).is_some()))?;
    let StmtKind::If { test, .. } = &first.kind else {
        return None;
    };
    let is_self = |e: ExprId| matches!(m.kind(e), ExprKind::Name(n) if &**n == "self");
    // `if not override and hasattr(self, "x"):` (a flag the serializer leaves off)
    let flag = |e: ExprId| matches!(m.kind(e), ExprKind::Not(v) if matches!(m.kind(*v), ExprKind::Name(_)));
    let test = match m.kind(*test) {
        ExprKind::BoolOp { and: true, values } if values.len() == 2 => {
            match (flag(values[0]), flag(values[1])) {
                (true, false) => &values[1],
                (false, true) => &values[0],
                _ => return None,
            }
        }
        _ => test,
    };
    match m.kind(*test) {
        ExprKind::Call { func, args, .. } => match (m.kind(*func), &args[..]) {
            (ExprKind::Name(n), [o, a]) if &**n == "hasattr" && is_self(*o) => {
                m.str_value(*a).map(str::to_owned)
            }
            _ => None,
        },
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } if ops.len() == 1 && &*ops[0] == "in" => {
            let d = m.dotted(*comparators.first()?)?;
            (d == "self.__dict__").then(|| m.str_value(*left).map(str::to_owned))?
        }
        _ => None,
    }
}
