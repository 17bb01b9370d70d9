//! Extraction: one walk over each function of a file records what it does with each
//! parameter (the attribute paths it reads, calls, evaluates) and the calls it makes.

use super::*;

/// The summaries of the functions and methods defined in one file.
/// Parameters that never hold a model row, so what the function reads of them is not kept:
/// `request`, `cls`, and `self` of a class that is not a model (a view's `self.request...`
/// trees are large and never replayed against a row).
fn never_a_row(name: &str, is_self: bool, class_is_model: bool) -> bool {
    name == "request" || name == "cls" || (is_self && !class_is_model)
}

/// The summaries of a file's functions, and the qualified names of the functions it calls.
/// `mixins`: the plain classes some model derives from (their `self` is a row as well).
pub(super) fn extract_file(
    fi: usize,
    file: &File,
    ix: &Index,
    mixins: &HashSet<String>,
) -> (Vec<FnSummary>, Vec<String>) {
    let m = &file.ast;
    let module = &file.scope.module;
    let mut out = Vec::new();
    let mut called = Vec::new();
    for (func, f) in m.functions.iter().enumerate() {
        if f.parent.is_some() {
            continue;
        }
        let class_qual = match f.class {
            Some(c) => {
                let cd = &m.classes[c as usize];
                if cd.outer.is_some() {
                    continue;
                }
                Some(format!("{module}.{}", cd.name))
            }
            None => None,
        };
        let qual = match &class_qual {
            Some(c) => format!("{c}.{}", f.name),
            None => format!("{module}.{}", f.name),
        };
        // `@lru_cache(maxsize=None)` is named by its function.
        let decos: Vec<String> = f
            .decorators
            .iter()
            .filter_map(|d| match m.kind(*d) {
                ExprKind::Call { func, .. } => m.dotted(*func),
                _ => m.dotted(*d),
            })
            .map(|d| file.scope.qualify(&d))
            .collect();
        let kind = if class_qual.is_none() {
            FnKind::Function
        } else if decos.iter().any(|d| {
            d == "property"
                || d == "functools.cached_property"
                || d == "django.utils.functional.cached_property"
                || d.ends_with(".cached_property")
        }) {
            FnKind::Property
        } else if decos
            .iter()
            .any(|d| d == "staticmethod" || d == "classmethod")
        {
            FnKind::StaticOrClass
        } else {
            FnKind::Method
        };
        let params: Vec<Box<str>> = f
            .params
            .iter()
            .filter(|p| p.kind == ParamKind::Normal)
            .map(|p| p.name.clone())
            .collect();
        if params.len() > 255 {
            continue;
        }
        let mut x = Extract {
            m,
            file,
            fid: file.id,
            class_qual: if kind == FnKind::Function {
                None
            } else {
                class_qual.clone()
            },
            self_name: if matches!(kind, FnKind::Method | FnKind::Property) {
                params.first().cloned()
            } else {
                None
            },
            env: HashMap::default(),
            trees: vec![Access::default(); params.len()],
            escaped: vec![Vec::new(); params.len()],
            nonvalue: None,
            passes: Vec::new(),
            holes: Holes::of(m, &f.body, f.span.end),
            probe_holes: Holes::of_probe(m, &f.body, f.span.end, &params),
            errors: crate::flow::always::errors(m, &f.body),
            mentions_model: false,
            rebound_self: false,
            called: Vec::new(),
            guards: Vec::new(),
            absent: Vec::new(),
            ix,
        };
        let mixin = class_qual.as_deref().is_some_and(|c| mixins.contains(c));
        let class_is_model = mixin
            || class_qual
                .as_deref()
                .is_some_and(|c| ix.model_by_qual(c).is_some());
        for (i, p) in params.iter().enumerate() {
            let is_self = x.self_name.is_some() && i == 0;
            if never_a_row(p, is_self, class_is_model) {
                continue;
            }
            x.env
                .insert(p.clone(), (u8::try_from(i).unwrap_or(0), Vec::new()));
        }
        x.block(&f.body, 0);
        // What the function queries by itself: only worth a walk when it names a model (or
        // `get_object_or_404`), and never for a memoised function (`functools.cache`,
        // `lru_cache`, a project's `@cached`/`@memoize`).
        let memoised = decos.iter().any(|d| {
            let last = d.rsplit('.').next().unwrap_or(d).to_ascii_lowercase();
            (last.contains("cache") && last != "cached_property") || last.contains("memo")
        });
        let probe = (x.mentions_model && !memoised).then(|| ProbeAt {
            file: fi,
            func,
            self_model: class_qual
                .as_deref()
                .filter(|_| matches!(kind, FnKind::Method | FnKind::Property))
                .and_then(|c| ix.model_by_qual(c)),
            mixin: mixin && matches!(kind, FnKind::Method | FnKind::Property),
        });
        let defaults = f
            .params
            .iter()
            .filter(|p| p.kind == ParamKind::Normal)
            .map(|p| p.default.and_then(|d| literal_truth(m, d)))
            .collect();
        // Django's templates do not call a method marked `name.alters_data = True`
        let alters_data = f
            .class
            .is_some_and(|c| marks_alters_data(m, &m.classes[c as usize].body, &f.name));
        let no_arg_call = !alters_data
            && f.params
                .iter()
                .filter(|p| p.kind == ParamKind::Normal)
                .skip(1)
                .all(|p| p.default.is_some());
        called.append(&mut x.called);
        let escaped = x.escaped;
        let classmethod = kind == FnKind::StaticOrClass && decos.iter().any(|d| d == "classmethod");
        // A `cached_property` is skipped on an instance holding its name (a `Prefetch`'s
        // `to_attr`, a value set by the caller).
        let cached_property = decos.iter().any(|d| d.ends_with("cached_property"));
        let guard = if cached_property {
            Some(f.name.clone())
        } else {
            matches!(kind, FnKind::Method | FnKind::Property)
                .then(|| returns::early_guard(m, &f.body, params.first().map(|p| &**p)))
                .flatten()
        };
        let fills = params
            .iter()
            .map(|p| crate::flow::returns::item_attrs_set(m, &f.body, p))
            .collect();
        let mut summary = FnSummary {
            fills,
            qual,
            kind,
            params,
            trees: x.trees,
            escaped,
            query: None,
            passes: x.passes,
            probe,
            ret: None,
            ret_candidate: returns::is_candidate(m, &f.body, memoised),
            classmethod,
            defaults,
            no_arg_call,
            guard,
            at: (fi, u32::try_from(func).unwrap_or(u32::MAX)),
        };
        summary.compact();
        out.push(summary);
    }
    (out, called)
}

/// The class body sets `name.alters_data = True` (a method templates must not call).
fn marks_alters_data(m: &Module, body: &Block, name: &str) -> bool {
    body.iter().any(|st| {
        let StmtKind::Assign {
            targets,
            value: Some(v),
        } = &st.kind
        else {
            return false;
        };
        literal_truth(m, *v) == Some(true)
            && targets.iter().any(|t| match t {
                Target::Attr(e) => matches!(m.kind(*e), ExprKind::Attr { value, attr, .. }
                    if &**attr == "alters_data"
                        && matches!(m.kind(*value), ExprKind::Name(n) if &**n == name)),
                _ => false,
            })
    })
}

/// The truth of a literal (`True`, `None`, `0`, `""`): what a test of a parameter with this
/// default sees when the call does not pass it.
pub(crate) fn literal_truth(m: &Module, e: ExprId) -> Option<bool> {
    use crate::ast::Const;
    match m.kind(e) {
        ExprKind::Const(Const::True) => Some(true),
        ExprKind::Const(Const::False | Const::None) => Some(false),
        ExprKind::Num(Some(i)) => Some(*i != 0),
        ExprKind::Str(s) => Some(!s.is_empty()),
        _ => None,
    }
}

type Chain = (u8, Path);

struct Extract<'a> {
    m: &'a Module,
    file: &'a File,
    fid: FileId,
    class_qual: Option<String>,
    self_name: Option<Box<str>>,
    /// Local names bound to a parameter path.
    env: HashMap<Box<str>, Chain>,
    trees: Vec<Access>,
    /// Per parameter, paths whose values escape where no tree node records it.
    escaped: Vec<Vec<Vec<Box<str>>>>,
    /// The expression about to be walked is used only for what is read of it (a statement
    /// of its own, a value assigned to a local name, a comparison operand): not an escape.
    nonvalue: Option<ExprId>,
    passes: Vec<Pass>,
    /// The parts of the body that may not run on a call.
    holes: Holes,
    /// The holes as the function's own query is looked for (see [`Holes::of_probe`]).
    probe_holes: Holes,
    /// The parts of the body that run only while an error is handled or raised.
    errors: Holes,
    /// The body names a model class (or `get_object_or_404`): it may run queries itself.
    mentions_model: bool,
    /// `self` was assigned in the body.
    rebound_self: bool,
    /// The qualified names of the functions called (resolvable ones), in any branch.
    called: Vec<String>,
    /// The parameter tests that hold at the statement being walked.
    guards: Vec<Guard>,
    /// The attributes `hasattr()` found missing on a parameter (`self` too) at the statement
    /// being walked: `if not hasattr(self, "n"):`, the `else` of `if hasattr(self, "n"):`.
    absent: Vec<Absent>,
    ix: &'a Index,
}

/// An attribute `hasattr()` found missing on a parameter (its index).
type Absent = (u8, Box<str>);

impl Extract<'_> {
    fn loc(&self, e: ExprId) -> Loc {
        Loc::new(self.fid, self.m.span(e))
    }

    /// Whether code at `at` runs on every call.
    fn always(&self, at: Loc) -> bool {
        !self.holes.covers(at.span)
    }

    /// Whether a call at `at` runs its callee's queries as the function's own (see
    /// [`Holes::of_probe`]): `None` if not, else the parameter tests it runs under.
    fn runs(&self, at: Loc) -> Option<Vec<Guard>> {
        (!self.probe_holes.covers(at.span)).then(|| self.probe_holes.guards_at(at.span))
    }

    /// What a call passes, as [`Pass::lits`]: the truth of each literal argument (`None`
    /// for any other), by callee position (`bound`: past `self`); `None` when `*args` or
    /// `**kwargs` may pass anything.
    fn arg_literals(
        &self,
        args: &[ExprId],
        kwargs: &[Keyword],
        bound: bool,
    ) -> Option<Vec<(ArgPos, Option<bool>)>> {
        let m = self.m;
        if kwargs.iter().any(|k| k.name.is_none())
            || args
                .iter()
                .any(|a| matches!(m.kind(*a), ExprKind::Starred(_)))
        {
            return None;
        }
        let mut out: Vec<(ArgPos, Option<bool>)> = args
            .iter()
            .enumerate()
            .map(|(i, a)| (ArgPos::Pos(i + usize::from(bound)), literal_truth(m, *a)))
            .collect();
        out.extend(kwargs.iter().filter_map(|k| {
            k.name
                .as_ref()
                .map(|n| (ArgPos::Kw(n.clone()), literal_truth(m, k.value)))
        }));
        Some(out)
    }

    /// Whether code at `at` is outside the error paths.
    fn normal(&self, at: Loc) -> bool {
        !self.errors.covers(at.span)
    }

    /// Note `n.attr` (or `n` alone, `attr` empty) read where code always runs: a manager of a
    /// model class (`Price.objects`) or `get_object_or_404` means the function may query.
    fn note_name(&mut self, n: &str, attr: &str) {
        if self.mentions_model || self.env.contains_key(n) {
            return;
        }
        let module = &self.file.scope.module;
        let model = match self.file.scope.names.get(n) {
            Some(q) => self.ix.model_by_qual(q),
            None => self.ix.model_by_qual(&format!("{module}.{n}")),
        };
        if attr.is_empty() {
            // `get_object_or_404`, or a model class itself (`LogEntry(...)` saved later)
            self.mentions_model = n == "get_object_or_404" || model.is_some();
            return;
        }
        self.mentions_model = model.is_some_and(|id| {
            matches!(attr, "objects" | "_default_manager" | "_base_manager")
                || self.ix.model(id).managers.iter().any(|mg| mg.name == attr)
        });
    }

    fn block(&mut self, b: &Block, depth: u32) {
        let outer = self.guards.len();
        let outer_absent = self.absent.len();
        for st in b {
            self.stmt(&st.kind, depth);
            // `if x: return ...`: the rest of the block runs only when `x` is false.
            if let StmtKind::If { test, body, orelse } = &st.kind {
                let leaves = body
                    .last()
                    .is_some_and(|l| matches!(l.kind, StmtKind::Return(_) | StmtKind::Raise(_)));
                if leaves && orelse.is_empty() {
                    let (_, otherwise) = self.test_guards(*test);
                    self.push_guards(&otherwise);
                    let (_, otherwise) = self.test_absent(*test);
                    self.absent.extend(otherwise);
                }
            }
        }
        self.guards.truncate(outer);
        self.absent.truncate(outer_absent);
    }

    /// The names bound to parameters that `test` (`isinstance(obj, Plain)`, also joined by
    /// `and`) finds to be instances of classes that are not models: the body does not run
    /// with a model row there.
    fn not_a_row_in(&self, test: ExprId) -> Vec<Box<str>> {
        let m = self.m;
        match m.kind(test) {
            ExprKind::BoolOp { and: true, values } => {
                values.iter().flat_map(|v| self.not_a_row_in(*v)).collect()
            }
            ExprKind::Call { func, args, kwargs }
                if matches!(m.kind(*func), ExprKind::Name(f) if &**f == "isinstance")
                    && args.len() == 2
                    && kwargs.is_empty() =>
            {
                let ExprKind::Name(n) = m.kind(args[0]) else {
                    return Vec::new();
                };
                if !self.env.get(n).is_some_and(|(_, path)| path.is_empty()) {
                    return Vec::new();
                }
                let classes: Vec<ExprId> = match m.kind(args[1]) {
                    ExprKind::Seq { elts, .. } => elts.to_vec(),
                    _ => vec![args[1]],
                };
                let plain = |c: &ExprId| {
                    m.dotted(*c).is_some_and(|d| {
                        let q = self.ix.qualify_in(self.file, &d);
                        let last = crate::semantic::imports::last_segment(&q);
                        last != "Model" && self.ix.model_by_qual(&q).is_none()
                    })
                };
                if classes.iter().all(plain) {
                    vec![n.clone()]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        }
    }

    /// The attributes of a parameter that `hasattr()` finds missing in the body and in the
    /// `else` of `if test:` (`if not hasattr(self, "n"):` / `if hasattr(self, "n"):`).
    fn test_absent(&self, test: ExprId) -> (Vec<Absent>, Vec<Absent>) {
        let m = self.m;
        let has = |e: ExprId| -> Option<Absent> {
            let ExprKind::Call { func, args, kwargs } = m.kind(e) else {
                return None;
            };
            if !matches!(m.kind(*func), ExprKind::Name(f) if &**f == "hasattr")
                || args.len() != 2
                || !kwargs.is_empty()
            {
                return None;
            }
            let ExprKind::Name(n) = m.kind(args[0]) else {
                return None;
            };
            let (p, path) = self.env.get(n)?;
            let attr = m.str_value(args[1])?;
            path.is_empty().then(|| (*p, attr.into()))
        };
        match m.kind(test) {
            ExprKind::Not(x) => match has(*x) {
                Some(a) => (vec![a], Vec::new()),
                None => (Vec::new(), Vec::new()),
            },
            _ => match has(test) {
                Some(a) => (Vec::new(), vec![a]),
                None => (Vec::new(), Vec::new()),
            },
        }
    }

    fn push_guards(&mut self, gs: &[Guard]) {
        for g in gs {
            if !self.guards.contains(g) {
                self.guards.push(*g);
            }
        }
    }

    /// The parameter tests that hold in the body and in the `else` of `if test:`: a
    /// parameter (not `self`) tested for truth, negated, or several joined by `and` (the
    /// body only).
    fn test_guards(&self, test: ExprId) -> (Vec<Guard>, Vec<Guard>) {
        let param = |e: ExprId| match self.m.kind(e) {
            ExprKind::Name(n) => match self.env.get(n) {
                Some((p, path)) if path.is_empty() && !(*p == 0 && self.self_name.is_some()) => {
                    Some(*p)
                }
                _ => None,
            },
            _ => None,
        };
        match self.m.kind(test) {
            ExprKind::Not(x) => match param(*x) {
                Some(p) => (vec![(p, false)], vec![(p, true)]),
                None => (Vec::new(), Vec::new()),
            },
            ExprKind::BoolOp { and: true, values } => {
                let body = values.iter().flat_map(|v| self.test_guards(*v).0).collect();
                (body, Vec::new())
            }
            _ => match param(test) {
                Some(p) => (vec![(p, true)], vec![(p, false)]),
                None => (Vec::new(), Vec::new()),
            },
        }
    }

    fn unbind(&mut self, t: &Target) {
        match t {
            Target::Name(n, _) => {
                self.env.remove(n);
                if self.self_name.as_ref() == Some(n) {
                    self.rebound_self = true;
                }
            }
            Target::Tuple(ts) => ts.iter().for_each(|t| self.unbind(t)),
            Target::Star(t) => self.unbind(t),
            // `x.a.b = v` reads `x.a` (and `x.a[k] = v` reads `x.a` and `k`), not what it sets.
            Target::Attr(e) | Target::Subscript(e) => match self.m.kind(*e) {
                ExprKind::Attr { value, .. } => self.expr(*value, None, 0),
                ExprKind::Subscript { value, index } => {
                    self.expr(*value, None, 0);
                    self.expr(*index, None, 0);
                }
                _ => self.expr(*e, None, 0),
            },
            Target::Other => {}
        }
    }

    fn stmt(&mut self, k: &StmtKind, depth: u32) {
        if depth > MAX_EXPR_DEPTH {
            return;
        }
        match k {
            StmtKind::Expr(e) => {
                self.nonvalue = Some(*e);
                self.expr(*e, None, 0);
            }
            StmtKind::Return(Some(e)) => self.expr(*e, None, 0),
            StmtKind::Assign { targets, value } => {
                if let Some(v) = value {
                    // `x = b.author`: `x` is followed as the path (not for a method's result)
                    let alias = targets.iter().all(|t| matches!(t, Target::Name(..)))
                        && self
                            .chain(*v)
                            .is_some_and(|(_, p)| p.iter().all(|(_, called)| !called));
                    if alias {
                        self.nonvalue = Some(*v);
                    }
                    self.expr(*v, None, 0);
                    let chain = self
                        .chain(*v)
                        .filter(|(_, p)| p.iter().all(|(_, called)| !called));
                    for t in targets {
                        self.unbind(t);
                        if let (Target::Name(n, _), Some(c)) = (t, &chain) {
                            self.env.insert(n.clone(), c.clone());
                        }
                    }
                } else {
                    targets.iter().for_each(|t| self.unbind(t));
                }
            }
            StmtKind::AugAssign { target, value } => {
                self.expr(*value, None, 0);
                self.unbind(target);
            }
            StmtKind::For(stmt) => {
                let crate::ast::ForStmt {
                    target,
                    iter,
                    body,
                    orelse,
                } = &**stmt;
                self.expr(*iter, Some(EvalHow::Iterate), 0);
                self.unbind(target);
                self.block(body, depth + 1);
                self.block(orelse, depth + 1);
            }
            StmtKind::While { test, body, orelse } => {
                self.expr(*test, Some(EvalHow::Exists), 0);
                self.block(body, depth + 1);
                self.block(orelse, depth + 1);
            }
            StmtKind::If { test, body, orelse } => {
                self.expr(*test, Some(EvalHow::Exists), 0);
                let (then, otherwise) = self.test_guards(*test);
                let (absent_then, absent_otherwise) = self.test_absent(*test);
                let outer = self.guards.len();
                let outer_absent = self.absent.len();
                self.push_guards(&then);
                self.absent.extend(absent_then);
                // `if isinstance(obj, Plain):` does not run for the rows callers hand in
                let hidden: Vec<(Box<str>, Chain)> = self
                    .not_a_row_in(*test)
                    .into_iter()
                    .filter_map(|n| self.env.remove(&n).map(|c| (n, c)))
                    .collect();
                // what the body reads of it is not known: it escapes (no load is unused)
                for (_, c) in &hidden {
                    self.mark_escape(c);
                }
                self.block(body, depth + 1);
                self.env.extend(hidden);
                self.guards.truncate(outer);
                self.absent.truncate(outer_absent);
                self.push_guards(&otherwise);
                self.absent.extend(absent_otherwise);
                self.block(orelse, depth + 1);
                self.guards.truncate(outer);
                self.absent.truncate(outer_absent);
            }
            StmtKind::With { items, body } => {
                for (e, t) in items {
                    self.expr(*e, None, 0);
                    if let Some(t) = t {
                        self.unbind(t);
                    }
                }
                self.block(body, depth + 1);
            }
            StmtKind::Try(stmt) => {
                let crate::ast::TryStmt {
                    body,
                    handlers,
                    orelse,
                    finally,
                } = &**stmt;
                self.block(body, depth + 1);
                for h in handlers {
                    self.block(&h.body, depth + 1);
                }
                self.block(orelse, depth + 1);
                self.block(finally, depth + 1);
            }
            StmtKind::Match { subject, cases } => {
                self.expr(*subject, None, 0);
                for c in cases {
                    self.block(c, depth + 1);
                }
            }
            StmtKind::Other(es) | StmtKind::Raise(es) => {
                for e in es {
                    self.expr(*e, None, 0);
                }
            }
            StmtKind::Import(_)
            | StmtKind::ImportFrom { .. }
            | StmtKind::Return(None)
            | StmtKind::FunctionDef(_)
            | StmtKind::ClassDef(_)
            | StmtKind::Break
            | StmtKind::Continue => {}
        }
    }

    /// The parameter path an expression reads (`b.author.name`, `b.tags.all()`).
    fn chain(&self, e: ExprId) -> Option<Chain> {
        let m = self.m;
        let mut segs = Vec::new();
        let mut cur = e;
        for _ in 0..=MAX_DEPTH {
            match m.kind(cur) {
                ExprKind::Name(n) => {
                    let (p, base) = self.env.get(n)?;
                    let mut path = base.clone();
                    segs.reverse();
                    path.extend(segs);
                    return (path.len() <= MAX_DEPTH).then_some((*p, path));
                }
                ExprKind::Attr { value, attr, .. } => {
                    segs.push((attr.clone(), false));
                    cur = *value;
                }
                ExprKind::Call { func, .. } => match m.kind(*func) {
                    ExprKind::Attr { value, attr, .. } => {
                        segs.push((attr.clone(), true));
                        cur = *value;
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
        None
    }

    fn record(&mut self, (p, path): &Chain, at: Loc, how: Option<EvalHow>) {
        let Some(tree) = self.trees.get_mut(usize::from(*p)) else {
            return;
        };
        if tree.count() >= MAX_NODES {
            self.lose(*p, path);
            return;
        }
        let always = !self.holes.covers(at.span);
        let normal = !self.errors.covers(at.span);
        let absent: Vec<Box<str>> = self
            .absent
            .iter()
            .filter(|(q, _)| q == p)
            .map(|(_, a)| a.clone())
            .collect();
        match tree.node_mut(path, at, (always, normal), &self.guards, &absent) {
            Some(node) => {
                if let Some(h) = how {
                    node.eval.get_or_insert((at, h));
                }
            }
            None => self.lose(*p, path),
        }
    }

    /// The value at `path` below parameter `p` is used beyond reading it.
    fn mark_escape(&mut self, (p, path): &Chain) {
        let Some(tree) = self.trees.get_mut(usize::from(*p)) else {
            return;
        };
        let mut cur = Some(tree);
        for (name, _) in path {
            cur = cur.and_then(|n| n.children.get_mut(name));
        }
        match cur {
            Some(node) => node.escapes = true,
            None => self.lose(*p, path),
        }
    }

    /// What is read at `path` below parameter `p` is not kept in the tree: the value there
    /// (cut at its first called segment) escapes.
    fn lose(&mut self, p: u8, path: &Path) {
        let Some(list) = self.escaped.get_mut(usize::from(p)) else {
            return;
        };
        let names: Vec<Box<str>> = path
            .iter()
            .take_while(|(_, called)| !called)
            .map(|(n, _)| n.clone())
            .collect();
        if !list.contains(&names) && list.len() < MAX_NODES {
            list.push(names);
        }
    }

    /// The method called at `c` is handed the caller's parameters `hands` unchanged.
    fn note_hands(&mut self, (p, path): &Chain, hands: Vec<(ArgPos, u8)>) {
        if hands.is_empty() {
            return;
        }
        let mut cur = match self.trees.get_mut(usize::from(*p)) {
            Some(t) => t,
            None => return,
        };
        for (name, _) in path {
            match cur.children.get_mut(name) {
                Some(n) => cur = n,
                None => return,
            }
        }
        if cur.hands.is_empty() {
            cur.hands = hands;
        }
    }

    /// Record `e` formatted as text (`__str__` of an instance).
    fn formatted(&mut self, e: ExprId) -> bool {
        let Some(mut c) = self.chain(e) else {
            return false;
        };
        c.1.push(("__str__".into(), true));
        let at = self.loc(e);
        self.record(&c, at, None);
        true
    }

    /// The qualified name of a called function, and whether it is bound to an instance.
    fn callee(&self, func: ExprId) -> Option<(String, bool)> {
        let m = self.m;
        if let ExprKind::Attr { attr, .. } = m.kind(func) {
            if !follows(attr) {
                return None;
            }
        }
        if let ExprKind::Attr { value, attr, .. } = m.kind(func) {
            if let (ExprKind::Name(n), Some(sn), Some(cq)) =
                (m.kind(*value), &self.self_name, &self.class_qual)
            {
                // `self` of a class that is not a model is not bound (never a row): still the
                // instance, unless rebound.
                let is_self = match self.env.get(n) {
                    Some((p, path)) => *p == 0 && path.is_empty(),
                    None => !self.rebound_self,
                };
                if n == sn && is_self {
                    return Some((format!("{cq}.{attr}"), true));
                }
            }
        }
        let d = m.dotted(func)?;
        let first = d.split('.').next().unwrap_or("");
        if self.env.contains_key(first) {
            return None;
        }
        let q = self.file.scope.qualify(&d);
        if q == d && !self.file.scope.names.contains_key(first) {
            return None;
        }
        Some((q, false))
    }

    fn expr(&mut self, e: ExprId, how: Option<EvalHow>, depth: u32) {
        if depth > MAX_EXPR_DEPTH {
            return;
        }
        let m = self.m;
        // Used as a value (not only read, tested or counted): it may escape.
        let value_use = self.nonvalue.take() != Some(e)
            && !matches!(how, Some(EvalHow::Exists | EvalHow::Count));
        if matches!(m.kind(e), ExprKind::Attr { .. } | ExprKind::Call { .. }) {
            if let Some(c) = self.chain(e) {
                let at = self.loc(e);
                self.record(&c, at, how);
                if value_use {
                    self.mark_escape(&c);
                }
                // `self.helper(b)`: the receiver and the arguments are handed to the method
                if let ExprKind::Call { func, args, kwargs } = m.kind(e) {
                    if let Some((callee, true)) = self.callee(*func) {
                        self.called.push(callee.clone());
                        let mut pass_args = vec![(ArgPos::Pos(0), 0u8, Vec::new())];
                        self.pass_args(args, kwargs, true, &mut pass_args, depth);
                        let hands: Vec<(ArgPos, u8)> = pass_args[1..]
                            .iter()
                            .filter(|(_, _, path)| path.is_empty())
                            .map(|(pos, p, _)| (pos.clone(), *p))
                            .collect();
                        self.note_hands(&c, hands);
                        let always = self.always(at);
                        let lits = self.arg_literals(args, kwargs, true);
                        self.passes.push(Pass {
                            callee,
                            args: pass_args,
                            at,
                            always,
                            normal: self.normal(at),
                            guards: self.guards.clone(),
                            runs: self.runs(at),
                            lits,
                        });
                        if let ExprKind::Attr { value, .. } = m.kind(*func) {
                            self.chain_args(*value, depth);
                        }
                        return;
                    }
                }
                // arguments of method calls in the chain
                self.chain_args(e, depth);
                return;
            }
        }
        match m.kind(e) {
            ExprKind::Name(n) => {
                // `for b in books:`: the parameter itself is iterated
                if how == Some(EvalHow::Iterate) {
                    if let Some(c) = self.chain(e).filter(|(_, path)| path.is_empty()) {
                        let at = self.loc(e);
                        self.record(&c, at, how.clone());
                    }
                }
                if value_use {
                    if let Some(c) = self.chain(e) {
                        self.mark_escape(&c);
                    }
                }
                if !self.mentions_model && !self.probe_holes.covers(m.span(e)) {
                    self.note_name(n, "");
                }
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                // `==`, `is`, `in` compare keys (or identities): nothing escapes
                for x in std::iter::once(left).chain(comparators.iter()) {
                    self.nonvalue = Some(*x);
                    self.expr(*x, None, depth + 1);
                }
            }
            ExprKind::Attr { value, attr, .. } => {
                if let ExprKind::Name(n) = m.kind(*value) {
                    if !self.mentions_model && !self.probe_holes.covers(m.span(e)) {
                        self.note_name(n, attr);
                    }
                }
                self.expr(*value, None, depth + 1);
            }
            ExprKind::Call { func, args, kwargs } => {
                let name = m.dotted(*func);
                let builtin = name.as_deref().filter(|n| {
                    !n.contains('.')
                        && !self.env.contains_key(*n)
                        && !self.file.scope.names.contains_key(*n)
                });
                match builtin {
                    Some("print") => {
                        for a in args.iter() {
                            if !self.formatted(*a) {
                                self.expr(*a, None, depth + 1);
                            }
                        }
                        kwargs
                            .iter()
                            .for_each(|k| self.expr(k.value, None, depth + 1));
                        return;
                    }
                    Some("str" | "format") if !args.is_empty() => {
                        if !self.formatted(args[0]) {
                            self.expr(args[0], None, depth + 1);
                        }
                        args[1..]
                            .iter()
                            .for_each(|a| self.expr(*a, None, depth + 1));
                        return;
                    }
                    Some(
                        b @ ("list" | "tuple" | "set" | "sorted" | "len" | "bool" | "any" | "all"
                        | "sum" | "min" | "max" | "frozenset" | "enumerate"),
                    ) => {
                        let h = match b {
                            "len" => EvalHow::Count,
                            "bool" => EvalHow::Exists,
                            "enumerate" => EvalHow::Iterate,
                            _ => EvalHow::Method(format!("{b}()")),
                        };
                        if let Some(a0) = args.first() {
                            self.expr(*a0, Some(h), depth + 1);
                        }
                        args.iter()
                            .skip(1)
                            .for_each(|a| self.expr(*a, None, depth + 1));
                        kwargs
                            .iter()
                            .for_each(|k| self.expr(k.value, None, depth + 1));
                        return;
                    }
                    _ => {}
                }
                // `", ".join(x)` and known functions iterate an argument
                let iterated = match m.kind(*func) {
                    ExprKind::Attr { value, attr, .. }
                        if &**attr == "join" && matches!(m.kind(*value), ExprKind::Str(_)) =>
                    {
                        Some(0)
                    }
                    _ => name.as_deref().and_then(|d| {
                        let first = d.split('.').next().unwrap_or("");
                        if self.env.contains_key(first) {
                            return None;
                        }
                        let q = self.file.scope.qualify(d);
                        crate::django::ITERATING_CALLS
                            .iter()
                            .find(|(n, _)| *n == q)
                            .map(|(_, pos)| *pos)
                    }),
                };
                if let Some(pos) = iterated.filter(|p| *p < args.len()) {
                    for (i, a) in args.iter().enumerate() {
                        let how = (i == pos).then_some(EvalHow::Iterate);
                        self.expr(*a, how, depth + 1);
                    }
                    kwargs
                        .iter()
                        .for_each(|k| self.expr(k.value, None, depth + 1));
                    return;
                }
                // "{}".format(x)
                if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                    if &**attr == "format" && matches!(m.kind(*value), ExprKind::Str(_)) {
                        for a in args.iter().chain(kwargs.iter().map(|k| &k.value)) {
                            if !self.formatted(*a) {
                                self.expr(*a, None, depth + 1);
                            }
                        }
                        return;
                    }
                }
                if let Some((callee, bound)) = self.callee(*func) {
                    self.called.push(callee.clone());
                    let mut pass_args = Vec::new();
                    self.pass_args(args, kwargs, bound, &mut pass_args, depth);
                    let at = self.loc(e);
                    let always = self.always(at);
                    let runs = self.runs(at);
                    if !pass_args.is_empty() || always || runs.is_some() {
                        let lits = self.arg_literals(args, kwargs, bound);
                        self.passes.push(Pass {
                            callee,
                            args: pass_args,
                            at,
                            always,
                            normal: self.normal(at),
                            guards: self.guards.clone(),
                            runs,
                            lits,
                        });
                    }
                    if !bound {
                        self.expr(*func, None, depth + 1);
                    }
                    return;
                }
                self.expr(*func, None, depth + 1);
                args.iter().for_each(|a| self.expr(*a, None, depth + 1));
                kwargs
                    .iter()
                    .for_each(|k| self.expr(k.value, None, depth + 1));
            }
            ExprKind::FString(xs) => {
                for x in xs.iter() {
                    if !self.formatted(*x) {
                        self.expr(*x, None, depth + 1);
                    }
                }
            }
            ExprKind::BinOp { left, op, right }
                if &**op == "%" && matches!(m.kind(*left), ExprKind::Str(_)) =>
            {
                match m.kind(*right) {
                    ExprKind::Seq { elts, .. } => {
                        for x in elts.iter() {
                            if !self.formatted(*x) {
                                self.expr(*x, None, depth + 1);
                            }
                        }
                    }
                    _ => {
                        if !self.formatted(*right) {
                            self.expr(*right, None, depth + 1);
                        }
                    }
                }
            }
            ExprKind::Not(x) => self.expr(*x, Some(EvalHow::Exists), depth + 1),
            ExprKind::BoolOp { values, .. } => {
                for v in values.iter() {
                    self.expr(*v, Some(EvalHow::Exists), depth + 1);
                    // `a or b` is worth one of its operands: used as a value, they escape
                    if value_use {
                        if let Some(c) = self.chain(*v) {
                            self.mark_escape(&c);
                        }
                    }
                }
            }
            ExprKind::Comp {
                elt, value, gens, ..
            } => {
                let saved = self.env.clone();
                for g in gens.iter() {
                    self.expr(g.iter, Some(EvalHow::Iterate), depth + 1);
                    self.unbind(&g.target);
                    for c in g.ifs.iter() {
                        self.expr(*c, Some(EvalHow::Exists), depth + 1);
                    }
                }
                self.expr(*elt, None, depth + 1);
                if let Some(v) = value {
                    self.expr(*v, None, depth + 1);
                }
                self.env = saved;
            }
            ExprKind::Lambda { .. } => {}
            // `self.plural_set.filter(...)[0]`: one row fetched (a slice chains on)
            ExprKind::Subscript { value, index }
                if !matches!(m.kind(*index), ExprKind::Slice(_)) =>
            {
                self.expr(*value, Some(EvalHow::Method("[index]".into())), depth + 1);
                self.expr(*index, None, depth + 1);
            }
            // `self.n if hasattr(self, "n") else self.note`: each branch under its test.
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(*test, None, depth + 1);
                let (then, otherwise) = self.test_absent(*test);
                let outer = self.absent.len();
                self.absent.extend(then);
                self.expr(*body, None, depth + 1);
                self.absent.truncate(outer);
                self.absent.extend(otherwise);
                self.expr(*orelse, None, depth + 1);
                self.absent.truncate(outer);
            }
            _ => {
                let mut kids = Vec::new();
                m.children(e, &mut kids);
                for k in kids {
                    self.expr(k, None, depth + 1);
                }
            }
        }
    }

    /// Arguments that are parameter paths, as passes; the others are walked.
    fn pass_args(
        &mut self,
        args: &[ExprId],
        kwargs: &[Keyword],
        bound: bool,
        out: &mut Vec<PassArg>,
        depth: u32,
    ) {
        for (i, a) in args.iter().enumerate() {
            if let Some((p, path)) = self.chain(*a) {
                out.push((ArgPos::Pos(i + usize::from(bound)), p, path));
            } else {
                self.expr(*a, None, depth + 1);
            }
        }
        for k in kwargs {
            match (&k.name, self.chain(k.value)) {
                (Some(n), Some((p, path))) => out.push((ArgPos::Kw(n.clone()), p, path)),
                _ => self.expr(k.value, None, depth + 1),
            }
        }
    }

    /// Walk the arguments of the method calls inside a parameter chain.
    fn chain_args(&mut self, e: ExprId, depth: u32) {
        let m = self.m;
        let mut cur = e;
        for _ in 0..=MAX_DEPTH {
            match m.kind(cur) {
                ExprKind::Attr { value, .. } => cur = *value,
                ExprKind::Call { func, args, kwargs } => {
                    args.iter().for_each(|a| self.expr(*a, None, depth + 1));
                    kwargs
                        .iter()
                        .for_each(|k| self.expr(k.value, None, depth + 1));
                    match m.kind(*func) {
                        ExprKind::Attr { value, .. } => cur = *value,
                        _ => return,
                    }
                }
                _ => return,
            }
        }
    }
}
