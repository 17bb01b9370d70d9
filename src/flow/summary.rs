//! Function summaries: what each function and method does with its parameters, computed once
//! per project so the flow analysis can follow a row into a helper, a property or `__str__`.
//!
//! A summary is model-agnostic: for each parameter it holds the tree of attribute paths read
//! from it (`book.author.name` gives `author` → `name`), methods called on those paths
//! (`book.tags.all()` gives `tags` → `all()`), where a path is evaluated as a queryset
//! (iterated, `len()`), and where it is formatted (`str(x)`, `f"{x}"`, `"%s" % x`,
//! `"{}".format(x)`: a `__str__` node). Paths handed to other resolvable functions
//! (`describe(b.author)`, `utils.describe(b)`, `self.helper(b)`) are grafted in bottom-up over
//! the call graph; cycles are iterated a few rounds and trees are bounded in depth and size.
//! The flow analysis interprets a tree against the row's model and loaded set at the call
//! site, so whether `author` is a relation, a property or a plain field is decided there.
//!
//! A summary also keeps one query the function runs on every call by itself
//! (`Price.objects.get(book=book)`, found by walking it with the flow analyzer as if inside a
//! loop), or through a function it always calls; code that may not run (branches, code after
//! an early exit, handlers: see [`super::always`]) and memoised functions do not count. Each
//! tree node records whether its path is read on every call, so a member reached only in a
//! branch does not count its queries either.

use super::always::Holes;
use super::EvalHow;
use crate::ast::{Block, ExprId, ExprKind, Keyword, Module, ParamKind, StmtKind, Target};
use crate::index::Index;
use crate::project::{File, FileId};
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// Longest attribute path kept in a tree.
pub const MAX_DEPTH: usize = 8;
/// Most nodes kept in one parameter's tree.
const MAX_NODES: usize = 256;
/// Extra composition rounds for functions on a call-graph cycle.
const CYCLE_ROUNDS: usize = 4;
/// Bound on the expression walk (generated code nests deeply).
const MAX_EXPR_DEPTH: u32 = 200;

pub use crate::django::NOT_FOLLOWED;

/// Whether calls to a method or function with this name are followed.
pub fn follows(name: &str) -> bool {
    !NOT_FOLLOWED.contains(&name)
}

/// A source location, possibly in another file.
pub use crate::source::Loc;

/// What a function does with one value (a parameter, or a path below it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub children: BTreeMap<Box<str>, Access>,
    /// Where this path is first read.
    pub at: Option<Loc>,
    /// The attribute is called as a method (`x.all()`, `x.get_label()`, `str(x)` as `__str__`).
    pub called: bool,
    /// The value at this path is evaluated as a queryset (iterated, `len()`, `list()`...).
    pub eval: Option<(Loc, EvalHow)>,
    /// The path is read on every call of the function (not only in a branch or after an early
    /// return, see [`super::always`]).
    pub always: bool,
}

impl Access {
    fn count(&self) -> usize {
        1 + self.children.values().map(Access::count).sum::<usize>()
    }

    /// Merge `other` into `self`, keeping locations already known; `always`: `other`'s paths
    /// are read on every call of `self`'s function as well. Returns whether it changed.
    fn merge(&mut self, other: &Access, depth: usize, budget: &mut usize, always: bool) -> bool {
        let mut changed = false;
        if always && other.always && !self.always {
            self.always = true;
            changed = true;
        }
        if self.at.is_none() && other.at.is_some() {
            self.at = other.at;
            changed = true;
        }
        if other.called && !self.called {
            self.called = true;
            changed = true;
        }
        if self.eval.is_none() && other.eval.is_some() {
            self.eval.clone_from(&other.eval);
            changed = true;
        }
        if depth >= MAX_DEPTH {
            return changed;
        }
        for (k, v) in &other.children {
            if let Some(mine) = self.children.get_mut(k) {
                changed |= mine.merge(v, depth + 1, budget, always);
            } else if *budget > 0 {
                let mut fresh = Access::default();
                *budget = budget.saturating_sub(1);
                fresh.merge(v, depth + 1, budget, always);
                self.children.insert(k.clone(), fresh);
                changed = true;
            }
        }
        changed
    }

    /// The node at `path`, created if missing (None past the bounds); `always`: the path is
    /// read on every call.
    fn node_mut(
        &mut self,
        path: &[(Box<str>, bool)],
        at: Loc,
        always: bool,
    ) -> Option<&mut Access> {
        if path.len() > MAX_DEPTH {
            return None;
        }
        let mut cur = self;
        for (name, called) in path {
            let n = cur.children.entry(name.clone()).or_default();
            n.at.get_or_insert(at);
            n.called |= *called;
            n.always |= always;
            cur = n;
        }
        Some(cur)
    }

    /// The subtree at `prefix`, grafting `other` there (`always`: the call that hands the value
    /// on runs on every call).
    fn graft(
        &mut self,
        prefix: &[(Box<str>, bool)],
        other: &Access,
        at: Loc,
        always: bool,
    ) -> bool {
        let before = self.count();
        if before >= MAX_NODES {
            return false;
        }
        let was_always = self.node_at(prefix).is_some_and(|n| n.always);
        let Some(node) = self.node_mut(prefix, at, always) else {
            return false;
        };
        let mut budget = MAX_NODES - before;
        let changed = node.merge(other, prefix.len(), &mut budget, always);
        changed || self.count() != before || (always && !was_always)
    }

    fn node_at(&self, path: &[(Box<str>, bool)]) -> Option<&Access> {
        let mut cur = self;
        for (name, _) in path {
            cur = cur.children.get(name)?;
        }
        Some(cur)
    }
}

/// How a function is reached from an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnKind {
    Function,
    Method,
    /// `@property` (also `functools.cached_property`, `django.utils.functional.cached_property`).
    Property,
    StaticOrClass,
}

/// A call that hands parameter paths to another function (or runs on every call: its queries
/// are the caller's).
#[derive(Debug, Clone)]
struct Pass {
    callee: String,
    /// Argument positions of the callee (already shifted past `self` for bound methods).
    args: Vec<PassArg>,
    at: Loc,
    /// The call runs on every call of the caller.
    always: bool,
}

/// A query a function runs on every call (`Price.objects.get(book=book)`), directly or in a
/// function it always calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnQuery {
    /// Where the query runs (in the function or a callee).
    pub at: Loc,
    pub model: crate::index::ModelId,
    /// `get`, `exists`, `iterate`... as in [`super::Event::QueryInLoop`].
    pub method: String,
}

/// A path below a parameter: attribute names, each flagged when it is called.
type Path = Vec<(Box<str>, bool)>;
/// An argument handed on: the callee position, the caller's parameter and the path below it.
type PassArg = (ArgPos, u8, Path);

#[derive(Debug, Clone)]
enum ArgPos {
    Pos(usize),
    Kw(Box<str>),
}

#[derive(Debug, Clone)]
pub struct FnSummary {
    pub qual: String,
    pub kind: FnKind,
    /// Positional parameter names, `self` included for methods.
    pub params: Vec<Box<str>>,
    /// One tree per parameter in `params`.
    pub trees: Vec<Access>,
    /// A query run on every call, not rooted at a parameter (those are in `trees`).
    pub query: Option<OwnQuery>,
    passes: Vec<Pass>,
    /// Where to look for the function's own query, if it may run one (see [`Summaries::build`]).
    probe: Option<ProbeAt>,
}

/// A function whose own queries are worth a walk: its file (index in the files built from),
/// its index in that file's functions, and its model when it is a model's method.
#[derive(Debug, Clone, Copy)]
struct ProbeAt {
    file: usize,
    func: usize,
    self_model: Option<crate::index::ModelId>,
}

impl FnSummary {
    /// The parameter index for positional argument `i` (`bound`: called on an instance).
    pub fn param_for_pos(&self, i: usize, bound: bool) -> Option<usize> {
        let shift = usize::from(
            bound && self.kind != FnKind::Function && self.kind != FnKind::StaticOrClass,
        );
        let p = i + shift;
        (p < self.params.len()).then_some(p)
    }

    pub fn param_for_kw(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| &**p == name)
    }
}

/// Every function summary of a project, by qualified name (`app.utils.describe`,
/// `app.models.Book.__str__`).
#[derive(Debug, Default)]
pub struct Summaries {
    pub fns: Vec<FnSummary>,
    by_qual: HashMap<String, usize>,
}

impl Summaries {
    pub fn get(&self, qual: &str) -> Option<&FnSummary> {
        self.by_qual.get(qual).map(|i| &self.fns[*i])
    }

    pub fn is_empty(&self) -> bool {
        self.fns.is_empty()
    }

    /// A method or property of a model class (or one of its model parents).
    pub fn model_member(&self, ix: &Index, model: u32, name: &str) -> Option<&FnSummary> {
        let mut stack = vec![model];
        let mut seen = 0;
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > 32 {
                break;
            }
            let m = ix.model(id);
            if m.builtin {
                continue;
            }
            if let Some(s) = self.get(&format!("{}.{name}", m.qual)) {
                return Some(s);
            }
            stack.extend(m.parents.iter().rev());
        }
        None
    }

    /// Build the summaries of every function in `files` and compose them over the call graph.
    pub fn build(files: &[File], ix: &Index) -> Summaries {
        let per_file: Vec<(Vec<FnSummary>, Vec<String>)> = files
            .par_iter()
            .enumerate()
            .map(|(i, f)| extract_file(i, f, ix))
            .collect();
        let mut s = Summaries::default();
        let mut called: HashSet<String> = HashSet::default();
        for (fs, calls) in per_file {
            called.extend(calls);
            for f in fs {
                if !s.by_qual.contains_key(&f.qual) {
                    s.by_qual.insert(f.qual.clone(), s.fns.len());
                    s.fns.push(f);
                }
            }
        }
        s.probe_queries(files, ix, &called);
        s.compose();
        s
    }

    /// Find the own query of each function that may run one and that something can reach: a
    /// call somewhere in the project names it, or it is a model's method, property or
    /// `__str__` (reached through rows). Functions nothing calls (views, framework hooks) are
    /// not walked: a loop cannot call them.
    fn probe_queries(&mut self, files: &[File], ix: &Index, called: &HashSet<String>) {
        let mut by_file: BTreeMap<usize, Vec<(usize, ProbeAt)>> = BTreeMap::new();
        for (i, f) in self.fns.iter().enumerate() {
            if let Some(p) = f.probe {
                if p.self_model.is_some() || called.contains(&f.qual) {
                    by_file.entry(p.file).or_default().push((i, p));
                }
            }
        }
        let groups: Vec<(usize, Vec<(usize, ProbeAt)>)> = by_file.into_iter().collect();
        let found: Vec<(usize, OwnQuery)> = groups
            .par_iter()
            .flat_map_iter(|(fi, fns)| {
                let file = &files[*fi];
                let mut probe = super::QueryProbe::new(ix, file);
                let mut out = Vec::new();
                for (i, p) in fns {
                    let f = &file.ast.functions[p.func];
                    let holes = Holes::of(&file.ast, &f.body, f.span.end);
                    let q = probe
                        .queries(f, p.self_model)
                        .into_iter()
                        .find(|(at, ..)| !holes.covers(at.span));
                    if let Some((at, model, method)) = q {
                        out.push((*i, OwnQuery { at, model, method }));
                    }
                }
                out
            })
            .collect();
        for (i, q) in found {
            self.fns[i].query = Some(q);
        }
    }

    /// Graft callee trees into callers, bottom-up (DFS post-order), then a few rounds more for
    /// functions on a cycle.
    fn compose(&mut self) {
        let n = self.fns.len();
        let edges: Vec<Vec<usize>> = self
            .fns
            .iter()
            .map(|f| {
                f.passes
                    .iter()
                    .filter_map(|p| self.by_qual.get(&p.callee).copied())
                    .collect()
            })
            .collect();
        // Iterative DFS post-order; a back edge marks both ends as cyclic.
        let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
        let mut order = Vec::with_capacity(n);
        let mut cyclic = vec![false; n];
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            state[start] = 1;
            while let Some((v, i)) = stack.last_mut() {
                let v = *v;
                if let Some(&w) = edges[v].get(*i) {
                    *i += 1;
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            stack.push((w, 0));
                        }
                        1 => {
                            cyclic[v] = true;
                            cyclic[w] = true;
                            for (u, _) in stack.iter().rev() {
                                cyclic[*u] = true;
                                if *u == w {
                                    break;
                                }
                            }
                        }
                        _ => {}
                    }
                } else {
                    state[v] = 2;
                    order.push(v);
                    stack.pop();
                }
            }
        }
        for &f in &order {
            self.compose_one(f);
        }
        let cyc: Vec<usize> = order.iter().copied().filter(|f| cyclic[*f]).collect();
        for _ in 0..CYCLE_ROUNDS {
            let mut changed = false;
            for &f in &cyc {
                changed |= self.compose_one(f);
            }
            if !changed {
                break;
            }
        }
    }

    fn compose_one(&mut self, f: usize) -> bool {
        let mut changed = false;
        let passes = std::mem::take(&mut self.fns[f].passes);
        for p in &passes {
            let Some(&g) = self.by_qual.get(&p.callee) else {
                continue;
            };
            if p.always && self.fns[f].query.is_none() {
                if let Some(q) = self.fns[g].query.clone() {
                    self.fns[f].query = Some(q);
                    changed = true;
                }
            }
            for (pos, param, prefix) in &p.args {
                let callee = &self.fns[g];
                let j = match pos {
                    ArgPos::Pos(i) => (*i < callee.params.len()).then_some(*i),
                    ArgPos::Kw(k) => callee.param_for_kw(k),
                };
                let Some(j) = j else { continue };
                let sub = callee.trees[j].clone();
                if sub.children.is_empty() && sub.eval.is_none() {
                    continue;
                }
                let at = p.at;
                changed |= self.fns[f].trees[usize::from(*param)].graft(prefix, &sub, at, p.always);
            }
        }
        self.fns[f].passes = passes;
        changed
    }
}

/// The summaries of the functions and methods defined in one file.
/// Parameters that never hold a model row, so what the function reads of them is not kept:
/// `request`, `cls`, and `self` of a class that is not a model (a view's `self.request...`
/// trees are large and never replayed against a row).
fn never_a_row(name: &str, is_self: bool, class_is_model: bool) -> bool {
    name == "request" || name == "cls" || (is_self && !class_is_model)
}

/// The summaries of a file's functions, and the qualified names of the functions it calls.
fn extract_file(fi: usize, file: &File, ix: &Index) -> (Vec<FnSummary>, Vec<String>) {
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
            passes: Vec::new(),
            holes: Holes::of(m, &f.body, f.span.end),
            mentions_model: false,
            rebound_self: false,
            called: Vec::new(),
            ix,
        };
        let class_is_model = class_qual
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
        });
        called.append(&mut x.called);
        out.push(FnSummary {
            qual,
            kind,
            params,
            trees: x.trees,
            query: None,
            passes: x.passes,
            probe,
        });
    }
    (out, called)
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
    passes: Vec<Pass>,
    /// The parts of the body that may not run on a call.
    holes: Holes,
    /// The body names a model class (or `get_object_or_404`): it may run queries itself.
    mentions_model: bool,
    /// `self` was assigned in the body.
    rebound_self: bool,
    /// The qualified names of the functions called (resolvable ones), in any branch.
    called: Vec<String>,
    ix: &'a Index,
}

impl Extract<'_> {
    fn loc(&self, e: ExprId) -> Loc {
        Loc::new(self.fid, self.m.span(e))
    }

    /// Whether code at `at` runs on every call.
    fn always(&self, at: Loc) -> bool {
        !self.holes.covers(at.span)
    }

    /// Note `n.attr` (or `n` alone, `attr` empty) read where code always runs: a manager of a
    /// model class (`Price.objects`) or `get_object_or_404` means the function may query.
    fn note_name(&mut self, n: &str, attr: &str) {
        if self.mentions_model || self.env.contains_key(n) {
            return;
        }
        if attr.is_empty() {
            self.mentions_model = n == "get_object_or_404";
            return;
        }
        let module = &self.file.scope.module;
        let model = match self.file.scope.names.get(n) {
            Some(q) => self.ix.model_by_qual(q),
            None => self.ix.model_by_qual(&format!("{module}.{n}")),
        };
        self.mentions_model = model.is_some_and(|id| {
            matches!(attr, "objects" | "_default_manager" | "_base_manager")
                || self.ix.model(id).managers.iter().any(|mg| mg.name == attr)
        });
    }

    fn block(&mut self, b: &Block, depth: u32) {
        for st in b {
            self.stmt(&st.kind, depth);
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
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.expr(*e, None, 0),
            StmtKind::Assign { targets, value } => {
                if let Some(v) = value {
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
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
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
                self.block(body, depth + 1);
                self.block(orelse, depth + 1);
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
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
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
            return;
        }
        let always = !self.holes.covers(at.span);
        if let Some(node) = tree.node_mut(path, at, always) {
            if let Some(h) = how {
                node.eval.get_or_insert((at, h));
            }
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
        if matches!(m.kind(e), ExprKind::Attr { .. } | ExprKind::Call { .. }) {
            if let Some(c) = self.chain(e) {
                let at = self.loc(e);
                self.record(&c, at, how);
                // `self.helper(b)`: the receiver and the arguments are handed to the method
                if let ExprKind::Call { func, args, kwargs } = m.kind(e) {
                    if let Some((callee, true)) = self.callee(*func) {
                        self.called.push(callee.clone());
                        let mut pass_args = vec![(ArgPos::Pos(0), 0u8, Vec::new())];
                        self.pass_args(args, kwargs, true, &mut pass_args, depth);
                        let always = self.always(at);
                        self.passes.push(Pass {
                            callee,
                            args: pass_args,
                            at,
                            always,
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
                if !self.mentions_model && !self.holes.covers(m.span(e)) {
                    self.note_name(n, "");
                }
            }
            ExprKind::Attr { value, attr, .. } => {
                if let ExprKind::Name(n) = m.kind(*value) {
                    if !self.mentions_model && !self.holes.covers(m.span(e)) {
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
                    if !pass_args.is_empty() || always {
                        self.passes.push(Pass {
                            callee,
                            args: pass_args,
                            at,
                            always,
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
