//! What the consumers of a queryset's rows read of them: per row source (the queryset
//! expression whose rows a loop fetches), the relation paths read on its rows and the paths
//! whose values reached code djperf does not see. A rule compares these with what the
//! queryset loads (DJP106: `select_related`/`prefetch_related` paths nothing reads); any
//! other question about which loaded relations are used can read them too.
//!
//! Reads are recorded by the relation accessors ([`Analyzer::note_path_read`]). Escapes are
//! found the other way round, as a whitelist: every expression whose value is a row, a
//! related manager of a row or a queryset is *held* when evaluated, and the consumers djperf
//! understands *take* it (an attribute read of a field or relation, iteration, a method of
//! the queryset API, a call followed through a function summary, formatting through a known
//! `__str__`, an assignment to a local name, a comparison or truth test). Whatever is still
//! held when the function's walk ends went somewhere else (returned, stored on `self`, put
//! in a list or a template context, handed to an unknown callee, `getattr`...): its rows,
//! or the relation path below them, count as escaped. A function with a nested `def`, a
//! `lambda`, `global`/`nonlocal`, `locals()`/`vars()`/`eval()`/`exec()` lets every row
//! source it touches escape.

use super::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What became of the rows of one queryset expression (a row source) during a walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowsUse {
    /// The queryset expression whose rows these are (a loop's root).
    pub root: Loc,
    /// The rows' model, when known.
    pub model: Option<ModelId>,
    /// The expressions the queryset went through, oldest first ([`Qs::through`]): where its
    /// `select_related`/`prefetch_related` calls are.
    pub through: Vec<Loc>,
    /// Some loop (or framework) fetched and walked the rows.
    pub fetched: bool,
    /// Relation paths read on the rows (`["author"]`, `["tags"]` for the manager read,
    /// `["author", "publisher"]`), loaded or not.
    pub read: BTreeSet<Vec<String>>,
    /// Paths whose value reached code djperf does not see (`[]`: the rows or the queryset
    /// themselves): anything below them may be read.
    pub escaped: BTreeSet<Vec<String>>,
}

impl RowsUse {
    /// How far down `path` the consumers read (0: not at all), and whether they may read it
    /// whole (an escape at or above it).
    pub fn read_depth(&self, path: &[String]) -> (usize, bool) {
        let common = |r: &Vec<String>| r.iter().zip(path).take_while(|(a, b)| a == b).count();
        let mut depth = 0;
        for r in &self.read {
            depth = depth.max(common(r));
        }
        let mut whole = depth == path.len();
        for e in &self.escaped {
            let c = common(e);
            depth = depth.max(c);
            // an escape above the path may read all of it; one below it read it to get there
            if c == e.len() || c == path.len() {
                whole = true;
            }
        }
        (depth, whole)
    }
}

/// Where a held value's rows are: the row source's root, the path below its rows, and the
/// queryset's chain when the value is the queryset itself.
#[derive(Debug, Clone)]
struct Key {
    root: Loc,
    path: Vec<String>,
    through: Option<Arc<[Loc]>>,
    model: Option<ModelId>,
}

/// The analyzer's bookkeeping for [`RowsUse`].
#[derive(Debug, Default)]
pub(super) struct Loaded {
    uses: BTreeMap<Loc, RowsUse>,
    /// Expressions evaluated to rows (or a queryset) that no consumer took yet.
    held: HashMap<Loc, Vec<Key>>,
    /// The row sources the current function touched (for an opaque function).
    touched: Vec<Loc>,
    /// The current function has a nested scope or dynamic name access.
    opaque: bool,
}

impl Loaded {
    fn entry(&mut self, root: Loc) -> &mut RowsUse {
        self.uses.entry(root).or_insert_with(|| RowsUse {
            root,
            ..RowsUse::default()
        })
    }
}

/// Builtins that reach names djperf cannot follow.
const DYNAMIC_SCOPE: &[&str] = &["locals", "vars", "eval", "exec", "globals"];

/// Methods of a model instance Django provides that read no relation of it.
fn harmless_instance_method(name: &str) -> bool {
    (name.starts_with("get_") && name.ends_with("_display"))
        || matches!(name, "serializable_value" | "_get_pk_val")
}

impl<'a> Analyzer<'a> {
    // ------------------------------------------------------------ recording

    /// The keys of a value made of rows, a row's related manager or a queryset.
    fn keys_of(&self, v: &Value, out: &mut Vec<Key>) {
        match v {
            Value::Instance(Inst { row: Some(r), .. }) => out.push(Key {
                root: r.root_span,
                path: r.path.clone(),
                through: None,
                model: Some(r.root_model),
            }),
            Value::QuerySet(q) | Value::InstanceDict(q) => match &q.related {
                Some(rel) if rel.parent.row.is_some() => {
                    let pr = rel.parent.row.as_ref().expect("checked");
                    let mut path = pr.path.clone();
                    path.push(rel.rel.clone());
                    out.push(Key {
                        root: pr.root_span,
                        path,
                        through: None,
                        model: Some(pr.root_model),
                    });
                    // a `Prefetch(..., to_attr=)` list is also known by its attribute
                    for (name, node) in &rel.parent.loads.nodes {
                        if node.to_attr_of.as_deref() == Some(rel.rel.as_str()) {
                            let mut path = pr.path.clone();
                            path.push(name.clone());
                            out.push(Key {
                                root: pr.root_span,
                                path,
                                through: None,
                                model: Some(pr.root_model),
                            });
                        }
                    }
                }
                _ => out.push(Key {
                    root: q.span,
                    path: Vec::new(),
                    through: Some(q.through.clone()),
                    model: Some(q.model),
                }),
            },
            Value::Tuple(vs) | Value::Zip(vs) => vs.iter().for_each(|x| self.keys_of(x, out)),
            _ => {}
        }
    }

    fn escape_key(&mut self, k: Key) {
        let st = &mut self.loaded;
        st.touched.push(k.root);
        let u = st.entry(k.root);
        if let Some(t) = k.through {
            if u.through.is_empty() {
                u.through = t.to_vec();
            }
        }
        u.model = u.model.or(k.model);
        u.escaped.insert(k.path);
    }

    /// `v` reaches code djperf does not see.
    pub(super) fn escape_value(&mut self, v: &Value) {
        let mut keys = Vec::new();
        self.keys_of(v, &mut keys);
        for k in keys {
            self.escape_key(k);
        }
    }

    /// A loop over `it` fetches its rows (call right after pushing the loop frame).
    pub(super) fn note_rows_fetched(&mut self, it: &Value) {
        let Some(id) = self.loops.last().map(|l| l.id) else {
            return;
        };
        let mut roots = Vec::new();
        fetched_roots(it, &self.element(it, id), &mut roots);
        for (root, through, model) in roots {
            self.loaded.touched.push(root);
            let u = self.loaded.entry(root);
            u.fetched = true;
            u.model = Some(model);
            if u.through.is_empty() {
                u.through = through.to_vec();
            }
        }
    }

    /// Relation `attr` read on `row` (loaded or not).
    pub(super) fn note_path_read(&mut self, row: &Row, attr: &str) {
        let mut path = row.path.clone();
        path.push(attr.to_owned());
        self.loaded.touched.push(row.root_span);
        self.loaded.entry(row.root_span).read.insert(path);
    }

    /// Relation `attr` read on `row` where djperf does not know its target: what is read
    /// below it is not followed, so the path counts as escaped.
    pub(super) fn note_path_unfollowed(&mut self, row: &Row, attr: &str) {
        let mut path = row.path.clone();
        path.push(attr.to_owned());
        self.loaded.touched.push(row.root_span);
        self.loaded.entry(row.root_span).escaped.insert(path);
    }

    // ------------------------------------------------------------ held values

    /// The value of `e` is a row, a related manager of one or a queryset: it stays held
    /// until a consumer takes it.
    pub(super) fn hold(&mut self, e: ExprId, v: &Value) {
        let mut keys = Vec::new();
        self.keys_of(v, &mut keys);
        if !keys.is_empty() {
            let at = self.at(e);
            self.loaded.held.insert(at, keys);
        }
    }

    /// A consumer djperf understands used the value of `e`.
    pub(super) fn take(&mut self, e: ExprId) {
        let at = self.at(e);
        self.loaded.held.remove(&at);
    }

    /// `base.attr` read where `base` is the value of `value`: a field, a relation, the key,
    /// a `to_attr` list or a property followed through its summary takes it.
    pub(super) fn take_attr_base(&mut self, value: ExprId, base: &Value, attr: &str) {
        let Value::Instance(inst) = base else { return };
        if inst.row.is_some() && self.known_instance_attr(base, inst, attr) {
            self.take(value);
        }
    }

    /// Whether reading `inst.attr` (`inst` being `v`) is something djperf follows: a field
    /// or relation of the model, its key, a `to_attr` list, or a property with a summary
    /// (followed for a row of a running loop).
    pub(super) fn known_instance_attr(&self, v: &Value, inst: &Inst, attr: &str) -> bool {
        if matches!(attr, "pk" | "id" | "_meta" | "_state")
            || inst
                .loads
                .nodes
                .get(attr)
                .is_some_and(|n| n.to_attr_of.is_some())
            || self.ix.member(inst.model, attr).is_some()
        {
            return true;
        }
        self.per_row_value(v)
            && self.apply_depth < MAX_APPLY_DEPTH
            && self
                .sums
                .model_member(self.ix, inst.model, attr)
                .is_some_and(|f| f.kind == FnKind::Property)
    }

    /// `recv.method(...)` on a row where `recv` (the value `v` of `value`): taken when the
    /// method's summary was followed or Django's method reads no relation.
    pub(super) fn take_method_recv(&mut self, value: ExprId, v: &Value, method: &str) {
        let Value::Instance(inst) = v else { return };
        if inst.row.is_none() {
            return;
        }
        let own = self.sums.model_member(self.ix, inst.model, method);
        let followed = summary::follows(method)
            && self.per_row_value(v)
            && self.apply_depth < MAX_APPLY_DEPTH
            && own.is_some_and(|f| f.kind == FnKind::Method);
        let harmless = harmless_instance_method(method) && own.is_none();
        if followed || harmless {
            self.take(value);
        }
    }

    /// `q.method(...)` where `q` is the value of `value`: the queryset API's chained and
    /// evaluating methods take it (the chained result is held in its turn). Methods whose
    /// rows djperf does not follow (`first()`, `get()`, `in_bulk()`, `values()`, set
    /// operations, unknown custom methods) leave it held.
    pub(super) fn take_qs_recv(&mut self, value: ExprId, q: &Qs, method: &str) {
        if self.qs_method_known(q, method) {
            self.take(value);
        }
    }

    /// Whether djperf follows the rows of `q.method(...)`.
    fn qs_method_known(&self, q: &Qs, method: &str) -> bool {
        let untracked = SINGLE_METHODS.contains(&method)
            || matches!(
                method,
                "in_bulk"
                    | "values"
                    | "values_list"
                    | "union"
                    | "intersection"
                    | "difference"
                    | "raw"
                    | "extra"
            );
        let known = crate::django::QS_METHODS.contains(&method)
            || QUERY_METHODS.contains(&method)
            || method == "iterator"
            || self.ix.method_effect_in(&q.classes, method).is_some();
        known && !untracked
    }

    /// Arguments of a call whose rows a function summary followed: taken (the summary
    /// replays what the callee reads and lets escape).
    pub(super) fn take_followed_args(
        &mut self,
        f: &FnSummary,
        bound: bool,
        args: &[ExprId],
        argv: &[Value],
        kwargs: &[Keyword],
        kwv: &[(Box<str>, Value)],
    ) {
        if self.apply_depth >= MAX_APPLY_DEPTH {
            return;
        }
        for (i, (a, v)) in args.iter().zip(argv).enumerate() {
            if self.per_row_value(v) && f.param_for_pos(i, bound).is_some() {
                self.take(*a);
            }
        }
        for k in kwargs {
            let Some(n) = &k.name else { continue };
            let per_row = kwv
                .iter()
                .find(|(kn, _)| kn == n)
                .is_some_and(|(_, v)| self.per_row_value(v));
            if per_row && f.param_for_kw(n).is_some() {
                self.take(k.value);
            }
        }
    }

    /// `v` (the value of `e`) formatted as text: taken when its `__str__` is followed (or
    /// is Django's, which reads the key only).
    pub(super) fn take_formatted(&mut self, e: ExprId, v: &Value) {
        let Value::Instance(inst) = v else { return };
        if inst.row.is_none() || !self.per_row_value(v) || self.apply_depth >= MAX_APPLY_DEPTH {
            return;
        }
        self.take(e);
    }

    /// [`Self::take_formatted`] for every argument of a call that formats them all.
    pub(super) fn take_formatted_args(
        &mut self,
        args: &[ExprId],
        argv: &[Value],
        kwargs: &[Keyword],
        kwv: &[(Box<str>, Value)],
    ) {
        for (a, v) in args.iter().zip(argv) {
            self.take_formatted(*a, v);
        }
        for (k, (_, v)) in kwargs.iter().filter(|k| k.name.is_some()).zip(kwv) {
            self.take_formatted(k.value, v);
        }
    }

    /// A summary's escapes for parameter `p` bound to `v`: the parameter itself and the
    /// paths below it its callees let escape.
    pub(super) fn replay_escapes(&mut self, f: &FnSummary, p: usize, v: &Value) {
        if f.trees.get(p).is_some_and(|t| t.escapes) {
            self.escape_value(v);
        }
        for path in f.escaped.get(p).into_iter().flatten() {
            let mut keys = Vec::new();
            self.keys_of(v, &mut keys);
            for mut k in keys {
                k.path.extend(path.iter().map(ToString::to_string));
                // below the queryset itself: its rows escape
                if k.through.is_some() {
                    k.path.clear();
                }
                self.escape_key(k);
            }
        }
    }

    /// A summary replays `inst.name()` on row value `v`: a method djperf could not follow
    /// (no summary, not a method) lets the row escape, unless Django's reads no relation.
    pub(super) fn note_member_call(&mut self, v: &Value, inst: &Inst, name: &str, followed: bool) {
        if followed {
            return;
        }
        let harmless = harmless_instance_method(name)
            && self.sums.model_member(self.ix, inst.model, name).is_none();
        if !harmless {
            self.escape_value(v);
        }
    }

    /// A summary replays `q.name()` on `v`: methods whose rows are not followed let them
    /// escape (as [`Self::take_qs_recv`] decides for code).
    pub(super) fn note_qs_member(&mut self, v: &Value, q: &Qs, name: &str) {
        if !self.qs_method_known(q, name) {
            self.escape_value(v);
        }
    }

    /// A lambda, nested function or class, `global`/`nonlocal`, or `locals()`-style call in
    /// the function being walked.
    pub(super) fn note_opaque_scope(&mut self) {
        if self.fn_body.is_some() {
            self.loaded.opaque = true;
        }
    }

    /// `name(...)` is a builtin reaching names dynamically (`locals()`).
    pub(super) fn note_dynamic_call(&mut self, func: ExprId) {
        if let ExprKind::Name(n) = self.m.kind(func) {
            if DYNAMIC_SCOPE.contains(&&**n)
                && !self.env.contains_key(n)
                && !self.file.scope.names.contains_key(&**n)
            {
                self.note_opaque_scope();
            }
        }
    }

    /// Values of names the join of branches forgets (`Unknown` after the join of the
    /// statement at `stmt` while a branch held rows): the interpreter no longer follows
    /// them, so if the function reads the name outside the statement they escape.
    pub(super) fn note_join_losses(&mut self, branches: &[&Env], joined: &Env, stmt: Span) {
        let mut lost: Vec<(Box<str>, Value)> = Vec::new();
        for (k, jv) in joined {
            if !matches!(jv, Value::Unknown) {
                continue;
            }
            for side in branches {
                if let Some(v) = side.get(k) {
                    let mut keys = Vec::new();
                    self.keys_of(v, &mut keys);
                    if !keys.is_empty() {
                        lost.push((k.clone(), v.clone()));
                    }
                }
            }
        }
        if lost.is_empty() {
            return;
        }
        let (m, fspan) = (self.m, self.fn_span);
        for (name, v) in lost {
            let read_outside = self.fn_body.is_none()
                || m.exprs.iter().any(|x| {
                    fspan.start <= x.span.start
                        && x.span.end <= fspan.end
                        && (x.span.end <= stmt.start || x.span.start >= stmt.end)
                        && matches!(&x.kind, ExprKind::Name(n) if *n == name)
                });
            if read_outside {
                self.escape_value(&v);
            }
        }
    }

    /// The end of one function's walk: what is still held escapes; an opaque function lets
    /// every row source it touched escape. The row uses found move into `events`.
    pub(super) fn flush_loaded(&mut self) {
        let held: Vec<Vec<Key>> = {
            let mut v: Vec<(Loc, Vec<Key>)> = self.loaded.held.drain().collect();
            v.sort_by_key(|(l, _)| *l);
            v.into_iter().map(|(_, k)| k).collect()
        };
        for k in held.into_iter().flatten() {
            self.escape_key(k);
        }
        if std::mem::take(&mut self.loaded.opaque) {
            let touched = std::mem::take(&mut self.loaded.touched);
            for root in touched {
                self.loaded.entry(root).escaped.insert(Vec::new());
            }
        }
        self.loaded.touched.clear();
        let uses = std::mem::take(&mut self.loaded.uses);
        self.events.extend(uses.into_values().map(Event::RowsUse));
    }

    /// Take the row uses found so far (a framework's walk over its rows), escaping whatever
    /// is still held.
    pub fn take_rows_uses(&mut self) -> Vec<RowsUse> {
        let start = self.events.len();
        self.flush_loaded();
        let mut out = Vec::new();
        let mut keep = Vec::new();
        for e in self.events.drain(start..) {
            match e {
                Event::RowsUse(u) => out.push(u),
                other => keep.push(other),
            }
        }
        self.events.extend(keep);
        out
    }
}

/// Whether assigning `v` to `t` binds it (or each part of a tuple) to local names, whose
/// reads the interpreter follows.
pub(super) fn binds_names(t: &Target, v: &Value) -> bool {
    match (t, v) {
        (Target::Name(..), _) => true,
        (Target::Tuple(ts), Value::Tuple(vs)) if ts.len() == vs.len() => {
            ts.iter().zip(vs).all(|(t, v)| binds_names(t, v))
        }
        _ => false,
    }
}

/// The row sources whose rows iterating `it` yields as `elem` (rows of a row's related
/// manager belong to that row's source).
fn fetched_roots(it: &Value, elem: &Value, out: &mut Vec<(Loc, Arc<[Loc]>, ModelId)>) {
    match (it, elem) {
        (Value::QuerySet(q), Value::Instance(Inst { row: Some(r), .. })) if r.path.is_empty() => {
            out.push((r.root_span, q.through.clone(), q.model));
        }
        (Value::Zip(ps), Value::Tuple(es)) => {
            for (p, e) in ps.iter().zip(es) {
                fetched_roots(p, e, out);
            }
        }
        _ => {}
    }
}
