//! Queryset flow analysis inside one function body.
//!
//! Querysets are followed from where they are built (`Book.objects...`, a related manager, a
//! custom manager) through assignments, branches and loops to where their rows are used. The
//! walk records [`Event`]s — a relation read per row, a query run in a loop — and the rule
//! modules turn events into diagnostics. Each function is walked once, in source order.

pub mod always;
mod annotation;
mod call;
mod combine;
mod entry;
mod event;
mod expr;
mod handed;
mod historical;
pub mod large;
mod loaded;
mod lookups;
mod probe;
mod queryset;
mod relation;
mod request;
mod returns;
mod stmt;
pub mod summary;
pub mod usage;
pub mod value;

use crate::ast::{
    Block, CompFor, ExprId, ExprKind, FunctionDef, Keyword, Module, SeqKind, StmtKind, Target,
};
use crate::django::{
    EVALUATING_BUILTINS, NARROWING, QS_METHODS, QUERY_METHODS, SINGLE_METHODS,
    TEMPLATE_RENDER_CALLS as PROBED_CALLS,
};
use crate::index::effects::{apply_method, ChainEffect, LoadSet};
use crate::index::{FieldKind, Index, Member, ModelId, ReverseKind};
use crate::project::File;
use crate::source::{Loc, Span};
pub(crate) use entry::is_super_call;
pub(crate) use entry::QueryProbe;
pub use entry::{
    analyze_file, analyze_file_hooked, analyze_file_in, analyze_file_with, class_queryset,
    class_queryset_assuming, class_queryset_with, probe_call, probe_function, probe_method,
    QsSource,
};
pub use event::{EvalHow, Event};
pub use loaded::RowsUse;
pub use probe::{DictVal, Probe, ProbedArg, ProbedCall};
pub use request::request_attrs;
pub(crate) use returns::{may_be_queryset, summarise_return};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;
pub use summary::Summaries;
use summary::{Access, FnKind, FnSummary};
pub use value::{Inst, Qs, RelInfo, Row, Value};

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
    /// Not a loop: an error path (an `except Exception` handler, a callee's code that runs
    /// only when it fails) runs for the rows that fail. What it reads of a row is no per-row
    /// cost; a query it runs still repeats with the loop around it.
    Error,
}

#[derive(Debug, Clone)]
struct LoopFrame {
    id: u32,
    span: Loc,
    kind: LoopKind,
    /// Iterates the rows of a queryset or related manager.
    rows: bool,
    /// The model of those rows when they are model instances (not `values()` rows).
    row_model: Option<ModelId>,
    /// The variables as the loop was entered (repeating loops only): a queryset variable
    /// still holding its value from then was bound before the loop.
    entry: Option<Arc<Env>>,
}

type Env = HashMap<Box<str>, Value>;

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
    seen_query: HashSet<Loc>,
    /// Local names bound to model classes by class definitions resolved in this module.
    class_models: &'a HashMap<u32, ModelId>,
    /// Relations a queryset loads only when a condition held: `if full: qs =
    /// qs.select_related("author")`. Keyed by the queryset's span; an access guarded by the
    /// same condition sees them loaded.
    cond_loads: HashMap<Loc, Vec<(String, LoadSet)>>,
    /// The conditions of the `if` branches being walked, as normalised source text.
    conds: Vec<String>,
    /// The argument texts of the call whose summary is about to be applied (see
    /// [`Analyzer::apply_tree`]); taken by the application.
    arg_texts: Vec<Option<String>>,
    /// Pending `len()`/truthiness tests and the last relation/count read (see [`usage`]).
    usage: usage::UsageState,
    sums: &'a Summaries,
    /// While a function summary is applied: where the callee reads the current path.
    via: Option<Loc>,
    /// The outermost call whose summary is applied, as written (`price_of()`).
    via_call: Option<String>,
    /// Nesting of summary applications (bounded).
    apply_depth: u32,
    /// The summaries being applied, outermost first.
    applying: Vec<&'a FnSummary>,
    /// How many of them are applied again inside themselves (a method that calls itself on
    /// a related row: `self.linked_component.repository` inside `repository`).
    recursion: u32,
    /// While a function summary is applied: the current path is read only on some calls of a
    /// callee on the way (its queries do not count as run per call).
    apply_cond: bool,
    /// While a function's own query is looked for ([`QueryProbe`]): its parameters, whose
    /// truth tests (`if save:`) guard a query rather than hide it.
    guard_params: Vec<Box<str>>,
    /// The truth of the argument the call whose summary is about to be applied passes to
    /// each parameter (its default's when it passes none); `None` when the call is not at
    /// hand (a callee's call replayed from a tree). Taken by the application.
    arg_truth: Option<Vec<Option<bool>>>,
    /// The class (qualified) of the method being walked, when it is not a model: what
    /// `self.helper(...)` calls.
    fn_class: Option<String>,
    /// What `self.queryset` and `super().get_queryset()` stand for (a class's own queryset).
    self_qs: Option<Value>,
    /// The value of conditions the caller knows on the path it walks (a DRF view's queryset
    /// built for its list action: `self.action == "list"`); `None`: unknown.
    pub(crate) assume: Option<Assume>,
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
    /// What frameworks know of calls into their classes (a DRF serializer built over rows).
    hooks: Option<&'a dyn CallHooks<'a>>,
    /// What the consumers of each row source read (see [`loaded`]).
    loaded: loaded::Loaded,
    /// Summary mode: a function's return value is being computed, its parameters stand for
    /// what callers hand in ([`Value::Arg`]).
    sym: bool,
    /// In summary mode: a callee's return value was asked for but is not known yet.
    asked: bool,
    /// Walking data-migration code: models are historical (see [`historical`]).
    historical: bool,
    /// The files the summaries were built from (indexed by [`FnSummary::at`]): callees
    /// walked over the querysets handed to them (see [`handed`]); empty: not walked.
    files: &'a [File],
    /// While the project's request attributes are collected ([`request_attrs`]): the votes
    /// of the assignments seen.
    request_votes: Option<Vec<(Box<str>, request::Vote)>>,
    /// What `self.<attr>` stands for in the method being walked when the caller knows the
    /// class it runs for (a generic view's `model = Offer`: `self.model`).
    self_attrs: Vec<(Box<str>, Value)>,
    /// The view members being walked for a probe ([`FnSummary::at`] of each, outermost
    /// first; see [`Analyzer::walk_own_member`]).
    members: Vec<(usize, u32)>,
}

/// What a framework knows about calls the interpreter cannot see into: a DRF serializer
/// constructed with `many=True` iterates its rows and reads what its fields read. Frameworks
/// implement it; the interpreter only asks (the flow layer knows no framework).
/// Whether a condition holds on the walked path (`None`: unknown).
pub type Assume = fn(&crate::ast::Module, ExprId) -> Option<bool>;

pub trait CallHooks<'a> {
    /// Whether a callee whose dotted name ends in `name` may be the framework's (a cheap
    /// test before the name is qualified).
    fn may_handle(&self, _name: &str) -> bool {
        true
    }
    /// Whether calls of this qualified callee are the framework's.
    fn handles(&self, callee: &str) -> bool;
    /// The value of the call `callee(argv, kwv)` at `at`; it may drive `an` over the rows
    /// handed to it.
    /// `kwargs` are the call's keyword arguments in [`Analyzer::module`] (for literals such
    /// as `many=True`).
    fn call(
        &self,
        an: &mut Analyzer<'a>,
        callee: &str,
        argv: &[Value],
        kwargs: &[Keyword],
        kwv: &[(Box<str>, Value)],
        at: Loc,
    ) -> Value;
}

/// Bound on nested summary applications (helper → property → `__str__` ...).
const MAX_APPLY_DEPTH: u32 = 6;

/// Rows a loop may visit and still cost nothing per row: a literal slice `qs[:3]` or a
/// lookup on a literal list of keys (`pk__in=[a, b]`) runs a fixed, tiny number of times.
const FEW_ROWS: usize = 3;

static NO_SUMMARIES: std::sync::LazyLock<Summaries> = std::sync::LazyLock::new(Summaries::default);

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
            // `self._cache` set on one path only: on the other it holds what an earlier
            // call stored, the same expression (a memoised value; summary mode only).
            None if k.contains('.') => {
                out.insert(k.clone(), va.clone());
            }
            None => {
                out.insert(k.clone(), Value::Unknown);
            }
        }
    }
    for (k, vb) in b {
        if k.contains('.') {
            out.entry(k.clone()).or_insert_with(|| vb.clone());
        } else {
            out.entry(k.clone()).or_insert(Value::Unknown);
        }
    }
    out
}
