//! Expressions: names, attributes, subscripts, comprehensions, formatting.

use super::*;

impl<'a> Analyzer<'a> {
    // ------------------------------------------------------------ expressions

    pub fn eval(&mut self, e: ExprId) -> Value {
        let v = self.eval_expr(e);
        self.hold(e, &v);
        v
    }

    fn eval_expr(&mut self, e: ExprId) -> Value {
        let m = self.m;
        match m.kind(e) {
            ExprKind::Name(n) => {
                self.note_read(n);
                if let Some(v) = self.env.get(n) {
                    return v.clone();
                }
                self.name_value(n)
            }
            ExprKind::Attr {
                value,
                attr,
                attr_span: _,
            } => {
                if let (Some(q), ExprKind::Name(n)) = (&self.self_qs, m.kind(*value)) {
                    if &**n == "self" && &**attr == "queryset" {
                        return q.clone();
                    }
                }
                if self.sym {
                    // `self._cache` assigned earlier in the function (a memoised value)
                    if let ExprKind::Name(n) = m.kind(*value) {
                        if let Some(v) = self.env.get(format!("{n}.{attr}").as_str()) {
                            return v.clone();
                        }
                    }
                }
                if self.sym {
                    if let Some(row) = self.request_attr(*value, attr) {
                        return row;
                    }
                }
                let base = self.eval(*value);
                if matches!(base, Value::Unknown) {
                    if let (ExprKind::Name(n), false) = (m.kind(*value), self.self_attrs.is_empty())
                    {
                        if &**n == "self" {
                            if let Some((_, v)) = self.self_attrs.iter().find(|(k, _)| k == attr) {
                                return v.clone();
                            }
                        }
                    }
                    // `models.Book` through a module alias (`from . import models`).
                    if let Some(id) = self.module_attr_model(e) {
                        return Value::ModelClass(id);
                    }
                    if &**attr == "user" && self.is_request(*value) {
                        if let Some(user) = self.request_user() {
                            return user;
                        }
                    } else if let Some(row) = self.request_attr(*value, attr) {
                        return row;
                    }
                    // a view's own property read while its context is probed
                    // (`ctx["positions"] = self.positions`): what it returns
                    if self.reads_probed_view()
                        && matches!(m.kind(*value), ExprKind::Name(n) if &**n == "self")
                    {
                        if let Some(f) = self.own_property(attr) {
                            if let Some(v) = self.walk_own_member(f, &[], &[]) {
                                return v;
                            }
                            return self.ret_value(f, Some(&Value::Unknown), &[], &[], self.at(e));
                        }
                    }
                }
                self.note_id_read(*value, attr, self.at(e));
                self.take_attr_base(*value, &base, attr);
                self.attr(base, attr, self.at(e))
            }
            ExprKind::Call { func, .. }
                if self.self_qs.is_some() && is_super_call(m, *func, "get_queryset") =>
            {
                self.self_qs.clone().unwrap_or_default()
            }
            ExprKind::Call { func, args, kwargs } => {
                if let Some(v) = self.prefetch_value(*func, args, kwargs) {
                    return v;
                }
                self.call(e, *func, args, kwargs)
            }
            ExprKind::Str(s) => Self::str_lookup(s),
            ExprKind::Seq {
                kind: SeqKind::List,
                elts,
            } => self.list_lookups(elts),
            ExprKind::BinOp { left, op, right } if matches!(&**op, "|" | "&" | "^") => {
                let a = self.eval(*left);
                let b = self.eval(*right);
                Self::combine_querysets(op, a, b)
            }
            ExprKind::BinOp { left, op, right } if &**op == "+" => {
                let a = self.eval(*left);
                let b = self.eval(*right);
                Self::concat_lookups(&a, &b)
            }
            ExprKind::Subscript { value, index } => {
                let base = self.eval(*value);
                let idx = self.eval(*index);
                let _ = idx;
                match base {
                    Value::Arg(s) => {
                        let step = if matches!(m.kind(*index), ExprKind::Slice(_)) {
                            value::Step::Slice
                        } else {
                            value::Step::One
                        };
                        Value::Arg(s.then(step))
                    }
                    Value::QuerySet(q) if !q.values => {
                        if matches!(m.kind(*index), ExprKind::Slice(_)) {
                            self.take(*value);
                            let mut q2 = q.clone();
                            q2.step(self.at(e));
                            q2.is_manager = false;
                            // `qs[:2]`: a fixed handful of rows, not a per-row cost.
                            q2.single |=
                                self.slice_len(*index).is_some_and(|n| n <= FEW_ROWS as u64);
                            Value::QuerySet(q2)
                        } else {
                            self.evaluate_qs(&q, self.at(e), EvalHow::Method("[index]".into()));
                            Value::Instance(Inst {
                                model: q.model,
                                loads: q.loads.clone(),
                                row: None,
                                created_in_loop: None,
                                open: false,
                                from_caller: false,
                                item_of: None,
                            })
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::Comp {
                kind,
                elt,
                value,
                gens,
            } => {
                let depth = self.loops.len();
                let before = self.env.clone();
                for (i, g) in gens.iter().enumerate() {
                    let it = self.comp_gen(g, self.at(e));
                    if let (0, Value::QuerySet(q)) = (i, &it) {
                        self.note_large_loop(
                            q,
                            g.iter,
                            &g.target,
                            &large::LoopScope::Comp { comp: e },
                        );
                    }
                }
                let item = self.eval(*elt);
                // `[Order(...) for r in data]`: a new instance per iteration
                let items = (*kind == crate::ast::CompKind::List)
                    .then(|| self.new_per_iteration(&item))
                    .flatten();
                if let Some(v) = value {
                    self.eval(*v);
                }
                self.loops.truncate(depth);
                self.env = before;
                // The outermost iterable is evaluated in full: its result cache is filled.
                if let Some(g) = gens.first() {
                    self.mark_cached(g.iter);
                }
                items.map_or(Value::Unknown, Value::Items)
            }
            ExprKind::Not(x) => {
                self.truth(*x);
                self.note_not(*x);
                Value::Unknown
            }
            ExprKind::BoolOp { values, .. } => {
                let tested = self.is_truth_tested(e);
                for v in values.iter() {
                    let val = self.truth(*v);
                    // the expression's value is one of the operands
                    if !tested {
                        self.escape_value(&val);
                    }
                }
                // `qs or default` is worth one of its operands: the rows may be used.
                self.note_operands_used(e, values);
                Value::Unknown
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } => {
                self.eval(*left);
                self.take(*left);
                self.note_compare(e, *left, ops, comparators);
                for (op, c) in ops.iter().zip(comparators.iter()) {
                    let v = self.eval(*c);
                    self.take(*c);
                    if matches!(&**op, "in" | "not in") {
                        if let Value::QuerySet(q) = &v {
                            let q = q.clone();
                            self.evaluate_expr(&q, *c, EvalHow::Method("in".into()));
                            self.mark_cached(*c);
                        }
                    }
                }
                Value::Unknown
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.truth(*test);
                let a = self.eval(*body);
                let b = self.eval(*orelse);
                a.join(&b)
            }
            ExprKind::NamedExpr { target, value } => {
                let v = self.eval(*value);
                self.take(*value);
                self.env.insert(target.clone(), v.clone());
                v
            }
            ExprKind::Lambda { .. } => {
                self.note_opaque_scope();
                Value::Unknown
            }
            ExprKind::FString(xs) => {
                for x in xs.iter() {
                    let v = self.eval(*x);
                    self.take_formatted(*x, &v);
                    self.format_value(&v, *x);
                }
                Value::Unknown
            }
            ExprKind::BinOp { left, op, right }
                if &**op == "%" && matches!(m.kind(*left), ExprKind::Str(_)) =>
            {
                match self.eval(*right) {
                    Value::Tuple(vs) => {
                        for v in &vs {
                            self.format_value(v, *right);
                        }
                    }
                    v => {
                        self.take_formatted(*right, &v);
                        self.format_value(&v, *right);
                    }
                }
                Value::Unknown
            }
            ExprKind::Seq {
                kind: SeqKind::Tuple,
                elts,
            } => {
                let vs = elts.iter().map(|x| self.eval(*x)).collect();
                // the parts live on in the tuple's value, which is held itself
                elts.iter().for_each(|x| self.take(*x));
                Value::Tuple(vs)
            }
            _ => {
                let mut kids = Vec::new();
                m.children(e, &mut kids);
                for k in kids {
                    self.eval(k);
                }
                Value::Unknown
            }
        }
    }

    pub(super) fn comp_gen(&mut self, g: &CompFor, span: Loc) -> Value {
        let it = self.eval(g.iter);
        self.take(g.iter);
        let kind = self.loop_kind(g.iter, &it);
        self.evaluate_iter(&it, g.iter, EvalHow::Iterate);
        let id = self.push_loop(span, kind);
        self.note_loop_rows(&it);
        let elem = self.element(&it, id);
        self.bind(&g.target, elem);
        for c in g.ifs.iter() {
            self.truth(*c);
        }
        it
    }

    /// `apps.get_model("shop", "Book")`, `apps.get_model("shop.Book")`, django-oscar's
    /// `get_model("catalogue", "Product")`: the model with that label.
    pub(super) fn get_model_call(&self, args: &[ExprId]) -> Option<ModelId> {
        let lit = |i: usize| args.get(i).and_then(|a| self.m.str_value(*a));
        let (app, model) = match (args.len(), lit(0), lit(1)) {
            (2, Some(app), Some(model)) => (app, model),
            (1, Some(label), _) => label.split_once('.')?,
            _ => return None,
        };
        self.ix.model_by_app_and_name(app, model)
    }

    /// `mod.Model` (or `pkg.mod.Model`) where `mod` is an imported module, not a local.
    fn module_attr_model(&self, e: ExprId) -> Option<ModelId> {
        let d = self.m.dotted(e)?;
        let first = d.split('.').next()?;
        if self.env.contains_key(first) {
            return None;
        }
        self.ix.model_by_module_attr(self.file, &d)
    }

    /// `request` (a view's or a function's parameter) or `self.request` (a class-based
    /// view's), not rebound to a known value.
    fn is_request(&self, e: ExprId) -> bool {
        match self.m.kind(e) {
            ExprKind::Name(n) => {
                &**n == "request" && self.env.get(n).is_none_or(|v| matches!(v, Value::Unknown))
            }
            ExprKind::Attr { value, attr, .. } => {
                &**attr == "request"
                    && matches!(self.m.kind(*value), ExprKind::Name(s) if &**s == "self")
                    && self
                        .env
                        .get("self")
                        .is_none_or(|v| matches!(v, Value::Unknown))
            }
            _ => false,
        }
    }

    /// `request.user`: the `AUTH_USER_MODEL` row Django's authentication loaded through its
    /// default manager (`_default_manager.get(pk=...)`), nothing else joined or prefetched.
    fn request_user(&self) -> Option<Value> {
        let model = self.ix.auth_user?;
        let loads = self
            .ix
            .manager(model, "_default_manager")
            .map(|(eff, _)| eff.loads)
            .unwrap_or_default();
        Some(Value::Instance(Inst {
            model,
            loads,
            row: None,
            created_in_loop: None,
            open: false,
            from_caller: false,
            item_of: None,
        }))
    }

    /// `request.<attr>` of an attribute the project's code sets on requests to one row of
    /// a model (see [`super::request`]): that row, loading what every assignment loads.
    fn request_attr(&self, value: ExprId, attr: &str) -> Option<Value> {
        let (model, loads) = self.ix.request_attrs.get(attr)?;
        // in a summary, `self` and `request` are parameters: the attribute is the same row
        // whatever the caller hands in
        let param = |n: &str| {
            self.env
                .get(n)
                .is_none_or(|v| matches!(v, Value::Unknown | Value::Arg(_)))
        };
        let on_request = match self.m.kind(value) {
            ExprKind::Name(n) => &**n == "request" && param(n),
            ExprKind::Attr { value: s, attr, .. } => {
                &**attr == "request"
                    && matches!(self.m.kind(*s), ExprKind::Name(n) if &**n == "self")
                    && param("self")
            }
            _ => false,
        };
        if !on_request {
            return None;
        }
        Some(Value::Instance(Inst {
            model: *model,
            loads: loads.clone(),
            row: None,
            created_in_loop: None,
            item_of: None,
            open: false,
            from_caller: false,
        }))
    }

    /// A name not bound locally: a model class imported or defined in the module.
    pub(super) fn name_value(&self, n: &str) -> Value {
        if let Some((ci, _)) = self
            .m
            .classes
            .iter()
            .enumerate()
            .find(|(_, c)| c.outer.is_none() && &*c.name == n)
        {
            if let Some(id) = self.class_models.get(&u32::try_from(ci).unwrap_or(0)) {
                return Value::ModelClass(*id);
            }
        }
        let q = match self.file.scope.names.get(n) {
            Some(q) => q.clone(),
            // a name of a star import
            None if !self.file.scope.stars.is_empty() => self.ix.qualify_in(self.file, n),
            None => return Value::Unknown,
        };
        match self.ix.model_by_qual(&q) {
            Some(id) => Value::ModelClass(id),
            None => Value::Unknown,
        }
    }
}

impl Analyzer<'_> {
    /// How many rows the literal slice `index` (`:2`, `0:2`, `5:7`) takes, when its bounds
    /// are literal non-negative integers and it has no step.
    pub(super) fn slice_len(&self, index: ExprId) -> Option<u64> {
        let text = self.file.text.as_deref()?;
        let src = text.get(self.m.span(index).range())?;
        let parts: Vec<&str> = src.split(':').map(str::trim).collect();
        let [start, stop] = parts[..] else {
            return None;
        };
        let num = |s: &str| s.replace('_', "").parse::<u64>().ok();
        let start = if start.is_empty() { 0 } else { num(start)? };
        num(stop)?.checked_sub(start)
    }
}
