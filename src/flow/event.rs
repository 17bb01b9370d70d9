//! What the interpreter observes: relation reads, manager evaluations, queries and writes
//! per row, measured querysets. Rules filter observations and turn them into diagnostics.

use super::*;

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
        span: Loc,
        root_span: Loc,
        /// Where the fix goes when branches built the queryset separately (empty:
        /// `root_span`).
        fix_at: Vec<Loc>,
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
        span: Loc,
        root_span: Loc,
        /// As in `FkAccess`.
        fix_at: Vec<Loc>,
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
        /// That function's call as written (`count_of()`, `.label()`).
        via_call: Option<String>,
    },
    /// A prefetched relation re-queried per row.
    PrefetchBypass {
        span: Loc,
        root_span: Loc,
        root_model: ModelId,
        path: Vec<String>,
        model: ModelId,
        rel: String,
        method: String,
    },
    /// A query run inside a loop body.
    QueryInLoop {
        span: Loc,
        loop_span: Loc,
        model: ModelId,
        method: String,
        /// Built from `Model.objects` (not a related manager of a row).
        root: bool,
        /// Run inside a function called at `span` (shown as written: `price_of()`,
        /// `.current_price`, `str()`), at this location.
        via: Option<(String, Loc)>,
        /// The model of the rows the loop iterates, when it iterates model instances of a
        /// queryset or related manager (not `values()` rows, nor a list of other things).
        loop_model: Option<ModelId>,
    },
    /// `len(qs)`, `bool(qs)`, `if qs:` whose rows are not used afterwards (see [`usage`]).
    RowsUnused {
        span: Loc,
        model: ModelId,
        how: usage::Unused,
    },
    /// `qs.count() > 0` and friends: an existence test written as a count.
    CountCompare {
        span: Loc,
        model: ModelId,
        /// The comparison as written (`> 0`, `== 0`, `not`).
        form: String,
        /// True when the test asks "are there none?".
        negated: bool,
    },
    /// `obj.author.id` on a relation that is not loaded: `obj.author_id` needs no query.
    FkIdThroughRelation {
        span: Loc,
        model: ModelId,
        attr: String,
        id_attr: String,
    },
    /// A field left out by `.only()`/`.defer()` read on every row.
    DeferredFieldRead {
        span: Loc,
        root_span: Loc,
        model: ModelId,
        field: String,
    },
    /// A lookup or ordering on the rows of a model's table (`filter(title=...)`,
    /// `order_by("-created")`), for the index rules (DJP301, DJP302).
    Lookup {
        /// The keyword or the string argument.
        span: Loc,
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
        span: Loc,
        model: ModelId,
        /// The fields read on the rows (the primary key left out).
        read: Vec<String>,
        /// The model's large columns that no read touches.
        unread: Vec<String>,
        /// `.only(<read>)` is a valid fix (no relation is read or loaded with the rows).
        only_ok: bool,
        /// Members of the rows used that are not columns (methods, properties, `__str__` of
        /// a formatted row, `save`, `delete`): what they read is decided by the rule, with
        /// the class hierarchy ([`super::large::member_reads`]).
        uses: Vec<String>,
        /// Where the loop reads the rows' primary key.
        pk_reads: Vec<Loc>,
        /// The loop assigns attributes of the rows.
        writes: bool,
    },
    /// What the consumers of one row source read of its rows (see [`super::loaded`]).
    RowsUse(super::RowsUse),
    /// `obj.save()`/`obj.delete()` per row.
    SaveInLoop {
        span: Loc,
        loop_span: Loc,
        model: ModelId,
        method: String,
        /// The object was created in the loop (`Model(...)`), so `bulk_create` fits.
        created: bool,
    },
}

impl Event {
    /// An observation about the rows of a loop (a relation read, a manager evaluated, a
    /// query or a write per row), as opposed to a fact about one expression of a function.
    pub fn is_per_row(&self) -> bool {
        matches!(
            self,
            Event::FkAccess { .. }
                | Event::RelatedEval { .. }
                | Event::PrefetchBypass { .. }
                | Event::QueryInLoop { .. }
                | Event::SaveInLoop { .. }
                | Event::DeferredFieldRead { .. }
        )
    }
}
