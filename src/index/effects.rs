//! What a queryset chain loads: `select_related`/`prefetch_related` paths (with `Prefetch`
//! objects and `to_attr`), `values()`. Shared by the index (custom manager and queryset
//! methods) and the flow analysis (chains in function bodies).

use crate::ast::{Block, ExprId, ExprKind, Keyword, Module, StmtKind};
use crate::index::{Index, ModelId};
use crate::project::File;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The relations loaded with each row, as a tree of accessor names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadSet {
    pub nodes: BTreeMap<String, LoadNode>,
    /// `select_related()` with no arguments: every non-null forward FK, recursively.
    pub select_all: bool,
    /// `.only(...)`: the only fields loaded with each row (besides the primary key).
    pub only: Option<BTreeSet<String>>,
    /// `.defer(...)`: fields left out of each row.
    pub deferred: BTreeSet<String>,
    /// `.annotate(name=...)`: attributes set on each row.
    pub annotated: BTreeSet<String>,
    /// `select_related`/`prefetch_related` was called with arguments djperf cannot name
    /// (`*fields` from a function's parameter, a constant of another module): any relation
    /// may be loaded, so none is claimed missing.
    pub opaque: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadNode {
    /// Loaded by `prefetch_related` (a cache that only some methods use) rather than a join.
    pub prefetched: bool,
    /// For `Prefetch(..., to_attr="x")`: the relation that `x` holds as a plain list.
    pub to_attr_of: Option<String>,
    /// The `Prefetch` queryset is ordered, so `.first()` reads the cache.
    pub ordered: bool,
    pub children: LoadSet,
}

impl LoadSet {
    /// Each row carries attribute `name`: an annotation, or a `Prefetch(to_attr=name)` list
    /// (what `hasattr(row, name)` finds).
    pub fn sets_attr(&self, name: &str) -> bool {
        self.annotated.contains(name)
            || self.nodes.get(name).is_some_and(|n| n.to_attr_of.is_some())
    }

    /// Add a `__`-separated lookup path.
    pub fn add_path(&mut self, path: &str, prefetched: bool) -> &mut LoadSet {
        let mut cur = self;
        for seg in path.split("__").filter(|s| !s.is_empty()) {
            let node = cur.nodes.entry(seg.to_owned()).or_default();
            node.prefetched |= prefetched;
            cur = &mut node.children;
        }
        cur
    }

    /// Keep only what both sets load (a relation counts as loaded only if loaded on every path).
    pub fn intersect(&self, other: &LoadSet) -> LoadSet {
        // What an opaque path loads is not known: the other path decides what is missing.
        if self.opaque != other.opaque {
            return if self.opaque { other } else { self }.clone();
        }
        // A field counts as deferred only if it is deferred on every path.
        let only = match (&self.only, &other.only) {
            (Some(a), Some(b)) => Some(a.union(b).cloned().collect()),
            _ => None,
        };
        let mut out = LoadSet {
            nodes: BTreeMap::new(),
            select_all: self.select_all && other.select_all,
            opaque: self.opaque && other.opaque,
            only,
            deferred: self
                .deferred
                .intersection(&other.deferred)
                .cloned()
                .collect(),
            annotated: self
                .annotated
                .intersection(&other.annotated)
                .cloned()
                .collect(),
        };
        for (k, a) in &self.nodes {
            if let Some(b) = other.nodes.get(k) {
                if a.to_attr_of != b.to_attr_of {
                    continue;
                }
                out.nodes.insert(
                    k.clone(),
                    LoadNode {
                        prefetched: a.prefetched || b.prefetched,
                        to_attr_of: a.to_attr_of.clone(),
                        ordered: a.ordered && b.ordered,
                        children: a.children.intersect(&b.children),
                    },
                );
            }
        }
        out
    }

    /// Whether a field of the rows' own model was left out by `.only()`/`.defer()`.
    pub fn defers(&self, field: &str) -> bool {
        match &self.only {
            // `only("author_id")` loads the `author` key too (Django accepts either name).
            Some(only) => !only.contains(field) && !only.contains(&format!("{field}_id")),
            None => self.deferred.contains(field),
        }
    }

    /// `.only(*fields)`: fields of the rows' model (no `__`) are the only ones loaded; paths
    /// through a relation restrict that relation's node.
    fn apply_only(&mut self, fields: &[&str]) {
        let mut own = BTreeSet::new();
        for f in fields {
            match f.split_once("__") {
                Some((rel, rest)) => {
                    own.insert(rel.to_owned());
                    if let Some(n) = self.nodes.get_mut(rel) {
                        n.children.apply_only(&[rest]);
                    }
                }
                None => {
                    own.insert((*f).to_owned());
                }
            }
        }
        // For the own model the last call wins (Django replaces the immediate-loading set).
        self.only = Some(own);
        self.deferred.clear();
    }

    /// `.defer(*fields)`; `.defer(None)` clears every deferral.
    fn apply_defer(&mut self, fields: &[&str]) {
        for f in fields {
            if f.contains("__") {
                continue;
            }
            match &mut self.only {
                Some(only) => {
                    only.remove(*f);
                }
                None => {
                    self.deferred.insert((*f).to_owned());
                }
            }
        }
    }

    pub fn merge(&mut self, other: &LoadSet) {
        self.select_all |= other.select_all;
        self.opaque |= other.opaque;
        if other.only.is_some() {
            self.only.clone_from(&other.only);
        }
        self.deferred.extend(other.deferred.iter().cloned());
        self.annotated.extend(other.annotated.iter().cloned());
        for (k, b) in &other.nodes {
            let a = self.nodes.entry(k.clone()).or_default();
            a.prefetched |= b.prefetched;
            a.ordered |= b.ordered;
            if a.to_attr_of.is_none() {
                a.to_attr_of.clone_from(&b.to_attr_of);
            }
            a.children.merge(&b.children);
        }
    }
}

/// The accumulated effect of a queryset chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainEffect {
    pub loads: LoadSet,
    /// `values()`/`values_list()`: rows are dicts or tuples, not model instances.
    pub values: bool,
    /// `order_by(...)` was chained: `Some(true)` with columns, `Some(false)` for `order_by()`
    /// (which clears `Meta.ordering`); `None` keeps the model's default ordering.
    pub ordering: Option<bool>,
}

/// One argument of `select_related()`/`prefetch_related()` as a variable holds it: a lookup
/// path, or a `Prefetch` object with what its queryset loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Path(Box<str>),
    Prefetch(Arc<PrefetchObj>),
}

/// `Prefetch(lookup, queryset=..., to_attr=...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefetchObj {
    pub lookup: Box<str>,
    pub to_attr: Option<Box<str>>,
    /// What the `queryset=` loads and whether it is ordered; `None`: it has a queryset
    /// djperf cannot evaluate (it may load anything below the lookup).
    pub inner: Option<(LoadSet, bool)>,
}

/// Lookups held by a variable (`category = "component__category"`, `lookups = [...]`), as
/// every path through the code may have bound them: one list per path (the branches of an
/// `if`). A relation counts as loaded only if every alternative loads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookups {
    pub alts: Vec<Vec<Lookup>>,
    /// A list or tuple (spread with `*lookups`), not a single lookup.
    pub seq: bool,
}

/// At most this many alternatives are kept; more make the value unknown.
pub const MAX_LOOKUP_ALTS: usize = 8;

impl Lookups {
    pub fn one(l: Lookup) -> Lookups {
        Lookups {
            alts: vec![vec![l]],
            seq: false,
        }
    }

    /// An empty list or tuple display (`[]`).
    pub fn is_empty_seq(&self) -> bool {
        self.seq && self.alts.iter().all(Vec::is_empty)
    }

    /// The lookups on paths that bound either value; `None` when they are of different
    /// kinds or too many.
    pub fn join(&self, other: &Lookups) -> Option<Lookups> {
        if self.seq != other.seq {
            return None;
        }
        let mut alts = self.alts.clone();
        for a in &other.alts {
            if !alts.contains(a) {
                alts.push(a.clone());
            }
        }
        (alts.len() <= MAX_LOOKUP_ALTS).then_some(Lookups {
            alts,
            seq: self.seq,
        })
    }

    /// Each alternative of `self` followed by each of `tail` (`lookups + more`,
    /// `lookups.append(x)`); `None` when there would be too many.
    pub fn concat(&self, tail: &Lookups) -> Option<Lookups> {
        if self.alts.len() * tail.alts.len() > MAX_LOOKUP_ALTS {
            return None;
        }
        let mut alts = Vec::new();
        for a in &self.alts {
            for b in &tail.alts {
                let mut v = a.clone();
                v.extend(b.iter().cloned());
                if !alts.contains(&v) {
                    alts.push(v);
                }
            }
        }
        Some(Lookups { alts, seq: true })
    }
}

/// What [`apply_method`] asks its caller about arguments that are not literals.
pub trait ArgEval {
    /// What a `Prefetch(queryset=...)` argument loads, and whether it is ordered.
    fn queryset(&mut self, e: ExprId) -> Option<(LoadSet, bool)>;
    /// The lookups a non-literal argument holds (a variable bound to a lookup, a
    /// `Prefetch` or a list of them; `*lookups`); `None`: not known.
    fn lookups(&mut self, _e: ExprId) -> Option<Lookups> {
        None
    }
}

/// An [`ArgEval`] that knows nothing beyond literals.
pub struct NoArgs;

impl ArgEval for NoArgs {
    fn queryset(&mut self, _e: ExprId) -> Option<(LoadSet, bool)> {
        None
    }
}

/// Whether a string literal may be a lookup path (`"author"`, `"book__author"`).
pub fn is_lookup_text(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Add `Prefetch(lookup, queryset=..., to_attr=...)` to `loads`. `inner` is what the
/// queryset loads (`None`: a queryset djperf cannot evaluate, which may load anything).
fn add_prefetch(
    loads: &mut LoadSet,
    lookup: &str,
    to_attr: Option<&str>,
    inner: Option<(LoadSet, bool)>,
) {
    let (inner_loads, inner_ordered) = inner.unwrap_or_else(|| {
        (
            LoadSet {
                opaque: true,
                ..LoadSet::default()
            },
            false,
        )
    });
    // The prefix is prefetched normally; the last segment lands under its own name, or in
    // a list attribute named by `to_attr`.
    let (prefix, rel) = match lookup.rsplit_once("__") {
        Some((p, r)) => (Some(p), r),
        None => (None, lookup),
    };
    let parent = match prefix {
        Some(p) => loads.add_path(p, true),
        None => loads,
    };
    let node = parent
        .nodes
        .entry(to_attr.unwrap_or(rel).to_owned())
        .or_default();
    node.prefetched = true;
    if to_attr.is_some() {
        node.to_attr_of = Some(rel.to_owned());
    }
    node.ordered |= inner_ordered;
    node.children.merge(&inner_loads);
}

/// Apply lookups a variable holds: each alternative from the same start, then only what
/// every alternative loads.
fn apply_lookups(loads: &mut LoadSet, ls: &Lookups, prefetch: bool) {
    let mut out: Option<LoadSet> = None;
    for alt in &ls.alts {
        let mut l = loads.clone();
        for lk in alt {
            match lk {
                Lookup::Path(p) => {
                    l.add_path(p, prefetch);
                }
                // `select_related(Prefetch(...))` raises: nothing to claim
                Lookup::Prefetch(_) if !prefetch => l.opaque = true,
                Lookup::Prefetch(p) => {
                    add_prefetch(&mut l, &p.lookup, p.to_attr.as_deref(), p.inner.clone());
                }
            }
        }
        out = Some(match out {
            None => l,
            Some(o) => o.intersect(&l),
        });
    }
    match out {
        Some(l) => *loads = l,
        // no alternative at all (cannot happen for a bound variable): nothing known
        None => loads.opaque = true,
    }
}

/// A non-literal argument of `select_related`/`prefetch_related`: what the caller knows of
/// it, else a module constant (`*LOOKUPS`), else unknown (any relation may be loaded).
fn apply_other_arg(
    m: &Module,
    eff: &mut ChainEffect,
    a: ExprId,
    prefetch: bool,
    args_eval: &mut dyn ArgEval,
) {
    let spread = matches!(m.kind(a), ExprKind::Starred(_));
    if let Some(ls) = args_eval.lookups(a).filter(|ls| ls.seq == spread) {
        apply_lookups(&mut eff.loads, &ls, prefetch);
        return;
    }
    match m.constant_strings(a) {
        Some(paths) => {
            for p in paths {
                eff.loads.add_path(p, prefetch);
            }
        }
        None => eff.loads.opaque = true,
    }
}

/// Apply one chained method call to an effect. Returns `false` if `method` does not return a
/// queryset. `args_eval` evaluates `Prefetch(queryset=...)` arguments and variables passed as
/// lookups.
pub fn apply_method(
    m: &Module,
    eff: &mut ChainEffect,
    method: &str,
    args: &[ExprId],
    kwargs: &[Keyword],
    args_eval: &mut dyn ArgEval,
) -> bool {
    match method {
        "select_related" => {
            if args.is_empty() && kwargs.is_empty() {
                eff.loads.select_all = true;
            }
            for a in args {
                match m.kind(*a) {
                    ExprKind::Str(s) => {
                        eff.loads.add_path(s, false);
                    }
                    ExprKind::Const(crate::ast::Const::None) => {
                        eff.loads = LoadSet::default();
                    }
                    _ => apply_other_arg(m, eff, *a, false, args_eval),
                }
            }
            true
        }
        "prefetch_related" => {
            for a in args {
                match m.kind(*a) {
                    ExprKind::Str(s) => {
                        eff.loads.add_path(s, true);
                    }
                    ExprKind::Const(crate::ast::Const::None) => {
                        eff.loads.nodes.retain(|_, n| !n.prefetched);
                    }
                    ExprKind::Call {
                        func,
                        args: pargs,
                        kwargs: pkw,
                    } if is_prefetch_call(m, *func) => {
                        match prefetch_object(m, pargs, pkw, args_eval) {
                            Some(p) => add_prefetch(
                                &mut eff.loads,
                                &p.lookup,
                                p.to_attr.as_deref(),
                                p.inner,
                            ),
                            None => eff.loads.opaque = true,
                        }
                    }
                    _ => apply_other_arg(m, eff, *a, true, args_eval),
                }
            }
            true
        }
        "values" | "values_list" => {
            eff.values = true;
            true
        }
        "annotate" => {
            eff.loads.annotated.extend(
                kwargs
                    .iter()
                    .filter_map(|k| k.name.as_deref().map(str::to_owned)),
            );
            true
        }
        "order_by" => {
            eff.ordering = Some(!args.is_empty());
            true
        }
        "only" | "defer" => {
            let clear = method == "defer"
                && args
                    .iter()
                    .any(|a| matches!(m.kind(*a), ExprKind::Const(crate::ast::Const::None)));
            if clear {
                eff.loads.only = None;
                eff.loads.deferred.clear();
                return true;
            }
            let names: Vec<&str> = args.iter().filter_map(|a| m.str_value(*a)).collect();
            if names.len() != args.len() || !kwargs.is_empty() {
                // `only(*fields)` with computed names: forget what we knew.
                eff.loads.only = None;
                eff.loads.deferred.clear();
                return true;
            }
            if method == "only" {
                eff.loads.apply_only(&names);
            } else {
                eff.loads.apply_defer(&names);
            }
            true
        }
        _ => crate::django::QS_METHODS.contains(&method),
    }
}

/// Whether `func` names Django's `Prefetch` (`Prefetch(...)`, `models.Prefetch(...)`).
pub fn is_prefetch_call(m: &Module, func: ExprId) -> bool {
    m.dotted(func)
        .is_some_and(|d| d.rsplit('.').next() == Some("Prefetch"))
}

/// The `Prefetch` object a call `Prefetch(pargs, pkw)` builds; `None` when its lookup is not
/// a literal. Its queryset is evaluated by `args_eval` (`inner` is `None` when that fails).
pub fn prefetch_object(
    m: &Module,
    pargs: &[ExprId],
    pkw: &[Keyword],
    args_eval: &mut dyn ArgEval,
) -> Option<PrefetchObj> {
    let lookup = m
        .kwarg(pkw, "lookup")
        .map(|k| k.value)
        .or_else(|| pargs.first().copied())
        .and_then(|e| m.str_value(e))?;
    let qs = m
        .kwarg(pkw, "queryset")
        .map(|k| k.value)
        .or_else(|| pargs.get(1).copied());
    let to_attr = m
        .kwarg(pkw, "to_attr")
        .map(|k| k.value)
        .or_else(|| pargs.get(2).copied());
    let to_attr = match to_attr {
        Some(e) => Some(m.str_value(e)?),
        None => None,
    };
    let inner = match qs {
        // `queryset=None` is Django's default: the related model's default manager
        Some(q) if matches!(m.kind(q), ExprKind::Const(crate::ast::Const::None)) => {
            Some(Default::default())
        }
        Some(q) => args_eval.queryset(q),
        None => Some(Default::default()),
    };
    Some(PrefetchObj {
        lookup: lookup.into(),
        to_attr: to_attr.map(Into::into),
        inner,
    })
}

/// The expression of a function body's only `return` (ignoring docstrings and simple
/// assignments is not attempted: one return statement or none).
pub fn single_return(body: &Block) -> Option<ExprId> {
    let mut found = None;
    for st in body {
        match &st.kind {
            StmtKind::Return(Some(e)) => {
                if found.is_some() {
                    return None;
                }
                found = Some(*e);
            }
            StmtKind::Expr(_) | StmtKind::Other(_) => {}
            _ => return None,
        }
    }
    found
}

/// The chain a manager/queryset method returns: its only `return`'s expression, or the
/// value of a local it returns (`clone = self._clone()`, then attributes set on it, in
/// branches too, then `return clone`). The flag: attributes are set on that local.
pub fn returned_chain(m: &Module, body: &Block) -> Option<(ExprId, bool)> {
    if let Some(e) = single_return(body) {
        return Some((e, false));
    }
    // `name = <chain>` ... `return name`, with only `name.attr = ...` in between
    let mut local: Option<(&str, ExprId)> = None;
    let mut sets = false;
    for (i, st) in body.iter().enumerate() {
        match &st.kind {
            StmtKind::Expr(_) | StmtKind::Other(_) if local.is_none() => {}
            StmtKind::Assign {
                targets,
                value: Some(v),
            } if local.is_none() => match targets.as_slice() {
                [crate::ast::Target::Name(n, _)] => local = Some((n, *v)),
                _ => return None,
            },
            StmtKind::Return(Some(e)) => {
                let (n, v) = local?;
                let returns_local = matches!(m.kind(*e), ExprKind::Name(r) if &**r == n);
                return (returns_local && i + 1 == body.len()).then_some((v, sets));
            }
            _ => {
                let (n, _) = local?;
                if !only_sets_attrs(m, std::slice::from_ref(st), n, 0) {
                    return None;
                }
                sets = true;
            }
        }
    }
    None
}

/// Every statement of `body` sets an attribute of `name` (`name.x = ...`), or is an `if`
/// whose branches do only that.
fn only_sets_attrs(m: &Module, body: &[crate::ast::Stmt], name: &str, depth: u32) -> bool {
    depth < 8
        && body.iter().all(|st| match &st.kind {
            StmtKind::Assign { targets, .. } => targets.iter().all(|t| match t {
                crate::ast::Target::Attr(e) => matches!(m.kind(*e), ExprKind::Attr { value, .. }
                    if matches!(m.kind(*value), ExprKind::Name(n) if &**n == name)),
                _ => false,
            }),
            StmtKind::If { .. } => st
                .kind
                .blocks()
                .iter()
                .all(|b| only_sets_attrs(m, b, name, depth + 1)),
            _ => false,
        })
}

/// Evaluate a manager/queryset method's return expression rooted at `self`/`super()`, in
/// `file`. `classes` are the class and its bases (to resolve `self.other_method()`).
pub fn eval_self_chain(
    file: &File,
    e: ExprId,
    ix: &Index,
    classes: &[String],
) -> Option<ChainEffect> {
    let m = &file.ast;
    let mut chain = Vec::new();
    let mut cur = e;
    for _ in 0..64 {
        match m.kind(cur) {
            ExprKind::Call { func, args, kwargs } => match m.kind(*func) {
                ExprKind::Attr { value, attr, .. } => {
                    chain.push((attr.clone(), args.clone(), kwargs.clone()));
                    cur = *value;
                }
                ExprKind::Name(n) if &**n == "super" => {
                    // super().method(...) → the base's effect of that method, or nothing
                    let (name, ..) = chain.pop()?;
                    // `super().get(...)`, `super().count()`: not a queryset
                    if crate::django::is_evaluating_method(&name) {
                        return None;
                    }
                    let mut eff = if &*name == "get_queryset" || &*name == "all" {
                        ChainEffect::default()
                    } else {
                        ix.method_effect_in(&classes[1.min(classes.len())..], &name)
                            .unwrap_or_default()
                    };
                    return finish(file, &mut eff, chain, ix, classes);
                }
                _ => return None,
            },
            ExprKind::Name(n) if &**n == "self" => {
                let mut eff = ChainEffect::default();
                return finish(file, &mut eff, chain, ix, classes);
            }
            _ => return None,
        }
    }
    None
}

/// A method call in a chain: name, positional and keyword arguments.
type ChainCall = (Box<str>, Box<[ExprId]>, crate::ast::Thin<Keyword>);

fn finish(
    file: &File,
    eff: &mut ChainEffect,
    mut chain: Vec<ChainCall>,
    ix: &Index,
    classes: &[String],
) -> Option<ChainEffect> {
    let m = &file.ast;
    let mut args_eval = ModelChains { file, ix, depth: 0 };
    while let Some((name, args, kwargs)) = chain.pop() {
        if apply_method(m, eff, &name, &args, &kwargs, &mut args_eval) {
            continue;
        }
        match ix.method_effect_in(classes, &name) {
            Some(other) => {
                eff.loads.merge(&other.loads);
                eff.values |= other.values;
                eff.ordering = other.ordering.or(eff.ordering);
            }
            None => return None,
        }
    }
    Some(eff.clone())
}

/// Evaluates a `Prefetch(queryset=...)` inside a manager/queryset method when it is a chain
/// on a model's manager (`Topic.objects.filter(...)`, `Component.objects.defer_huge()`).
struct ModelChains<'a> {
    file: &'a File,
    ix: &'a Index,
    depth: u32,
}

impl ArgEval for ModelChains<'_> {
    fn queryset(&mut self, e: ExprId) -> Option<(LoadSet, bool)> {
        if self.depth > 4 {
            return None;
        }
        let m = &self.file.ast;
        let mut chain: Vec<ChainCall> = Vec::new();
        let mut cur = e;
        let (model, manager) = loop {
            match m.kind(cur) {
                ExprKind::Call { func, args, kwargs } => match m.kind(*func) {
                    ExprKind::Attr { value, attr, .. } => {
                        chain.push((attr.clone(), args.clone(), kwargs.clone()));
                        cur = *value;
                    }
                    _ => return None,
                },
                ExprKind::Attr { value, attr, .. } => {
                    break (self.model_named(*value)?, attr.clone());
                }
                _ => return None,
            }
            if chain.len() > 64 {
                return None;
            }
        };
        let (mut eff, classes) = self.ix.manager(model, &manager)?;
        self.depth += 1;
        let mut known = true;
        while let Some((name, args, kwargs)) = chain.pop() {
            if crate::django::is_evaluating_method(&name) {
                known = false;
                break;
            }
            if apply_method(m, &mut eff, &name, &args, &kwargs, self) {
                continue;
            }
            match self.ix.method_effect_in(&classes, &name) {
                Some(other) => {
                    eff.loads.merge(&other.loads);
                    eff.values |= other.values;
                    eff.ordering = other.ordering.or(eff.ordering);
                }
                None => {
                    known = false;
                    break;
                }
            }
        }
        self.depth -= 1;
        if !known || eff.values {
            return None;
        }
        let ordered = eff
            .ordering
            .unwrap_or_else(|| self.ix.default_ordered(model));
        Some((eff.loads, ordered))
    }
}

impl ModelChains<'_> {
    /// The model a name or dotted path of the file stands for: a model class it declares or
    /// imports (function-local imports included), `models.Book` through a module.
    fn model_named(&self, e: ExprId) -> Option<ModelId> {
        let f = self.file;
        match f.ast.kind(e) {
            ExprKind::Name(n) => {
                let declared = f
                    .ast
                    .classes
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.outer.is_none() && c.name == *n);
                if let Some((ci, _)) = declared {
                    return self
                        .ix
                        .file_models(f.id)
                        .get(&u32::try_from(ci).ok()?)
                        .copied();
                }
                let q = f.scope.names.get(n)?;
                self.ix.model_by_qual(q)
            }
            ExprKind::Attr { .. } => {
                let d = f.ast.dotted(e)?;
                self.ix.model_by_module_attr(f, &d)
            }
            _ => None,
        }
    }
}
