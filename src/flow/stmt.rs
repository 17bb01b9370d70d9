//! Statements: assignments, loops, branches (a relation counts as loaded only if loaded on
//! every path), `with`/`try`/`match`, and the always-run walk used for helpers' own queries.

use super::*;

/// A branch of an `if`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Branch {
    Body,
    Orelse,
}

impl<'a> Analyzer<'a> {
    // ------------------------------------------------------------ loops

    /// Whether a row's loop is running now (and yields many rows).
    pub(super) fn per_row(&self, row: &Row) -> bool {
        let Some(pos) = self.loops.iter().position(|l| l.id == row.loop_id) else {
            return false;
        };
        self.loops[pos].kind != LoopKind::Single
            && !self.loops[pos..]
                .iter()
                .any(|l| matches!(l.kind, LoopKind::Once | LoopKind::Error))
    }

    /// The loop `id` runs now and repeats (once per row or item), with no run-once guard or
    /// error path between it and the current point: what changes with each of its iterations
    /// is new on every one.
    pub(super) fn iterating(&self, id: u32) -> bool {
        let Some(pos) = self.loops.iter().position(|l| l.id == id) else {
            return false;
        };
        self.loops[pos].kind == LoopKind::Repeat
            && !self.loops[pos..]
                .iter()
                .any(|l| matches!(l.kind, LoopKind::Once | LoopKind::Error))
    }

    /// The innermost loop that repeats work per row or item (for queries in loops), unless a
    /// run-once guard sits between it and the current point.
    pub(super) fn repeating_loop(&self) -> Option<&LoopFrame> {
        for l in self.loops.iter().rev() {
            match l.kind {
                LoopKind::Once => return None,
                LoopKind::Repeat => return Some(l),
                _ => {}
            }
        }
        None
    }

    /// The loop that repeats the evaluation of a queryset held by variable `name` (when it
    /// is one): the innermost repeating loop whose body binds it. A loop entered after the
    /// binding sees the same queryset on every iteration, whose result cache the first
    /// evaluation fills; so does a loop `cached_before` says was entered after the queryset
    /// was built.
    pub(super) fn evaluating_loop(
        &self,
        name: Option<&str>,
        cached_before: &dyn Fn(&LoopFrame) -> bool,
    ) -> Option<&LoopFrame> {
        let current = name.and_then(|n| self.env.get(n).map(|v| (n, v)));
        for l in self.loops.iter().rev() {
            match l.kind {
                LoopKind::Once => return None,
                LoopKind::Repeat => {
                    let bound_before = current.is_some_and(|(n, v)| {
                        matches!(v, Value::QuerySet(_))
                            && l.entry.as_ref().and_then(|env| env.get(n)) == Some(v)
                    });
                    if !bound_before && !cached_before(l) {
                        return Some(l);
                    }
                }
                _ => {}
            }
        }
        None
    }

    pub(super) fn push_loop(&mut self, span: Loc, kind: LoopKind) -> u32 {
        let id = self.next_loop;
        self.next_loop += 1;
        let entry = (kind == LoopKind::Repeat).then(|| Arc::new(self.env.clone()));
        self.loops.push(LoopFrame {
            id,
            span,
            kind,
            rows: false,
            row_model: None,
            entry,
        });
        id
    }

    /// The loop just pushed iterates `it`: note whether those are query rows.
    pub(super) fn note_loop_rows(&mut self, it: &Value) {
        if let Some(l) = self.loops.last_mut() {
            l.rows = matches!(it, Value::QuerySet(_));
            l.row_model = match it {
                Value::QuerySet(q) if !q.values => Some(q.model),
                _ => None,
            };
        }
        self.note_rows_fetched(it);
    }

    /// The kind of loop iterating expression `iter` whose value is `it`.
    pub(super) fn loop_kind(&self, iter: ExprId, it: &Value) -> LoopKind {
        if matches!(it, Value::QuerySet(q) if q.single) {
            LoopKind::Single
        } else if self.is_literal_iter(iter) || self.is_model_registry_iter(iter, 0) {
            LoopKind::Literal
        } else if self.is_batching_iter(iter) {
            LoopKind::Batch
        } else {
            LoopKind::Repeat
        }
    }

    /// A collection of model classes or of their fields, which the schema fixes and no row
    /// count changes: `apps.get_models()`, `app_config.get_models()`, a method named
    /// `get_models`/`get_registered_models`, `apps.get_app_configs()`, `admin.site._registry`,
    /// `Model._meta.parents`,
    /// `_meta.get_fields()`, `_meta.fields`, `_meta.related_objects`, `_meta.get_parent_list()`
    /// (also through `.items()`/`.keys()`/`.values()`, `enumerate`, `sorted`, `list`...). A
    /// query per model class or per field runs a fixed number of times, not once per row.
    pub(super) fn is_model_registry_iter(&self, e: ExprId, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let on_meta = |v: ExprId| match self.m.kind(v) {
            ExprKind::Attr { attr, .. } => &**attr == "_meta",
            _ => false,
        };
        match self.m.kind(e) {
            // `models = apps.get_models()` bound once in the function, then iterated
            ExprKind::Name(n) if depth == 0 => {
                let Some(body) = self.fn_body else {
                    return false;
                };
                let mut values = Vec::new();
                if !binds_once(body, n, &mut values, 0) {
                    return false;
                }
                matches!(values.as_slice(), [Some(v)] if self.is_model_registry_iter(*v, depth + 1))
            }
            // `admin.site._registry`, `apps.app_configs`, `apps.all_models`
            ExprKind::Attr { attr, .. }
                if matches!(&**attr, "_registry" | "app_configs" | "all_models") =>
            {
                true
            }
            ExprKind::Attr { value, attr, .. } => {
                on_meta(*value)
                    && matches!(
                        &**attr,
                        "parents"
                            | "fields"
                            | "concrete_fields"
                            | "local_fields"
                            | "local_concrete_fields"
                            | "many_to_many"
                            | "local_many_to_many"
                            | "related_objects"
                            | "private_fields"
                            | "fields_map"
                            | "indexes"
                            | "constraints"
                    )
            }
            ExprKind::Call { func, args, .. } => match self.m.kind(*func) {
                ExprKind::Name(f)
                    if matches!(
                        &**f,
                        "enumerate" | "sorted" | "reversed" | "list" | "tuple" | "set"
                    ) =>
                {
                    args.first()
                        .is_some_and(|a| self.is_model_registry_iter(*a, depth + 1))
                }
                ExprKind::Attr { value, attr, .. } => match &**attr {
                    "items" | "keys" | "values" => self.is_model_registry_iter(*value, depth + 1),
                    "get_models" | "get_registered_models" | "get_app_configs" => true,
                    "get_fields" | "get_parent_list" => on_meta(*value),
                    _ => false,
                },
                ExprKind::Name(f) => matches!(&**f, "get_models" | "get_registered_models"),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether `test` is `row.rel` or `row.rel is not None`, where `row` is a row of the
    /// innermost loop (a repeating one) and `rel` a forward foreign key or one-to-one of its
    /// model that it does not load: read only to leave the loop at the first row where it is
    /// set, it queries at most once (a null key reads as None without a query).
    pub(super) fn tests_relation_of_row(&self, test: ExprId) -> bool {
        let read = match self.m.kind(test) {
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1
                && &*ops[0] == "is not"
                && matches!(
                    self.m.kind(comparators[0]),
                    ExprKind::Const(crate::ast::Const::None)
                ) =>
            {
                *left
            }
            _ => test,
        };
        let ExprKind::Attr { value, attr, .. } = self.m.kind(read) else {
            return false;
        };
        let ExprKind::Name(n) = self.m.kind(*value) else {
            return false;
        };
        let Some(Value::Instance(inst)) = self.env.get(n) else {
            return false;
        };
        let (Some(row), Some(l)) = (&inst.row, self.loops.last()) else {
            return false;
        };
        row.loop_id == l.id
            && l.kind == LoopKind::Repeat
            && matches!(self.ix.member(inst.model, attr), Some(Member::Forward(f)) if f.kind.is_single())
    }

    /// `batched(...)`, `chunked(...)`, `chunks(...)`: deliberate batching.
    pub(super) fn is_batching_iter(&self, e: ExprId) -> bool {
        match self.m.kind(e) {
            ExprKind::Call { func, .. } => self.m.dotted(*func).is_some_and(|d| {
                let last = d.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                last.contains("batch") || last.contains("chunk")
            }),
            _ => false,
        }
    }

    /// Which branch of `if <test>:` runs once for the whole loop: the branch taken while a
    /// variable is unset, when that branch sets it (`if x is None: x = ...`, `if not x: ...`,
    /// `if x: ... else: x = ...`, `if x is not None: ... else: x = ...`), or the branch of a
    /// flag that clears it (`if first: ...; first = False`). A name bound again in the loop
    /// before the test (`x = None` at the top of the body) is unset on every iteration.
    pub(super) fn once_branch(&self, test: ExprId, body: &Block, orelse: &Block) -> Option<Branch> {
        let is_none =
            |e: ExprId| matches!(self.m.kind(e), ExprKind::Const(crate::ast::Const::None));
        // The variable tested, and whether the body is the branch taken while it is unset.
        let (var, unset_body) = match self.m.kind(test) {
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1 && is_none(comparators[0]) => match &*ops[0] {
                "is" => (*left, true),
                "is not" => (*left, false),
                _ => return None,
            },
            ExprKind::Not(x) => (*x, true),
            _ => (test, false),
        };
        let name = self.m.dotted(var)?;
        if !self.unchanged_in_loop(&name) {
            return None;
        }
        let (unset, set) = if unset_body {
            (body, orelse)
        } else {
            (orelse, body)
        };
        if self.assigns(unset, &name, false) {
            return Some(if unset_body {
                Branch::Body
            } else {
                Branch::Orelse
            });
        }
        // `if first: ...; first = False`: the flag's own branch clears it.
        (!unset_body && self.assigns(set, &name, true)).then_some(Branch::Body)
    }

    /// Whether a statement of `b` (at its top level) assigns `name`; with `falsy`, to a
    /// literal `False`, `None` or `0`.
    fn assigns(&self, b: &Block, name: &str, falsy: bool) -> bool {
        b.iter().any(|st| match &st.kind {
            StmtKind::Assign {
                targets,
                value: Some(v),
            } => {
                (!falsy
                    || matches!(
                        self.m.kind(*v),
                        ExprKind::Const(crate::ast::Const::False | crate::ast::Const::None)
                            | ExprKind::Num(Some(0))
                    ))
                    && targets.iter().any(|t| match t {
                        Target::Name(n, _) => **n == *name,
                        Target::Attr(e) => self.m.dotted(*e).as_deref() == Some(name),
                        _ => false,
                    })
            }
            _ => false,
        })
    }

    /// A name holds the value it had when the innermost repeating loop was entered (for a
    /// dotted name, its root: `self._cache` is one attribute for the whole loop, `row.cache`
    /// is a new one on each row).
    fn unchanged_in_loop(&self, name: &str) -> bool {
        let name = name.split('.').next().unwrap_or(name);
        let Some(l) = self.loops.iter().rev().find(|l| l.kind == LoopKind::Repeat) else {
            return true;
        };
        match (self.env.get(name), l.entry.as_ref()) {
            (Some(now), Some(entry)) => entry.get(name) == Some(now),
            _ => true,
        }
    }

    // ------------------------------------------------------------ statements

    /// A branch's block, as code that runs at most once for the loop when `once` holds.
    fn block_once(&mut self, b: &Block, once: bool, span: Loc) {
        if once {
            self.push_loop(span, LoopKind::Once);
            self.block(b);
            self.loops.pop();
        } else {
            self.block(b);
        }
    }

    pub(super) fn block(&mut self, b: &Block) {
        for st in b {
            self.stmt(&st.kind, self.loc(st.span));
        }
    }

    pub(super) fn stmt(&mut self, k: &StmtKind, span: Loc) {
        match k {
            StmtKind::Expr(e) => {
                self.eval(*e);
            }
            StmtKind::Assign { targets, value } => {
                if let (Some(v), true) = (value, self.probe.is_some()) {
                    let d = self.dict_of(*v);
                    for t in targets {
                        if let (Target::Name(n, _), Some(p)) = (t, &mut self.probe) {
                            match &d {
                                Some(d) => p.dicts.insert(n.clone(), d.clone()),
                                None => p.dicts.remove(n),
                            };
                        }
                    }
                    if d.is_some() {
                        return;
                    }
                }
                if let Some(v) = value {
                    let val = self.eval(*v);
                    if self.fn_body.is_some()
                        && targets.iter().all(|t| loaded::binds_names(t, &val))
                    {
                        // local names: their reads are followed
                        self.take(*v);
                    }
                    self.note_assign(targets, *v);
                    if self.request_votes.is_some() {
                        for t in targets {
                            if let Target::Attr(e) = t {
                                if let Some(attr) = request::request_attr_target(self.m, *e) {
                                    self.vote_request_attr(attr, *v, &val);
                                }
                            }
                        }
                    }
                    for t in targets {
                        self.bind(t, val.clone());
                    }
                } else {
                    for t in targets {
                        self.bind(t, Value::Unknown);
                    }
                }
            }
            StmtKind::AugAssign { target, value } => {
                let v = self.eval(*value);
                // `qs |= other`, `lookups += [...]`
                let grown = match (target, self.aug_operator(span.span, *value)) {
                    (Target::Name(n, _), Some(op @ ("|" | "&" | "^"))) => match self.env.get(n) {
                        Some(cur @ Value::QuerySet(_)) => {
                            let mut grown = Self::combine_querysets(op, cur.clone(), v);
                            // `qs |= one_row` in a loop adds a row per iteration
                            if let Value::QuerySet(q) = &mut grown {
                                q.single &= op == "&" || self.loops.is_empty();
                            }
                            grown
                        }
                        _ => Value::Unknown,
                    },
                    (Target::Name(n, _), Some("+")) => self.aug_assign_lookups(n, &v),
                    _ => Value::Unknown,
                };
                self.bind(target, grown);
            }
            StmtKind::For(stmt) => {
                let crate::ast::ForStmt {
                    target,
                    iter,
                    body,
                    orelse,
                } = &**stmt;
                let it = self.eval(*iter);
                self.take(*iter);
                let kind = if crate::ast::exits_loop(body) {
                    LoopKind::Single
                } else {
                    self.loop_kind(*iter, &it)
                };
                self.evaluate_iter(&it, *iter, EvalHow::Iterate);
                self.mark_cached(*iter);
                let before = self.env.clone();
                let id = self.push_loop(span, kind);
                self.note_loop_rows(&it);
                let elem = self.element(&it, id);
                self.bind(target, elem);
                if let Value::QuerySet(q) = &it {
                    self.note_large_loop(q, *iter, target, &large::LoopScope::For { body });
                }
                self.block(body);
                self.loops.pop();
                let after_body = self.env.clone();
                self.join_env(&before);
                let joined = std::mem::take(&mut self.env);
                self.note_join_losses(&[&after_body], &joined, span.span);
                self.env = joined;
                if self.sym {
                    self.sym_iterated(*iter, target, body);
                }
                self.block(orelse);
            }
            StmtKind::While { test, body, orelse } => {
                let before = self.env.clone();
                self.push_loop(span, LoopKind::Batch);
                self.truth(*test);
                self.block(body);
                self.loops.pop();
                let after_body = self.env.clone();
                self.join_env(&before);
                let joined = std::mem::take(&mut self.env);
                self.note_join_losses(&[&after_body], &joined, span.span);
                self.env = joined;
                self.block(orelse);
            }
            StmtKind::If { test, body, orelse }
                if self.assume.and_then(|f| f(self.m, *test)).is_some() =>
            {
                // a condition the caller knows the value of on this path: one branch runs
                self.truth(*test);
                let holds = self.assume.and_then(|f| f(self.m, *test)) == Some(true);
                self.block(if holds { body } else { orelse });
            }
            StmtKind::If { test, body, orelse } => {
                let exits = !self.loops.is_empty() && crate::ast::exits_loop(body);
                if exits && self.tests_relation_of_row(*test) {
                    // `if row.owner: return row.owner`: a forward relation whose key is null
                    // reads as None with no query, and the first row where it is set leaves
                    // the loop: at most one query for the whole loop.
                    self.push_loop(span, LoopKind::Once);
                    self.truth(*test);
                    self.loops.pop();
                } else {
                    self.truth(*test);
                }
                let before = self.env.clone();
                let cond = self.cond_text(*test);
                self.conds.push(cond.clone());
                let once = if self.loops.is_empty() {
                    None
                } else {
                    self.once_branch(*test, body, orelse)
                };
                self.block_once(body, exits || once == Some(Branch::Body), span);
                self.conds.pop();
                let after_body = std::mem::replace(&mut self.env, before);
                let negated = format!("not {cond}");
                self.conds.push(negated.clone());
                self.block_once(orelse, once == Some(Branch::Orelse), span);
                self.conds.pop();
                let joined = join_envs(&after_body, &self.env);
                self.note_join_losses(&[&after_body, &self.env.clone()], &joined, span.span);
                self.record_conditional_loads(&joined, &after_body, &cond);
                let after_orelse = std::mem::take(&mut self.env);
                self.record_conditional_loads(&joined, &after_orelse, &negated);
                self.env = joined;
            }
            StmtKind::With { items, body } => {
                for (e, t) in items {
                    self.eval(*e);
                    if let Some(t) = t {
                        self.bind(t, Value::Unknown);
                    }
                }
                self.block(body);
            }
            StmtKind::Try(stmt) => {
                let crate::ast::TryStmt {
                    body,
                    handlers,
                    orelse,
                    finally,
                } = &**stmt;
                let before = self.env.clone();
                self.block(body);
                self.block(orelse);
                let mut merged = self.env.clone();
                for h in handlers {
                    self.env = before.clone();
                    if let Some(t) = h.type_ {
                        self.eval(t);
                    }
                    // A handler that leaves the loop runs once; a handler of any failure runs
                    // for the rows that fail: what either reads is no per-row cost.
                    let kind = if crate::ast::exits_loop(&h.body) {
                        Some(LoopKind::Once)
                    } else if always::is_broad_handler(self.m, h.type_) {
                        Some(LoopKind::Error)
                    } else {
                        None
                    };
                    if let (Some(kind), false) = (kind, self.loops.is_empty()) {
                        self.push_loop(span, kind);
                        self.block(&h.body);
                        self.loops.pop();
                    } else {
                        self.block(&h.body);
                    }
                    let next = join_envs(&merged, &self.env);
                    self.note_join_losses(&[&merged, &self.env.clone()], &next, span.span);
                    merged = next;
                }
                self.env = merged;
                self.block(finally);
            }
            StmtKind::Match { subject, cases } => {
                self.eval(*subject);
                let before = self.env.clone();
                let mut merged: Option<Env> = None;
                for c in cases {
                    self.env = before.clone();
                    self.block(c);
                    merged = Some(match merged {
                        Some(m) => join_envs(&m, &self.env),
                        None => self.env.clone(),
                    });
                }
                if let Some(m) = merged {
                    let joined = join_envs(&m, &before);
                    self.note_join_losses(&[&m], &joined, span.span);
                    self.env = joined;
                }
            }
            StmtKind::Return(Some(e)) => {
                let v = self.eval(*e);
                // In summary mode a `return None` guard is not a value callers iterate.
                if !(self.sym
                    && matches!(self.m.kind(*e), ExprKind::Const(crate::ast::Const::None)))
                {
                    self.returns.push(v.clone());
                }
                if self.probe.is_some() {
                    let d = self.dict_of(*e);
                    if let Some(p) = &mut self.probe {
                        p.returns.push((v, d));
                    }
                }
            }
            StmtKind::Other(es) | StmtKind::Raise(es) => {
                let text = self.file.text.as_deref().unwrap_or("");
                let head = text.get(span.span.range()).unwrap_or("");
                if head.starts_with("global ") || head.starts_with("nonlocal ") {
                    self.note_opaque_scope();
                }
                for e in es {
                    self.eval(*e);
                }
            }
            StmtKind::Import(names) => {
                for n in names {
                    let local = n
                        .alias
                        .clone()
                        .unwrap_or_else(|| n.path.split('.').next().unwrap_or("").into());
                    self.env.remove(&local);
                }
            }
            StmtKind::ImportFrom { names, .. } => {
                for n in names {
                    let local = n.alias.clone().unwrap_or_else(|| n.path.clone());
                    self.env.remove(&local);
                }
            }
            StmtKind::FunctionDef(_) | StmtKind::ClassDef(_) => self.note_opaque_scope(),
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
        }
    }

    /// Walk only the statements of a block that run whenever it does (the conditions of `if`
    /// and `while`, the iterable of `for`, `with` and `try` bodies up to the first possible
    /// exit), the way [`always::Holes::of_probe`] cuts a function: the branches skipped cannot
    /// hold a query that runs on every call. A branch that can only `raise` does not stop the
    /// walk, and both branches of a truth test of a parameter in `guard_params` are walked.
    /// Returns false after a possible exit.
    pub(super) fn always_block(&mut self, b: &Block, depth: u32) -> bool {
        if depth > 100 {
            return false;
        }
        for st in b {
            match &st.kind {
                StmtKind::If { test, body, orelse } => {
                    self.truth(*test);
                    if always::param_test(self.m, *test, &self.guard_params).is_some() {
                        // `if save:` on a parameter: runs when the call's argument says so
                        // (the summary keeps the test, see `always::Holes::guards_at`)
                        let body_ok = self.always_block(body, depth + 1);
                        let orelse_ok = self.always_block(orelse, depth + 1);
                        if !body_ok && !orelse_ok {
                            return false;
                        }
                    }
                    if always::may_leave(body, 0) || always::may_leave(orelse, 0) {
                        return false;
                    }
                }
                StmtKind::For(stmt) => {
                    let crate::ast::ForStmt {
                        iter, body, orelse, ..
                    } = &**stmt;
                    let it = self.eval(*iter);
                    self.evaluate_iter(&it, *iter, EvalHow::Iterate);
                    if always::may_leave(body, 0) || always::may_leave(orelse, 0) {
                        return false;
                    }
                }
                StmtKind::While { test, body, orelse } => {
                    self.truth(*test);
                    if always::may_leave(body, 0) || always::may_leave(orelse, 0) {
                        return false;
                    }
                }
                StmtKind::With { items, body } => {
                    for (e, t) in items {
                        self.eval(*e);
                        if let Some(t) = t {
                            self.bind(t, Value::Unknown);
                        }
                    }
                    if !self.always_block(body, depth + 1) {
                        return false;
                    }
                }
                StmtKind::Try(stmt) => {
                    let crate::ast::TryStmt {
                        body,
                        handlers,
                        orelse,
                        finally,
                    } = &**stmt;
                    let falls = self.always_block(body, depth + 1);
                    let exits = !falls
                        || handlers.iter().any(|h| always::may_leave(&h.body, 0))
                        || always::may_leave(orelse, 0);
                    if !self.always_block(finally, depth + 1) || exits {
                        return false;
                    }
                }
                StmtKind::Match { subject, cases } => {
                    self.eval(*subject);
                    if cases.iter().any(|c| always::may_leave(c, 0)) {
                        return false;
                    }
                }
                StmtKind::Return(_) | StmtKind::Raise(_) | StmtKind::Break | StmtKind::Continue => {
                    self.stmt(&st.kind, self.loc(st.span));
                    return false;
                }
                _ => self.stmt(&st.kind, self.loc(st.span)),
            }
        }
        true
    }

    /// The normalised source text of a condition (`not x` and `not (x)` alike).
    pub(super) fn cond_text(&self, e: ExprId) -> String {
        let text = self.file.text.as_deref().unwrap_or("");
        let raw = text.get(self.m.span(e).range()).unwrap_or("");
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// After an `if`, remember what a branch loaded beyond the joined value.
    pub(super) fn record_conditional_loads(&mut self, joined: &Env, branch: &Env, cond: &str) {
        for (k, jv) in joined {
            let (Value::QuerySet(j), Some(Value::QuerySet(b))) = (jv, branch.get(k)) else {
                continue;
            };
            if b.model == j.model && b.loads != j.loads {
                self.cond_loads
                    .entry(j.span)
                    .or_default()
                    .push((cond.to_owned(), b.loads.clone()));
            }
        }
    }

    /// Whether `attr` below `row` was loaded under a condition that holds here.
    pub(super) fn loaded_under_active_condition(&self, row: &Row, attr: &str) -> bool {
        let Some(entries) = self.cond_loads.get(&row.root_span) else {
            return false;
        };
        entries.iter().any(|(cond, loads)| {
            if !self.conds.iter().any(|c| c == cond) {
                return false;
            }
            let mut cur = loads;
            for seg in &row.path {
                match cur.nodes.get(seg) {
                    Some(n) => cur = &n.children,
                    None => return false,
                }
            }
            cur.nodes.contains_key(attr)
        })
    }

    pub(super) fn join_env(&mut self, before: &Env) {
        self.env = join_envs(before, &self.env);
    }

    pub(super) fn bind(&mut self, t: &Target, v: Value) {
        match t {
            Target::Name(n, _) => {
                self.env.insert(n.clone(), v);
            }
            Target::Tuple(ts) => match v {
                Value::Tuple(vs) if vs.len() == ts.len() => {
                    for (t, v) in ts.iter().zip(vs) {
                        self.bind(t, v);
                    }
                }
                _ => {
                    for t in ts {
                        self.bind(t, Value::Unknown);
                    }
                }
            },
            Target::Star(t) => self.bind(t, Value::Unknown),
            Target::Subscript(e) if self.probe.is_some() => {
                if let ExprKind::Subscript { value, index } = self.m.kind(*e) {
                    if let (ExprKind::Name(n), Some(k)) =
                        (self.m.kind(*value), self.m.str_value(*index))
                    {
                        if let Some(d) = self.probe.as_mut().and_then(|p| p.dicts.get_mut(n)) {
                            d.push((k.to_owned(), v));
                        }
                    }
                }
            }
            Target::Attr(e) if self.sym && self.sym_attr_target(*e).is_some() => {
                if let Some(key) = self.sym_attr_target(*e) {
                    self.env.insert(key.into(), v);
                }
            }
            Target::Attr(e) | Target::Subscript(e) => {
                // Evaluate the object part for reads (`x.a.b = 1` reads `x.a`), and a
                // subscript's index too (`d[row.author.name] = 1` reads `row.author`; a
                // row used as the key stays held: it went into a container).
                match self.m.kind(*e) {
                    ExprKind::Attr { value, .. } => {
                        self.eval(*value);
                    }
                    ExprKind::Subscript { value, index } => {
                        self.eval(*value);
                        self.eval(*index);
                    }
                    _ => {}
                }
                // `row.author = x` fills the relation's cache: later reads of `row.author`
                // do not query, and what `x` loads is not known.
                if let ExprKind::Attr { value, attr, .. } = self.m.kind(*e) {
                    if let ExprKind::Name(n) = self.m.kind(*value) {
                        if let Some(Value::Instance(inst)) = self.env.get(n) {
                            if matches!(
                                self.ix.member(inst.model, attr),
                                Some(crate::index::Member::Forward(_))
                            ) {
                                let mut inst = inst.clone();
                                inst.loads.add_path(attr, false).opaque = true;
                                self.env.insert(n.clone(), Value::Instance(inst));
                            }
                        }
                    }
                }
            }
            Target::Other => {}
        }
    }

    /// In summary mode, a local queryset iterated by a `for` holds its rows afterwards; if
    /// the loop set attributes on them, what they hold is not known.
    fn sym_iterated(&mut self, iter: ExprId, target: &Target, body: &Block) {
        let ExprKind::Name(n) = self.m.kind(iter) else {
            return;
        };
        let touched = match target {
            Target::Name(var, _) => returns::touches_rows(self.m, body, var, 0),
            _ => false,
        };
        match self.env.get_mut(n) {
            Some(Value::Arg(s)) => *s = s.then(value::Step::Iterated { touched }),
            Some(Value::QuerySet(q)) => q.loads.opaque |= touched,
            _ => {}
        }
    }

    /// In summary mode, `name.attr = value` is kept in the environment as `name.attr` (a
    /// memoised queryset: `self._books = self.book_set.all()`).
    fn sym_attr_target(&self, e: ExprId) -> Option<String> {
        match self.m.kind(e) {
            ExprKind::Attr { value, attr, .. } => match self.m.kind(*value) {
                ExprKind::Name(n) => Some(format!("{n}.{attr}")),
                _ => None,
            },
            _ => None,
        }
    }

    pub(super) fn is_literal_iter(&self, e: ExprId) -> bool {
        match self.m.kind(e) {
            ExprKind::Seq { .. } | ExprKind::Dict(_) | ExprKind::Str(_) => true,
            // A module constant: `for name in DEFAULT_GROUPS`, `SETTINGS.items()`.
            ExprKind::Name(n) => is_constant_name(n),
            // A setting: `for code, name in settings.LANGUAGES`.
            ExprKind::Attr { value, attr, .. } if is_constant_name(attr) => self
                .m
                .dotted(*value)
                .is_some_and(|d| self.file.scope.qualify(&d) == "django.conf.settings"),
            ExprKind::Call { func, args, .. } => match self.m.kind(*func) {
                ExprKind::Name(f) if &**f == "range" => args
                    .iter()
                    .all(|a| matches!(self.m.kind(*a), ExprKind::Num(_))),
                ExprKind::Name(f) if matches!(&**f, "enumerate" | "sorted" | "reversed") => {
                    args.first().is_some_and(|a| self.is_literal_iter(*a))
                }
                ExprKind::Attr { value, attr, .. }
                    if matches!(&**attr, "items" | "keys" | "values") =>
                {
                    self.is_literal_iter(*value)
                }
                _ => false,
            },
            _ => false,
        }
    }
}

/// Collects into `values` the value of every statement of `b` (nested blocks included) that
/// binds the name `n` (`None` for a binding that is not a plain `n = value`: a loop target,
/// an augmented assignment, a tuple). False past a depth bound.
fn binds_once(b: &Block, n: &str, values: &mut Vec<Option<ExprId>>, depth: u32) -> bool {
    if depth > 50 {
        return false;
    }
    for st in b {
        let mut names = Vec::new();
        match &st.kind {
            StmtKind::Assign { targets, value } => {
                targets.iter().for_each(|t| t.names(&mut names));
                if names.iter().any(|x| &**x == n) {
                    let plain = targets.len() == 1
                        && matches!(&targets[0], Target::Name(x, _) if &**x == n);
                    values.push(value.filter(|_| plain));
                }
            }
            StmtKind::AugAssign { target, .. } => {
                target.names(&mut names);
                if names.iter().any(|x| &**x == n) {
                    values.push(None);
                }
            }
            StmtKind::For(f) => {
                f.target.names(&mut names);
                if names.iter().any(|x| &**x == n) {
                    values.push(None);
                }
            }
            _ => {}
        }
        for inner in st.kind.blocks() {
            if !binds_once(inner, n, values, depth + 1) {
                return false;
            }
        }
    }
    true
}
