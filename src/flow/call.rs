//! Calls: builtins that evaluate querysets, model constructors, `get_object_or_404`, methods
//! of rows, and the function summaries that follow rows into helpers, properties and `__str__`.

use super::*;

impl<'a> Analyzer<'a> {
    pub(super) fn call(
        &mut self,
        e: ExprId,
        func: ExprId,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Value {
        let m = self.m;
        let span = self.at(e);
        self.note_dynamic_call(func);
        if self.probe.is_some() {
            if let ExprKind::Attr { value, attr, .. } = m.kind(func) {
                if &**attr == "update" {
                    if let ExprKind::Name(n) = m.kind(*value) {
                        let mut add = Vec::new();
                        if let Some(a0) = args.first() {
                            add.extend(self.dict_of(*a0).unwrap_or_default());
                        }
                        for k in kwargs {
                            if let Some(kn) = k.name.as_deref() {
                                add.push((kn.to_owned(), self.eval(k.value)));
                            }
                        }
                        if let Some(d) = self.probe.as_mut().and_then(|p| p.dicts.get_mut(n)) {
                            d.extend(add);
                            return Value::Unknown;
                        }
                    }
                }
            }
            self.probe_call(func, args, kwargs, span);
            if let Some(v) = self.probe_paginator(func, args) {
                return v;
            }
        }
        if let Some(h) = self.hooks {
            if let Some(d) = m.dotted(func) {
                let first = d.split('.').next().unwrap_or("");
                let last = d.rsplit('.').next().unwrap_or("");
                if !self.env.contains_key(first) && h.may_handle(last) {
                    let q = self.ix.resolve_alias(&self.ix.qualify_in(self.file, &d));
                    if h.handles(&q) {
                        let (argv, kwv) = self.eval_arg_values(args, kwargs);
                        return h.call(self, &q, &argv, kwargs, &kwv, span);
                    }
                }
            }
        }
        if let ExprKind::Attr { value, attr, .. } = m.kind(func) {
            let recv = self.eval(*value);
            match recv {
                Value::QuerySet(q) => {
                    self.take_qs_recv(*value, &q, attr);
                    return self.qs_call(q, attr, args, kwargs, span);
                }
                Value::Arg(s) => return self.sym_call(&s, attr, args, kwargs, span),
                Value::Lookups(l) if l.seq => {
                    return self.lookups_method(*value, &l, attr, args, kwargs)
                }
                Value::Items(model) => return self.items_method(*value, model, attr, args, kwargs),
                Value::Instance(inst) => {
                    if let Some(manager) = super::returns::manager_kwarg(m, args, kwargs) {
                        let rows = self.named_related_manager(&inst, attr, manager, span);
                        if !matches!(rows, Value::Unknown) {
                            return rows;
                        }
                    }
                    let (argv, kwv) = self.eval_arg_values(args, kwargs);
                    let recv_v = Value::Instance(inst.clone());
                    let mut ret = Value::Unknown;
                    if let Some(f) = self
                        .member_summary(inst.model, attr)
                        .filter(|_| summary::follows(attr))
                    {
                        if f.kind == FnKind::Method {
                            self.apply_fn(f, Some(&recv_v), &argv, &kwv, e);
                            if self.per_row_value(&recv_v) {
                                self.take_followed_args(f, true, args, &argv, kwargs, &kwv);
                            }
                            ret = self.ret_value(f, Some(&recv_v), &argv, &kwv, span);
                        }
                    }
                    self.take_method_recv(*value, &recv_v, attr);
                    if matches!(&**attr, "save" | "delete") {
                        let per_row = inst.row.as_ref().is_some_and(|r| self.per_row(r));
                        let created = inst
                            .created_in_loop
                            .is_some_and(|l| self.loops.iter().any(|f| f.id == l));
                        if per_row || created {
                            if let Some(l) = self.repeating_loop().cloned() {
                                self.events.push(Event::SaveInLoop {
                                    span,
                                    loop_span: l.span,
                                    model: inst.model,
                                    method: attr.to_string(),
                                    created,
                                });
                            }
                        }
                    }
                    return ret;
                }
                Value::InstanceDict(q) => {
                    self.eval_args(args, kwargs);
                    if &**attr == "values" {
                        self.take(*value);
                        let mut q = q.clone();
                        q.cached = true;
                        q.is_list = true;
                        return Value::QuerySet(q);
                    }
                    return Value::Unknown;
                }
                _ => {
                    if let Some(obj) = self.view_object_call(*value, attr, args, kwargs) {
                        return obj;
                    }
                    if &**attr == "get_model" {
                        if let Some(id) = self.get_model_call(args) {
                            return Value::ModelClass(id);
                        }
                    }
                    let (argv, kwv) = self.eval_arg_values(args, kwargs);
                    if &**attr == "join" && matches!(m.kind(*value), ExprKind::Str(_)) {
                        // `", ".join(qs)` iterates its argument
                        self.iterate_arg(args, &argv, 0);
                    } else if let Some(pos) = self.iterating_call(func) {
                        self.iterate_arg(args, &argv, pos);
                    }
                    if &**attr == "format" && matches!(m.kind(*value), ExprKind::Str(_)) {
                        for v in argv.iter().chain(kwv.iter().map(|(_, v)| v)) {
                            self.format_value(v, e);
                        }
                        self.take_formatted_args(args, &argv, kwargs, &kwv);
                    } else if let Some(f) = self.class_member_summary(&recv, attr) {
                        // `Book.with_prices(qs)`: a static or class method of a model
                        self.apply_fn(f, None, &argv, &kwv, e);
                        self.take_followed_args(f, false, args, &argv, kwargs, &kwv);
                        return self.ret_value(f, Some(&recv), &argv, &kwv, span);
                    } else if let Some(f) = self.function_summary(func) {
                        self.apply_fn(f, None, &argv, &kwv, e);
                        self.take_followed_args(f, false, args, &argv, kwargs, &kwv);
                        let recv = f.classmethod.then_some(&recv);
                        return self.ret_value(f, recv, &argv, &kwv, span);
                    } else if let Some(f) = self.self_method_summary(func) {
                        self.apply_fn(f, Some(&Value::Unknown), &argv, &kwv, e);
                        self.take_followed_args(f, true, args, &argv, kwargs, &kwv);
                        if self.self_overridden(func) {
                            // a subclass's override may run: what it returns is not known
                            return Value::Unknown;
                        }
                        if self.reads_probed_view() {
                            if let Some(v) = self.walk_own_member(f, &argv, &kwv) {
                                return v;
                            }
                        }
                        return self.ret_value(f, Some(&Value::Unknown), &argv, &kwv, span);
                    } else if let Some(v) = self.duck_method_ret(attr, &argv, &kwv, span) {
                        return v;
                    }
                    return Value::Unknown;
                }
            }
        }
        let callee = self.eval(func);
        let name = m.dotted(func);
        let (argv, kwv) = self.eval_arg_values(args, kwargs);
        if name.as_deref().is_some_and(|n| {
            matches!(
                self.file.scope.qualify(n).as_str(),
                "django.db.models.prefetch_related_objects"
                    | "django.db.models.query.prefetch_related_objects"
            )
        }) {
            self.prefetch_objects(args, &argv, kwargs);
            return Value::Unknown;
        }
        if let Some(pos) = self.iterating_call(func) {
            self.iterate_arg(args, &argv, pos);
        }
        if let Some(n) = m.dotted(func) {
            let builtin = !self.file.scope.names.contains_key(n.as_str())
                && !self.env.contains_key(n.as_str());
            if builtin && (n == "str" || n == "format") {
                if let (Some(v), Some(a)) = (argv.first(), args.first()) {
                    self.format_value(v, e);
                    self.take_formatted(*a, v);
                }
            } else if builtin && n == "print" {
                for v in &argv {
                    self.format_value(v, e);
                }
                self.take_formatted_args(args, &argv, &[], &[]);
            } else if let Some(f) = self.function_summary(func) {
                self.apply_fn(f, None, &argv, &kwv, e);
                self.take_followed_args(f, false, args, &argv, kwargs, &kwv);
                if !f.classmethod {
                    let v = self.ret_value(f, None, &argv, &kwv, span);
                    if !matches!(v, Value::Unknown) {
                        return v;
                    }
                }
            }
        }
        if name
            .as_deref()
            .is_some_and(|n| n.rsplit('.').next() == Some("get_model"))
        {
            if let Some(id) = self.get_model_call(args) {
                return Value::ModelClass(id);
            }
        }
        if name
            .as_deref()
            .is_some_and(|n| n.rsplit('.').next() == Some("get_user_model"))
        {
            if let Some(user) = self.ix.auth_user {
                return Value::ModelClass(user);
            }
        }
        if let Value::ModelClass(model) = callee {
            let created = self.loops.last().map(|l| l.id);
            return Value::Instance(Inst {
                model,
                loads: LoadSet::default(),
                row: None,
                created_in_loop: created,
                open: false,
                from_caller: false,
                item_of: None,
            });
        }
        let Some(name) = name else {
            return Value::Unknown;
        };
        let short = name.rsplit('.').next().unwrap_or(&name);
        match short {
            b if EVALUATING_BUILTINS.contains(&b) && name == short => {
                if let (Some(Value::Arg(s)), true) =
                    (argv.first(), matches!(b, "list" | "sorted" | "tuple"))
                {
                    return Value::Arg(s.then(value::Step::List));
                }
                if let (Some(Value::QuerySet(q)), Some(a0)) = (argv.first(), args.first()) {
                    self.take(*a0);
                    let q = q.clone();
                    if !q.values {
                        let how = match b {
                            "len" => EvalHow::Count,
                            "bool" => EvalHow::Exists,
                            _ => EvalHow::Builtin(b.to_owned()),
                        };
                        self.note_len_bool(b, *a0, &q, span);
                        self.evaluate_expr(&q, *a0, how);
                        self.mark_cached(*a0);
                        if matches!(b, "list" | "sorted" | "tuple") {
                            let mut l = q.clone();
                            l.cached = true;
                            l.is_list = true;
                            l.bypass = None;
                            return Value::QuerySet(l);
                        }
                    } else {
                        self.evaluate_expr(&q, *a0, EvalHow::Builtin(b.to_owned()));
                    }
                }
                Value::Unknown
            }
            // `itertools.chain(a, b)` of lists of one model's instances: those instances
            "chain"
                if !argv.is_empty()
                    && self.file.scope.qualify(&name) == "itertools.chain"
                    && argv.iter().all(|v| matches!(v, Value::Items(_))) =>
            {
                match &argv[0] {
                    Value::Items(m) if argv.iter().all(|v| v == &Value::Items(*m)) => {
                        Value::Items(*m)
                    }
                    _ => Value::Unknown,
                }
            }
            // Lazy in Python, but their querysets are consumed once whole: evaluated here,
            // and the rows come out of the filled cache when the pairs are iterated.
            "enumerate" | "zip" if name == short && !args.is_empty() => {
                let mut parts = Vec::new();
                if short == "enumerate" {
                    parts.push(Value::Unknown);
                }
                for (i, v) in argv.iter().enumerate() {
                    if short == "enumerate" && i > 0 {
                        break;
                    }
                    parts.push(match v {
                        Value::QuerySet(q) => {
                            if let Some(a) = args.get(i) {
                                self.take(*a);
                            }
                            let mut q = q.clone();
                            let at = args.get(i).map_or(span, |a| self.at(*a));
                            self.evaluate_qs(&q, at, EvalHow::Iterate);
                            // iterating the pairs fills the variable's result cache
                            if let Some(a) = args.get(i) {
                                self.mark_cached(*a);
                            }
                            q.cached = true;
                            Value::QuerySet(q)
                        }
                        _ => Value::Unknown,
                    });
                }
                if parts.iter().any(|p| matches!(p, Value::QuerySet(_))) {
                    Value::Zip(parts)
                } else {
                    Value::Unknown
                }
            }
            "get_object_or_404" => {
                let model = match argv.first() {
                    Some(Value::ModelClass(id)) => Some((*id, LoadSet::default())),
                    Some(Value::QuerySet(q)) => Some((q.model, q.loads.clone())),
                    _ => None,
                };
                match model {
                    Some((model, loads)) => {
                        self.query_in_repeating_loop(span, model, "get_object_or_404".into(), true);
                        Value::Instance(Inst {
                            model,
                            loads,
                            row: None,
                            created_in_loop: None,
                            open: false,
                            from_caller: false,
                            item_of: None,
                        })
                    }
                    None => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    pub(super) fn eval_arg_values(
        &mut self,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> (Vec<Value>, Vec<(Box<str>, Value)>) {
        let argv = args.iter().map(|a| self.eval(*a)).collect();
        let mut kwv = Vec::new();
        for k in kwargs {
            let v = self.eval(k.value);
            if let Some(n) = &k.name {
                kwv.push((n.clone(), v));
            }
        }
        (argv, kwv)
    }

    pub(super) fn eval_args(&mut self, args: &[ExprId], kwargs: &[Keyword]) {
        for a in args {
            self.eval(*a);
        }
        for k in kwargs {
            self.eval(k.value);
        }
    }

    // ------------------------------------------------------------ function summaries

    /// The summary of a called module-level function (`describe`, `utils.describe`).
    pub(super) fn function_summary(&self, func: ExprId) -> Option<&'a FnSummary> {
        if self.sums.is_empty() {
            return None;
        }
        let d = self.m.dotted(func)?;
        let first = d.split('.').next().unwrap_or("");
        if self.env.contains_key(first) {
            return None;
        }
        let q = self.file.scope.qualify(&d);
        let f = self.sums.get(&q)?;
        (f.kind == FnKind::Function || f.kind == FnKind::StaticOrClass).then_some(f)
    }

    /// `self.name(...)` where a project subclass of the walked class defines `name` again.
    fn self_overridden(&self, func: ExprId) -> bool {
        match (self.fn_class.as_deref(), self.m.kind(func)) {
            (Some(cls), ExprKind::Attr { attr, .. }) => self.sums.overridden_below(cls, attr),
            _ => false,
        }
    }

    /// The summary of `self.name(...)` in a method of a class that is not a model (a view's
    /// or a serializer's own helper).
    pub(super) fn self_method_summary(&self, func: ExprId) -> Option<&'a FnSummary> {
        let cls = self.fn_class.as_deref()?;
        let ExprKind::Attr { value, attr, .. } = self.m.kind(func) else {
            return None;
        };
        if !matches!(self.m.kind(*value), ExprKind::Name(n) if &**n == "self")
            || self.env.contains_key("self")
            || !summary::follows(attr)
        {
            return None;
        }
        if let Some(f) = self.sums.get(&format!("{cls}.{attr}")) {
            return (f.kind == FnKind::Method).then_some(f);
        }
        self.own_method(attr)
    }

    /// `form.filter_qs(qs)` on a receiver of unknown type handed a queryset: when project
    /// methods of that name return a queryset of the argument's model (a filter form's or a
    /// helper class's pass-through), and every other one may return a queryset djperf cannot
    /// evaluate from here, the call yields those rows. Which method runs is not known, and
    /// a library's of the same name may load other relations: what the rows load is not
    /// known, so no relation is claimed missing on them (queries and saves per row still are).
    /// While a summary is computed the argument may be a parameter's value: the same holds
    /// of what the methods make of it.
    pub(super) fn duck_method_ret(
        &mut self,
        attr: &str,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        span: Loc,
    ) -> Option<Value> {
        let arg = argv.iter().find(|v| match v {
            Value::QuerySet(q) => !q.values,
            Value::Arg(_) => true,
            _ => false,
        })?;
        if !summary::follows(attr) {
            return None;
        }
        let mut out: Option<Value> = None;
        for f in self.sums.methods_named(attr).collect::<Vec<_>>() {
            let v = self.ret_value(f, Some(&Value::Unknown), argv, kwv, span);
            let same_rows = match (&v, arg) {
                (Value::QuerySet(q), Value::QuerySet(a)) => q.model == a.model && !q.values,
                (Value::Arg(s), Value::Arg(a)) => {
                    s.param == a.param && s.steps.starts_with(&a.steps)
                }
                (Value::Unknown, _) => {
                    if f.ret_candidate {
                        continue;
                    }
                    false
                }
                _ => false,
            };
            if !same_rows {
                return None;
            }
            out.get_or_insert(v);
        }
        let mut eff = crate::index::effects::ChainEffect::default();
        eff.loads.opaque = true;
        match out? {
            Value::QuerySet(mut q) => {
                q.loads.opaque = true;
                Some(Value::QuerySet(q))
            }
            Value::Arg(s) => Some(Value::Arg(s.then(super::value::Step::Chain(Arc::new(
                super::value::ChainStep {
                    method: "select_related".into(),
                    eff,
                    reset: false,
                    kw: Box::from([]),
                    has_args: true,
                },
            ))))),
            _ => None,
        }
    }

    /// The summary of a static or class method called on a model class.
    fn class_member_summary(&self, recv: &Value, attr: &str) -> Option<&'a FnSummary> {
        let Value::ModelClass(m) = recv else {
            return None;
        };
        self.sums
            .model_member(self.ix, *m, attr)
            .filter(|f| f.kind == FnKind::StaticOrClass && summary::follows(attr))
    }

    /// A query `f` runs on every call, when it is called at `span` inside a loop over query
    /// rows or is handed a row (`handed`): one query per row. The receiver, if an instance,
    /// must be a row of the loop. A loop over something else (a few providers, request
    /// parameters) calling a querying helper is not reported.
    /// `truth`: what the call passes to each parameter (see `Analyzer::arg_truth`); a query
    /// under a test of parameters counts only when every test holds for the call.
    pub(super) fn own_query_in_loop(
        &mut self,
        f: &FnSummary,
        recv: Option<&Value>,
        handed: bool,
        span: Loc,
        truth: Option<&[Option<bool>]>,
    ) {
        let Some(q) = &f.query else { return };
        if self.apply_cond {
            return;
        }
        let holds = |(p, want): &(u8, bool)| {
            truth.and_then(|t| t.get(usize::from(*p)).copied().flatten()) == Some(*want)
        };
        if !q.guards.iter().all(holds) {
            return;
        }
        // an instance that is new on every iteration (built in the loop, or one of a list
        // of them): a query its method runs on every call runs once per iteration
        let fresh = recv.is_some_and(|r| self.fresh_per_iteration(r));
        if matches!(recv, Some(Value::Instance(_)))
            && !recv.is_some_and(|r| self.per_row_value(r))
            && !fresh
        {
            return;
        }
        let Some(l) = self.repeating_loop().cloned() else {
            return;
        };
        if !l.rows && !handed && !fresh {
            return;
        }
        if !self.seen_query.insert(span) {
            return;
        }
        let shown = shown_call(f, recv);
        self.events.push(Event::QueryInLoop {
            span,
            loop_span: l.span,
            loop_model: l.row_model,
            model: q.model,
            method: q.method.clone(),
            root: true,
            via: Some((shown, q.at)),
        });
    }

    /// An instance that is a different one on every iteration of a repeating loop running
    /// now, though no row of a queryset: built in the loop's body (`Order(...)`), or one of a
    /// list of such instances the loop iterates ([`Value::Items`]).
    pub(super) fn fresh_per_iteration(&self, v: &Value) -> bool {
        let Value::Instance(i) = v else {
            return false;
        };
        i.created_in_loop
            .into_iter()
            .chain(i.item_of)
            .any(|l| self.iterating(l))
    }

    /// Whether a value is worth following into a callee: a row of a running loop.
    pub(super) fn per_row_value(&self, v: &Value) -> bool {
        match v {
            Value::Instance(i) => i.row.as_ref().is_some_and(|r| self.per_row(r)),
            Value::QuerySet(q) => q
                .related
                .as_ref()
                .and_then(|r| r.parent.row.as_ref())
                .is_some_and(|r| self.per_row(r)),
            _ => false,
        }
    }

    /// `v` is formatted as text at `e`: its model's `__str__` runs.
    pub(super) fn format_value(&mut self, v: &Value, e: ExprId) {
        if let Value::Instance(inst) = v {
            if !self.per_row_value(v) {
                return;
            }
            if let Some(f) = self.member_summary(inst.model, "__str__") {
                self.apply_fn_at(f, Some(v), &[], &[], self.at(e));
            }
        }
    }

    pub(super) fn apply_fn(
        &mut self,
        f: &'a FnSummary,
        recv: Option<&Value>,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        e: ExprId,
    ) {
        let span = self.at(e);
        self.arg_texts = self.arg_texts_of(f, recv.is_some(), e);
        self.arg_truth = Some(self.arg_truth_of(f, recv.is_some(), e));
        self.apply_fn_at(f, recv, argv, kwv, span);
        self.apply_fills(f, recv.is_some(), e);
    }

    /// The callee assigns relations on the items of a list or queryset handed to it (a
    /// helper attaching objects it fetched in one query): from here on those relations are
    /// in the cache of the rows the caller's name holds.
    fn apply_fills(&mut self, f: &FnSummary, bound: bool, e: ExprId) {
        if f.fills.iter().all(Vec::is_empty) {
            return;
        }
        let ExprKind::Call { args, kwargs, .. } = self.m.kind(e) else {
            return;
        };
        let mut handed: Vec<(usize, ExprId)> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if let Some(p) = f.param_for_pos(i, bound) {
                handed.push((p, *a));
            }
        }
        for k in kwargs.iter() {
            if let Some(p) = k.name.as_deref().and_then(|n| f.param_for_kw(n)) {
                handed.push((p, k.value));
            }
        }
        for (p, a) in handed {
            let Some(attrs) = f.fills.get(p).filter(|a| !a.is_empty()) else {
                continue;
            };
            let ExprKind::Name(n) = self.m.kind(a) else {
                continue;
            };
            let Some(Value::QuerySet(q)) = self.env.get(n) else {
                continue;
            };
            let mut q = q.clone();
            let mut changed = false;
            for attr in attrs {
                if matches!(
                    self.ix.member(q.model, attr),
                    Some(crate::index::Member::Forward(_))
                ) {
                    q.loads.add_path(attr, false).opaque = true;
                    changed = true;
                }
            }
            if changed {
                self.env.insert(n.clone(), Value::QuerySet(q));
            }
        }
    }

    /// The truth of what the call `e` passes to each parameter of `f`: a literal argument's,
    /// else the parameter's literal default when the call passes nothing to it; `None` where
    /// unknown (any `*args`/`**kwargs` at the call may pass anything).
    fn arg_truth_of(&self, f: &FnSummary, bound: bool, e: ExprId) -> Vec<Option<bool>> {
        let ExprKind::Call { args, kwargs, .. } = self.m.kind(e) else {
            return vec![None; f.params.len()];
        };
        let starred = kwargs.iter().any(|k| k.name.is_none())
            || args
                .iter()
                .any(|a| matches!(self.m.kind(*a), ExprKind::Starred(_)));
        let mut passed = vec![false; f.params.len()];
        let mut out = vec![None; f.params.len()];
        for (i, a) in args.iter().enumerate() {
            if let Some(p) = f.param_for_pos(i, bound) {
                passed[p] = true;
                out[p] = summary::literal_truth(self.m, *a);
            }
        }
        for k in kwargs.iter() {
            if let Some(p) = k.name.as_deref().and_then(|n| f.param_for_kw(n)) {
                passed[p] = true;
                out[p] = summary::literal_truth(self.m, k.value);
            }
        }
        if !starred {
            for (p, slot) in out.iter_mut().enumerate() {
                if !passed[p] {
                    *slot = f.defaults.get(p).copied().flatten();
                }
            }
        }
        out
    }

    /// The source text of the argument the call `e` passes to each parameter of `f` (where
    /// it passes one): what the callee's tests of its parameters test in the caller.
    fn arg_texts_of(&self, f: &FnSummary, bound: bool, e: ExprId) -> Vec<Option<String>> {
        let ExprKind::Call { args, kwargs, .. } = self.m.kind(e) else {
            return Vec::new();
        };
        let mut out = vec![None; f.params.len()];
        for (i, a) in args.iter().enumerate() {
            if let Some(p) = f.param_for_pos(i, bound) {
                out[p] = Some(self.cond_text(*a));
            }
        }
        for k in kwargs.iter() {
            if let Some(p) = k.name.as_deref().and_then(|n| f.param_for_kw(n)) {
                out[p] = Some(self.cond_text(k.value));
            }
        }
        out
    }

    /// The argument position a known iterating function (`format_html_join`) iterates.
    fn iterating_call(&self, func: ExprId) -> Option<usize> {
        let d = self.m.dotted(func)?;
        let first = d.split('.').next().unwrap_or("");
        if self.env.contains_key(first) {
            return None;
        }
        let q = self.ix.resolve_alias(&self.ix.qualify_in(self.file, &d));
        crate::django::ITERATING_CALLS
            .iter()
            .find(|(n, _)| *n == q)
            .map(|(_, pos)| *pos)
    }

    /// Argument `pos` (of `args`, valued `argv`) is iterated by the call.
    fn iterate_arg(&mut self, args: &[ExprId], argv: &[Value], pos: usize) {
        if let (Some(Value::QuerySet(q)), Some(a)) = (argv.get(pos), args.get(pos)) {
            self.take(*a);
            let q = q.clone();
            self.evaluate_qs(&q, self.at(*a), EvalHow::Iterate);
            self.mark_cached(*a);
        }
    }

    /// Follow the rows handed to `f` (as receiver, positional or keyword arguments) through
    /// its summary; findings are reported at `span`.
    pub(super) fn apply_fn_at(
        &mut self,
        f: &'a FnSummary,
        recv: Option<&Value>,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        span: Loc,
    ) {
        let texts = std::mem::take(&mut self.arg_texts);
        let truth = self.arg_truth.take();
        if self.apply_depth >= MAX_APPLY_DEPTH {
            // not followed: what the callee reads of the rows handed to it is not known
            for v in recv
                .into_iter()
                .chain(argv)
                .chain(kwv.iter().map(|(_, v)| v))
            {
                if self.per_row_value(v) {
                    self.escape_value(v);
                }
            }
            return;
        }
        if guard_skips(f, recv) {
            // the early return reads what the rows hold under that name (a `to_attr` list),
            // in ways the summary does not describe
            if let (Some(Value::Instance(inst)), Some(g)) = (recv, &f.guard) {
                if let Some(row) = &inst.row {
                    let row = row.clone();
                    self.note_path_unfollowed(&row, g);
                }
            }
            return;
        }
        let handed = recv.is_some_and(|r| self.per_row_value(r))
            || argv.iter().any(|v| self.per_row_value(v))
            || kwv.iter().any(|(_, v)| self.per_row_value(v));
        self.own_query_in_loop(f, recv, handed, span, truth.as_deref());
        let mut todo: Vec<(usize, Value)> = Vec::new();
        if let Some(r) = recv {
            if self.per_row_value(r) && !f.params.is_empty() {
                todo.push((0, r.clone()));
            }
        }
        for (i, v) in argv.iter().enumerate() {
            if self.per_row_value(v) {
                if let Some(p) = f.param_for_pos(i, recv.is_some()) {
                    todo.push((p, v.clone()));
                }
            }
        }
        for (k, v) in kwv {
            if self.per_row_value(v) {
                if let Some(p) = f.param_for_kw(k) {
                    todo.push((p, v.clone()));
                }
            }
        }
        // A queryset handed to a parameter the callee evaluates (iterates, counts): the
        // query runs here, once per call.
        let mut evals: Vec<(Qs, Loc, EvalHow)> = Vec::new();
        let mut handed_qs = |p: Option<usize>, v: &Value| {
            if let (Some(p), Value::QuerySet(q)) = (p, v) {
                if let Some(Some((at, how))) = f.trees.get(p).map(|t| t.eval.clone()) {
                    evals.push((q.clone(), at, how));
                }
            }
        };
        for (i, v) in argv.iter().enumerate() {
            handed_qs(f.param_for_pos(i, recv.is_some()), v);
        }
        for (k, v) in kwv {
            handed_qs(f.param_for_kw(k), v);
        }
        for (q, at, how) in evals {
            if !q.values || how == EvalHow::Iterate {
                let saved = (self.via, self.via_call.take());
                self.via = Some(at);
                self.via_call = Some(shown_call(f, recv));
                self.evaluate_qs(&q, span, how);
                (self.via, self.via_call) = saved;
            }
        }
        self.walk_handed_querysets(f, recv, argv, kwv, span);
        if todo.is_empty() {
            return;
        }
        self.apply_depth += 1;
        let recursive = self.applying.iter().any(|g| std::ptr::eq(*g, f));
        self.applying.push(f);
        self.recursion += u32::from(recursive);
        let saved = self.via;
        let outermost = self.via_call.is_none();
        if outermost {
            self.via_call = Some(shown_call(f, recv));
        }
        for (p, v) in todo {
            self.replay_escapes(f, p, &v);
            if let Some(tree) = f.trees.get(p) {
                self.apply_tree(v, tree, span, &texts);
            }
        }
        if outermost {
            self.via_call = None;
        }
        self.via = saved;
        self.recursion -= u32::from(recursive);
        self.applying.pop();
        self.apply_depth -= 1;
    }

    /// Replay the paths a callee reads from `v`, with `v`'s model and loaded set. `texts`:
    /// the caller's argument for each of the callee's parameters, so that a path the callee
    /// reads only under a test of a parameter (`if not readonly:`) is read under the same
    /// test of the argument here (`not readonly`), where a load made under that condition
    /// serves it.
    pub(super) fn apply_tree(
        &mut self,
        v: Value,
        tree: &'a Access,
        span: Loc,
        texts: &[Option<String>],
    ) {
        for (name, node) in &tree.children {
            // Read only where `hasattr()` finds an attribute missing that these rows carry.
            if let (Value::Instance(inst), Some(absent)) = (&v, &node.absent) {
                if absent.iter().any(|a| inst.loads.sets_attr(a)) {
                    continue;
                }
            }
            let outer = self.conds.len();
            for (p, holds) in node.guards.iter().flatten() {
                if let Some(Some(t)) = texts.get(usize::from(*p)) {
                    self.conds.push(if *holds {
                        t.clone()
                    } else {
                        format!("not {t}")
                    });
                }
            }
            self.via = node.at;
            let cond = self.apply_cond;
            self.apply_cond |= !node.always;
            // read only on the callee's error paths: not once per row
            let error_path = !node.normal;
            if error_path {
                self.push_loop(span, LoopKind::Error);
            }
            let nv = match &v {
                Value::Instance(inst) => {
                    if node.called {
                        let mut followed = false;
                        if let Some(f) = self
                            .member_summary(inst.model, name)
                            .filter(|_| summary::follows(name))
                        {
                            if matches!(f.kind, FnKind::Method | FnKind::Property) {
                                // the caller's arguments this call hands on unchanged
                                let mut sub = vec![None; f.params.len()];
                                for (pos, p) in &node.hands {
                                    let j = match pos {
                                        summary::ArgPos::Pos(i) => Some(*i),
                                        summary::ArgPos::Kw(k) => f.param_for_kw(k),
                                    };
                                    if let (Some(j), Some(t)) = (j, texts.get(usize::from(*p))) {
                                        if let Some(slot) = sub.get_mut(j) {
                                            slot.clone_from(t);
                                        }
                                    }
                                }
                                self.arg_texts = sub;
                                self.apply_fn_at(f, Some(&v), &[], &[], span);
                                followed = true;
                            }
                        }
                        self.note_member_call(&v, inst, name, followed);
                        Value::Unknown
                    } else {
                        if !self.known_instance_attr(&v, inst, name) {
                            self.escape_value(&v);
                        }
                        self.instance_attr(inst, name, span)
                    }
                }
                Value::QuerySet(q) if node.called => {
                    self.note_qs_member(&v, q, name);
                    self.qs_call(q.clone(), name, &[], &[], span)
                }
                Value::QuerySet(_) => {
                    self.escape_value(&v);
                    Value::Unknown
                }
                _ => Value::Unknown,
            };
            if node.escapes {
                self.escape_value(&nv);
            }
            if let (Some((at, how)), Value::QuerySet(q)) = (&node.eval, &nv) {
                // rows fetched in the callee: what it reads of them is not followed
                if !matches!(how, EvalHow::Count | EvalHow::Exists) {
                    self.escape_value(&nv);
                }
                self.via = Some(*at);
                self.evaluate_qs(q, span, how.clone());
            }
            if !matches!(nv, Value::Unknown) && !node.children.is_empty() {
                self.apply_tree(nv, node, span, texts);
            }
            if error_path {
                self.loops.pop();
            }
            self.apply_cond = cond;
            self.conds.truncate(outer);
        }
    }
}

/// `f` returns at once on `recv` (`if "x" in self.__dict__: return ...`, a
/// `cached_property`): `x` is prefetched onto the instance, or the instance is one of rows a
/// caller built (a `Prefetch(to_attr="x")` there may fill it).
pub(super) fn guard_skips(f: &FnSummary, recv: Option<&Value>) -> bool {
    match (&f.guard, recv) {
        (Some(g), Some(Value::Instance(i))) => {
            i.loads.nodes.contains_key(&**g) || (i.open && i.row.is_some())
        }
        _ => false,
    }
}

/// A call of `f` as the user wrote it: `price_of()`, `.label()`, `.total`, `str()`.
pub(super) fn shown_call(f: &FnSummary, recv: Option<&Value>) -> String {
    let name = f.qual.rsplit('.').next().unwrap_or(&f.qual);
    match f.kind {
        _ if name == "__str__" => "str()".to_owned(),
        FnKind::Property => format!(".{name}"),
        FnKind::Method if matches!(recv, Some(Value::Instance(_))) => format!(".{name}()"),
        FnKind::Method => format!("self.{name}()"),
        FnKind::Function | FnKind::StaticOrClass => format!("{name}()"),
    }
}

impl Analyzer<'_> {
    /// `prefetch_related_objects(rows, "author", Prefetch(...))` on a list of rows held in a
    /// name: from here on the name's rows load those lookups, as `prefetch_related()` would
    /// have made them (Django fills each row's caches in a few queries).
    fn prefetch_objects(&mut self, args: &[ExprId], argv: &[Value], kwargs: &[Keyword]) {
        let m = self.m;
        let (Some(first), Some(Value::QuerySet(q))) = (args.first(), argv.first()) else {
            return;
        };
        let ExprKind::Name(var) = m.kind(*first) else {
            return;
        };
        let mut eff = ChainEffect {
            loads: q.loads.clone(),
            values: q.values,
            ordering: None,
        };
        let mut q2 = q.clone();
        let var = var.clone();
        let mut args_eval = lookups::FlowArgs {
            an: self,
            args: &args[1..],
            argv: &argv[1..],
        };
        if apply_method(
            m,
            &mut eff,
            "prefetch_related",
            &args[1..],
            kwargs,
            &mut args_eval,
        ) {
            q2.loads = eff.loads;
            self.env.insert(var, Value::QuerySet(q2));
        }
    }
}
