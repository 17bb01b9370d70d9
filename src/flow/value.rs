//! Abstract values the flow analysis tracks for expressions and names.

use crate::index::effects::LoadSet;
use crate::index::ModelId;
use crate::source::Span;
use std::rc::Rc;

/// Where a row came from: the loop that yields it, the queryset that should load its
/// relations (where a fix goes), and the relation path from that queryset's rows to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub loop_id: u32,
    /// The root queryset expression (the place to add `select_related`/`prefetch_related`).
    pub root_span: Span,
    /// The root queryset's model name (for messages).
    pub root_model: ModelId,
    /// Relation accessors from the root rows to this object.
    pub path: Vec<String>,
    /// The first segment of `path` that was not loaded, if any.
    pub first_missing: Option<usize>,
    /// Some segment of `path` is a many-valued relation (a prefetch is needed).
    pub many: bool,
}

/// A model instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inst {
    pub model: ModelId,
    pub loads: LoadSet,
    /// Set when the instance is one row of a loop over many rows.
    pub row: Option<Rc<Row>>,
    /// Built by `Model(...)` inside the loop with this id (for `save()` in loops).
    pub created_in_loop: Option<u32>,
    /// Came from outside the function (`self` in a method): its relations may have been
    /// loaded by the caller, so what it loads is not known here.
    pub open: bool,
}

/// A related manager or queryset bound to one instance (`book.tags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelInfo {
    pub parent: Inst,
    /// The accessor name (`tags`, `book_set`).
    pub rel: String,
    /// The relation was prefetched on the parent: some methods are served from its cache.
    pub prefetched: bool,
}

/// A manager or queryset of model rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qs {
    pub model: ModelId,
    pub loads: LoadSet,
    /// Rows are dicts/tuples (`values()`), not instances.
    pub values: bool,
    /// Manager/queryset classes providing custom methods.
    pub classes: Rc<[String]>,
    /// The expression that built it (where a fix is appended).
    pub span: Span,
    /// At most one row (filtered on the pk or a unique field).
    pub single: bool,
    /// The result cache is filled (evaluated before, or a prefetched relation).
    pub cached: bool,
    /// A manager (`Book.objects`, `book.tags`) rather than a queryset: `.all()` does not clone.
    pub is_manager: bool,
    /// A plain list of instances (`list(qs)`, a `to_attr` list).
    pub is_list: bool,
    pub related: Option<Rc<RelInfo>>,
    /// A method that re-queries a prefetched relation, and where it was called.
    pub bypass: Option<(Span, Box<str>)>,
    /// A chained method that changes the rows (`filter`...), so a plain prefetch cannot serve it.
    pub narrowed: Option<Box<str>>,
    /// The queryset ends in `.iterator()`.
    pub iterator: bool,
    /// Rows come in a defined order (`order_by()`, `Meta.ordering`, an ordered `Prefetch`).
    pub ordered: bool,
    /// Keyword lookups of the `filter()`/`get()` calls chained so far (`author__name`).
    pub filters: Rc<[Box<str>]>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Value {
    #[default]
    Unknown,
    ModelClass(ModelId),
    QuerySet(Qs),
    Instance(Inst),
    Tuple(Vec<Value>),
    /// A dict produced by `in_bulk()`: its values are instances.
    InstanceDict(Qs),
    /// `zip(a, b)`, `enumerate(a)`: an iterable of tuples whose items are the elements of
    /// each part, in step (a counter is `Unknown`).
    Zip(Vec<Value>),
}

impl Value {
    /// The value on paths that may have taken either branch.
    pub fn join(&self, other: &Value) -> Value {
        if self == other {
            return self.clone();
        }
        match (self, other) {
            (Value::QuerySet(a), Value::QuerySet(b))
                if a.model == b.model && a.values == b.values =>
            {
                let mut q = a.clone();
                q.loads = a.loads.intersect(&b.loads);
                q.cached = a.cached && b.cached;
                q.single = a.single && b.single;
                q.is_list = a.is_list && b.is_list;
                if a.related != b.related {
                    q.related = None;
                }
                q.bypass = a.bypass.clone().or_else(|| b.bypass.clone());
                Value::QuerySet(q)
            }
            (Value::Instance(a), Value::Instance(b)) if a.model == b.model && a.row == b.row => {
                let mut i = a.clone();
                i.loads = a.loads.intersect(&b.loads);
                Value::Instance(i)
            }
            _ => Value::Unknown,
        }
    }
}
