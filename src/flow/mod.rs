//! Queryset flow analysis inside one function body.
//!
//! Querysets are followed from where they are built (`Book.objects...`, a related manager, a
//! custom manager) through assignments, branches and loops to where their rows are used. The
//! walk records [`Event`]s — a relation read per row, a query run in a loop — and the rule
//! modules turn events into diagnostics. Each function is walked once, in source order.

pub mod always;
pub mod large;
pub mod summary;
pub mod usage;
pub mod value;

use crate::ast::{
    Block, CompFor, ExprId, ExprKind, FunctionDef, Keyword, Module, SeqKind, StmtKind, Target,
};
use crate::index::effects::{apply_method, ChainEffect, LoadSet};
use crate::index::{FieldKind, Index, Member, ModelId, ReverseKind};
use crate::project::File;
use crate::source::Span;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;
use summary::{Access, FnKind, FnSummary};
pub use summary::{Loc, Summaries};
pub use value::{Inst, Qs, RelInfo, Row, Value};

/// How a related manager's rows were asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalHow {
    Iterate,
    Count,
    Exists,
    /// Any other evaluating method (`first`, `get`...).
    Method(String),
    /// A builtin that evaluates its argument (`list`, `len`...).
    Builtin(String),
}

/// Something the rules care about, found while walking.
#[derive(Debug, Clone)]
pub enum Event {
    /// A forward FK/one-to-one (or reverse one-to-one, generic FK) read on a row that did not
    /// load it.
    FkAccess {
        span: Span,
        root_span: Span,
        /// Where the fix goes when branches built the queryset separately (empty:
        /// `root_span`).
        fix_at: Vec<Span>,
        /// The rows' queryset calls `select_for_update()` (a join would lock more rows).
        locks: bool,
        root_model: ModelId,
        /// Full relation path from the root rows.
        path: Vec<String>,
        /// Index in `path` of the first segment that was not loaded.
        missing_from: usize,
        /// The model and accessor read.
        model: ModelId,
        attr: String,
        generic: bool,
        /// Nullable, and the queryset used `select_related()` with no arguments (which skips
        /// nullable relations).
        skipped_by_bare_select: bool,
        /// The path crosses a many-valued relation (needs `prefetch_related`).
        many: bool,
        /// Read inside a function the row was handed to: where it reads the relation.
        via: Option<Loc>,
    },
    /// A reverse FK / many-to-many manager evaluated per row without a prefetch.
    RelatedEval {
        span: Span,
        root_span: Span,
        /// As in `FkAccess`.
        fix_at: Vec<Span>,
        root_model: ModelId,
        path: Vec<String>,
        model: ModelId,
        rel: String,
        how: EvalHow,
        /// A method that narrows the rows was chained (`filter`...): a plain prefetch won't do.
        narrowed: Option<String>,
        many: bool,
        /// Evaluated inside a function the row was handed to: where.
        via: Option<Loc>,
    },
    /// A prefetched relation re-queried per row.
    PrefetchBypass {
        span: Span,
        root_span: Span,
        root_model: ModelId,
        path: Vec<String>,
        model: ModelId,
        rel: String,
        method: String,
    },
    /// A query run inside a loop body.
    QueryInLoop {
        span: Span,
        loop_span: Span,
        model: ModelId,
        method: String,
        /// Built from `Model.objects` (not a related manager of a row).
        root: bool,
        /// Run inside a function called at `span` (shown as written: `price_of()`,
        /// `.current_price`, `str()`), at this location.
        via: Option<(String, Loc)>,
    },
    /// `len(qs)`, `bool(qs)`, `if qs:` whose rows are not used afterwards (see [`usage`]).
    RowsUnused {
        span: Span,
        model: ModelId,
        how: usage::Unused,
    },
    /// `qs.count() > 0` and friends: an existence test written as a count.
    CountCompare {
        span: Span,
        model: ModelId,
        /// The comparison as written (`> 0`, `== 0`, `not`).
        form: String,
        /// True when the test asks "are there none?".
        negated: bool,
    },
    /// `obj.author.id` on a relation that is not loaded: `obj.author_id` needs no query.
    FkIdThroughRelation {
        span: Span,
        model: ModelId,
        attr: String,
        id_attr: String,
    },
    /// A field left out by `.only()`/`.defer()` read on every row.
    DeferredFieldRead {
        span: Span,
        root_span: Span,
        model: ModelId,
        field: String,
    },
    /// A lookup or ordering on the rows of a model's table (`filter(title=...)`,
    /// `order_by("-created")`), for the index rules (DJP301, DJP302).
    Lookup {
        /// The keyword or the string argument.
        span: Span,
        model: ModelId,
        /// `filter`, `exclude`, `get` or `order_by`.
        method: String,
        /// The lookup path as written (`author__name__in`, `-created`).
        path: String,
        /// The value is the literal `None` (an `IS NULL` test).
        is_none: bool,
        /// Keyword lookups of earlier `filter()` calls on the same queryset (and, for a
        /// filter, the other keywords of the same call).
        filters: Vec<String>,
    },
    /// A loop over a queryset whose rows are only read through plain fields, none of them
    /// some large columns of the model (DJP201).
    LargeFieldsUnused {
        /// The queryset expression (where `.only()`/`.defer()` goes).
        span: Span,
        model: ModelId,
        /// The fields read on the rows (the primary key left out).
        read: Vec<String>,
        /// The model's large columns that no read touches.
        unread: Vec<String>,
        /// `.only(<read>)` is a valid fix (no relation is read or loaded with the rows).
        only_ok: bool,
    },
    /// `obj.save()`/`obj.delete()` per row.
    SaveInLoop {
        span: Span,
        loop_span: Span,
        model: ModelId,
        method: String,
        /// The object was created in the loop (`Model(...)`), so `bulk_create` fits.
        created: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoopKind {
    /// Repeats once per row or item: queries inside are queries per item.
    Repeat,
    /// Runs at most once (a single-row queryset).
    Single,
    /// A fixed, small number of iterations (a literal collection, an UPPER_CASE constant).
    Literal,
    /// A `while` loop or a loop over batches: deliberate batching, not per row.
    Batch,
    /// Not a loop: the body of `if x is None: x = ...` runs once (a memoised query).
    Once,
}

#[derive(Debug, Clone)]
struct LoopFrame {
    id: u32,
    span: Span,
    kind: LoopKind,
    /// Iterates the rows of a queryset or related manager.
    rows: bool,
}

type Env = HashMap<Box<str>, Value>;

/// Methods that run a query and return one object.
const SINGLE_METHODS: &[&str] = &["get", "first", "last", "earliest", "latest"];
/// Methods that run a query and return something else.
const QUERY_METHODS: &[&str] = &[
    "count",
    "exists",
    "aggregate",
    "in_bulk",
    "update",
    "delete",
    "create",
    "get_or_create",
    "update_or_create",
    "contains",
    "explain",
];
/// Chained methods that clone a queryset and change its rows or shape.
const NARROWING: &[&str] = &[
    "filter",
    "exclude",
    "order_by",
    "values",
    "values_list",
    "annotate",
    "alias",
    "distinct",
    "reverse",
    "extra",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "union",
    "intersection",
    "difference",
    "complex_filter",
    "select_for_update",
    "using",
    "none",
];
/// Builtins that evaluate an iterable argument.
const EVALUATING_BUILTINS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "sorted",
    "len",
    "bool",
    "any",
    "all",
    "sum",
    "min",
    "max",
    "print",
    "frozenset",
    "dict",
];

/// A dict built in a function: its literal keys and their values.
pub type DictVal = Vec<(String, Value)>;

/// Calls a probed walk records (views rendering templates).
const PROBED_CALLS: &[&str] = &[
    "render",
    "render_to_response",
    "render_to_string",
    "TemplateResponse",
    "SimpleTemplateResponse",
];

/// What a probed walk of one function saw: the values reaching its returns and its
/// template-rendering calls (see [`probe_function`]).
#[derive(Debug, Default)]
pub struct Probe {
    pub calls: Vec<ProbedCall>,
    /// Each `return`: its value, and its entries when it returns a dict built here.
    pub returns: Vec<(Value, Option<DictVal>)>,
    dicts: HashMap<Box<str>, DictVal>,
}

/// A call to one of [`PROBED_CALLS`].
#[derive(Debug, Clone)]
pub struct ProbedCall {
    /// The callee as written, its first segment qualified through the imports
    /// (`django.shortcuts.render`, `self.render_to_response`).
    pub name: String,
    pub span: Span,
    pub args: Vec<ProbedArg>,
}

#[derive(Debug, Clone)]
pub struct ProbedArg {
    pub kw: Option<Box<str>>,
    pub expr: ExprId,
    pub value: Value,
    /// The entries when the argument is a dict literal or a dict built in the function.
    pub dict: Option<DictVal>,
}

pub struct Analyzer<'a> {
    ix: &'a Index,
    file: &'a File,
    m: &'a Module,
    env: Env,
    loops: Vec<LoopFrame>,
    next_loop: u32,
    pub events: Vec<Event>,
    seen_fk: HashSet<(u32, Vec<String>)>,
    seen_rel: HashSet<(u32, Vec<String>)>,
    seen_query: HashSet<Span>,
    /// Local names bound to model classes by class definitions resolved in this module.
    class_models: &'a HashMap<u32, ModelId>,
    /// Relations a queryset loads only when a condition held: `if full: qs =
    /// qs.select_related("author")`. Keyed by the queryset's span; an access guarded by the
    /// same condition sees them loaded.
    cond_loads: HashMap<Span, Vec<(String, LoadSet)>>,
    /// The conditions of the `if` branches being walked, as normalised source text.
    conds: Vec<String>,
    /// Pending `len()`/truthiness tests and the last relation/count read (see [`usage`]).
    usage: usage::UsageState,
    sums: &'a Summaries,
    /// While a function summary is applied: where the callee reads the current path.
    via: Option<Loc>,
    /// Nesting of summary applications (bounded).
    apply_depth: u32,
    /// While a function summary is applied: the current path is read only on some calls of a
    /// callee on the way (its queries do not count as run per call).
    apply_cond: bool,
    /// The class (qualified) of the method being walked, when it is not a model: what
    /// `self.helper(...)` calls.
    fn_class: Option<String>,
    /// What `self.queryset` and `super().get_queryset()` stand for (a class's own queryset).
    self_qs: Option<Value>,
    /// The values of `return` statements seen (for [`class_queryset`]).
    returns: Vec<Value>,
    /// Set for a probed walk (views → templates).
    probe: Option<Probe>,
    /// Rows of a related manager of a single object loaded by a view keep that object's
    /// queryset as their root (where a `prefetch_related` for them goes).
    rows_through_single: bool,
    /// The body and span of the function being walked (`None` at module level and when
    /// driven from outside).
    fn_body: Option<&'a Block>,
    fn_span: Span,
}

/// Bound on nested summary applications (helper → property → `__str__` ...).
const MAX_APPLY_DEPTH: u32 = 6;

static NO_SUMMARIES: std::sync::LazyLock<Summaries> = std::sync::LazyLock::new(Summaries::default);

/// Analyse every function and the module body of a file, without function summaries.
pub fn analyze_file(ix: &Index, file: &File) -> Vec<Event> {
    analyze_file_with(ix, &NO_SUMMARIES, file)
}

/// Analyse every function and the module body of a file, following rows into the functions
/// that `sums` summarises.
pub fn analyze_file_with(ix: &Index, sums: &Summaries, file: &File) -> Vec<Event> {
    let m = &file.ast;
    let mut a = Analyzer::new(ix, file, sums);
    a.block(&m.body);
    a.flush_usage();
    let at_migrate = migration_time_functions(m);
    for (fi, f) in m.functions.iter().enumerate() {
        if at_migrate[fi] {
            continue;
        }
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
                    a.env.insert(
                        p.name.clone(),
                        Value::Instance(Inst {
                            model: *model,
                            loads: LoadSet::default(),
                            row: None,
                            created_in_loop: None,
                            open: true,
                        }),
                    );
                }
            }
        }
        a.fn_body = Some(&f.body);
        a.fn_span = f.span;
        a.block(&f.body);
        a.flush_usage();
    }
    a.events
}

/// Functions that run while migrating, as `migrations/` files do: they take the historical
/// app registry as a parameter `apps` and call `apps.get_model(...)` (a `RunPython` function,
/// a helper it calls with `apps`, a `post_migrate` handler), and the functions nested in them.
/// Their queries in loops run once per deployment, over historical models; they are not
/// analysed.
fn migration_time_functions(m: &crate::ast::Module) -> Vec<bool> {
    let calls: Vec<Span> = m
        .exprs
        .iter()
        .filter(|e| match &e.kind {
            ExprKind::Call { func, .. } => matches!(
                m.kind(*func),
                ExprKind::Attr { value, attr, .. }
                    if &**attr == "get_model"
                        && matches!(m.kind(*value), ExprKind::Name(n) if &**n == "apps")
            ),
            _ => false,
        })
        .map(|e| e.span)
        .collect();
    let mut out: Vec<bool> = m
        .functions
        .iter()
        .map(|f| {
            !calls.is_empty()
                && f.params.iter().any(|p| &*p.name == "apps")
                && calls
                    .iter()
                    .any(|c| c.start >= f.span.start && c.end <= f.span.end)
        })
        .collect();
    // Nested functions follow their parent (parents come first in `functions`).
    for i in 0..m.functions.len() {
        if let Some(p) = m.functions[i].parent {
            if out.get(p as usize).copied().unwrap_or(false) {
                out[i] = true;
            }
        }
    }
    out
}

/// Walk one function (a view) and record what reaches its returns and its calls rendering
/// templates. Events found on the way are dropped: the per-file walk reports them.
pub fn probe_function(ix: &Index, file: &File, f: &FunctionDef) -> Probe {
    let mut a = Analyzer::new(ix, file, &NO_SUMMARIES);
    a.probe = Some(Probe::default());
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
    /// runs, in source order, in the statements that run on every call (see
    /// [`Analyzer::always_block`]; the caller still drops those in the holes of expressions). Queries on the related managers of
    /// its parameters are not included: the summary trees replay those against the caller's
    /// loaded set. `self_model`: `f` is a method of that model.
    pub fn queries(
        &mut self,
        f: &'a FunctionDef,
        self_model: Option<ModelId>,
    ) -> Vec<(Span, ModelId, String)> {
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
        if let (Some(model), Some(p)) = (self_model, f.params.first()) {
            a.env.insert(
                p.name.clone(),
                Value::Instance(Inst {
                    model,
                    loads: LoadSet::default(),
                    row: None,
                    created_in_loop: None,
                    open: true,
                }),
            );
        }
        a.push_loop(f.span, LoopKind::Repeat);
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
    let mut a = Analyzer::new(ix, file, &NO_SUMMARIES);
    a.self_qs = inherited.map(Value::QuerySet);
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
fn is_super_call(m: &Module, func: ExprId, name: &str) -> bool {
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
            usage: usage::UsageState::default(),
            sums,
            via: None,
            apply_depth: 0,
            apply_cond: false,
            fn_class: None,
            self_qs: None,
            returns: Vec::new(),
            probe: None,
            rows_through_single: false,
            fn_body: None,
            fn_span: Span::new(0, 0),
        }
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
    pub fn lookup(&mut self, base: &Value, attr: &str, span: Span) -> Value {
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

    /// Start a loop over `it` (located at `span`); returns one element.
    pub fn enter_loop(&mut self, it: &Value, span: Span) -> Value {
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
    pub fn single_object(&mut self, qs: &Value, span: Span) -> Value {
        let Value::QuerySet(q) = qs else {
            return Value::Unknown;
        };
        let mut q = q.clone();
        q.single = true;
        self.rows_through_single = true;
        self.enter_loop(&Value::QuerySet(q), span)
    }

    /// `v` is rendered as text at `span` (`{{ book }}`): its model's `__str__` runs.
    pub fn format(&mut self, v: &Value, span: Span) {
        if let Value::Instance(inst) = v {
            if !self.per_row_value(v) {
                return;
            }
            if let Some(f) = self.sums.model_member(self.ix, inst.model, "__str__") {
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
        span: Span,
    ) {
        self.apply_fn_at(f, None, argv, kwv, span);
    }

    pub fn exit_loop(&mut self) {
        self.loops.pop();
    }

    /// `v` is evaluated here (iterated, counted with `|length`, tested by `{% if %}`).
    pub fn evaluate(&mut self, v: &Value, span: Span, how: EvalHow) {
        if let Value::QuerySet(q) = v {
            if !q.values || how == EvalHow::Iterate {
                self.evaluate_qs(&q.clone(), span, how);
            }
        }
    }

    // ------------------------------------------------------------ probes

    /// The entries of a dict expression: a literal, `dict(k=v)`, a dict built earlier in
    /// the function, or `super().get_context_data(...)` (an empty start).
    fn dict_of(&mut self, e: ExprId) -> Option<DictVal> {
        let m = self.m;
        match m.kind(e) {
            ExprKind::Dict(items) => {
                let mut out = Vec::new();
                for (k, v) in items.iter() {
                    let val = self.eval(*v);
                    match k.and_then(|k| m.str_value(k)) {
                        Some(k) => out.push((k.to_owned(), val)),
                        None => {
                            if let Some(rest) = self.dict_of(*v) {
                                out.extend(rest);
                            }
                        }
                    }
                }
                Some(out)
            }
            ExprKind::Name(n) => self.probe.as_ref()?.dicts.get(n).cloned(),
            ExprKind::Call { func, kwargs, .. } => {
                let name = m.dotted(*func);
                match name.as_deref().map(|n| n.rsplit('.').next().unwrap_or(n)) {
                    Some("dict") => Some(
                        kwargs
                            .iter()
                            .filter_map(|k| {
                                Some((k.name.as_deref()?.to_owned(), self.eval(k.value)))
                            })
                            .collect(),
                    ),
                    Some("get_context_data") => Some(Vec::new()),
                    _ => match m.kind(*func) {
                        // `super().get_context_data(**kwargs)`
                        ExprKind::Attr { attr, .. } if &**attr == "get_context_data" => {
                            Some(Vec::new())
                        }
                        _ => None,
                    },
                }
            }
            _ => None,
        }
    }

    /// A paginator built over a queryset (`Paginator(qs, 20)`, a project's
    /// `get_paginator(request, qs)`) and its pages (`.get_page(n)`, `.page(n)`): a template
    /// iterating the page iterates the queryset's rows.
    fn probe_paginator(&mut self, func: ExprId, args: &[ExprId]) -> Option<Value> {
        let m = self.m;
        if let ExprKind::Attr { value, attr, .. } = m.kind(func) {
            if matches!(&**attr, "get_page" | "page") {
                if let v @ Value::QuerySet(_) = self.eval(*value) {
                    for a in args {
                        self.eval(*a);
                    }
                    return Some(v);
                }
            }
        }
        let name = m.dotted(func)?;
        let short = name.rsplit('.').next().unwrap_or(&name);
        if !short.to_ascii_lowercase().contains("paginat") {
            return None;
        }
        let vals: Vec<Value> = args.iter().map(|a| self.eval(*a)).collect();
        vals.into_iter()
            .find(|v| matches!(v, Value::QuerySet(q) if !q.values))
    }

    /// Record a call to a template-rendering function.
    fn probe_call(&mut self, func: ExprId, args: &[ExprId], kwargs: &[Keyword], span: Span) {
        let m = self.m;
        let Some(dotted) = m.dotted(func) else { return };
        let short = dotted.rsplit('.').next().unwrap_or(&dotted);
        if !PROBED_CALLS.contains(&short) {
            return;
        }
        let name = self.file.scope.qualify(&dotted);
        let mut out = Vec::new();
        for a in args {
            let value = self.eval(*a);
            let dict = self.dict_of(*a);
            out.push(ProbedArg {
                kw: None,
                expr: *a,
                value,
                dict,
            });
        }
        for k in kwargs {
            let value = self.eval(k.value);
            let dict = self.dict_of(k.value);
            out.push(ProbedArg {
                kw: k.name.clone(),
                expr: k.value,
                value,
                dict,
            });
        }
        if let Some(p) = &mut self.probe {
            p.calls.push(ProbedCall {
                name,
                span,
                args: out,
            });
        }
    }

    // ------------------------------------------------------------ loops

    /// Whether a row's loop is running now (and yields many rows).
    fn per_row(&self, row: &Row) -> bool {
        let Some(pos) = self.loops.iter().position(|l| l.id == row.loop_id) else {
            return false;
        };
        self.loops[pos].kind != LoopKind::Single
            && !self.loops[pos..].iter().any(|l| l.kind == LoopKind::Once)
    }

    /// The innermost loop that repeats work per row or item (for queries in loops), unless a
    /// run-once guard sits between it and the current point.
    fn repeating_loop(&self) -> Option<&LoopFrame> {
        for l in self.loops.iter().rev() {
            match l.kind {
                LoopKind::Once => return None,
                LoopKind::Repeat => return Some(l),
                _ => {}
            }
        }
        None
    }

    fn push_loop(&mut self, span: Span, kind: LoopKind) -> u32 {
        let id = self.next_loop;
        self.next_loop += 1;
        self.loops.push(LoopFrame {
            id,
            span,
            kind,
            rows: false,
        });
        id
    }

    /// The loop just pushed iterates `it`: note whether those are query rows.
    fn note_loop_rows(&mut self, it: &Value) {
        if let Some(l) = self.loops.last_mut() {
            l.rows = matches!(it, Value::QuerySet(_));
        }
    }

    /// The kind of loop iterating expression `iter` whose value is `it`.
    fn loop_kind(&self, iter: ExprId, it: &Value) -> LoopKind {
        if matches!(it, Value::QuerySet(q) if q.single) {
            LoopKind::Single
        } else if self.is_literal_iter(iter) {
            LoopKind::Literal
        } else if self.is_batching_iter(iter) {
            LoopKind::Batch
        } else {
            LoopKind::Repeat
        }
    }

    /// `batched(...)`, `chunked(...)`, `chunks(...)`: deliberate batching.
    fn is_batching_iter(&self, e: ExprId) -> bool {
        match self.m.kind(e) {
            ExprKind::Call { func, .. } => self.m.dotted(*func).is_some_and(|d| {
                let last = d.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
                last.contains("batch") || last.contains("chunk")
            }),
            _ => false,
        }
    }

    /// `if x is None:` / `if not x:` whose body assigns `x`: a value computed once.
    fn is_once_guard(&self, test: ExprId, body: &Block) -> bool {
        let guarded = match self.m.kind(test) {
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1
                && &*ops[0] == "is"
                && matches!(
                    self.m.kind(comparators[0]),
                    ExprKind::Const(crate::ast::Const::None)
                ) =>
            {
                self.m.dotted(*left)
            }
            ExprKind::Not(x) => self.m.dotted(*x),
            _ => None,
        };
        let Some(name) = guarded else { return false };
        body.iter().any(|st| match &st.kind {
            StmtKind::Assign { targets, .. } => targets.iter().any(|t| match t {
                Target::Name(n, _) => **n == *name,
                Target::Attr(e) => self.m.dotted(*e).as_deref() == Some(name.as_str()),
                _ => false,
            }),
            _ => false,
        })
    }

    // ------------------------------------------------------------ statements

    fn block(&mut self, b: &Block) {
        for st in b {
            self.stmt(&st.kind, st.span);
        }
    }

    fn stmt(&mut self, k: &StmtKind, span: Span) {
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
                    self.note_assign(targets, *v);
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
                self.eval(*value);
                self.bind(target, Value::Unknown);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                let it = self.eval(*iter);
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
                self.join_env(&before);
                self.block(orelse);
            }
            StmtKind::While { test, body, orelse } => {
                let before = self.env.clone();
                self.push_loop(span, LoopKind::Batch);
                self.truth(*test);
                self.block(body);
                self.loops.pop();
                self.join_env(&before);
                self.block(orelse);
            }
            StmtKind::If { test, body, orelse } => {
                self.truth(*test);
                let before = self.env.clone();
                let cond = self.cond_text(*test);
                self.conds.push(cond.clone());
                let exits = !self.loops.is_empty() && crate::ast::exits_loop(body);
                if exits || self.is_once_guard(*test, body) {
                    self.push_loop(span, LoopKind::Once);
                    self.block(body);
                    self.loops.pop();
                } else {
                    self.block(body);
                }
                self.conds.pop();
                let after_body = std::mem::replace(&mut self.env, before);
                let negated = format!("not {cond}");
                self.conds.push(negated.clone());
                self.block(orelse);
                self.conds.pop();
                let joined = join_envs(&after_body, &self.env);
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
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                let before = self.env.clone();
                self.block(body);
                self.block(orelse);
                let mut merged = self.env.clone();
                for h in handlers {
                    self.env = before.clone();
                    if let Some(t) = h.type_ {
                        self.eval(t);
                    }
                    self.block(&h.body);
                    merged = join_envs(&merged, &self.env);
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
                    self.env = join_envs(&m, &before);
                }
            }
            StmtKind::Return(Some(e)) => {
                let v = self.eval(*e);
                self.returns.push(v.clone());
                if self.probe.is_some() {
                    let d = self.dict_of(*e);
                    if let Some(p) = &mut self.probe {
                        p.returns.push((v, d));
                    }
                }
            }
            StmtKind::Other(es) | StmtKind::Raise(es) => {
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
            StmtKind::Return(None)
            | StmtKind::FunctionDef(_)
            | StmtKind::ClassDef(_)
            | StmtKind::Break
            | StmtKind::Continue => {}
        }
    }

    /// Walk only the statements of a block that run whenever it does (the conditions of `if`
    /// and `while`, the iterable of `for`, `with` and `try` bodies up to the first possible
    /// exit), the way [`always::Holes`] cuts a function: the branches skipped cannot hold a
    /// query that runs on every call. Returns false after a possible exit.
    fn always_block(&mut self, b: &Block, depth: u32) -> bool {
        if depth > 100 {
            return false;
        }
        for st in b {
            match &st.kind {
                StmtKind::If { test, body, orelse } => {
                    self.truth(*test);
                    if always::may_exit(body, 0) || always::may_exit(orelse, 0) {
                        return false;
                    }
                }
                StmtKind::For {
                    iter, body, orelse, ..
                } => {
                    let it = self.eval(*iter);
                    self.evaluate_iter(&it, *iter, EvalHow::Iterate);
                    if always::may_exit(body, 0) || always::may_exit(orelse, 0) {
                        return false;
                    }
                }
                StmtKind::While { test, body, orelse } => {
                    self.truth(*test);
                    if always::may_exit(body, 0) || always::may_exit(orelse, 0) {
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
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finally,
                } => {
                    let falls = self.always_block(body, depth + 1);
                    let exits = !falls
                        || handlers.iter().any(|h| always::may_exit(&h.body, 0))
                        || always::may_exit(orelse, 0);
                    if !self.always_block(finally, depth + 1) || exits {
                        return false;
                    }
                }
                StmtKind::Match { subject, cases } => {
                    self.eval(*subject);
                    if cases.iter().any(|c| always::may_exit(c, 0)) {
                        return false;
                    }
                }
                StmtKind::Return(_) | StmtKind::Raise(_) | StmtKind::Break | StmtKind::Continue => {
                    self.stmt(&st.kind, st.span);
                    return false;
                }
                _ => self.stmt(&st.kind, st.span),
            }
        }
        true
    }

    /// The normalised source text of a condition (`not x` and `not (x)` alike).
    fn cond_text(&self, e: ExprId) -> String {
        let text = self.file.text.as_deref().unwrap_or("");
        let raw = text.get(self.m.span(e).range()).unwrap_or("");
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// After an `if`, remember what a branch loaded beyond the joined value.
    fn record_conditional_loads(&mut self, joined: &Env, branch: &Env, cond: &str) {
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
    fn loaded_under_active_condition(&self, row: &Row, attr: &str) -> bool {
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

    fn join_env(&mut self, before: &Env) {
        self.env = join_envs(before, &self.env);
    }

    fn bind(&mut self, t: &Target, v: Value) {
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
            Target::Attr(e) | Target::Subscript(e) => {
                // Evaluate the object part for reads (`x.a.b = 1` reads `x.a`).
                if let ExprKind::Attr { value, .. } | ExprKind::Subscript { value, .. } =
                    self.m.kind(*e)
                {
                    self.eval(*value);
                }
            }
            Target::Other => {}
        }
    }

    fn is_literal_iter(&self, e: ExprId) -> bool {
        match self.m.kind(e) {
            ExprKind::Seq { .. } | ExprKind::Dict(_) | ExprKind::Str(_) => true,
            // A module constant: `for name in DEFAULT_GROUPS`, `SETTINGS.items()`.
            ExprKind::Name(n) => is_constant_name(n),
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

    /// The names an expression reads as a queryset variable (for marking the cache filled).
    fn mark_cached(&mut self, e: ExprId) {
        if let ExprKind::Name(n) = self.m.kind(e) {
            if let Some(Value::QuerySet(q)) = self.env.get_mut(n) {
                q.cached = true;
                q.bypass = None;
            }
        }
    }

    /// The value of one element when iterating `v` inside loop `loop_id`.
    fn element(&self, v: &Value, loop_id: u32) -> Value {
        match v {
            Value::QuerySet(q) if !q.values => Value::Instance(self.row_of(q, loop_id)),
            Value::Zip(parts) => {
                Value::Tuple(parts.iter().map(|p| self.element(p, loop_id)).collect())
            }
            Value::InstanceDict(_) => Value::Unknown,
            _ => Value::Unknown,
        }
    }

    fn row_of(&self, q: &Qs, loop_id: u32) -> Inst {
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
                    path.push(rel.rel.clone());
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
        let open = q.related.as_ref().is_some_and(|r| r.parent.open) && q.narrowed.is_none();
        Inst {
            model: q.model,
            loads: q.loads.clone(),
            row: Some(Rc::new(row)),
            created_in_loop: None,
            open,
        }
    }

    // ------------------------------------------------------------ evaluation points

    /// `v` (the value of expression `e`) is evaluated: iterated, counted, listed.
    fn evaluate_iter(&mut self, v: &Value, e: ExprId, how: EvalHow) {
        if let Value::QuerySet(q) = v {
            let span = self.m.span(e);
            self.evaluate_qs(q, span, how);
        }
    }

    fn evaluate_qs(&mut self, q: &Qs, span: Span, how: EvalHow) {
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
                            path.push(rel.rel.clone());
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
                    path.push(rel.rel.clone());
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
                        });
                    }
                    return;
                }
            }
        }
        if q.cached {
            return;
        }
        let Some(l) = self.repeating_loop().cloned() else {
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
                model: q.model,
                method,
                root: q.related.is_none(),
                via: None,
            });
        }
    }

    /// An expression used for its truth value (`if qs:`, `not qs`).
    fn truth(&mut self, e: ExprId) -> Value {
        let outer = self.enter_truth(e);
        let v = self.eval(e);
        self.leave_truth(outer);
        if let Value::QuerySet(q) = &v {
            if !q.is_list {
                let q = q.clone();
                self.note_truth(e, &q);
                self.evaluate_qs(&q, self.m.span(e), EvalHow::Exists);
                self.mark_cached(e);
            }
        } else {
            self.note_truth_of_call(e);
        }
        v
    }

    // ------------------------------------------------------------ expressions

    pub fn eval(&mut self, e: ExprId) -> Value {
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
                let base = self.eval(*value);
                if matches!(base, Value::Unknown) {
                    // `models.Book` through a module alias (`from . import models`).
                    if let Some(id) = self.module_attr_model(e) {
                        return Value::ModelClass(id);
                    }
                }
                self.note_id_read(*value, attr, m.span(e));
                self.attr(base, attr, m.span(e))
            }
            ExprKind::Call { func, .. }
                if self.self_qs.is_some() && is_super_call(m, *func, "get_queryset") =>
            {
                self.self_qs.clone().unwrap_or_default()
            }
            ExprKind::Call { func, args, kwargs } => self.call(e, *func, args, kwargs),
            ExprKind::Subscript { value, index } => {
                let base = self.eval(*value);
                let idx = self.eval(*index);
                let _ = idx;
                match base {
                    Value::QuerySet(q) if !q.values => {
                        if matches!(m.kind(*index), ExprKind::Slice(_)) {
                            let mut q2 = q.clone();
                            q2.step(m.span(e));
                            q2.is_manager = false;
                            Value::QuerySet(q2)
                        } else {
                            self.evaluate_qs(&q, m.span(e), EvalHow::Method("[index]".into()));
                            Value::Instance(Inst {
                                model: q.model,
                                loads: q.loads.clone(),
                                row: None,
                                created_in_loop: None,
                                open: false,
                            })
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            ExprKind::Comp {
                elt, value, gens, ..
            } => {
                let depth = self.loops.len();
                let before = self.env.clone();
                for (i, g) in gens.iter().enumerate() {
                    let it = self.comp_gen(g, m.span(e));
                    if let (0, Value::QuerySet(q)) = (i, &it) {
                        self.note_large_loop(
                            q,
                            g.iter,
                            &g.target,
                            &large::LoopScope::Comp { comp: e },
                        );
                    }
                }
                self.eval(*elt);
                if let Some(v) = value {
                    self.eval(*v);
                }
                self.loops.truncate(depth);
                self.env = before;
                // The outermost iterable is evaluated in full: its result cache is filled.
                if let Some(g) = gens.first() {
                    self.mark_cached(g.iter);
                }
                Value::Unknown
            }
            ExprKind::Not(x) => {
                self.truth(*x);
                self.note_not(*x);
                Value::Unknown
            }
            ExprKind::BoolOp { values, .. } => {
                for v in values.iter() {
                    self.truth(*v);
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
                self.note_compare(e, *left, ops, comparators);
                for (op, c) in ops.iter().zip(comparators.iter()) {
                    let v = self.eval(*c);
                    if matches!(&**op, "in" | "not in") {
                        if let Value::QuerySet(q) = &v {
                            let q = q.clone();
                            self.evaluate_qs(&q, m.span(*c), EvalHow::Method("in".into()));
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
                self.env.insert(target.clone(), v.clone());
                v
            }
            ExprKind::Lambda { .. } => Value::Unknown,
            ExprKind::FString(xs) => {
                for x in xs.iter() {
                    let v = self.eval(*x);
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
                    v => self.format_value(&v, *right),
                }
                Value::Unknown
            }
            ExprKind::Seq {
                kind: SeqKind::Tuple,
                elts,
            } => {
                let vs = elts.iter().map(|x| self.eval(*x)).collect();
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

    fn comp_gen(&mut self, g: &CompFor, span: Span) -> Value {
        let it = self.eval(g.iter);
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
    fn get_model_call(&self, args: &[ExprId]) -> Option<ModelId> {
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

    /// A name not bound locally: a model class imported or defined in the module.
    fn name_value(&self, n: &str) -> Value {
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

    fn attr(&mut self, base: Value, attr: &str, span: Span) -> Value {
        match base {
            Value::ModelClass(model) => match self.ix.manager(model, attr) {
                Some((eff, classes)) => Value::QuerySet(Qs {
                    model,
                    loads: eff.loads,
                    values: eff.values,
                    classes: classes.into(),
                    span,
                    single: false,
                    cached: false,
                    is_manager: true,
                    is_list: false,
                    related: None,
                    bypass: None,
                    narrowed: None,
                    iterator: false,
                    ordered: self.ix.model(model).ordered,
                    filters: Rc::from([]),
                    through: Rc::from([span]),
                    fix_at: Rc::from([]),
                    locks: false,
                }),
                None => Value::Unknown,
            },
            Value::Instance(inst) => self.instance_attr(&inst, attr, span),
            _ => Value::Unknown,
        }
    }

    fn instance_attr(&mut self, inst: &Inst, attr: &str, span: Span) -> Value {
        let ix = self.ix;
        // A `Prefetch(..., to_attr=attr)` list.
        if let Some(node) = inst.loads.nodes.get(attr) {
            if let Some(rel) = &node.to_attr_of {
                let target = ix
                    .member(inst.model, rel)
                    .and_then(|mb| ix.member_target(&mb));
                let Some(target) = target else {
                    return Value::Unknown;
                };
                let parent = Inst {
                    loads: {
                        let mut l = LoadSet::default();
                        l.nodes.insert(rel.clone(), node.clone());
                        l
                    },
                    ..inst.clone()
                };
                return Value::QuerySet(Qs {
                    model: target,
                    loads: node.children.clone(),
                    values: false,
                    classes: Rc::from(Vec::new()),
                    span,
                    single: false,
                    cached: true,
                    is_manager: false,
                    is_list: true,
                    related: Some(Rc::new(RelInfo {
                        parent,
                        rel: rel.clone(),
                        prefetched: true,
                    })),
                    bypass: None,
                    narrowed: None,
                    iterator: false,
                    ordered: node.ordered || ix.model(target).ordered,
                    filters: Rc::from([]),
                    through: Rc::from([span]),
                    fix_at: Rc::from([]),
                    locks: false,
                });
            }
        }
        let Some(member) = ix.member(inst.model, attr) else {
            if let Some(f) = self.sums.model_member(ix, inst.model, attr) {
                if f.kind == FnKind::Property {
                    let recv = Value::Instance(inst.clone());
                    self.apply_fn_at(f, Some(&recv), &[], &[], span);
                }
            }
            return Value::Unknown;
        };
        match member {
            Member::Forward(f) => {
                let Some(target) = f.target else {
                    return Value::Unknown;
                };
                self.single_relation(inst, attr, target, f.null, false, span)
            }
            Member::GenericForeignKey(_) => {
                self.single_relation(inst, attr, u32::MAX, true, true, span)
            }
            Member::Reverse(r) if r.kind == ReverseKind::OneToOne => {
                self.single_relation(inst, attr, r.from_model, true, false, span)
            }
            Member::Reverse(r) => {
                let known_parent = (r.kind == ReverseKind::ForeignKey).then(|| r.field.clone());
                self.many_relation(inst, attr, r.from_model, known_parent, span)
            }
            Member::ManyToMany(f) | Member::GenericRelation(f) => {
                let Some(target) = f.target else {
                    return Value::Unknown;
                };
                self.many_relation(inst, attr, target, None, span)
            }
            Member::ForeignKeyId(f) | Member::Plain(f) => {
                self.note_field_read(inst, &f.name, span);
                Value::Unknown
            }
        }
    }

    /// Reading a single related object (`book.author`).
    fn single_relation(
        &mut self,
        inst: &Inst,
        attr: &str,
        target: ModelId,
        nullable: bool,
        generic: bool,
        span: Span,
    ) -> Value {
        let node = inst.loads.nodes.get(attr);
        let via_select_all = node.is_none()
            && inst.loads.select_all
            && !nullable
            && !generic
            && self
                .ix
                .member(inst.model, attr)
                .is_some_and(|m| matches!(m, Member::Forward(f) if f.kind == FieldKind::ForeignKey || f.kind == FieldKind::OneToOne));
        let loaded = node.is_some()
            || via_select_all
            || inst
                .row
                .as_ref()
                .is_some_and(|r| self.loaded_under_active_condition(r, attr));
        self.note_relation(inst, attr, span, loaded || generic);
        let child_loads = match node {
            Some(n) => n.children.clone(),
            None if via_select_all => LoadSet {
                select_all: true,
                ..LoadSet::default()
            },
            None => LoadSet::default(),
        };
        let row = inst.row.as_ref().map(|r| {
            let mut path = r.path.clone();
            path.push(attr.to_owned());
            let first_missing = if loaded {
                r.first_missing
            } else {
                r.first_missing.or(Some(path.len() - 1))
            };
            Rc::new(Row {
                loop_id: r.loop_id,
                root_span: r.root_span,
                fix_at: r.fix_at.clone(),
                locks: r.locks,
                root_model: r.root_model,
                path,
                first_missing,
                many: r.many,
            })
        });
        if let (Some(r), false) = (&row, loaded) {
            let parent_row = inst.row.as_ref().map(|x| (**x).clone());
            if !inst.open
                && parent_row.as_ref().is_some_and(|p| self.per_row(p))
                && self.seen_fk.insert((r.loop_id, r.path.clone()))
            {
                self.events.push(Event::FkAccess {
                    span,
                    root_span: r.root_span,
                    fix_at: r.fix_at.to_vec(),
                    locks: r.locks,
                    root_model: r.root_model,
                    path: r.path.clone(),
                    missing_from: r.first_missing.unwrap_or(r.path.len() - 1),
                    model: inst.model,
                    attr: attr.to_owned(),
                    generic,
                    skipped_by_bare_select: nullable && inst.loads.select_all,
                    many: r.many,
                    via: self.via,
                });
            }
        }
        if generic {
            return Value::Unknown;
        }
        Value::Instance(Inst {
            model: target,
            loads: child_loads,
            row,
            created_in_loop: None,
            open: inst.open,
        })
    }

    /// Reading a related manager (`book.tags`, `author.book_set`).
    fn many_relation(
        &mut self,
        inst: &Inst,
        attr: &str,
        target: ModelId,
        known_parent: Option<String>,
        span: Span,
    ) -> Value {
        let node = inst
            .loads
            .nodes
            .get(attr)
            .filter(|n| n.to_attr_of.is_none());
        let cond_loaded = node.is_none()
            && inst
                .row
                .as_ref()
                .is_some_and(|r| self.loaded_under_active_condition(r, attr));
        let mut loads = node.map(|n| n.children.clone()).unwrap_or_default();
        if let Some(fk) = known_parent {
            // Django sets the parent on rows fetched through its reverse manager.
            loads.nodes.entry(fk).or_default();
        }
        Value::QuerySet(Qs {
            model: target,
            loads,
            values: false,
            classes: Rc::from(Vec::new()),
            span,
            single: false,
            cached: node.is_some() || cond_loaded,
            is_manager: true,
            is_list: false,
            related: Some(Rc::new(RelInfo {
                parent: inst.clone(),
                rel: attr.to_owned(),
                prefetched: node.is_some() || cond_loaded,
            })),
            bypass: None,
            narrowed: None,
            iterator: false,
            ordered: node.is_some_and(|n| n.ordered) || self.ix.model(target).ordered,
            filters: Rc::from([]),
            through: Rc::from([span]),
            fix_at: Rc::from([]),
            locks: false,
        })
    }

    fn call(&mut self, e: ExprId, func: ExprId, args: &[ExprId], kwargs: &[Keyword]) -> Value {
        let m = self.m;
        let span = m.span(e);
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
        if let ExprKind::Attr { value, attr, .. } = m.kind(func) {
            let recv = self.eval(*value);
            match recv {
                Value::QuerySet(q) => return self.qs_call(q, attr, args, kwargs, span),
                Value::Instance(inst) => {
                    let (argv, kwv) = self.eval_arg_values(args, kwargs);
                    if let Some(f) = self
                        .sums
                        .model_member(self.ix, inst.model, attr)
                        .filter(|_| summary::follows(attr))
                    {
                        if f.kind == FnKind::Method {
                            let recv = Value::Instance(inst.clone());
                            self.apply_fn(f, Some(&recv), &argv, &kwv, e);
                        }
                    }
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
                    return Value::Unknown;
                }
                Value::InstanceDict(q) => {
                    self.eval_args(args, kwargs);
                    if &**attr == "values" {
                        let mut q = q.clone();
                        q.cached = true;
                        q.is_list = true;
                        return Value::QuerySet(q);
                    }
                    return Value::Unknown;
                }
                _ => {
                    if &**attr == "get_model" {
                        if let Some(id) = self.get_model_call(args) {
                            return Value::ModelClass(id);
                        }
                    }
                    let (argv, kwv) = self.eval_arg_values(args, kwargs);
                    if &**attr == "format" && matches!(m.kind(*value), ExprKind::Str(_)) {
                        for v in argv.iter().chain(kwv.iter().map(|(_, v)| v)) {
                            self.format_value(v, e);
                        }
                    } else if let Some(f) = self.function_summary(func) {
                        self.apply_fn(f, None, &argv, &kwv, e);
                    } else if let Some(f) = self.self_method_summary(func) {
                        self.apply_fn(f, Some(&Value::Unknown), &argv, &kwv, e);
                    }
                    return Value::Unknown;
                }
            }
        }
        let callee = self.eval(func);
        let name = m.dotted(func);
        let (argv, kwv) = self.eval_arg_values(args, kwargs);
        if let Some(n) = m.dotted(func) {
            let builtin = !self.file.scope.names.contains_key(n.as_str())
                && !self.env.contains_key(n.as_str());
            if builtin && (n == "str" || n == "format") {
                if let Some(v) = argv.first() {
                    self.format_value(v, e);
                }
            } else if builtin && n == "print" {
                for v in &argv {
                    self.format_value(v, e);
                }
            } else if let Some(f) = self.function_summary(func) {
                self.apply_fn(f, None, &argv, &kwv, e);
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
            });
        }
        let Some(name) = name else {
            return Value::Unknown;
        };
        let short = name.rsplit('.').next().unwrap_or(&name);
        match short {
            b if EVALUATING_BUILTINS.contains(&b) && name == short => {
                if let (Some(Value::QuerySet(q)), Some(a0)) = (argv.first(), args.first()) {
                    let q = q.clone();
                    if !q.values {
                        let how = match b {
                            "len" => EvalHow::Count,
                            "bool" => EvalHow::Exists,
                            _ => EvalHow::Builtin(b.to_owned()),
                        };
                        self.note_len_bool(b, *a0, &q, span);
                        self.evaluate_qs(&q, m.span(*a0), how);
                        self.mark_cached(*a0);
                        if matches!(b, "list" | "sorted" | "tuple") {
                            let mut l = q.clone();
                            l.cached = true;
                            l.is_list = true;
                            l.bypass = None;
                            return Value::QuerySet(l);
                        }
                    } else {
                        self.evaluate_qs(&q, m.span(*a0), EvalHow::Builtin(b.to_owned()));
                    }
                }
                Value::Unknown
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
                            let mut q = q.clone();
                            let at = args.get(i).map_or(span, |a| m.span(*a));
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
                        if let Some(l) = self.repeating_loop().cloned() {
                            if self.seen_query.insert(span) {
                                self.events.push(Event::QueryInLoop {
                                    span,
                                    loop_span: l.span,
                                    model,
                                    method: "get_object_or_404".into(),
                                    root: true,
                                    via: None,
                                });
                            }
                        }
                        Value::Instance(Inst {
                            model,
                            loads,
                            row: None,
                            created_in_loop: None,
                            open: false,
                        })
                    }
                    None => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    fn eval_arg_values(
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

    fn eval_args(&mut self, args: &[ExprId], kwargs: &[Keyword]) {
        for a in args {
            self.eval(*a);
        }
        for k in kwargs {
            self.eval(k.value);
        }
    }

    /// A method called on a manager or queryset.
    fn qs_call(
        &mut self,
        q: Qs,
        method: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
        span: Span,
    ) -> Value {
        self.eval_args(args, kwargs);
        let m = self.m;
        if q.related.is_none() {
            self.note_lookups(&q, method, args, kwargs);
        }
        // A chained method returning a queryset.
        let mut eff = ChainEffect {
            loads: q.loads.clone(),
            values: q.values,
        };
        let ix = self.ix;
        let mut inner = |qe: ExprId| -> Option<(LoadSet, bool)> { self.inner_loads(qe) };
        let is_chain = apply_method(m, &mut eff, method, args, kwargs, &mut inner);
        if is_chain {
            let mut q2 = q.clone();
            q2.loads = eff.loads;
            q2.values = eff.values;
            q2.step(span);
            q2.is_manager = false;
            if method == "order_by" {
                q2.ordered = !args.is_empty();
            }
            q2.locks |= method == "select_for_update";
            let clones = !(method == "all" && q.is_manager);
            if clones {
                q2.cached = false;
                q2.is_list = false;
                if let Some(rel) = &q.related {
                    if rel.prefetched && q2.bypass.is_none() {
                        q2.bypass = Some((span, method.into()));
                    }
                }
                if NARROWING.contains(&method)
                    && !matches!(
                        method,
                        "select_related" | "prefetch_related" | "only" | "defer" | "using"
                    )
                    && q2.narrowed.is_none()
                {
                    q2.narrowed = Some(method.into());
                }
            }
            if method == "filter" || method == "get" {
                q2.single |= self.filters_unique(q.model, kwargs);
            }
            if method == "filter" {
                let mut f: Vec<Box<str>> = q.filters.to_vec();
                f.extend(
                    kwargs
                        .iter()
                        .filter_map(|k| k.name.as_deref().map(Box::from)),
                );
                q2.filters = f.into();
            }
            return Value::QuerySet(q2);
        }
        // A custom manager/queryset method with a known effect.
        if let Some(ce) = ix.method_effect_in(&q.classes, method) {
            let mut q2 = q.clone();
            q2.loads.merge(&ce.loads);
            q2.values |= ce.values;
            q2.step(span);
            q2.is_manager = false;
            q2.cached = false;
            return Value::QuerySet(q2);
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
                if let Some(l) = self.repeating_loop().cloned() {
                    if self.seen_query.insert(span) {
                        self.events.push(Event::QueryInLoop {
                            span,
                            loop_span: l.span,
                            model: q.model,
                            method: method.to_owned(),
                            root: false,
                            via: None,
                        });
                    }
                }
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
                    }),
                    Value::Unknown,
                ]),
                "create" => Value::Instance(Inst {
                    model: q.model,
                    loads: LoadSet::default(),
                    row: None,
                    created_in_loop: None,
                    open: false,
                }),
                _ => Value::Unknown,
            };
        }
        Value::Unknown
    }

    // ------------------------------------------------------------ function summaries

    /// The summary of a called module-level function (`describe`, `utils.describe`).
    fn function_summary(&self, func: ExprId) -> Option<&'a FnSummary> {
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

    /// The summary of `self.name(...)` in a method of a class that is not a model (a view's
    /// or a serializer's own helper).
    fn self_method_summary(&self, func: ExprId) -> Option<&'a FnSummary> {
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
        let f = self.sums.get(&format!("{cls}.{attr}"))?;
        (f.kind == FnKind::Method).then_some(f)
    }

    /// A query `f` runs on every call, when it is called at `span` inside a loop over query
    /// rows or is handed a row (`handed`): one query per row. The receiver, if an instance,
    /// must be a row of the loop. A loop over something else (a few providers, request
    /// parameters) calling a querying helper is not reported.
    fn own_query_in_loop(&mut self, f: &FnSummary, recv: Option<&Value>, handed: bool, span: Span) {
        let Some(q) = &f.query else { return };
        if self.apply_cond {
            return;
        }
        if matches!(recv, Some(Value::Instance(_))) && !recv.is_some_and(|r| self.per_row_value(r))
        {
            return;
        }
        let Some(l) = self.repeating_loop().cloned() else {
            return;
        };
        if !l.rows && !handed {
            return;
        }
        if !self.seen_query.insert(span) {
            return;
        }
        let name = f.qual.rsplit('.').next().unwrap_or(&f.qual);
        let shown = match f.kind {
            _ if name == "__str__" => "str()".to_owned(),
            FnKind::Property => format!(".{name}"),
            FnKind::Method if matches!(recv, Some(Value::Instance(_))) => format!(".{name}()"),
            FnKind::Method => format!("self.{name}()"),
            FnKind::Function | FnKind::StaticOrClass => format!("{name}()"),
        };
        self.events.push(Event::QueryInLoop {
            span,
            loop_span: l.span,
            model: q.model,
            method: q.method.clone(),
            root: true,
            via: Some((shown, q.at)),
        });
    }

    /// Whether a value is worth following into a callee: a row of a running loop.
    fn per_row_value(&self, v: &Value) -> bool {
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
    fn format_value(&mut self, v: &Value, e: ExprId) {
        if let Value::Instance(inst) = v {
            if !self.per_row_value(v) {
                return;
            }
            if let Some(f) = self.sums.model_member(self.ix, inst.model, "__str__") {
                self.apply_fn_at(f, Some(v), &[], &[], self.m.span(e));
            }
        }
    }

    fn apply_fn(
        &mut self,
        f: &'a FnSummary,
        recv: Option<&Value>,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        e: ExprId,
    ) {
        let span = self.m.span(e);
        self.apply_fn_at(f, recv, argv, kwv, span);
    }

    /// Follow the rows handed to `f` (as receiver, positional or keyword arguments) through
    /// its summary; findings are reported at `span`.
    fn apply_fn_at(
        &mut self,
        f: &'a FnSummary,
        recv: Option<&Value>,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        span: Span,
    ) {
        if self.apply_depth >= MAX_APPLY_DEPTH {
            return;
        }
        let handed = recv.is_some_and(|r| self.per_row_value(r))
            || argv.iter().any(|v| self.per_row_value(v))
            || kwv.iter().any(|(_, v)| self.per_row_value(v));
        self.own_query_in_loop(f, recv, handed, span);
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
        if todo.is_empty() {
            return;
        }
        self.apply_depth += 1;
        let saved = self.via;
        for (p, v) in todo {
            if let Some(tree) = f.trees.get(p) {
                self.apply_tree(v, tree, span);
            }
        }
        self.via = saved;
        self.apply_depth -= 1;
    }

    /// Replay the paths a callee reads from `v`, with `v`'s model and loaded set.
    fn apply_tree(&mut self, v: Value, tree: &'a Access, span: Span) {
        for (name, node) in &tree.children {
            self.via = node.at;
            let cond = self.apply_cond;
            self.apply_cond |= !node.always;
            let nv = match &v {
                Value::Instance(inst) => {
                    if node.called {
                        if let Some(f) = self
                            .sums
                            .model_member(self.ix, inst.model, name)
                            .filter(|_| summary::follows(name))
                        {
                            if matches!(f.kind, FnKind::Method | FnKind::Property) {
                                self.apply_fn_at(f, Some(&v), &[], &[], span);
                            }
                        }
                        Value::Unknown
                    } else {
                        self.instance_attr(inst, name, span)
                    }
                }
                Value::QuerySet(q) if node.called => self.qs_call(q.clone(), name, &[], &[], span),
                _ => Value::Unknown,
            };
            if let (Some((at, how)), Value::QuerySet(q)) = (&node.eval, &nv) {
                self.via = Some(*at);
                self.evaluate_qs(q, span, how.clone());
            }
            if !matches!(nv, Value::Unknown) && !node.children.is_empty() {
                self.apply_tree(nv, node, span);
            }
            self.apply_cond = cond;
        }
    }

    /// `filter(...)`/`exclude(...)`/`get(...)`/`order_by(...)` on the rows of a table.
    fn note_lookups(&mut self, q: &Qs, method: &str, args: &[ExprId], kwargs: &[Keyword]) {
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
                        span: k.span,
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
                        span: m.span(*a),
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
    fn inner_loads(&mut self, qe: ExprId) -> Option<(LoadSet, bool)> {
        // Evaluate outside any loop bookkeeping: the expression is built once.
        let saved = std::mem::take(&mut self.loops);
        let v = self.eval(qe);
        self.loops = saved;
        match v {
            Value::QuerySet(q) => Some((q.loads, q.ordered)),
            _ => None,
        }
    }

    /// Whether `filter(**kwargs)` pins one row (pk, id or a unique/one-to-one field).
    fn filters_unique(&self, model: ModelId, kwargs: &[Keyword]) -> bool {
        kwargs.iter().any(|k| {
            let Some(name) = k.name.as_deref() else {
                return false;
            };
            let name = name.strip_suffix("__exact").unwrap_or(name);
            if name == "pk" || name == "id" {
                return true;
            }
            self.ix.model(model).fields.iter().any(|f| {
                f.name == name && (f.unique || f.primary_key || f.kind == FieldKind::OneToOne)
            })
        })
    }
}

/// `UPPER_CASE` names are module constants by convention.
fn is_constant_name(n: &str) -> bool {
    n.len() > 1
        && n.chars().any(|c| c.is_ascii_uppercase())
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn join_envs(a: &Env, b: &Env) -> Env {
    let mut out = Env::default();
    for (k, va) in a {
        match b.get(k) {
            Some(vb) => {
                out.insert(k.clone(), va.join(vb));
            }
            None => {
                out.insert(k.clone(), Value::Unknown);
            }
        }
    }
    for k in b.keys() {
        out.entry(k.clone()).or_insert(Value::Unknown);
    }
    out
}
