//! What a queryset chain loads: `select_related`/`prefetch_related` paths (with `Prefetch`
//! objects and `to_attr`), `values()`. Shared by the index (custom manager and queryset
//! methods) and the flow analysis (chains in function bodies).

use crate::ast::{Block, ExprId, ExprKind, Keyword, Module, StmtKind};
use crate::index::Index;
use std::collections::{BTreeMap, BTreeSet};

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

/// Apply one chained method call to an effect. Returns `false` if `method` does not return a
/// queryset. `inner` evaluates a `Prefetch(queryset=...)` argument to its load set.
pub fn apply_method(
    m: &Module,
    eff: &mut ChainEffect,
    method: &str,
    args: &[ExprId],
    kwargs: &[Keyword],
    inner: &mut dyn FnMut(ExprId) -> Option<(LoadSet, bool)>,
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
                    _ => match m.constant_strings(*a) {
                        Some(paths) => {
                            for p in paths {
                                eff.loads.add_path(p, false);
                            }
                        }
                        None => eff.loads.opaque = true,
                    },
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
                    } if m
                        .dotted(*func)
                        .is_some_and(|d| d.rsplit('.').next() == Some("Prefetch")) =>
                    {
                        let lookup = m
                            .kwarg(pkw, "lookup")
                            .map(|k| k.value)
                            .or_else(|| pargs.first().copied())
                            .and_then(|e| m.str_value(e));
                        let Some(lookup) = lookup else {
                            eff.loads.opaque = true;
                            continue;
                        };
                        let qs = m
                            .kwarg(pkw, "queryset")
                            .map(|k| k.value)
                            .or_else(|| pargs.get(1).copied());
                        let to_attr = m
                            .kwarg(pkw, "to_attr")
                            .map(|k| k.value)
                            .or_else(|| pargs.get(2).copied())
                            .and_then(|e| m.str_value(e));
                        // a queryset djperf cannot evaluate may load anything below
                        let (inner_loads, inner_ordered) = match qs {
                            Some(q) => inner(q).unwrap_or_else(|| {
                                (
                                    LoadSet {
                                        opaque: true,
                                        ..LoadSet::default()
                                    },
                                    false,
                                )
                            }),
                            None => Default::default(),
                        };
                        // The prefix is prefetched normally; the last segment lands under its
                        // own name, or in a list attribute named by `to_attr`.
                        let (prefix, rel) = match lookup.rsplit_once("__") {
                            Some((p, r)) => (Some(p), r),
                            None => (None, lookup),
                        };
                        let parent = match prefix {
                            Some(p) => eff.loads.add_path(p, true),
                            None => &mut eff.loads,
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
                    _ => match m.constant_strings(*a) {
                        Some(paths) => {
                            for p in paths {
                                eff.loads.add_path(p, true);
                            }
                        }
                        None => eff.loads.opaque = true,
                    },
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

/// Evaluate a manager/queryset method's return expression rooted at `self`/`super()`.
/// `classes` are the class and its bases (to resolve `self.other_method()`).
pub fn eval_self_chain(
    m: &Module,
    e: ExprId,
    ix: &Index,
    classes: &[String],
) -> Option<ChainEffect> {
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
                    return finish(m, &mut eff, chain, ix, classes);
                }
                _ => return None,
            },
            ExprKind::Name(n) if &**n == "self" => {
                let mut eff = ChainEffect::default();
                return finish(m, &mut eff, chain, ix, classes);
            }
            _ => return None,
        }
    }
    None
}

/// A method call in a chain: name, positional and keyword arguments.
type ChainCall = (Box<str>, Box<[ExprId]>, crate::ast::Thin<Keyword>);

fn finish(
    m: &Module,
    eff: &mut ChainEffect,
    mut chain: Vec<ChainCall>,
    ix: &Index,
    classes: &[String],
) -> Option<ChainEffect> {
    while let Some((name, args, kwargs)) = chain.pop() {
        if apply_method(m, eff, &name, &args, &kwargs, &mut |_| None) {
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
