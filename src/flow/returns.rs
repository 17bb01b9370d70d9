//! What a called function returns: the querysets and rows that travel out of helpers,
//! model methods and properties, manager and queryset methods.
//!
//! A function's summary may hold a [`Ret`] (computed once per project, see
//! [`super::summary::returns`]): the querysets its `return` statements yield, either built
//! inside (`Book.objects.filter(...).select_related("author")`, with what they load) or
//! derived from a parameter ([`Sym`]: `qs.annotate(...)`, `self.book_set.all()`). At a call,
//! [`Analyzer::ret_value`] applies the derived forms to the values handed in (the caller's
//! queryset keeps its loads, a row's related manager stays a related manager of that row)
//! and anchors the result at the call: a fix goes where the caller uses the helper
//! (`get_books(author).select_related("publisher")`), never into the helper's file.
//!
//! While a summary's return value is computed the analyzer runs in *summary mode*
//! (`sym`): parameters are bound to [`Value::Arg`] and the operations applied to them are
//! recorded as [`Step`]s instead of being evaluated.

use super::summary::{FnSummary, Ret, RetForm};
use super::value::{ChainStep, Step, Sym};
use super::*;

impl<'a> Analyzer<'a> {
    /// The value a call of `f` returns, given the receiver and arguments handed to it;
    /// `Unknown` when its summary says nothing about its return value. Applying a summary
    /// never records events: what the callee reads is the business of [`Analyzer::apply_fn`].
    pub(super) fn ret_value(
        &mut self,
        f: &'a FnSummary,
        recv: Option<&Value>,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        span: Loc,
    ) -> Value {
        // what the skipped body would return is not what the instance holds
        if super::call::guard_skips(f, recv) {
            return Value::Unknown;
        }
        let Some(ret) = &f.ret else {
            if self.sym && f.ret_candidate {
                self.asked = true;
            }
            return Value::Unknown;
        };
        if self.apply_depth >= MAX_APPLY_DEPTH {
            return Value::Unknown;
        }
        let mut vals = vec![Value::Unknown; f.params.len()];
        if let Some(r) = recv {
            if !vals.is_empty() && f.binds_receiver() {
                vals[0] = r.clone();
            }
        }
        for (i, v) in argv.iter().enumerate() {
            if let Some(p) = f.param_for_pos(i, recv.is_some()) {
                vals[p] = v.clone();
            }
        }
        for (k, v) in kwv {
            if let Some(p) = f.param_for_kw(k) {
                vals[p] = v.clone();
            }
        }
        let quiet = self.quiet_begin();
        self.apply_depth += 1;
        let mut out: Option<Value> = None;
        let mut opaque = false;
        for form in &ret.forms {
            let v = match form {
                RetForm::Built(q) => Value::QuerySet(anchored(q, span)),
                RetForm::Derived(s) => {
                    let base = vals.get(usize::from(s.param)).cloned().unwrap_or_default();
                    self.apply_steps(base, &s.steps, span)
                }
                RetForm::Opaque => match recv {
                    Some(Value::QuerySet(q)) => {
                        let mut q2 = q.clone();
                        q2.step(span);
                        q2.loads.opaque = true;
                        q2.is_manager = false;
                        q2.cached = false;
                        q2.is_list = false;
                        if q2.narrowed.is_none() {
                            q2.narrowed = Some(f.name().into());
                        }
                        Value::QuerySet(q2)
                    }
                    Some(Value::Arg(s)) => Value::Arg(s.then(Step::Call(f.name().into()))),
                    _ => Value::Unknown,
                },
            };
            opaque |= matches!(&v, Value::QuerySet(q) if q.loads.opaque);
            out = Some(match out {
                None => v,
                Some(o) => o.join(&v),
            });
            if matches!(out, Some(Value::Unknown)) {
                break;
            }
        }
        self.apply_depth -= 1;
        self.quiet_end(quiet);
        match out.unwrap_or_default() {
            Value::QuerySet(mut q) => {
                // A helper that loads relations djperf cannot name on some path
                // (`rows.select_related(*fields)` unless they are `values()` rows): what
                // the rows load is not known, none is claimed missing.
                q.loads.opaque |= opaque;
                dedup_through(&mut q, span);
                Value::QuerySet(q)
            }
            v @ (Value::Instance(_) | Value::Arg(_)) => v,
            _ => Value::Unknown,
        }
    }

    /// Apply recorded steps to a value known at the call.
    fn apply_steps(&mut self, mut v: Value, steps: &[Step], span: Loc) -> Value {
        for st in steps {
            v = self.apply_step(v, st, span);
            if matches!(v, Value::Unknown) {
                break;
            }
        }
        v
    }

    fn apply_step(&mut self, v: Value, st: &Step, span: Loc) -> Value {
        match (v, st) {
            (Value::Arg(s), st) => Value::Arg(s.then(st.clone())),
            (Value::Instance(inst), Step::Attr(name)) => self.instance_attr(&inst, name, span),
            (Value::ModelClass(m), Step::Attr(name)) => self.attr(Value::ModelClass(m), name, span),
            (Value::Instance(inst), Step::Call(name)) => {
                match self
                    .sums
                    .model_member(self.ix, inst.model, name)
                    .filter(|f| f.kind == FnKind::Method)
                {
                    Some(f) => self.ret_value(f, Some(&Value::Instance(inst)), &[], &[], span),
                    None => Value::Unknown,
                }
            }
            (Value::ModelClass(m), Step::Call(name)) => {
                match self
                    .sums
                    .model_member(self.ix, m, name)
                    .filter(|f| f.kind == FnKind::StaticOrClass)
                {
                    Some(f) => self.ret_value(f, Some(&Value::ModelClass(m)), &[], &[], span),
                    None => Value::Unknown,
                }
            }
            (Value::QuerySet(q), Step::Chain(c)) => {
                let mut eff = ChainEffect {
                    loads: if c.reset {
                        LoadSet::default()
                    } else {
                        q.loads.clone()
                    },
                    values: q.values,
                    ordering: None,
                };
                eff.loads.merge(&c.eff.loads);
                eff.values |= c.eff.values;
                let kw: Vec<&str> = c.kw.iter().map(|k| &**k).collect();
                Value::QuerySet(self.chained(&q, &c.method, eff, &kw, c.has_args, span))
            }
            (Value::QuerySet(q), Step::Call(name)) => self.qs_call(q, name, &[], &[], span),
            (Value::QuerySet(q), Step::Slice) if !q.values => {
                let mut q2 = q;
                q2.step(span);
                q2.is_manager = false;
                Value::QuerySet(q2)
            }
            (Value::QuerySet(q), Step::One) if !q.values => Value::Instance(Inst {
                model: q.model,
                loads: q.loads.clone(),
                row: None,
                created_in_loop: None,
                open: false,
                from_caller: false,
                item_of: None,
            }),
            (Value::Instance(inst), Step::Manager { rel, manager }) => {
                self.named_related_manager(&inst, rel, manager, span)
            }
            (Value::QuerySet(q), Step::Iterator) => self.qs_call(q, "iterator", &[], &[], span),
            (Value::QuerySet(mut q), Step::Iterated { touched }) => {
                q.cached = true;
                q.bypass = None;
                q.loads.opaque |= *touched;
                Value::QuerySet(q)
            }
            (Value::QuerySet(q), Step::List) if !q.values => {
                let mut l = q;
                l.cached = true;
                l.is_list = true;
                l.bypass = None;
                Value::QuerySet(l)
            }
            _ => Value::Unknown,
        }
    }

    /// Start applying a summary without side effects: what it would record is dropped.
    fn quiet_begin(&mut self) -> Quiet {
        Quiet {
            events: self.events.len(),
            seen_fk: self.seen_fk.clone(),
            seen_rel: self.seen_rel.clone(),
            seen_query: self.seen_query.clone(),
            usage: self.usage.clone(),
        }
    }

    fn quiet_end(&mut self, q: Quiet) {
        self.events.truncate(q.events);
        self.seen_fk = q.seen_fk;
        self.seen_rel = q.seen_rel;
        self.seen_query = q.seen_query;
        self.usage = q.usage;
    }

    // ------------------------------------------------------------ summary mode

    /// `s.method(...)` on a parameter-derived value while a summary is computed.
    pub(super) fn sym_call(
        &mut self,
        s: &Sym,
        method: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
        span: Loc,
    ) -> Value {
        let (argv, kwv) = self.eval_arg_values(args, kwargs);
        // `self.helper(...)` in a method of a plain class: that class's own method.
        if s.param == 0 && s.steps.is_empty() {
            if let Some(f) = self.own_method(method) {
                if self
                    .fn_class
                    .as_deref()
                    .is_some_and(|c| self.sums.overridden_below(c, method))
                {
                    return Value::Unknown;
                }
                return self.ret_value(f, Some(&Value::Arg(s.clone())), &argv, &kwv, span);
            }
        }
        // `self.filter_form.filter_qs(qs)`: a collaborator held by the instance, of a type
        // djperf does not track, handed a queryset
        if s.param == 0
            && !s.steps.is_empty()
            && self.fn_class.is_some()
            && s.steps.iter().all(|st| matches!(st, Step::Attr(_)))
        {
            if let Some(v) = self.duck_method_ret(method, &argv, &kwv, span) {
                return v;
            }
        }
        let m = self.m;
        let mut eff = ChainEffect::default();
        let mut args_eval = super::lookups::FlowArgs {
            an: self,
            args,
            argv: &argv,
        };
        if apply_method(m, &mut eff, method, args, kwargs, &mut args_eval) {
            let reset = method == "select_related"
                && args
                    .iter()
                    .any(|a| matches!(m.kind(*a), ExprKind::Const(crate::ast::Const::None)));
            return Value::Arg(s.then(Step::Chain(Arc::new(ChainStep {
                method: method.into(),
                eff,
                reset,
                kw: kwargs.iter().filter_map(|k| k.name.clone()).collect(),
                has_args: !args.is_empty(),
            }))));
        }
        if SINGLE_METHODS.contains(&method) {
            return Value::Arg(s.then(Step::One));
        }
        if method == "iterator" {
            return Value::Arg(s.then(Step::Iterator));
        }
        if let Some(manager) = manager_kwarg(m, args, kwargs) {
            return Value::Arg(s.then(Step::Manager {
                rel: method.into(),
                manager: manager.into(),
            }));
        }
        if QUERY_METHODS.contains(&method) || !summary::follows(method) {
            return Value::Unknown;
        }
        Value::Arg(s.then(Step::Call(method.into())))
    }

    /// The summary of method `name` of the class being walked (or of a class it inherits
    /// from), when that class is not a model.
    pub(super) fn own_method(&self, name: &str) -> Option<&'a FnSummary> {
        let cls = self.fn_class.as_deref()?;
        if !summary::follows(name) {
            return None;
        }
        let mro = self.ix.classes.mro(cls, &|_| false);
        mro.classes
            .iter()
            .find_map(|c| self.sums.get(&format!("{c}.{name}")))
            .filter(|f| f.kind == FnKind::Method)
    }

    /// The property `name` of the class being walked (or of a class it inherits from), when
    /// that class is not a model and no project subclass defines `name` again.
    pub(super) fn own_property(&self, name: &str) -> Option<&'a FnSummary> {
        let cls = self.fn_class.as_deref()?;
        if self.sums.overridden_below(cls, name) {
            return None;
        }
        let mro = self.ix.classes.mro(cls, &|_| false);
        mro.classes
            .iter()
            .find_map(|c| self.sums.get(&format!("{c}.{name}")))
            .filter(|f| f.kind == FnKind::Property)
    }

    /// A custom method `name` of the manager/queryset classes `classes` (or their mixins).
    pub(super) fn qs_class_method(&self, classes: &[String], name: &str) -> Option<&'a FnSummary> {
        if !summary::follows(name) {
            return None;
        }
        for c in classes {
            let mro = self.ix.classes.mro(c, &|_| false);
            for q in &mro.classes {
                if let Some(f) = self.sums.get(&format!("{q}.{name}")) {
                    return (f.kind == FnKind::Method).then_some(f);
                }
            }
        }
        None
    }
}

/// Whether a loop body assigns an attribute of its loop variable (`child.parent = self`).
pub(super) fn touches_rows(m: &Module, body: &Block, var: &str, depth: u32) -> bool {
    let mut set = Vec::new();
    attrs_set_on(m, body, var, depth, &mut set);
    !set.is_empty()
}

/// Push the attributes `body` assigns on `var` (`var.x = ...`, at any depth) onto `out`.
fn attrs_set_on(m: &Module, body: &Block, var: &str, depth: u32, out: &mut Vec<Box<str>>) {
    if depth > 50 {
        return;
    }
    for st in body {
        if let StmtKind::Assign { targets, .. } = &st.kind {
            for t in targets {
                if let Target::Attr(e) = t {
                    if let ExprKind::Attr { value, attr, .. } = m.kind(*e) {
                        if matches!(m.kind(*value), ExprKind::Name(n) if &**n == var) {
                            out.push(attr.clone());
                        }
                    }
                }
            }
        }
        for b in st.kind.blocks() {
            attrs_set_on(m, b, var, depth + 1, out);
        }
    }
}

/// The attributes `body` assigns on the items of `param` in the loops over it
/// (`for email in emails: email.template = t`), at any depth, in sorted order.
pub(super) fn item_attrs_set(m: &Module, body: &Block, param: &str) -> Vec<Box<str>> {
    fn walk(m: &Module, body: &Block, param: &str, depth: u32, out: &mut Vec<Box<str>>) {
        if depth > 50 {
            return;
        }
        for st in body {
            if let StmtKind::For(f) = &st.kind {
                if let (ExprKind::Name(it), Target::Name(var, _)) = (m.kind(f.iter), &f.target) {
                    if &**it == param {
                        attrs_set_on(m, &f.body, var, depth + 1, out);
                    }
                }
            }
            for b in st.kind.blocks() {
                walk(m, b, param, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(m, body, param, 0, &mut out);
    out.sort();
    out.dedup();
    out
}

/// What [`Analyzer::quiet_begin`] saved.
struct Quiet {
    events: usize,
    seen_fk: HashSet<(u32, Vec<String>)>,
    seen_rel: HashSet<(u32, Vec<String>)>,
    seen_query: HashSet<Loc>,
    usage: usage::UsageState,
}

/// A queryset built inside a callee, as the caller sees it: located at the call.
fn anchored(q: &Qs, span: Loc) -> Qs {
    let mut q = q.clone();
    q.span = span;
    q.through = Arc::from([span]);
    q.fix_at = Arc::from([]);
    if let Some((_, m)) = &q.bypass {
        q.bypass = Some((span, m.clone()));
    }
    q
}

/// The steps applied at one call all share its span: keep it once in `through`.
fn dedup_through(q: &mut Qs, span: Loc) {
    let mut t: Vec<Loc> = Vec::with_capacity(q.through.len());
    for l in q.through.iter() {
        if !(*l == span && t.last() == Some(&span)) {
            t.push(*l);
        }
    }
    if t.len() != q.through.len() {
        q.through = t.into();
    }
    if let Some((b, m)) = &q.bypass {
        if b.file != span.file {
            q.bypass = Some((span, m.clone()));
        }
    }
}

/// Whether a `return` expression may yield a queryset (a summary is worth computing).
pub(crate) fn may_be_queryset(m: &Module, e: ExprId) -> bool {
    match m.kind(e) {
        ExprKind::Call { .. }
        | ExprKind::Attr { .. }
        | ExprKind::Name(_)
        | ExprKind::Subscript { .. }
        | ExprKind::IfExp { .. } => true,
        ExprKind::BinOp { op, .. } => matches!(&**op, "|" | "&"),
        _ => false,
    }
}

impl Ret {
    /// Drop what only made sense inside the callee's walk (its loops).
    pub(super) fn clean(q: &mut Qs) {
        if let Some(rel) = &q.related {
            if rel.parent.row.is_some() {
                let mut r = (**rel).clone();
                r.parent.row = None;
                q.related = Some(Arc::new(r));
            }
        }
    }
}

/// Walk function `func` of `file` (summarised by `f`) in summary mode and say what it
/// returns; the flag is set when it calls a function whose return value is not known yet
/// (worth another walk once it is).
pub(crate) fn summarise_return(
    ix: &Index,
    sums: &Summaries,
    file: &File,
    func: u32,
    f: &FnSummary,
) -> (Option<Ret>, bool) {
    let m = &file.ast;
    let Some(def) = m.functions.get(func as usize) else {
        return (None, false);
    };
    let mut a = Analyzer::new(ix, file, sums);
    a.sym = true;
    if let (Some(c), None) = (def.class, def.parent) {
        let cd = &m.classes[c as usize];
        if cd.outer.is_none() && !a.class_models.contains_key(&c) {
            a.fn_class = Some(format!("{}.{}", file.scope.module, cd.name));
        }
    }
    for (i, p) in f.params.iter().enumerate() {
        let Ok(param) = u8::try_from(i) else { break };
        a.env.insert(
            p.clone(),
            Value::Arg(Sym {
                param,
                steps: Arc::from([]),
            }),
        );
    }
    a.fn_body = Some(&def.body);
    a.fn_span = def.span;
    a.block(&def.body);
    let asked = a.asked;
    let is_qs_method = f.kind == FnKind::Method
        && !crate::django::is_evaluating_method(f.name())
        && a.fn_class.as_deref().is_some_and(|c| ix.is_qs_class(c));
    let mut forms = Vec::new();
    for v in std::mem::take(&mut a.returns) {
        match v {
            Value::QuerySet(mut q) => {
                Ret::clean(&mut q);
                forms.push(RetForm::Built(Box::new(q)));
            }
            Value::Arg(s) => forms.push(RetForm::Derived(s)),
            _ if is_qs_method && returns_self_chains(m, &def.body) => {
                return (
                    Some(Ret {
                        forms: vec![RetForm::Opaque],
                    }),
                    asked,
                );
            }
            _ => return (None, asked),
        }
    }
    if forms.is_empty() {
        return (None, asked);
    }
    (Some(Ret { forms }), asked)
}

/// Every `return` of a manager/queryset method is a method chain on `self` (or
/// `super()`): whatever the methods are, the result is a queryset of the same model.
fn returns_self_chains(m: &Module, body: &Block) -> bool {
    let rets = crate::ast::returned_values(body);
    !rets.is_empty()
        && rets.iter().all(|e| {
            // the outermost call must not be one of Django's non-queryset methods
            if let ExprKind::Call { func, .. } = m.kind(*e) {
                if let ExprKind::Attr { attr, .. } = m.kind(*func) {
                    if crate::django::is_evaluating_method(attr) {
                        return false;
                    }
                }
            }
            let mut cur = *e;
            for _ in 0..64 {
                match m.kind(cur) {
                    ExprKind::Call { func, .. } => match m.kind(*func) {
                        ExprKind::Attr { value, .. } => cur = *value,
                        ExprKind::Name(n) => return &**n == "super",
                        _ => return false,
                    },
                    ExprKind::Name(n) => return &**n == "self" && cur != *e,
                    _ => return false,
                }
            }
            false
        })
}

/// The manager named by the only argument of a call `rel(manager="name")` (a related
/// manager called to use another manager of its model).
pub(super) fn manager_kwarg<'m>(
    m: &'m Module,
    args: &[ExprId],
    kwargs: &[Keyword],
) -> Option<&'m str> {
    match (args, kwargs) {
        ([], [k]) if k.name.as_deref() == Some("manager") => m.str_value(k.value),
        _ => None,
    }
}
