//! What functions return: the querysets a helper, a model method, a property or a custom
//! manager/queryset method hands back to its caller (see [`crate::flow::returns`] for how a
//! call applies them).
//!
//! Each function whose `return` statements may yield a queryset is walked once by the
//! interpreter in summary mode, its parameters standing for what a caller hands in. Functions
//! that return what another function returns are walked again once those are known (a few
//! rounds, so chains of helpers compose). Memoised functions (`@lru_cache`, `@cache`) are
//! left out: the queryset they return is shared between calls.

use super::*;
use crate::flow::value::Sym;
use crate::flow::Qs;

/// What a function returns, when every `return` yields a queryset (or a row reached from
/// a parameter); the forms are joined at the call (a relation counts as loaded only if
/// every form loads it).
#[derive(Debug, Clone)]
pub struct Ret {
    pub forms: Vec<RetForm>,
}

#[derive(Debug, Clone)]
pub enum RetForm {
    /// A queryset built inside the function, with what it loads (located in the callee;
    /// a call re-anchors it).
    Built(Box<Qs>),
    /// A parameter with operations applied (`qs.filter(...)`, `self.book_set.all()`).
    Derived(Sym),
    /// A manager or queryset method whose body djperf cannot follow but which returns a
    /// chain on `self`: a queryset of the receiver's model whose loads are unknown.
    Opaque,
}

/// Extra walks for functions that return what other functions return.
const ROUNDS: usize = 3;

impl Summaries {
    /// Compute the return value of every candidate function (see [`FnSummary::ret_candidate`]).
    pub(super) fn compute_returns(&mut self, files: &[File], ix: &Index) {
        let mut todo: Vec<usize> = (0..self.fns.len())
            .filter(|i| self.fns[*i].ret_candidate)
            .collect();
        for _ in 0..ROUNDS {
            if todo.is_empty() {
                break;
            }
            let mut by_file: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for &i in &todo {
                by_file.entry(self.fns[i].at.0).or_default().push(i);
            }
            let groups: Vec<(usize, Vec<usize>)> = by_file.into_iter().collect();
            let this = &*self;
            let found: Vec<(usize, Option<Ret>, bool)> = groups
                .par_iter()
                .flat_map_iter(|(fi, fns)| {
                    let Some(file) = files.get(*fi) else {
                        return Vec::new();
                    };
                    fns.iter()
                        .map(|&i| {
                            let f = &this.fns[i];
                            let (ret, asked) =
                                crate::flow::summarise_return(ix, this, file, f.at.1, f);
                            (i, ret, asked)
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            let mut next = Vec::new();
            let mut changed = false;
            for (i, ret, asked) in found {
                let old = self.fns[i].ret.is_some();
                if ret.is_some() || !old {
                    changed |= ret.is_some() != old;
                    self.fns[i].ret = ret;
                }
                if asked {
                    next.push(i);
                }
            }
            if !changed {
                break;
            }
            todo = next;
        }
    }
}

impl Summaries {
    /// Record, for every method a class defines, that each of its project base classes
    /// has it overridden below.
    pub(super) fn mark_overridden(&mut self, ix: &Index) {
        let mut out = HashSet::default();
        for f in &self.fns {
            if f.kind != FnKind::Method {
                continue;
            }
            let Some((cls, name)) = f.qual.rsplit_once('.') else {
                continue;
            };
            for anc in ix.classes.mro(cls, &|_| false).classes {
                if anc != cls {
                    out.insert(format!("{anc}.{name}"));
                }
            }
        }
        // the project subclasses of every class some of whose methods they override
        let mut subs: HashMap<String, Vec<String>> = HashMap::default();
        let bases: HashSet<&str> = out
            .iter()
            .filter_map(|k| k.rsplit_once('.').map(|(c, _)| c))
            .collect();
        for (q, c) in ix.classes.iter() {
            if c.builtin {
                continue;
            }
            for anc in ix.classes.mro(q, &|_| false).classes {
                if anc != q && bases.contains(anc.as_str()) {
                    subs.entry(anc).or_default().push(q.to_owned());
                }
            }
        }
        self.subclasses = subs;
        self.overridden = out;
    }

    /// The project subclasses of `class` (direct or not, in class-table order) when some of
    /// them override a method of it.
    pub fn subclasses_of(&self, class: &str) -> &[String] {
        self.subclasses.get(class).map_or(&[], Vec::as_slice)
    }

    /// Whether some project subclass of `class` defines `method` again.
    pub fn overridden_below(&self, class: &str, method: &str) -> bool {
        !self.overridden.is_empty() && self.overridden.contains(&format!("{class}.{method}"))
    }
}

/// Whether a function's summary should say what it returns: some `return` may yield a
/// queryset, and the function is not memoised.
pub(super) fn is_candidate(m: &Module, body: &Block, memoised: bool) -> bool {
    !memoised && any_return(m, body, 0)
}

fn any_return(m: &Module, b: &Block, depth: u32) -> bool {
    if depth > MAX_EXPR_DEPTH {
        return false;
    }
    b.iter().any(|st| match &st.kind {
        StmtKind::Return(Some(e)) => crate::flow::may_be_queryset(m, *e),
        k => k.blocks().iter().any(|blk| any_return(m, blk, depth + 1)),
    })
}

/// `if "x" in self.__dict__: return ...` or `if hasattr(self, "x"): return ...` (also with
/// `not flag and` before it) among the function's first statements (before anything else but
/// docstrings and assignments).
pub(super) fn early_guard(m: &Module, body: &Block, me: Option<&str>) -> Option<Box<str>> {
    let me = me?;
    let is_me = |e: ExprId| matches!(m.kind(e), ExprKind::Name(n) if &**n == me);
    for st in body.iter().take(4) {
        match &st.kind {
            StmtKind::If { test, body, .. } => {
                if !matches!(body.first().map(|s| &s.kind), Some(StmtKind::Return(_))) {
                    return None;
                }
                // `if not override and hasattr(self, "x"):` (a flag the callers leave off)
                let test = match m.kind(*test) {
                    ExprKind::BoolOp { and: true, values } if values.len() == 2 => {
                        let flag = |e: ExprId| {
                            matches!(m.kind(e), ExprKind::Not(v)
                                if matches!(m.kind(*v), ExprKind::Name(_)))
                        };
                        match (flag(values[0]), flag(values[1])) {
                            (true, false) => values[1],
                            (false, true) => values[0],
                            _ => return None,
                        }
                    }
                    _ => *test,
                };
                return match m.kind(test) {
                    ExprKind::Compare {
                        left,
                        ops,
                        comparators,
                    } if ops.len() == 1 && &*ops[0] == "in" && comparators.len() == 1 => {
                        let dict = comparators[0];
                        let on_dict = matches!(m.kind(dict), ExprKind::Attr { value, attr, .. }
                            if &**attr == "__dict__" && is_me(*value));
                        on_dict.then(|| m.str_value(*left).map(Box::from)).flatten()
                    }
                    ExprKind::Call { func, args, .. }
                        if matches!(m.kind(*func), ExprKind::Name(n) if &**n == "hasattr")
                            && args.len() == 2
                            && is_me(args[0]) =>
                    {
                        m.str_value(args[1]).map(Box::from)
                    }
                    _ => None,
                };
            }
            StmtKind::Expr(_) | StmtKind::Assign { .. } => {}
            _ => return None,
        }
    }
    None
}
