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
use litemap::LiteMap;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

mod extract;
pub mod returns;
use extract::extract_file;
pub(crate) use extract::literal_truth;
pub use returns::{Ret, RetForm};

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
    pub children: LiteMap<Box<str>, Access>,
    /// Where this path is first read.
    pub at: Option<Loc>,
    /// The attribute is called as a method (`x.all()`, `x.get_label()`, `str(x)` as `__str__`).
    pub called: bool,
    /// The value at this path is evaluated as a queryset (iterated, `len()`, `list()`...).
    pub eval: Option<(Loc, EvalHow)>,
    /// The path is read on every call of the function (not only in a branch or after an early
    /// return, see [`super::always`]).
    pub always: bool,
    /// The path is read somewhere that is not an error path (see [`super::always::errors`]):
    /// read only while an exception is handled or raised, it costs nothing on the rows that
    /// do not fail.
    pub normal: bool,
    /// The value at this path is used beyond reading it (returned, stored, put in a
    /// container, handed to a call the summary does not follow): whatever it is, anything
    /// below it may be read by code djperf does not see.
    pub escapes: bool,
    /// Truth tests of parameters that hold wherever the path is read (`if not readonly:`
    /// around every read gives `(readonly, false)`); `None` until a read is recorded. A caller
    /// that loads the path under the same test of the argument it passes loads it for every
    /// read (see [`Guard`]).
    pub guards: Option<Vec<Guard>>,
    /// Attributes of the object this path is read from that `hasattr()` found missing
    /// wherever it is read (`if not hasattr(self, "n"): return self.note` gives `["n"]` on
    /// `note`); `None` until a read is recorded. Rows of a queryset that annotates `n` never
    /// read it.
    pub absent: Option<Vec<Box<str>>>,
    /// For a method called on this path (`self.titles(readonly=readonly)`): the caller's
    /// parameters it is handed unchanged, and where (so the callee's tests of them can be
    /// read as the caller's).
    pub hands: Vec<(ArgPos, u8)>,
}

/// A truth test of a parameter (its index) that holds where a path is read: `true` for
/// `if x:`, `false` for `if not x:`, the `else` of `if x:`, or after `if x: return`.
pub type Guard = (u8, bool);

/// The guards both lists hold.
fn common_guards(a: &[Guard], b: &[Guard]) -> Vec<Guard> {
    a.iter().filter(|g| b.contains(g)).copied().collect()
}

/// `guards` also hold wherever the node is read: `slot` becomes what both hold.
fn meet_guards(slot: &mut Option<Vec<Guard>>, guards: &[Guard]) -> bool {
    let next = match slot.as_deref() {
        None => guards.to_vec(),
        Some(have) => common_guards(have, guards),
    };
    let changed = slot.as_deref() != Some(next.as_slice());
    *slot = Some(next);
    changed
}

/// `absent` also holds wherever the node is read: `slot` becomes what both hold.
fn meet_absent(slot: &mut Option<Vec<Box<str>>>, absent: &[Box<str>]) -> bool {
    let next: Vec<Box<str>> = match slot.as_deref() {
        None => absent.to_vec(),
        Some(have) => have
            .iter()
            .filter(|a| absent.contains(a))
            .cloned()
            .collect(),
    };
    let changed = slot.as_deref() != Some(next.as_slice());
    *slot = Some(next);
    changed
}

impl Access {
    fn compact(&mut self) {
        let mut children = crate::ast::exact(std::mem::take(&mut self.children).into_tuple_vec());
        for (_, c) in &mut children {
            c.compact();
        }
        self.children = LiteMap::from_sorted_store_unchecked(children);
        if let Some(g) = self.guards.take() {
            self.guards = Some(crate::ast::exact(g));
        }
        if let Some(a) = self.absent.take() {
            self.absent = Some(crate::ast::exact(a));
        }
        self.hands = crate::ast::exact(std::mem::take(&mut self.hands));
    }

    fn count(&self) -> usize {
        1 + self.children.values().map(Access::count).sum::<usize>()
    }

    /// Merge `other` into `self`, keeping locations already known; `always`: `other`'s paths
    /// are read on every call of `self`'s function as well. Returns whether it changed.
    fn merge(
        &mut self,
        other: &Access,
        depth: usize,
        budget: &mut usize,
        (always, normal): (bool, bool),
    ) -> bool {
        let mut changed = false;
        if always && other.always && !self.always {
            self.always = true;
            changed = true;
        }
        if normal && other.normal && !self.normal {
            self.normal = true;
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
        if other.escapes && !self.escapes {
            self.escapes = true;
            changed = true;
        }
        if self.eval.is_none() && other.eval.is_some() {
            self.eval.clone_from(&other.eval);
            changed = true;
        }
        if let Some(g) = &other.guards {
            changed |= meet_guards(&mut self.guards, g);
        }
        if let Some(a) = &other.absent {
            changed |= meet_absent(&mut self.absent, a);
        }
        if self.hands.is_empty() && !other.hands.is_empty() {
            self.hands.clone_from(&other.hands);
            changed = true;
        }
        if depth >= MAX_DEPTH {
            return changed;
        }
        for (k, v) in &other.children {
            if let Some(mine) = self.children.get_mut(k) {
                changed |= mine.merge(v, depth + 1, budget, (always, normal));
            } else if *budget > 0 {
                let mut fresh = Access::default();
                *budget = budget.saturating_sub(1);
                fresh.merge(v, depth + 1, budget, (always, normal));
                self.children.insert(k.clone(), fresh);
                changed = true;
            } else if !self.escapes {
                // reads past the bound are not kept: what they read is not known
                self.escapes = true;
                changed = true;
            }
        }
        changed
    }

    /// The node at `path`, created if missing (None past the bounds); `always`: the path is
    /// read on every call; `guards`: the parameter tests that hold where it is read;
    /// `absent`: the attributes `hasattr()` found missing on the object the path starts from.
    fn node_mut(
        &mut self,
        path: &[(Box<str>, bool)],
        at: Loc,
        (always, normal): (bool, bool),
        guards: &[Guard],
        absent: &[Box<str>],
    ) -> Option<&mut Access> {
        if path.len() > MAX_DEPTH {
            return None;
        }
        let mut cur = self;
        for (i, (name, called)) in path.iter().enumerate() {
            let n = cur.children.entry(name.clone()).or_default();
            n.at.get_or_insert(at);
            n.called |= *called;
            n.always |= always;
            n.normal |= normal;
            meet_guards(&mut n.guards, guards);
            // Only the first node is read from the object `hasattr()` tested.
            meet_absent(&mut n.absent, if i == 0 { absent } else { &[] });
            cur = n;
        }
        Some(cur)
    }

    /// The tree as read by a caller: the callee's guards renamed to the caller's parameters
    /// (`rename`, when the caller hands its own parameter on unchanged; others are dropped),
    /// plus the caller's guards where it makes the call (`site`).
    fn rebased(&self, rename: &dyn Fn(u8) -> Option<u8>, site: &[Guard]) -> Access {
        let mut out = self.clone();
        out.rebase(rename, site, 0);
        out
    }

    fn rebase(&mut self, rename: &dyn Fn(u8) -> Option<u8>, site: &[Guard], depth: usize) {
        if let Some(g) = &mut self.guards {
            let mut next: Vec<Guard> = g
                .iter()
                .filter_map(|(p, pos)| rename(*p).map(|q| (q, *pos)))
                .collect();
            for s in site {
                if !next.contains(s) {
                    next.push(*s);
                }
            }
            *g = next;
        }
        self.hands = std::mem::take(&mut self.hands)
            .into_iter()
            .filter_map(|(pos, p)| rename(p).map(|q| (pos, q)))
            .collect();
        if depth < MAX_DEPTH {
            for (_, c) in self.children.iter_mut() {
                c.rebase(rename, site, depth + 1);
            }
        }
    }

    /// The subtree at `prefix`, grafting `other` there (`always`: the call that hands the value
    /// on runs on every call).
    fn graft(
        &mut self,
        prefix: &[(Box<str>, bool)],
        other: &Access,
        at: Loc,
        (always, normal): (bool, bool),
        site: &[Guard],
    ) -> bool {
        let before = self.count();
        if before >= MAX_NODES {
            // the callee's reads are not kept: the whole value counts as escaped
            let changed = !self.escapes;
            self.escapes = true;
            return changed;
        }
        let was_always = self.node_at(prefix).is_some_and(|n| n.always);
        let Some(node) = self.node_mut(prefix, at, (always, normal), site, &[]) else {
            return false;
        };
        let mut budget = MAX_NODES - before;
        let changed = node.merge(other, prefix.len(), &mut budget, (always, normal));
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

/// The truth of what a call passing `lits` gives parameter `param` of `callee`: a literal
/// argument's, else the parameter's literal default when nothing is passed to it.
fn passed_truth(
    callee: &FnSummary,
    lits: Option<&[(ArgPos, Option<bool>)]>,
    param: u8,
) -> Option<bool> {
    let lits = lits?;
    let j = usize::from(param);
    let name = callee.params.get(j)?;
    let passed = lits.iter().find(|(pos, _)| match pos {
        ArgPos::Pos(i) => *i == j,
        ArgPos::Kw(k) => k == name,
    });
    match passed {
        Some((_, t)) => *t,
        None => callee.defaults.get(j).copied().flatten(),
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
    /// The call is made outside the caller's error paths.
    normal: bool,
    /// The caller's parameter tests that hold where the call is made.
    guards: Vec<Guard>,
    /// The call runs whenever the caller does, as its own queries are looked for (see
    /// [`Holes::of_probe`]), under these tests of the caller's parameters; `None`: it may not.
    runs: Option<Vec<Guard>>,
    /// The truth of each argument the call passes, where it is a literal; `None` when
    /// `*args`/`**kwargs` may pass anything.
    lits: Option<Vec<(ArgPos, Option<bool>)>>,
}

/// A query a function runs on every call (`Price.objects.get(book=book)`), directly or in a
/// function it always calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnQuery {
    /// Where the query runs (in the function or a callee).
    pub at: Loc,
    pub model: crate::index::ModelId,
    /// `get`, `exists`, `iterate`... as in [`super::Event::QueryInLoop`]; `save` for an
    /// instance the function builds and saves.
    pub method: String,
    /// Truth tests of the function's parameters under which it runs (`if save:` gives
    /// `(save, true)`); empty: on every call. A caller counts it only where its arguments
    /// (or the parameters' defaults) make every test hold.
    pub guards: Vec<Guard>,
}

/// A path below a parameter: attribute names, each flagged when it is called.
type Path = Vec<(Box<str>, bool)>;
/// An argument handed on: the callee position, the caller's parameter and the path below it.
type PassArg = (ArgPos, u8, Path);

/// Where an argument lands in a callee: a parameter position (past `self` for bound
/// methods) or a keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgPos {
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
    /// Per parameter: attribute paths below it (called segments left out) whose values
    /// reach code the trees do not describe (a callee djperf has no summary for, a path past
    /// the bounds). Like [`Access::escapes`], anything below them may be read.
    pub escaped: Vec<Vec<Vec<Box<str>>>>,
    /// A query run on every call, not rooted at a parameter (those are in `trees`).
    pub query: Option<OwnQuery>,
    passes: Vec<Pass>,
    /// Where to look for the function's own query, if it may run one (see [`Summaries::build`]).
    probe: Option<ProbeAt>,
    /// What the function returns, when it is a queryset (see [`returns`]).
    pub ret: Option<Ret>,
    /// Some `return` may yield a queryset: [`FnSummary::ret`] is worth computing.
    pub ret_candidate: bool,
    /// A `@classmethod`: its first parameter is the class, bound at every call.
    pub classmethod: bool,
    /// Per parameter in `params`: the truth of its default when that is a literal
    /// (`save=True`, `cache=None`); `None`: no default, or not a literal.
    pub defaults: Vec<Option<bool>>,
    /// Every parameter past the first has a default: a template can call it (Django's
    /// templates call a callable they look up with no arguments).
    pub no_arg_call: bool,
    /// The function returns at once when its instance holds this attribute (`if "x" in
    /// self.__dict__: return ...`, `if hasattr(self, "x"): return ...`): a
    /// `Prefetch(to_attr="x")` on the rows skips the rest of it.
    pub guard: Option<Box<str>>,
    /// Per parameter in `params`: the attributes the function assigns on the items of that
    /// parameter (`for email in emails: email.template = ...`). A relation among them is
    /// in the rows' cache once the call returns (a helper that attaches related objects
    /// fetched in one query).
    pub fills: Vec<Vec<Box<str>>>,
    /// The index of its file in the files the summaries were built from, and of the
    /// function in that file.
    pub at: (usize, u32),
}

/// A function whose own queries are worth a walk: its file (index in the files built from),
/// its index in that file's functions, and its model when it is a model's method.
#[derive(Debug, Clone, Copy)]
struct ProbeAt {
    file: usize,
    func: usize,
    self_model: Option<crate::index::ModelId>,
    /// A method of a plain class some model derives from (a mixin): rows reach it.
    mixin: bool,
}

impl FnSummary {
    /// A summary of a built-in model's method: its file is not one of the run's, so no
    /// location of it is kept (a read is shown where the rows are handed to it) and it runs
    /// no query of its own.
    fn detach(&mut self) {
        fn clear(a: &mut Access) {
            a.at = None;
            a.eval = None;
            for (_, c) in a.children.iter_mut() {
                clear(c);
            }
        }
        for t in &mut self.trees {
            clear(t);
        }
        self.query = None;
        self.probe = None;
        self.ret = None;
        self.ret_candidate = false;
    }

    /// Every vector of the trees in an allocation of its length: summaries stay alive for
    /// the whole run (see [`crate::ast::exact`]).
    fn compact(&mut self) {
        for t in &mut self.trees {
            t.compact();
        }
    }

    /// The parameter index for positional argument `i` (`bound`: called on an instance).
    pub fn param_for_pos(&self, i: usize, bound: bool) -> Option<usize> {
        let shift = usize::from(self.classmethod || (bound && self.binds_receiver()));
        let p = i + shift;
        (p < self.params.len()).then_some(p)
    }

    pub fn param_for_kw(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| &**p == name)
    }

    /// Record that the value at `prefix` + `path` below parameter `param` escapes (the
    /// prefix cut at its first called segment). Returns whether it is new.
    fn escape_path(
        &mut self,
        param: usize,
        prefix: &[(Box<str>, bool)],
        path: &[Box<str>],
    ) -> bool {
        let Some(list) = self.escaped.get_mut(param) else {
            return false;
        };
        let mut full: Vec<Box<str>> = Vec::new();
        let mut cut = false;
        for (name, called) in prefix {
            if *called {
                cut = true;
                break;
            }
            full.push(name.clone());
        }
        if !cut {
            full.extend(path.iter().cloned());
        }
        if list.contains(&full) {
            return false;
        }
        if list.len() >= MAX_NODES {
            // too many: the whole parameter escapes
            if list.iter().any(Vec::is_empty) {
                return false;
            }
            list.push(Vec::new());
            return true;
        }
        list.push(full);
        true
    }

    /// A call on a receiver binds it to the first parameter (`self`, or `cls` of a
    /// classmethod).
    pub fn binds_receiver(&self) -> bool {
        self.classmethod || matches!(self.kind, FnKind::Method | FnKind::Property)
    }

    /// The function's own name.
    pub fn name(&self) -> &str {
        self.qual.rsplit('.').next().unwrap_or(&self.qual)
    }
}

/// Every function summary of a project, by qualified name (`app.utils.describe`,
/// `app.models.Book.__str__`).
#[derive(Debug, Default)]
pub struct Summaries {
    pub fns: Vec<FnSummary>,
    by_qual: HashMap<String, usize>,
    /// `Class.method` for every method that some project subclass of `Class` defines
    /// (`self.method()` in `Class` may run the subclass's).
    overridden: HashSet<String>,
    /// The project subclasses of each class whose methods some of them override.
    subclasses: HashMap<String, Vec<String>>,
    /// Per model (by id): the project classes of its method resolution order, plain mixins
    /// and abstract bases included (empty when the class table does not know it).
    model_mro: Vec<Vec<String>>,
    /// The methods of project classes by their name (indexes into `fns`), for calls on a
    /// receiver of unknown type (see [`Summaries::methods_named`]).
    by_method_name: HashMap<Box<str>, Vec<usize>>,
}

impl Summaries {
    pub fn get(&self, qual: &str) -> Option<&FnSummary> {
        self.by_qual.get(qual).map(|i| &self.fns[*i])
    }

    pub fn is_empty(&self) -> bool {
        self.fns.is_empty()
    }

    /// A method or property of a model class, looked up along its method resolution order
    /// (model parents, abstract bases and plain mixin classes: pretix's
    /// `LoggedModel(models.Model, LoggingMixin)` gets `log_action` from the mixin).
    pub fn model_member(&self, ix: &Index, model: u32, name: &str) -> Option<&FnSummary> {
        if let Some(mro) = self.model_mro.get(model as usize) {
            for c in mro {
                if let Some(s) = self.get(&format!("{c}.{name}")) {
                    return Some(s);
                }
            }
        }
        let mut stack = vec![model];
        let mut seen = 0;
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > 32 {
                break;
            }
            let m = ix.model(id);
            if let Some(s) = self.get(&format!("{}.{name}", m.qual)) {
                return Some(s);
            }
            stack.extend(m.parents.iter().rev());
        }
        None
    }

    /// Build the summaries of every function in `files` and compose them over the call graph.
    /// `builtin` are djperf's copies of Django's own models (see
    /// [`crate::project::builtin_files`]): their methods (`Permission.__str__`) are summarised
    /// too, as what they read of the rows handed to them, with no locations (their file is
    /// not one of the run's) and no queries of their own.
    pub fn build(files: &[File], builtin: &[File], ix: &Index) -> Summaries {
        let model_mro: Vec<Vec<String>> = ix
            .models
            .iter()
            .map(|m| ix.classes.mro(&m.qual, &|_| false).classes)
            .collect();
        // The plain classes rows reach: mixins of some model.
        let mixins: HashSet<String> = model_mro
            .iter()
            .flatten()
            .filter(|c| ix.model_by_qual(c).is_none())
            .cloned()
            .collect();
        let mut per_file: Vec<(Vec<FnSummary>, Vec<String>)> = files
            .par_iter()
            .enumerate()
            .map(|(i, f)| extract_file(i, f, ix, &mixins))
            .collect();
        for (j, f) in builtin.iter().enumerate() {
            let (mut fs, _) = extract_file(files.len() + j, f, ix, &mixins);
            for s in &mut fs {
                s.probe = None;
                s.ret_candidate = false;
            }
            per_file.push((fs, Vec::new()));
        }
        // One allocation of the final size: pushed into a growing vector, the largest table
        // of the run kept up to half of it as slack, and each doubling held both copies.
        let n: usize = per_file.iter().map(|(fs, _)| fs.len()).sum();
        let mut s = Summaries {
            model_mro,
            fns: Vec::with_capacity(n),
            ..Summaries::default()
        };
        s.by_qual.reserve(n);
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
        crate::progress::mem("summaries: extracted");
        s.inherit_model_methods(ix);
        s.probe_queries(files, ix, &called);
        drop(called);
        s.compose();
        // what the calls hand on is in the trees now
        for f in &mut s.fns {
            f.passes = Vec::new();
            if f.at.0 >= files.len() {
                f.detach();
            }
        }
        s.mark_overridden(ix);
        // before the returns: a summary's return may go through a call by method name
        for (i, f) in s.fns.iter().enumerate() {
            if let (FnKind::Method, Some((_, name))) = (f.kind, f.qual.rsplit_once('.')) {
                s.by_method_name.entry(name.into()).or_default().push(i);
            }
        }
        s.compute_returns(files, ix);
        for f in &mut s.fns {
            f.compact();
        }
        s
    }

    /// Every method of a project class named `name` (models' included).
    pub fn methods_named(&self, name: &str) -> impl Iterator<Item = &FnSummary> {
        self.by_method_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|i| &self.fns[*i])
    }

    /// Name every method a model inherits under the model's class too (`app.Shelf.log_action`
    /// for `LoggingMixin.log_action`), first along the method resolution order: a call
    /// `self.log_action()` in a method of `Shelf` then reaches the mixin's summary.
    fn inherit_model_methods(&mut self, ix: &Index) {
        let mut by_class: HashMap<&str, Vec<(&str, usize)>> = HashMap::default();
        for (i, f) in self.fns.iter().enumerate() {
            if let Some((cls, name)) = f.qual.rsplit_once('.') {
                by_class.entry(cls).or_default().push((name, i));
            }
        }
        let mut add: Vec<(String, usize)> = Vec::new();
        for (m, mro) in ix.models.iter().zip(&self.model_mro) {
            for anc in mro.iter().skip(1) {
                for (name, i) in by_class.get(anc.as_str()).into_iter().flatten() {
                    add.push((format!("{}.{name}", m.qual), *i));
                }
            }
        }
        for (q, i) in add {
            self.by_qual.entry(q).or_insert(i);
        }
    }

    /// Find the own query of each function that may run one and that something can reach: a
    /// call somewhere in the project names it, or it is a model's method, property or
    /// `__str__` (reached through rows). Functions nothing calls (views, framework hooks) are
    /// not walked: a loop cannot call them.
    fn probe_queries(&mut self, files: &[File], ix: &Index, called: &HashSet<String>) {
        let mut by_file: BTreeMap<usize, Vec<(usize, ProbeAt)>> = BTreeMap::new();
        for (i, f) in self.fns.iter().enumerate() {
            if let Some(p) = f.probe {
                if p.self_model.is_some() || p.mixin || called.contains(&f.qual) {
                    by_file.entry(p.file).or_default().push((i, p));
                }
            }
        }
        let groups: Vec<(usize, Vec<(usize, ProbeAt)>)> = by_file.into_iter().collect();
        let found: Vec<(usize, OwnQuery)> = groups
            .par_iter()
            .flat_map_iter(|(fi, fns)| {
                let Some(file) = files.get(*fi) else {
                    return Vec::new();
                };
                let mut probe = super::QueryProbe::new(ix, file);
                let mut out = Vec::new();
                for (i, p) in fns {
                    let f = &file.ast.functions[p.func];
                    let params: Vec<Box<str>> = f
                        .params
                        .iter()
                        .filter(|p| p.kind == ParamKind::Normal)
                        .map(|p| p.name.clone())
                        .collect();
                    let holes = Holes::of_probe(&file.ast, &f.body, f.span.end, &params);
                    let found: Vec<OwnQuery> = probe
                        .queries(f, p.self_model)
                        .into_iter()
                        .filter(|(at, ..)| !holes.covers(at.span))
                        .map(|(at, model, method)| OwnQuery {
                            guards: holes.guards_at(at.span),
                            at,
                            model,
                            method,
                        })
                        .collect();
                    // one that runs on every call first, else the first guarded one
                    let q = found
                        .iter()
                        .position(|q| q.guards.is_empty())
                        .or((!found.is_empty()).then_some(0));
                    if let Some(k) = q {
                        out.push((*i, found[k].clone()));
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
        let mut settled = cyc.is_empty();
        for _ in 0..CYCLE_ROUNDS {
            let mut changed = false;
            for &f in &cyc {
                changed |= self.compose_one(f);
            }
            if !changed {
                settled = true;
                break;
            }
        }
        if !settled {
            // Still growing (a recursion down a self-referential relation): the trees hold
            // the first levels only, and what the calls on the cycle read below the values
            // they hand on is not known.
            for &f in &cyc {
                let handed: Vec<(u8, Path)> = self.fns[f]
                    .passes
                    .iter()
                    .filter(|p| self.by_qual.get(&p.callee).is_some_and(|g| cyclic[*g]))
                    .flat_map(|p| {
                        p.args
                            .iter()
                            .map(|(_, param, prefix)| (*param, prefix.clone()))
                    })
                    .collect();
                for (param, prefix) in handed {
                    self.fns[f].escape_path(usize::from(param), &prefix, &[]);
                }
            }
        }
    }

    fn compose_one(&mut self, f: usize) -> bool {
        let mut changed = false;
        let passes = std::mem::take(&mut self.fns[f].passes);
        for p in &passes {
            let Some(&g) = self.by_qual.get(&p.callee) else {
                // an unknown callee: what it does with the values handed to it is unknown
                for (_, param, prefix) in &p.args {
                    changed |= self.fns[f].escape_path(usize::from(*param), prefix, &[]);
                }
                continue;
            };
            if let (Some(site), None) = (&p.runs, &self.fns[f].query) {
                // a query under tests of the callee's parameters is the caller's where the
                // call's arguments make every test hold
                let callee = &self.fns[g];
                if let Some(q) = callee.query.as_ref().filter(|q| {
                    q.guards
                        .iter()
                        .all(|g| passed_truth(callee, p.lits.as_deref(), g.0) == Some(g.1))
                }) {
                    let mut q = q.clone();
                    q.guards.clone_from(site);
                    self.fns[f].query = Some(q);
                    changed = true;
                }
            }
            // Each argument's slot in the callee, and the callee's parameters that are the
            // caller's own handed on unchanged (a test of one in the callee is the caller's).
            let slots: Vec<(usize, u8, &Path)> = {
                let callee = &self.fns[g];
                p.args
                    .iter()
                    .filter_map(|(pos, param, prefix)| {
                        let j = match pos {
                            ArgPos::Pos(i) => (*i < callee.params.len()).then_some(*i),
                            ArgPos::Kw(k) => callee.param_for_kw(k),
                        }?;
                        Some((j, *param, prefix))
                    })
                    .collect()
            };
            let renames: Vec<(u8, u8)> = slots
                .iter()
                .filter(|(_, _, prefix)| prefix.is_empty())
                .filter_map(|(j, param, _)| u8::try_from(*j).ok().map(|j| (j, *param)))
                .collect();
            let rename = |j: u8| renames.iter().find(|(c, _)| *c == j).map(|(_, q)| *q);
            // `*args`/`**kwargs`: an argument no parameter takes is not followed
            for (pos, param, prefix) in &p.args {
                let callee = &self.fns[g];
                let taken = match pos {
                    ArgPos::Pos(i) => *i < callee.params.len(),
                    ArgPos::Kw(k) => callee.param_for_kw(k).is_some(),
                };
                if !taken {
                    changed |= self.fns[f].escape_path(usize::from(*param), prefix, &[]);
                }
            }
            for (j, param, prefix) in slots {
                let sub_escaped = self.fns[g].escaped.get(j).cloned().unwrap_or_default();
                for path in &sub_escaped {
                    changed |= self.fns[f].escape_path(usize::from(param), prefix, path);
                }
                let tree = &self.fns[g].trees[j];
                if tree.children.is_empty() && tree.eval.is_none() && !tree.escapes {
                    continue;
                }
                let sub = tree.rebased(&rename, &p.guards);
                changed |= self.fns[f].trees[usize::from(param)].graft(
                    prefix,
                    &sub,
                    p.at,
                    (p.always, p.normal),
                    &p.guards,
                );
            }
        }
        self.fns[f].passes = passes;
        changed
    }
}
