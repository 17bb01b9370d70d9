//! Abstract values the flow analysis tracks for expressions and names.

use crate::index::effects::{ChainEffect, LoadSet};
use crate::index::ModelId;
use crate::source::Loc;
use std::sync::Arc;

/// Where a row came from: the loop that yields it, the queryset that should load its
/// relations (where a fix goes), and the relation path from that queryset's rows to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub loop_id: u32,
    /// The root queryset expression (the place to add `select_related`/`prefetch_related`).
    pub root_span: Loc,
    /// Where the fix goes when the rows come from querysets built on several branches
    /// (empty: `root_span` alone). See [`Qs::fix_at`].
    pub fix_at: Arc<[Loc]>,
    /// The root queryset calls `select_for_update()`.
    pub locks: bool,
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
    pub row: Option<Arc<Row>>,
    /// Built by `Model(...)` inside the loop with this id (for `save()` in loops).
    pub created_in_loop: Option<u32>,
    /// Came from outside the function (`self` in a method): its relations may have been
    /// loaded by the caller, so what it loads is not known here.
    pub open: bool,
    /// Bound from a parameter's annotation (`order: Order`), or reached from one through
    /// single relations: a caller chose what it loads.
    pub from_caller: bool,
    /// One of the in-memory instances of a list built in a loop ([`Value::Items`]), as the
    /// loop with this id iterates them: a different instance on every iteration.
    pub item_of: Option<u32>,
}

impl Inst {
    /// One instance of `model` that came from code not seen here (`self` of a model method,
    /// a signal receiver's `instance`): what it loads is not known.
    pub fn open(model: ModelId) -> Inst {
        Inst {
            model,
            loads: LoadSet::default(),
            row: None,
            created_in_loop: None,
            open: true,
            from_caller: false,
            item_of: None,
        }
    }
}

/// A related manager or queryset bound to one instance (`book.tags`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelInfo {
    pub parent: Inst,
    /// The accessor name (`tags`, `book_set`).
    pub rel: String,
    /// The relation was prefetched on the parent: some methods are served from its cache.
    pub prefetched: bool,
    /// These rows are the list a `Prefetch(rel, to_attr=...)` stored: the attribute, which
    /// is the name a prefetch lookup must use to reach them (`topic_list__posts`).
    pub list_attr: Option<String>,
    /// The rows' foreign key to the parent on a reverse FK manager (`book_set` → `author`):
    /// every query through the manager filters on it.
    pub parent_fk: Option<String>,
}

impl RelInfo {
    /// The lookup segment that reaches these rows from the parent (`prefetch_related`).
    pub fn lookup(&self) -> &str {
        self.list_attr.as_deref().unwrap_or(&self.rel)
    }
}

/// A manager or queryset of model rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qs {
    pub model: ModelId,
    pub loads: LoadSet,
    /// Rows are dicts/tuples (`values()`), not instances.
    pub values: bool,
    /// Manager/queryset classes providing custom methods.
    pub classes: Arc<[String]>,
    /// The expression that built it (where a fix is appended).
    pub span: Loc,
    /// At most one row (filtered on the pk or a unique field).
    pub single: bool,
    /// The result cache is filled (evaluated before, or a prefetched relation).
    pub cached: bool,
    /// A manager (`Book.objects`, `book.tags`) rather than a queryset: `.all()` does not clone.
    pub is_manager: bool,
    /// A plain list of instances (`list(qs)`, a `to_attr` list).
    pub is_list: bool,
    pub related: Option<Arc<RelInfo>>,
    /// A method that re-queries a prefetched relation, and where it was called.
    pub bypass: Option<(Loc, Box<str>)>,
    /// A chained method that changes the rows (`filter`...), so a plain prefetch cannot serve it.
    pub narrowed: Option<Box<str>>,
    /// The queryset ends in `.iterator()`.
    pub iterator: bool,
    /// Rows come in a defined order (`order_by()`, `Meta.ordering`, an ordered `Prefetch`).
    pub ordered: bool,
    /// Keyword lookups of the `filter()`/`get()` calls chained so far (`author__name`).
    pub filters: Arc<[Box<str>]>,
    /// The expressions every path to this value went through, oldest first (`span` last
    /// unless branches joined): `qs = Book.objects.all()` then `qs = qs.filter(...)` on one
    /// branch share `Book.objects.all()`, where one fix serves both.
    pub through: Arc<[Loc]>,
    /// The expressions a fix must change so that every path loads what it adds, when
    /// branches built the queryset separately (`if ...: qs = A` / `else: qs = B`). Empty:
    /// `span` alone.
    pub fix_at: Arc<[Loc]>,
    /// `select_for_update()` was chained: a join would lock the related rows too.
    pub locks: bool,
    /// `none()` was chained: no rows, and evaluating it runs no query.
    pub empty: bool,
    /// The rows were handed in by a caller (a parameter annotated `QuerySet[Order]`): what
    /// each row loads was decided there, so no relation read on them is claimed missing.
    pub open: bool,
}

impl Qs {
    /// The rows of `model` loading `loads`, built at `span` (a framework's row source: a
    /// view's rows known only by their model, an admin changelist).
    pub fn rows_of(model: ModelId, loads: LoadSet, span: Loc) -> Qs {
        Qs {
            model,
            loads,
            values: false,
            classes: Arc::from(Vec::new()),
            span,
            single: false,
            cached: false,
            is_manager: false,
            is_list: false,
            related: None,
            bypass: None,
            narrowed: None,
            iterator: false,
            ordered: false,
            filters: Arc::from([]),
            through: Arc::from([span]),
            fix_at: Arc::from([]),
            locks: false,
            empty: false,
            open: false,
        }
    }

    /// A chained call or slice at `span` made this queryset.
    pub fn step(&mut self, span: Loc) {
        self.span = span;
        let mut t = self.through.to_vec();
        t.push(span);
        self.through = t.into();
        self.fix_at = Arc::from([]);
    }

    /// The expressions where a fix goes (see [`Qs::fix_at`]).
    pub fn fix_targets(&self) -> Arc<[Loc]> {
        if self.fix_at.is_empty() {
            Arc::from([self.span])
        } else {
            self.fix_at.clone()
        }
    }

    /// `fix_at` and `through` of the value joined from branches `a` and `b`: the last
    /// expression both went through if there is one, else every branch's own targets.
    fn join_targets(a: &Qs, b: &Qs) -> (Arc<[Loc]>, Arc<[Loc]>) {
        if a.span == b.span && a.fix_at == b.fix_at && a.through == b.through {
            return (a.fix_at.clone(), a.through.clone());
        }
        let common: Vec<Loc> = a
            .through
            .iter()
            .zip(b.through.iter())
            .take_while(|(x, y)| x == y)
            .map(|(x, _)| *x)
            .collect();
        let (ta, tb) = (a.fix_targets(), b.fix_targets());
        // Both went through the other's targets: those serve every path.
        let covers = |ts: &[Loc], through: &[Loc]| ts.iter().all(|t| through.contains(t));
        let fix_at: Vec<Loc> = if covers(&ta, &b.through) && covers(&ta, &a.through) {
            ta.to_vec()
        } else if covers(&tb, &a.through) && covers(&tb, &b.through) {
            tb.to_vec()
        } else if let Some(last) = common.last() {
            vec![*last]
        } else {
            let mut v = ta.to_vec();
            v.extend(tb.iter().filter(|t| !ta.contains(t)));
            v
        };
        let fix_at = if fix_at.as_slice() == [a.span] {
            Vec::new()
        } else {
            fix_at
        };
        (fix_at.into(), common.into())
    }
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
    /// A list variable holding model instances of one model, appended one per iteration of
    /// a repeating loop (`objs.append(Book(...))` in a loop over data, or rows of a loop
    /// over a queryset): iterating it later yields a different instance on every iteration.
    /// Nothing is known of what the instances load.
    Items(ModelId),
    /// `zip(a, b)`, `enumerate(a)`: an iterable of tuples whose items are the elements of
    /// each part, in step (a counter is `Unknown`).
    Zip(Vec<Value>),
    /// Lookups for `select_related`/`prefetch_related` held by a variable (a lookup string,
    /// a `Prefetch` object, a list of them; see [`super::lookups`]).
    Lookups(Arc<crate::index::effects::Lookups>),
    /// A value derived from a parameter of the function being summarised (only while a
    /// summary's return value is computed, see [`super::summary::returns`]).
    Arg(Sym),
}

/// Parameter `param` of the function being summarised, then `steps` applied to it: what a
/// function returns in terms of what it is handed (`qs.annotate(...)`, `self.book_set.all()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sym {
    pub param: u8,
    pub steps: Arc<[Step]>,
}

impl Sym {
    /// The value on paths that applied `a`'s or `b`'s steps: when one only adds chained
    /// methods to the other (`if q: qs = qs.filter(...)`, filters added in a loop), the
    /// shorter one with its rows narrowed and nothing more loaded.
    fn join(a: &Sym, b: &Sym) -> Value {
        let (short, long) = if a.steps.len() <= b.steps.len() {
            (a, b)
        } else {
            (b, a)
        };
        // The steps both paths applied, then each path's own chained methods.
        let n = short
            .steps
            .iter()
            .zip(long.steps.iter())
            .take_while(|(x, y)| x == y)
            .count();
        let (own_short, own_long) = (&short.steps[n..], &long.steps[n..]);
        if !own_short
            .iter()
            .chain(own_long)
            .all(|s| matches!(s, Step::Chain(_)))
        {
            return Value::Unknown;
        }
        // Two different chains (`if a: qs = qs.order_by(x)` / `elif b: qs = qs.order_by(y)`):
        // only when neither loads anything, so that the shared part loads all there is.
        let loads_nothing = |s: &Step| match s {
            Step::Chain(c) => {
                !c.reset
                    && !c.eff.values
                    && c.eff.loads == crate::index::effects::LoadSet::default()
            }
            _ => false,
        };
        if !own_short.is_empty() && !own_short.iter().chain(own_long).all(loads_nothing) {
            return Value::Unknown;
        }
        let short = &Sym {
            param: short.param,
            steps: short.steps[..n].into(),
        };
        let narrows = own_short.iter().chain(own_long).find_map(|s| match s {
            Step::Chain(c) if crate::django::NARROWING.contains(&&*c.method) => {
                Some(c.method.clone())
            }
            _ => None,
        });
        let mut out = match narrows {
            Some(method) => short.then(Step::Chain(Arc::new(ChainStep {
                method,
                eff: ChainEffect::default(),
                reset: false,
                kw: Box::from([]),
                has_args: true,
            }))),
            None => short.clone(),
        };
        // A helper that loads relations djperf cannot name on some path
        // (`queryset.select_related(*fields)` unless the queryset is a `values()` one): what
        // its rows load is not known, none is claimed missing.
        if own_short
            .iter()
            .chain(own_long)
            .any(|s| matches!(s, Step::Chain(c) if c.eff.loads.opaque))
        {
            let mut eff = ChainEffect::default();
            eff.loads.opaque = true;
            out = out.then(Step::Chain(Arc::new(ChainStep {
                method: "select_related".into(),
                eff,
                reset: false,
                kw: Box::from([]),
                has_args: true,
            })));
        }
        Value::Arg(out)
    }

    /// This value with one more step.
    pub fn then(&self, step: Step) -> Sym {
        let mut steps = self.steps.to_vec();
        steps.push(step);
        Sym {
            param: self.param,
            steps: steps.into(),
        }
    }
}

/// One operation applied to a parameter (see [`Sym`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name` read (a relation, a property, a plain attribute).
    Attr(Box<str>),
    /// A queryset method returning a queryset of the same rows.
    Chain(Arc<ChainStep>),
    /// `.name(...)` of a method that is not Django's queryset API: a custom manager or
    /// queryset method, a model method (resolved where the value is known).
    Call(Box<str>),
    /// `[a:b]`
    Slice,
    /// `first()`, `get()`, `[i]`: one row.
    One,
    /// `.iterator()`
    Iterator,
    /// `.rel(manager="name")` on an instance: its related manager `rel` built from the
    /// target's manager `name`.
    Manager { rel: Box<str>, manager: Box<str> },
    /// `list(x)`, `sorted(x)`: the rows, evaluated, as a list.
    List,
    /// Iterated in the function (its result cache is filled); `touched`: the loop set
    /// attributes on the rows (`child.parent = self`), so what they hold is not known.
    Iterated { touched: bool },
}

/// A chained queryset method as a summary keeps it: its effect from an empty chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStep {
    pub method: Box<str>,
    /// What the call loads (merged into the loads of the queryset it is applied to).
    pub eff: ChainEffect,
    /// `select_related(None)`: what was selected before is dropped.
    pub reset: bool,
    /// The keyword names of the call (`filter(pk=...)` pins one row).
    pub kw: Box<[Box<str>]>,
    /// The call has positional arguments (`order_by()` without them clears the ordering).
    pub has_args: bool,
}

impl Value {
    /// The value on paths that may have taken either branch.
    pub fn join(&self, other: &Value) -> Value {
        if self == other {
            return self.clone();
        }
        match (self, other) {
            // A path that yields no rows (`qs.none()`) adds nothing to what the rows load.
            (Value::QuerySet(a), Value::QuerySet(b)) if a.model == b.model && a.empty => {
                Value::QuerySet(b.clone())
            }
            (Value::QuerySet(a), Value::QuerySet(b)) if a.model == b.model && b.empty => {
                Value::QuerySet(a.clone())
            }
            (Value::QuerySet(a), Value::QuerySet(b))
                if a.model == b.model && a.values == b.values =>
            {
                let loads = a.loads.intersect(&b.loads);
                // shown where a path builds it that loads no more than both do (`if not
                // request.GET: return qs.filter(fk__isnull=True)` then `return qs`)
                let (a, b) = if a.loads != loads && b.loads == loads {
                    (b, a)
                } else {
                    (a, b)
                };
                let mut q = a.clone();
                q.loads = loads;
                // One path applied loads djperf cannot name to the queryset the other path
                // holds as it is (`if fields: qs = maybe_select_related(qs, fields)`): what
                // the rows load is not known.
                if a.loads.opaque != b.loads.opaque {
                    let (o, p) = if a.loads.opaque { (a, b) } else { (b, a) };
                    if o.through.starts_with(&p.through) {
                        q.loads.opaque = true;
                    }
                }
                q.cached = a.cached && b.cached;
                q.single = a.single && b.single;
                q.is_list = a.is_list && b.is_list;
                if a.related != b.related {
                    q.related = None;
                }
                q.bypass = a.bypass.clone().or_else(|| b.bypass.clone());
                (q.fix_at, q.through) = Qs::join_targets(a, b);
                q.locks = a.locks || b.locks;
                q.open = a.open || b.open;
                Value::QuerySet(q)
            }
            (Value::Instance(a), Value::Instance(b)) if a.model == b.model && a.row == b.row => {
                let mut i = a.clone();
                i.loads = a.loads.intersect(&b.loads);
                Value::Instance(i)
            }
            (Value::Arg(a), Value::Arg(b)) if a.param == b.param => Sym::join(a, b),
            // a list still empty on one path (`objs = []` before the loop that fills it)
            (Value::Items(m), Value::Lookups(l)) | (Value::Lookups(l), Value::Items(m))
                if l.is_empty_seq() =>
            {
                Value::Items(*m)
            }
            (Value::Lookups(a), Value::Lookups(b)) => a
                .join(b)
                .map_or(Value::Unknown, |l| Value::Lookups(Arc::new(l))),
            _ => Value::Unknown,
        }
    }
}
