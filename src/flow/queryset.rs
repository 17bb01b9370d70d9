//! Querysets: chained methods, evaluation points (iteration, `len()`, truth tests), the rows
//! a loop yields, and the lookups recorded for the index rules.

use super::*;

impl<'a> Analyzer<'a> {
    /// The names an expression reads as a queryset variable (for marking the cache filled).
    pub(super) fn mark_cached(&mut self, e: ExprId) {
        if let ExprKind::Name(n) = self.m.kind(e) {
            if let Some(Value::QuerySet(q)) = self.env.get_mut(n) {
                q.cached = true;
                q.bypass = None;
            }
        }
    }

    /// The value of one element when iterating `v` inside loop `loop_id`.
    pub(super) fn element(&self, v: &Value, loop_id: u32) -> Value {
        match v {
            Value::QuerySet(q) if !q.values => Value::Instance(self.row_of(q, loop_id)),
            Value::Zip(parts) => {
                Value::Tuple(parts.iter().map(|p| self.element(p, loop_id)).collect())
            }
            Value::InstanceDict(_) => Value::Unknown,
            Value::Items(model) => Value::Instance(Inst {
                model: *model,
                loads: LoadSet::default(),
                row: None,
                created_in_loop: None,
                open: true,
                from_caller: false,
                item_of: Some(loop_id),
            }),
            _ => Value::Unknown,
        }
    }

    pub(super) fn row_of(&self, q: &Qs, loop_id: u32) -> Inst {
        let row = match &q.related {
            Some(rel) => match &rel.parent.row {
                // A narrowed related queryset (`book.tags.filter(...)`, `.iterator()`) is a
                // fresh query per parent row: a prefetch on the parent's queryset cannot
                // serve it, so its own rows are rooted here (where a fix can go).
                Some(prow)
                    if (self.per_row(prow)
                        || (self.rows_through_single
                            && self.loops.iter().any(|l| l.id == prow.loop_id)))
                        && q.narrowed.is_none()
                        && q.bypass.is_none()
                        && !q.iterator =>
                {
                    let mut path = prow.path.clone();
                    path.push(rel.lookup().to_owned());
                    let missing = if rel.prefetched || q.cached {
                        prow.first_missing
                    } else {
                        prow.first_missing.or(Some(path.len() - 1))
                    };
                    Row {
                        loop_id,
                        root_span: prow.root_span,
                        fix_at: prow.fix_at.clone(),
                        locks: prow.locks,
                        root_model: prow.root_model,
                        path,
                        first_missing: missing,
                        many: true,
                    }
                }
                _ => Row {
                    loop_id,
                    root_span: q.span,
                    fix_at: q.fix_at.clone(),
                    locks: q.locks,
                    root_model: q.model,
                    path: Vec::new(),
                    first_missing: None,
                    many: false,
                },
            },
            None => Row {
                loop_id,
                root_span: q.span,
                fix_at: q.fix_at.clone(),
                locks: q.locks,
                root_model: q.model,
                path: Vec::new(),
                first_missing: None,
                many: false,
            },
        };
        let open =
            q.open || (q.related.as_ref().is_some_and(|r| r.parent.open) && q.narrowed.is_none());
        Inst {
            model: q.model,
            loads: q.loads.clone(),
            row: Some(Arc::new(row)),
            created_in_loop: None,
            open,
            from_caller: false,
            item_of: None,
        }
    }

    /// A query at `span` inside the innermost repeating loop running now, if any: one per
    /// iteration (reported once per place).
    pub(super) fn query_in_repeating_loop(
        &mut self,
        span: Loc,
        model: ModelId,
        method: String,
        root: bool,
    ) {
        if let Some(l) = self.repeating_loop().cloned() {
            if self.seen_query.insert(span) {
                self.events.push(Event::QueryInLoop {
                    span,
                    loop_span: l.span,
                    loop_model: l.row_model,
                    model,
                    method,
                    root,
                    via: None,
                });
            }
        }
    }

    // ------------------------------------------------------------ evaluation points

    /// `v` (the value of expression `e`) is evaluated: iterated, counted, listed.
    pub(super) fn evaluate_iter(&mut self, v: &Value, e: ExprId, how: EvalHow) {
        if let Value::QuerySet(q) = v {
            self.evaluate_expr(q, e, how);
        }
    }

    /// Queryset `q`, the value of expression `e`, is evaluated in a way that fills its result
    /// cache (iterated, `in`, `len()`, `bool()`, `list()`...). A variable bound before the
    /// loop that runs this holds the same queryset on every iteration: only the first one
    /// queries (`if tag in featured:` is one query for the whole loop).
    pub(super) fn evaluate_expr(&mut self, q: &Qs, e: ExprId, how: EvalHow) {
        let name = match self.m.kind(e) {
            ExprKind::Name(n) => Some(n.clone()),
            _ => None,
        };
        self.evaluate_qs_named(q, self.at(e), how, name.as_deref());
    }

    pub(super) fn evaluate_qs(&mut self, q: &Qs, span: Loc, how: EvalHow) {
        self.evaluate_qs_named(q, span, how, None);
    }

    /// [`Analyzer::evaluate_qs`] of the value of variable `name` when it is one, whose result
    /// cache then serves the iterations of the loops it was bound before.
    fn evaluate_qs_named(&mut self, q: &Qs, span: Loc, how: EvalHow, name: Option<&str>) {
        if q.empty {
            return;
        }
        if let Some(rel) = &q.related {
            if rel.parent.open && q.narrowed.is_none() && q.bypass.is_none() {
                // The caller may have prefetched it: nothing is known.
                return;
            }
            if let Some(prow) = rel.parent.row.clone() {
                if self.per_row(&prow) {
                    if rel.prefetched {
                        if let Some((bspan, method)) = &q.bypass {
                            let mut path = prow.path.clone();
                            path.push(rel.lookup().to_owned());
                            self.events.push(Event::PrefetchBypass {
                                span: *bspan,
                                root_span: prow.root_span,
                                root_model: prow.root_model,
                                path,
                                model: rel.parent.model,
                                rel: rel.rel.clone(),
                                method: method.to_string(),
                            });
                        }
                        return;
                    }
                    if q.cached {
                        return;
                    }
                    let mut path = prow.path.clone();
                    path.push(rel.lookup().to_owned());
                    let key = (prow.loop_id, path.clone());
                    if self.seen_rel.insert(key) {
                        self.events.push(Event::RelatedEval {
                            span,
                            root_span: prow.root_span,
                            fix_at: prow.fix_at.to_vec(),
                            root_model: prow.root_model,
                            path,
                            model: rel.parent.model,
                            rel: rel.rel.clone(),
                            how,
                            narrowed: q.narrowed.as_ref().map(ToString::to_string),
                            many: prow.many,
                            via: self.via,
                            via_call: self.via.and(self.via_call.clone()),
                        });
                    }
                    return;
                }
            }
        }
        if q.cached {
            return;
        }
        // A queryset built before a loop and iterated whole in it (`for b in books`,
        // `list(books)`) fills its result cache the first time: later iterations reuse it,
        // so it repeats only with a loop around the place it is built. `.iterator()` does not
        // cache; `.count()`, `.first()`... query every time.
        let fills_cache = matches!(how, EvalHow::Iterate | EvalHow::Builtin(_)) && !q.iterator;
        let file = self.file.id;
        let built_before = |l: &LoopFrame| {
            fills_cache
                && q.span.file == file
                && q.span.file == l.span.file
                && q.span.span.end <= l.span.span.start
        };
        let Some(l) = self.evaluating_loop(name, &built_before).cloned() else {
            return;
        };
        if self.seen_query.insert(span) {
            let method = match how {
                EvalHow::Iterate => "iterate".to_owned(),
                EvalHow::Count => "count".to_owned(),
                EvalHow::Exists => "exists".to_owned(),
                EvalHow::Method(m) => m,
                EvalHow::Builtin(b) => format!("{b}()"),
            };
            self.events.push(Event::QueryInLoop {
                span,
                loop_span: l.span,
                loop_model: l.row_model,
                model: q.model,
                method,
                root: q.related.is_none(),
                // evaluated inside a function handed the queryset: that call, and where
                via: self.via_call.clone().zip(self.via),
            });
        }
    }

    /// An expression used for its truth value (`if qs:`, `not qs`).
    pub(super) fn truth(&mut self, e: ExprId) -> Value {
        let outer = self.enter_truth(e);
        let v = self.eval(e);
        self.leave_truth(outer);
        // a truth test reads no relation of a row, and evaluates a queryset
        if matches!(v, Value::QuerySet(_) | Value::Instance(_)) {
            self.take(e);
        }
        if let Value::QuerySet(q) = &v {
            if !q.is_list {
                let q = q.clone();
                self.note_truth(e, &q);
                self.evaluate_expr(&q, e, EvalHow::Exists);
                self.mark_cached(e);
            }
        } else {
            self.note_truth_of_call(e);
        }
        v
    }

    /// A method called on a manager or queryset.
    pub(super) fn qs_call(
        &mut self,
        q: Qs,
        method: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
        span: Loc,
    ) -> Value {
        let (argv, kwv) = self.eval_arg_values(args, kwargs);
        let m = self.m;
        if q.related.is_none() {
            self.note_lookups(&q, method, args, kwargs);
        }
        // A chained method returning a queryset.
        let mut eff = ChainEffect {
            loads: q.loads.clone(),
            values: q.values,
            ordering: None,
        };
        let ix = self.ix;
        let mut args_eval = lookups::FlowArgs {
            an: self,
            args,
            argv: &argv,
        };
        let is_chain = apply_method(m, &mut eff, method, args, kwargs, &mut args_eval);
        if is_chain {
            let kw: Vec<&str> = kwargs.iter().filter_map(|k| k.name.as_deref()).collect();
            let mut q2 = self.chained(&q, method, eff, &kw, !args.is_empty(), span);
            if method == "filter" || method == "get" {
                // a literal handful of keys (`pk__in=[a, b]`) is a fixed, tiny number of rows
                q2.single |= self.filters_unique(q.model, kwargs);
                // `filter(voucher_set__isnull=True)`: the key is null on every row, reading
                // the relation returns `None` without a query
                for k in kwargs {
                    let Some(fk) = k.name.as_deref().and_then(|n| n.strip_suffix("__isnull"))
                    else {
                        continue;
                    };
                    if !fk.contains("__")
                        && matches!(m.kind(k.value), ExprKind::Const(crate::ast::Const::True))
                        && matches!(
                            ix.member(q.model, fk),
                            Some(crate::index::Member::Forward(_))
                        )
                    {
                        q2.loads.add_path(fk, false);
                    }
                }
            }
            // `Model.objects.none()` (a base view's placeholder): no rows at all.
            if method == "none" {
                q2.single = true;
            }
            return Value::QuerySet(q2);
        }
        // `row.tags.add(tag)`: a related manager's own writes, each its own queries (a
        // prefetch serves none of them)
        if let (Some(rel), true) = (
            &q.related,
            matches!(method, "add" | "remove" | "set" | "clear"),
        ) {
            // the same manager on every iteration (`mail.files.add(f)` for each file): one
            // call after the loop with every object does it
            let parent = Value::Instance(rel.parent.clone());
            let same = !self.per_row_value(&parent) && !self.fresh_per_iteration(&parent);
            let shown = if same {
                format!("{method}:same")
            } else {
                method.to_owned()
            };
            self.query_in_repeating_loop(span, q.model, shown, false);
            return Value::Unknown;
        }
        // A custom manager/queryset method with a known effect.
        if let Some(ce) = ix.method_effect_in(&q.classes, method) {
            let mut q2 = q.clone();
            q2.loads.merge(&ce.loads);
            q2.values |= ce.values;
            if let Some(o) = ce.ordering {
                q2.ordered = o;
            }
            q2.step(span);
            q2.is_manager = false;
            q2.cached = false;
            q2.is_list = false;
            if let Some(rel) = &q.related {
                // a chain on the related manager: no prefetch of the relation serves it
                if rel.prefetched && q2.bypass.is_none() {
                    q2.bypass = Some((span, method.into()));
                }
                if q2.narrowed.is_none() {
                    q2.narrowed = Some(method.into());
                }
            }
            return Value::QuerySet(q2);
        }
        // A custom manager/queryset method: what its summary says it returns (an override
        // of Django's `get()`, `create()`... still returns what Django's does).
        if !QS_METHODS.contains(&method) {
            if let Some(f) = self.qs_class_method(&q.classes, method) {
                let recv = Value::QuerySet(q.clone());
                self.apply_fn_at(f, Some(&recv), &argv, &kwv, span);
                if !crate::django::is_evaluating_method(method) {
                    let v = self.ret_value(f, Some(&recv), &argv, &kwv, span);
                    if !matches!(v, Value::Unknown) {
                        return v;
                    }
                }
            }
        }
        if method == "iterator" {
            let mut q2 = q.clone();
            q2.step(span);
            q2.iterator = true;
            q2.cached = false;
            if let Some(rel) = &q.related {
                // iterator() never reads the result cache.
                if rel.prefetched && q2.bypass.is_none() {
                    q2.bypass = Some((span, method.into()));
                }
                if q2.narrowed.is_none() {
                    q2.narrowed = Some(method.into());
                }
            }
            return Value::QuerySet(q2);
        }
        if SINGLE_METHODS.contains(&method) {
            // Served by a prefetch cache only for `first()` on an ordered model.
            let mut q_eval = q.clone();
            if let Some(rel) = &q.related {
                let cached_ok = method == "first" && q.ordered;
                if rel.prefetched && q.bypass.is_none() && !cached_ok {
                    q_eval.bypass = Some((span, method.into()));
                }
                if !cached_ok && q_eval.narrowed.is_none() {
                    // A prefetch would not serve it either.
                    q_eval.narrowed = Some(method.into());
                }
            }
            if !(q.cached && q.related.is_none() && matches!(method, "first" | "last")) {
                self.evaluate_qs(&q_eval, span, EvalHow::Method(method.to_owned()));
            }
            if q.values {
                return Value::Unknown;
            }
            return Value::Instance(Inst {
                model: q.model,
                loads: q.loads.clone(),
                row: None,
                created_in_loop: None,
                open: false,
                from_caller: false,
                item_of: None,
            });
        }
        if QUERY_METHODS.contains(&method) {
            let how = match method {
                "count" => EvalHow::Count,
                "exists" => EvalHow::Exists,
                _ => EvalHow::Method(method.to_owned()),
            };
            let cache_serves = matches!(method, "count" | "exists" | "contains");
            if method == "count" {
                self.note_count(&q, span);
            }
            let mut q_eval = q.clone();
            if !cache_serves {
                if let Some(rel) = &q.related {
                    if rel.prefetched && q.bypass.is_none() {
                        q_eval.bypass = Some((span, method.into()));
                    }
                    if q_eval.narrowed.is_none() {
                        q_eval.narrowed = Some(method.into());
                    }
                }
                q_eval.cached = false;
            }
            if matches!(
                method,
                "create" | "get_or_create" | "update_or_create" | "update" | "delete"
            ) && q.related.is_some()
            {
                // Writes through a related manager: not something a prefetch serves.
                self.query_in_repeating_loop(span, q.model, method.to_owned(), false);
            } else {
                self.evaluate_qs(&q_eval, span, how);
            }
            return match method {
                "in_bulk" => Value::InstanceDict(q),
                "get_or_create" | "update_or_create" => Value::Tuple(vec![
                    Value::Instance(Inst {
                        model: q.model,
                        loads: LoadSet::default(),
                        row: None,
                        created_in_loop: None,
                        open: false,
                        from_caller: false,
                        item_of: None,
                    }),
                    Value::Unknown,
                ]),
                "create" => Value::Instance(Inst {
                    model: q.model,
                    loads: LoadSet::default(),
                    row: None,
                    created_in_loop: None,
                    open: false,
                    from_caller: false,
                    item_of: None,
                }),
                _ => Value::Unknown,
            };
        }
        // `Model.objects.bulk_create(objs)` returns the objects it was handed, now saved:
        // instances of the model (Django refuses others), as many as the data made, unless
        // they are written out (`[a, b]`)
        if method == "bulk_create" && q.related.is_none() && !q.values {
            if let Some(a0) = args.first() {
                if !matches!(m.kind(*a0), ExprKind::Seq { .. }) {
                    return Value::Items(q.model);
                }
            }
        }
        Value::Unknown
    }

    /// The queryset `q.method(...)` returns when `method` chains: `eff` is what the chain
    /// loads after the call, `kw` the call's keyword names, `has_args` whether it has
    /// positional arguments.
    pub(super) fn chained(
        &self,
        q: &Qs,
        method: &str,
        eff: ChainEffect,
        kw: &[&str],
        has_args: bool,
        span: Loc,
    ) -> Qs {
        let mut q2 = q.clone();
        q2.loads = eff.loads;
        q2.values = eff.values;
        q2.step(span);
        q2.is_manager = false;
        if method == "order_by" {
            q2.ordered = has_args;
        }
        q2.locks |= method == "select_for_update";
        q2.empty |= method == "none";
        let clones = !(method == "all" && q.is_manager);
        if clones {
            q2.cached = false;
            q2.is_list = false;
            if let Some(rel) = &q.related {
                if rel.prefetched && q2.bypass.is_none() {
                    q2.bypass = Some((span, method.into()));
                }
            }
            // On a related manager every clone but `all()` is a new query that no prefetch
            // of the relation serves (`author.book_set.select_related(...)` too).
            let shapes_only = matches!(
                method,
                "select_related" | "prefetch_related" | "only" | "defer" | "using"
            );
            if ((NARROWING.contains(&method) && !shapes_only)
                || (q.related.is_some() && method != "all"))
                && q2.narrowed.is_none()
            {
                q2.narrowed = Some(method.into());
            }
        }
        if method == "filter" || method == "get" {
            q2.single |= self.names_unique(q.model, kw) || self.pins_unique_set(q, kw);
        }
        if method == "filter" {
            let mut f: Vec<Box<str>> = q.filters.to_vec();
            f.extend(kw.iter().map(|k| Box::from(*k)));
            q2.filters = f.into();
        }
        q2
    }

    /// `filter(...)`/`exclude(...)`/`get(...)`/`order_by(...)` on the rows of a table.
    pub(super) fn note_lookups(
        &mut self,
        q: &Qs,
        method: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) {
        let m = self.m;
        let filters = || q.filters.iter().map(|f| f.to_string()).collect::<Vec<_>>();
        match method {
            "filter" | "exclude" | "get" => {
                // The other lookups of the same call pin columns too.
                let mut with_siblings = filters();
                with_siblings.extend(
                    kwargs
                        .iter()
                        .filter_map(|k| k.name.as_deref().map(str::to_owned)),
                );
                for k in kwargs {
                    let Some(name) = k.name.as_deref() else {
                        continue;
                    };
                    self.events.push(Event::Lookup {
                        span: self.loc(k.span),
                        model: q.model,
                        method: method.to_owned(),
                        path: name.to_owned(),
                        is_none: matches!(
                            m.kind(k.value),
                            ExprKind::Const(crate::ast::Const::None)
                        ),
                        filters: with_siblings.clone(),
                    });
                }
            }
            "order_by" => {
                // The first column decides whether an index can serve the sort.
                if let Some(a) = args.first() {
                    let Some(s) = m.str_value(*a) else { return };
                    self.events.push(Event::Lookup {
                        span: self.at(*a),
                        model: q.model,
                        method: method.to_owned(),
                        path: s.to_owned(),
                        is_none: false,
                        filters: filters(),
                    });
                }
            }
            _ => {}
        }
    }

    /// The load set of a `Prefetch(queryset=...)` argument.
    pub(super) fn inner_loads(&mut self, qe: ExprId) -> Option<(LoadSet, bool)> {
        // Evaluate outside any loop bookkeeping: the expression is built once.
        let saved = std::mem::take(&mut self.loops);
        let v = self.eval(qe);
        self.loops = saved;
        match v {
            Value::QuerySet(q) => Some((q.loads, q.ordered)),
            _ => None,
        }
    }

    /// Whether a filter on these keyword names pins one row (pk, id or a unique/one-to-one
    /// field).
    pub(super) fn names_unique(&self, model: ModelId, kw: &[&str]) -> bool {
        kw.iter()
            .any(|name| self.unique_field(model, name.strip_suffix("__exact").unwrap_or(name)))
    }

    /// Whether the equality filters chained so far (with `kw`, the keywords of this call, and
    /// the parent's key on a reverse FK manager) cover every column of a unique index without
    /// a condition (`Meta.unique_together`, `UniqueConstraint(fields=...)`): one row at most.
    fn pins_unique_set(&self, q: &Qs, kw: &[&str]) -> bool {
        let model = self.ix.model(q.model);
        // the column a keyword compares for equality (`event`, `event_id`, `slug__exact`)
        let column = |name: &str| -> Option<String> {
            let name = name.strip_suffix("__exact").unwrap_or(name);
            if name.contains("__") {
                return None;
            }
            let is_fk = |n: &str| {
                model.fields.iter().any(|f| {
                    f.name == n && matches!(f.kind, FieldKind::ForeignKey | FieldKind::OneToOne)
                })
            };
            match name.strip_suffix("_id") {
                Some(fk) if is_fk(fk) => Some(fk.to_owned()),
                _ => Some(name.to_owned()),
            }
        };
        let mut pinned: Vec<String> = q
            .filters
            .iter()
            .map(|f| &**f)
            .chain(kw.iter().copied())
            .filter_map(column)
            .collect();
        if let Some(fk) = q.related.as_ref().and_then(|r| r.parent_fk.as_deref()) {
            pinned.push(fk.to_owned());
        }
        if pinned.is_empty() {
            return false;
        }
        self.ix.indexes_of(q.model).defs.iter().any(|d| {
            d.unique
                && d.plain
                && !d.columns.is_empty()
                && d.columns.iter().all(|c| {
                    let c = match c.strip_suffix("_id") {
                        Some(fk) if column(c).as_deref() == Some(fk) => fk,
                        _ => c.as_str(),
                    };
                    pinned.iter().any(|p| p == c)
                })
        })
    }

    /// Whether `filter(**kwargs)` pins one row (pk, id or a unique/one-to-one field), or a
    /// fixed handful of them (`pk__in=[a, b]`, a literal list of at most [`FEW_ROWS`]).
    pub(super) fn filters_unique(&self, model: ModelId, kwargs: &[Keyword]) -> bool {
        let m = self.m;
        kwargs.iter().any(|k| {
            let Some(name) = k.name.as_deref() else {
                return false;
            };
            let name = match name.strip_suffix("__in") {
                Some(field) => match m.kind(k.value) {
                    ExprKind::Seq { elts, .. }
                        if elts.len() <= FEW_ROWS
                            && !elts
                                .iter()
                                .any(|e| matches!(m.kind(*e), ExprKind::Starred(_))) =>
                    {
                        field
                    }
                    _ => return false,
                },
                None => name.strip_suffix("__exact").unwrap_or(name),
            };
            self.unique_field(model, name)
        })
    }

    /// Whether `name` is the key or a unique/one-to-one field of `model`.
    fn unique_field(&self, model: ModelId, name: &str) -> bool {
        if name == "pk" || name == "id" {
            return true;
        }
        self.ix
            .model(model)
            .fields
            .iter()
            .any(|f| f.name == name && (f.unique || f.primary_key || f.kind == FieldKind::OneToOne))
    }
}
