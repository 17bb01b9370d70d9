//! Entry points of the interpreter: a file's functions and module body, a probed view, a
//! class's queryset, and the stepping API frameworks drive (templates, serializers, admin).

use super::*;
use crate::ast::FuncId;

/// Analyse every function and the module body of a file, without function summaries.
pub fn analyze_file(ix: &Index, file: &File) -> Vec<Event> {
    analyze_file_with(ix, &NO_SUMMARIES, file)
}

/// Analyse every function and the module body of a file, following rows into the functions
/// that `sums` summarises.
pub fn analyze_file_with(ix: &Index, sums: &Summaries, file: &File) -> Vec<Event> {
    analyze_file_hooked(ix, sums, file, None)
}

/// [`analyze_file_with`], letting `hooks` answer calls into a framework's classes (a DRF
/// serializer built over rows in a function: the rows are walked through its fields).
pub fn analyze_file_hooked<'a>(
    ix: &'a Index,
    sums: &'a Summaries,
    file: &'a File,
    hooks: Option<&'a dyn CallHooks<'a>>,
) -> Vec<Event> {
    analyze_file_in(ix, sums, &[], file, hooks)
}

/// [`analyze_file_hooked`], with the files `sums` was built from: a queryset handed to a
/// function that iterates it is followed into its body (see [`super::handed`]).
pub fn analyze_file_in<'a>(
    ix: &'a Index,
    sums: &'a Summaries,
    files: &'a [File],
    file: &'a File,
    hooks: Option<&'a dyn CallHooks<'a>>,
) -> Vec<Event> {
    let m = &file.ast;
    let mut a = Analyzer::new(ix, file, sums);
    a.hooks = hooks;
    a.files = files;
    a.block(&m.body);
    a.flush_usage();
    a.flush_loaded();
    let at_migrate = historical::migration_time_functions(m);
    for (fi, f) in m.functions.iter().enumerate() {
        // Data-migration code sees historical models (see [`historical`]).
        a.historical = at_migrate[fi];
        a.env.clear();
        a.loops.clear();
        a.seen_fk.clear();
        a.seen_rel.clear();
        a.fn_class = None;
        if let (Some(c), None) = (f.class, f.parent) {
            let cd = &m.classes[c as usize];
            if cd.outer.is_none() && !a.class_models.contains_key(&c) {
                a.fn_class = Some(format!("{}.{}", file.scope.module, cd.name));
            }
        }
        if let Some(c) = f.class {
            if let Some(model) = a.class_models.get(&c) {
                let is_static = f.decorators.iter().any(|d| {
                    m.dotted(*d)
                        .is_some_and(|n| n == "staticmethod" || n == "classmethod")
                });
                if let (Some(p), false) = (f.params.first(), is_static) {
                    a.env
                        .insert(p.name.clone(), Value::Instance(Inst::open(*model)));
                }
            }
        }
        // Parameters annotated with a model hold rows a caller chose (see [`annotation`]).
        let is_static = f
            .decorators
            .iter()
            .any(|d| m.dotted(*d).is_some_and(|n| n == "staticmethod"));
        a.bind_annotated(f, f.class.is_some() && !is_static);
        a.bind_receiver_instance(f, fi);
        a.fn_body = Some(&f.body);
        a.fn_span = f.span;
        a.block(&f.body);
        a.flush_usage();
        a.flush_loaded();
        // A loop of a base class calling a hook its subclasses implement
        // (`for o in qs: self.execute_single(o)`): walked again as each subclass runs it.
        if let Some(cls) = a.fn_class.clone() {
            if late_bound_hooks(m, f, &cls, sums) {
                for sub in sums.subclasses_of(&cls).iter().take(MAX_LATE_BOUND) {
                    a.env.clear();
                    a.loops.clear();
                    a.usage = usage::UsageState::default();
                    a.loaded = loaded::Loaded::default();
                    a.fn_class = Some(sub.clone());
                    a.bind_annotated(f, !is_static);
                    let before = a.events.len();
                    a.block(&f.body);
                    // only what the hooks do per row: how the walk uses its values (len(),
                    // truth tests, loads left unread) was judged on the base's own walk
                    let walked = a.events.split_off(before);
                    a.events.extend(walked.into_iter().filter(|e| {
                        matches!(
                            e,
                            Event::FkAccess { .. }
                                | Event::RelatedEval { .. }
                                | Event::PrefetchBypass { .. }
                                | Event::QueryInLoop { .. }
                                | Event::SaveInLoop { .. }
                        )
                    }));
                    a.usage = usage::UsageState::default();
                    a.loaded = loaded::Loaded::default();
                }
            }
        }
    }
    a.events
}

/// Subclasses a base's method is walked again for (see [`late_bound_hooks`]).
const MAX_LATE_BOUND: usize = 8;

/// Method `f` of class `cls` loops and calls, on `self`, a method that a project subclass
/// of `cls` defines again.
fn late_bound_hooks(m: &Module, f: &FunctionDef, cls: &str, sums: &Summaries) -> bool {
    if sums.subclasses_of(cls).is_empty() || !has_loop(&f.body) {
        return false;
    }
    let (start, end) = (f.span.start, f.span.end);
    m.exprs.iter().any(|e| {
        e.span.start >= start
            && e.span.end <= end
            && matches!(&e.kind, ExprKind::Call { func, .. }
                if matches!(m.kind(*func), ExprKind::Attr { value, attr, .. }
                    if matches!(m.kind(*value), ExprKind::Name(n) if &**n == "self")
                        && sums.overridden_below(cls, attr)))
    })
}

fn has_loop(b: &Block) -> bool {
    let mut stack = vec![b];
    let mut steps = 0usize;
    while let Some(b) = stack.pop() {
        for s in b {
            steps += 1;
            if steps > 100_000 {
                return false;
            }
            if matches!(s.kind, StmtKind::For(_)) {
                return true;
            }
            stack.extend(s.kind.blocks());
        }
    }
    false
}

/// Walk one function (a view) and record what reaches its returns and its calls rendering
/// templates. Events found on the way are dropped: the per-file walk reports them.
pub fn probe_function(ix: &Index, file: &File, f: &FunctionDef) -> Probe {
    probe_method(ix, &NO_SUMMARIES, &[], file, f, Vec::new())
}

/// [`probe_function`] following calls into the functions `sums` summarises (a helper that
/// returns the queryset it is handed, transformed: `sort_queryset(qs, request, ...)`), with
/// `self.<attr>` standing for `self_attrs` (what the class it runs for sets: a generic
/// view's `model`, a single-object view's `object`). With the files `sums` was built from,
/// the class's own properties and helpers defined in `file` (`self.positions`,
/// `self.get_authors()`) are walked, so the querysets they build keep their own places.
pub fn probe_method<'a>(
    ix: &'a Index,
    sums: &'a Summaries,
    files: &'a [File],
    file: &'a File,
    f: &'a FunctionDef,
    self_attrs: Vec<(Box<str>, Value)>,
) -> Probe {
    let mut a = Analyzer::new(ix, file, sums);
    a.probe = Some(Probe::default());
    a.self_attrs = self_attrs;
    a.files = files;
    // the view's class: its own helpers (`self.get_items()`, a `@cached_property` read as
    // `self.positions`) are followed through the summaries
    let summarised = !std::ptr::eq(sums, &*NO_SUMMARIES);
    if let (true, Some(c), None) = (summarised, f.class, f.parent) {
        let cd = &file.ast.classes[c as usize];
        if cd.outer.is_none() && !a.class_models.contains_key(&c) {
            a.fn_class = Some(format!("{}.{}", file.scope.module, cd.name));
        }
    }
    a.block(&f.body);
    a.probe.take().unwrap_or_default()
}

/// Walk function `f` of `file` with its parameters bound to `binds` (a template tag called
/// from a template) and record what reaches its returns. Events are dropped.
pub fn probe_call(
    ix: &Index,
    file: &File,
    f: &FunctionDef,
    binds: Vec<(Box<str>, Value)>,
) -> Probe {
    let mut a = Analyzer::new(ix, file, &NO_SUMMARIES);
    a.probe = Some(Probe::default());
    for (n, v) in binds {
        a.env.insert(n, v);
    }
    a.block(&f.body);
    a.probe.take().unwrap_or_default()
}

/// Finds the queries functions of one file run by themselves, as if each were called on every
/// iteration of a loop (one analyzer reused for the file's functions).
pub(crate) struct QueryProbe<'a> {
    a: Analyzer<'a>,
}

impl<'a> QueryProbe<'a> {
    pub fn new(ix: &'a Index, file: &'a File) -> Self {
        QueryProbe {
            a: Analyzer::new(ix, file, &NO_SUMMARIES),
        }
    }

    /// `(span, model, method)` of each `Model.objects...` query (or `get_object_or_404`) `f`
    /// runs, in source order, in the statements that run on every call or under a truth test
    /// of a parameter (see [`Analyzer::always_block`]; the caller still drops those in the
    /// holes of expressions and keeps the parameter tests). An instance built in `f` and
    /// saved (`LogEntry(...).save()`) counts as method `save`. Queries on the related
    /// managers of its parameters are not included: the summary trees replay those against
    /// the caller's loaded set. `self_model`: `f` is a method of that model.
    pub fn queries(
        &mut self,
        f: &'a FunctionDef,
        self_model: Option<ModelId>,
    ) -> Vec<(Loc, ModelId, String)> {
        let a = &mut self.a;
        a.env.clear();
        a.loops.clear();
        a.events.clear();
        a.seen_fk.clear();
        a.seen_rel.clear();
        a.seen_query.clear();
        a.cond_loads.clear();
        a.conds.clear();
        a.returns.clear();
        a.usage = usage::UsageState::default();
        a.loaded = loaded::Loaded::default();
        if let (Some(model), Some(p)) = (self_model, f.params.first()) {
            a.env
                .insert(p.name.clone(), Value::Instance(Inst::open(model)));
        }
        a.guard_params = f
            .params
            .iter()
            .filter(|p| p.kind == crate::ast::ParamKind::Normal)
            .map(|p| p.name.clone())
            .collect();
        a.push_loop(a.loc(f.span), LoopKind::Repeat);
        a.fn_body = Some(&f.body);
        a.fn_span = f.span;
        a.always_block(&f.body, 0);
        a.events
            .drain(..)
            .filter_map(|e| match e {
                Event::QueryInLoop {
                    span,
                    model,
                    method,
                    root: true,
                    ..
                } => Some((span, model, method)),
                // `LogEntry(...)` built in the function and saved: an INSERT per call
                Event::SaveInLoop {
                    span,
                    model,
                    method,
                    created: true,
                    ..
                } if method == "save" => Some((span, model, "save".to_owned())),
                _ => None,
            })
            .collect()
    }
}

/// Where a class gets its queryset: a class attribute's expression, or a method whose
/// `return` values are the queryset (`get_queryset()`).
#[derive(Debug, Clone, Copy)]
pub enum QsSource {
    Expr(ExprId),
    Method(crate::ast::FuncId),
}

/// Evaluate a class's queryset (a DRF view's `queryset =` or its `get_queryset()`, an admin's
/// `get_queryset()`) with the same chain tracking as function bodies. `inherited` is what
/// `self.queryset` and `super().get_queryset()` stand for. Every `return` must yield a queryset
/// of one model; the loads are those common to all of them.
pub fn class_queryset(ix: &Index, file: &File, src: QsSource, inherited: Option<Qs>) -> Option<Qs> {
    class_queryset_assuming(ix, file, src, inherited, None)
}

/// [`class_queryset`] on the path where `assume` gives the value of conditions.
pub fn class_queryset_assuming(
    ix: &Index,
    file: &File,
    src: QsSource,
    inherited: Option<Qs>,
    assume: Option<Assume>,
) -> Option<Qs> {
    class_queryset_with(ix, &NO_SUMMARIES, file, src, inherited, assume)
}

/// [`class_queryset_assuming`], following calls into the functions `sums` summarises (a
/// helper that returns the queryset it is handed, transformed).
pub fn class_queryset_with<'a>(
    ix: &'a Index,
    sums: &'a Summaries,
    file: &'a File,
    src: QsSource,
    inherited: Option<Qs>,
    assume: Option<Assume>,
) -> Option<Qs> {
    let mut a = Analyzer::new(ix, file, sums);
    a.self_qs = inherited.map(Value::QuerySet);
    a.assume = assume;
    let values = match src {
        QsSource::Expr(e) => vec![a.eval(e)],
        QsSource::Method(f) => {
            a.block(&file.ast.functions[f as usize].body);
            std::mem::take(&mut a.returns)
        }
    };
    let mut out: Option<Qs> = None;
    for v in values {
        let Value::QuerySet(q) = v else { return None };
        if q.values {
            return None;
        }
        out = Some(match out {
            None => q,
            // Loads common to every return; a fix goes on each one that builds its own.
            Some(o) => match Value::QuerySet(o).join(&Value::QuerySet(q)) {
                Value::QuerySet(j) => j,
                _ => return None,
            },
        });
    }
    out
}

/// `super().name(...)` or `super(Cls, self).name(...)`.
pub(crate) fn is_super_call(m: &Module, func: ExprId, name: &str) -> bool {
    matches!(m.kind(func), ExprKind::Attr { value, attr, .. } if &**attr == name
        && matches!(m.kind(*value), ExprKind::Call { func: f, .. } if matches!(m.kind(*f), ExprKind::Name(n) if &**n == "super")))
}

impl<'a> Analyzer<'a> {
    /// An analyzer over `file` with nothing bound (the module body and functions are walked
    /// by [`analyze_file_with`]; the template walker drives one through the stepping methods).
    pub fn new(ix: &'a Index, file: &'a File, sums: &'a Summaries) -> Self {
        Analyzer {
            ix,
            file,
            m: &file.ast,
            env: Env::default(),
            loops: Vec::new(),
            next_loop: 0,
            events: Vec::new(),
            seen_fk: HashSet::default(),
            seen_rel: HashSet::default(),
            seen_query: HashSet::default(),
            class_models: ix.file_models(file.id),
            cond_loads: HashMap::default(),
            conds: Vec::new(),
            arg_texts: Vec::new(),
            guard_params: Vec::new(),
            arg_truth: None,
            usage: usage::UsageState::default(),
            sums,
            via: None,
            via_call: None,
            apply_depth: 0,
            applying: Vec::new(),
            recursion: 0,
            apply_cond: false,
            fn_class: None,
            self_qs: None,
            assume: None,
            returns: Vec::new(),
            probe: None,
            rows_through_single: false,
            fn_body: None,
            fn_span: Span::new(0, 0),
            hooks: None,
            loaded: loaded::Loaded::default(),
            sym: false,
            asked: false,
            historical: false,
            files: &[],
            request_votes: None,
            self_attrs: Vec::new(),
            members: Vec::new(),
        }
    }

    /// Forget which relations and queries were already reported, so the next walk (another
    /// serializer field, another admin column) reports its own.
    pub fn forget_seen(&mut self) {
        self.seen_fk.clear();
        self.seen_rel.clear();
        self.seen_query.clear();
    }

    /// The module being walked.
    pub fn module(&self) -> &'a Module {
        self.m
    }

    /// Let `hooks` answer calls into a framework's classes.
    pub fn set_hooks(&mut self, hooks: &'a dyn CallHooks<'a>) {
        self.hooks = Some(hooks);
    }

    /// The index the analyzer reads.
    pub fn index(&self) -> &'a Index {
        self.ix
    }

    /// The location of expression `e` of the file being walked.
    pub(super) fn at(&self, e: ExprId) -> Loc {
        Loc::new(self.file.id, self.m.span(e))
    }

    /// A span of the file being walked, with its file.
    pub(super) fn loc(&self, span: Span) -> Loc {
        Loc::new(self.file.id, span)
    }

    // ------------------------------------------------------------ stepping from outside

    /// The value of an expression of this file evaluated once, outside any loop and with
    /// nothing bound (a class attribute: `queryset = Book.objects.all()`).
    pub fn eval_detached(&mut self, e: ExprId) -> Value {
        let saved = (
            std::mem::take(&mut self.loops),
            std::mem::take(&mut self.env),
        );
        let v = self.eval(e);
        (self.loops, self.env) = saved;
        v
    }

    /// A template-style lookup `base.attr`: a relation, or a queryset method called without
    /// arguments (`book.tags.all`, `book.reviews.count`). `span` locates the lookup.
    pub fn lookup(&mut self, base: &Value, attr: &str, span: Loc) -> Value {
        match base {
            Value::Instance(inst) => self.instance_attr(inst, attr, span),
            Value::ModelClass(_) => self.attr(base.clone(), attr, span),
            Value::QuerySet(q)
                if attr == "all"
                    || SINGLE_METHODS.contains(&attr)
                    || matches!(attr, "count" | "exists") =>
            {
                self.qs_call(q.clone(), attr, &[], &[], span)
            }
            _ => Value::Unknown,
        }
    }

    /// A template's lookup `base.attr` (`{{ book.price_label }}`): as [`Analyzer::lookup`],
    /// and a model method that can be called without arguments is called, as Django's
    /// templates call a callable they look up: its code runs on the instance.
    pub fn template_lookup(&mut self, base: &Value, attr: &str, span: Loc) -> Value {
        if let Value::Instance(inst) = base {
            if self.ix.member(inst.model, attr).is_none() {
                if let Some(f) = self
                    .member_summary(inst.model, attr)
                    .filter(|f| f.kind == FnKind::Method && f.no_arg_call)
                    .filter(|_| summary::follows(attr))
                {
                    self.apply_fn_at(f, Some(base), &[], &[], span);
                    return self.ret_value(f, Some(base), &[], &[], span);
                }
            }
        }
        self.lookup(base, attr, span)
    }

    /// Start a loop over `it` (located at `span`); returns one element.
    pub fn enter_loop(&mut self, it: &Value, span: Loc) -> Value {
        let kind = match it {
            Value::QuerySet(q) if q.single => LoopKind::Single,
            _ => LoopKind::Repeat,
        };
        self.evaluate(it, span, EvalHow::Iterate);
        let id = self.push_loop(span, kind);
        self.note_loop_rows(it);
        self.element(it, id)
    }

    /// The one object a view loads from `qs` (a `DetailView`'s `object`), for the rest of
    /// the walk: rows of its related managers are rooted at `qs`.
    pub fn single_object(&mut self, qs: &Value, span: Loc) -> Value {
        let Value::QuerySet(q) = qs else {
            return Value::Unknown;
        };
        let mut q = q.clone();
        q.single = true;
        self.rows_through_single = true;
        self.enter_loop(&Value::QuerySet(q), span)
    }

    /// `v` is rendered as text at `span` (`{{ book }}`): its model's `__str__` runs.
    pub fn format(&mut self, v: &Value, span: Loc) {
        if let Value::Instance(inst) = v {
            if !self.per_row_value(v) {
                return;
            }
            if let Some(f) = self.member_summary(inst.model, "__str__") {
                self.apply_fn_at(f, Some(v), &[], &[], span);
            }
        }
    }

    /// Function `f` is called at `span` with these arguments (a custom template tag or
    /// filter): the rows handed to it are followed through its summary.
    pub fn call_function(
        &mut self,
        f: &'a FnSummary,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        span: Loc,
    ) {
        self.apply_fn_at(f, None, argv, kwv, span);
    }

    /// `recv.name()` or `recv.name` of a row: a model method or property called by a framework
    /// (an admin column or a serializer field naming a model member) is followed through its
    /// summary, at `span`.
    /// Returns whether the member's code was followed.
    pub fn call_member(&mut self, recv: &Value, name: &str, span: Loc) -> bool {
        let Some(f) = self.followed_member(recv, name) else {
            return false;
        };
        self.apply_fn_at(f, Some(recv), &[], &[], span);
        true
    }

    /// The summary of model method or property `name` of instance `recv`, when its code is
    /// followed.
    fn followed_member(&self, recv: &Value, name: &str) -> Option<&'a FnSummary> {
        let Value::Instance(inst) = recv else {
            return None;
        };
        self.member_summary(inst.model, name)
            .filter(|f| matches!(f.kind, FnKind::Method | FnKind::Property))
            .filter(|_| summary::follows(name))
    }

    /// As [`Analyzer::call_member`], and the value the member returns (`Value::Unknown`
    /// when djperf cannot name it): what a framework goes on to read of it (a nested
    /// serializer over a property's related rows). `None` when the member's code is not
    /// followed.
    pub fn call_member_value(&mut self, recv: &Value, name: &str, span: Loc) -> Option<Value> {
        let f = self.followed_member(recv, name)?;
        self.apply_fn_at(f, Some(recv), &[], &[], span);
        Some(self.ret_value(f, Some(recv), &[], &[], span))
    }

    /// `v` reaches code djperf does not see (a framework's consumer it cannot read): what
    /// its rows load may be read there.
    pub fn escape(&mut self, v: &Value) {
        self.escape_value(v);
    }

    /// Run function `func` of `file` with its parameters bound to `binds` (parameter index →
    /// value; the others unknown), inside the loops open now: the per-row code a framework
    /// calls for every row (a serializer method field, an admin display method). Its body is
    /// interpreted like any function's, branches and calls included; what it observes about
    /// the rows goes to `events`, located in `file`. Returns the values it returns.
    ///
    /// Only per-row observations are kept: the file's own walk already reports the rest
    /// (`len()` tests, lookups, key reads) of the same body.
    pub fn call_bound(
        &mut self,
        file: &'a File,
        func: FuncId,
        binds: &[(usize, Value)],
    ) -> Vec<Value> {
        let Some(f) = file.ast.functions.get(func as usize) else {
            return Vec::new();
        };
        if self.apply_depth >= MAX_APPLY_DEPTH {
            return Vec::new();
        }
        let class_models = self.ix.file_models(file.id);
        let fn_class = match (f.class, f.parent) {
            (Some(c), None) => {
                let cd = &file.ast.classes[c as usize];
                (cd.outer.is_none() && !class_models.contains_key(&c))
                    .then(|| format!("{}.{}", file.scope.module, cd.name))
            }
            _ => None,
        };
        let mut env = Env::default();
        for (i, p) in f.params.iter().enumerate() {
            let v = binds
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            // an unknown `self` stays unbound: `self.helper(...)` is followed by its summary
            if i == 0 && &*p.name == "self" && matches!(v, Value::Unknown) {
                continue;
            }
            env.insert(p.name.clone(), v);
        }
        let saved = Saved {
            file: std::mem::replace(&mut self.file, file),
            m: std::mem::replace(&mut self.m, &file.ast),
            class_models: std::mem::replace(&mut self.class_models, class_models),
            env: std::mem::replace(&mut self.env, env),
            fn_class: std::mem::replace(&mut self.fn_class, fn_class),
            fn_body: self.fn_body.replace(&f.body),
            fn_span: std::mem::replace(&mut self.fn_span, f.span),
            returns: std::mem::take(&mut self.returns),
            usage: std::mem::take(&mut self.usage),
            cond_loads: std::mem::take(&mut self.cond_loads),
            conds: std::mem::take(&mut self.conds),
            self_qs: self.self_qs.take(),
            probe: self.probe.take(),
        };
        let start = self.events.len();
        self.apply_depth += 1;
        self.block(&f.body);
        self.apply_depth -= 1;
        let mut kept = Vec::new();
        for e in self.events.drain(start..) {
            if e.is_per_row() {
                kept.push(e);
            }
        }
        self.events.extend(kept);
        let returns = std::mem::replace(&mut self.returns, saved.returns);
        self.file = saved.file;
        self.m = saved.m;
        self.class_models = saved.class_models;
        self.env = saved.env;
        self.fn_class = saved.fn_class;
        self.fn_body = saved.fn_body;
        self.fn_span = saved.fn_span;
        self.usage = saved.usage;
        self.cond_loads = saved.cond_loads;
        self.conds = saved.conds;
        self.self_qs = saved.self_qs;
        self.probe = saved.probe;
        returns
    }

    pub fn exit_loop(&mut self) {
        self.loops.pop();
    }

    /// `v` is evaluated here (iterated, counted with `|length`, tested by `{% if %}`).
    pub fn evaluate(&mut self, v: &Value, span: Loc, how: EvalHow) {
        if let Value::QuerySet(q) = v {
            if !q.values || how == EvalHow::Iterate {
                self.evaluate_qs(&q.clone(), span, how);
            }
        }
    }
}

/// The analyzer's state for one function, kept while [`Analyzer::call_bound`] walks another.
struct Saved<'a> {
    file: &'a File,
    m: &'a Module,
    class_models: &'a HashMap<u32, ModelId>,
    env: Env,
    fn_class: Option<String>,
    fn_body: Option<&'a Block>,
    fn_span: Span,
    returns: Vec<Value>,
    usage: usage::UsageState,
    cond_loads: HashMap<Loc, Vec<(String, LoadSet)>>,
    conds: Vec<String>,
    self_qs: Option<Value>,
    probe: Option<Probe>,
}
