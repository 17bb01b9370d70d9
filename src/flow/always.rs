//! Which parts of a function body run on every call.
//!
//! A function summary says a helper "runs a query" only when the query runs whenever the helper
//! is called: a loop calling it then runs one query per iteration. Code that may be skipped is a
//! *hole*:
//! - the bodies of `if`/`elif`/`else`, `for`, `while`, `match` cases, `except` handlers and a
//!   `try`'s `else` (a cache check `if key not in cache:`, a query only when a parameter is
//!   `None`, a query in `except KeyError:` after a cache lookup);
//! - everything after an early exit: a `return`/`raise` inside a block (`if cached: return x`), or
//!   a `return` inside a `try` body (`try: return cache[k]`);
//! - the operands after the first of `and`/`or` (`cache.get(k) or Model.objects.get(...)`), the
//!   branches of `a if c else b`, lambdas, and the element and conditions of comprehensions.
//!
//! A `with` body and a `try` body up to its first exit count as running (the query in
//! `try: return Price.objects.get(...) except Price.DoesNotExist: ...` always runs).

use crate::ast::{Block, ExprId, ExprKind, Module, StmtKind};
use crate::source::Span;

/// Bound on nesting walked (generated code nests deeply).
const MAX_DEPTH: u32 = 100;
/// Bound on the expressions pending in one walk.
const MAX_STACK: usize = 10_000;

/// The spans of a function body that may not run on a call.
#[derive(Debug, Default)]
pub struct Holes {
    spans: Vec<Span>,
    /// The branches of `if flag:` / `if not flag:` on a parameter (see [`Holes::of_probe`]):
    /// they run when the parameter's truth is the guard's.
    guarded: Vec<(Span, Guard)>,
    /// The parameters whose truth tests make guarded branches instead of holes.
    params: Vec<Box<str>>,
    /// A branch that can only leave by `raise` does not cut the code after it.
    past_raise: bool,
}

/// A truth test of a parameter (its index): `true` for `if x:`, `false` for `if not x:`.
pub type Guard = (u8, bool);

impl Holes {
    /// The holes of a function whose body is `body` and whose source ends at `end`.
    pub fn of(m: &Module, body: &Block, end: u32) -> Holes {
        let mut h = Holes::default();
        h.block(m, body, end, 0);
        h
    }

    /// The holes of a function as its own query is looked for: a branch that can only
    /// `raise` (argument checks, `if not self.testmode: raise ...`) aborts the call rather
    /// than skipping the query, so the code after it counts as running; and the branches of
    /// a truth test of one of `params` (`if save:`) are not holes but guarded by it (see
    /// [`Holes::guards_at`]).
    pub fn of_probe(m: &Module, body: &Block, end: u32, params: &[Box<str>]) -> Holes {
        let mut h = Holes {
            params: params.to_vec(),
            past_raise: true,
            ..Holes::default()
        };
        h.block(m, body, end, 0);
        h
    }

    /// Whether code at `span` may not run on a call.
    pub fn covers(&self, span: Span) -> bool {
        self.spans
            .iter()
            .any(|h| span.start >= h.start && span.end <= h.end)
    }

    /// The parameter tests that hold wherever code at `span` runs (a guarded branch it is in).
    pub fn guards_at(&self, span: Span) -> Vec<Guard> {
        let mut out: Vec<Guard> = Vec::new();
        for (h, g) in &self.guarded {
            if span.start >= h.start && span.end <= h.end && !out.contains(g) {
                out.push(*g);
            }
        }
        out
    }

    /// Whether a block may leave the function early, as this walk counts exits.
    fn exits(&self, b: &Block) -> bool {
        if self.past_raise {
            may_leave(b, 0)
        } else {
            may_exit(b, 0)
        }
    }

    /// `if x:` / `if not x:` on a guard parameter: the parameter and the truth the body needs.
    fn param_test(&self, m: &Module, test: ExprId) -> Option<Guard> {
        param_test(m, test, &self.params)
    }

    fn push_block(&mut self, b: &Block) {
        if let Some(s) = block_span(b) {
            self.spans.push(s);
        }
    }
}

/// The span from a block's first statement to its last.
fn block_span(b: &Block) -> Option<Span> {
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => Some(Span {
            start: first.span.start,
            end: last.span.end,
        }),
        _ => None,
    }
}

/// `if x:` / `if not x:` where `x` is one of `params`: its index and the truth the body needs.
pub(crate) fn param_test(m: &Module, test: ExprId, params: &[Box<str>]) -> Option<Guard> {
    let (e, holds) = match m.kind(test) {
        ExprKind::Not(x) => (*x, false),
        _ => (test, true),
    };
    let ExprKind::Name(n) = m.kind(e) else {
        return None;
    };
    let i = params.iter().position(|p| p == n)?;
    Some((u8::try_from(i).ok()?, holds))
}

impl Holes {
    /// Walk a block that runs; returns false when it ends in (or may take) an exit, after
    /// which nothing runs for sure.
    fn block(&mut self, m: &Module, b: &Block, end: u32, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            self.push_block(b);
            return false;
        }
        for st in b {
            let rest = Span {
                start: st.span.end,
                end,
            };
            match &st.kind {
                StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.expr(m, *e),
                StmtKind::Assign { value, .. } => {
                    if let Some(v) = value {
                        self.expr(m, *v);
                    }
                }
                StmtKind::AugAssign { value, .. } => self.expr(m, *value),
                StmtKind::Other(es) | StmtKind::Raise(es) => {
                    es.iter().for_each(|e| self.expr(m, *e));
                }
                StmtKind::If { test, body, orelse } => {
                    self.expr(m, *test);
                    if let Some((p, holds)) = self.param_test(m, *test) {
                        for (b, h) in [(body, holds), (orelse, !holds)] {
                            if let Some(s) = block_span(b) {
                                self.guarded.push((s, (p, h)));
                                self.block(m, b, s.end, depth + 1);
                            }
                        }
                    } else {
                        self.push_block(body);
                        self.push_block(orelse);
                    }
                    if self.exits(body) || self.exits(orelse) {
                        self.spans.push(rest);
                        return false;
                    }
                }
                StmtKind::For(stmt) => {
                    let crate::ast::ForStmt {
                        iter, body, orelse, ..
                    } = &**stmt;
                    self.expr(m, *iter);
                    self.push_block(body);
                    self.push_block(orelse);
                    if self.exits(body) || self.exits(orelse) {
                        self.spans.push(rest);
                        return false;
                    }
                }
                StmtKind::While { test, body, orelse } => {
                    self.expr(m, *test);
                    self.push_block(body);
                    self.push_block(orelse);
                    if self.exits(body) || self.exits(orelse) {
                        self.spans.push(rest);
                        return false;
                    }
                }
                StmtKind::With { items, body } => {
                    items.iter().for_each(|(e, _)| self.expr(m, *e));
                    if !self.block(m, body, end, depth + 1) {
                        return false;
                    }
                }
                StmtKind::Try(stmt) => {
                    let crate::ast::TryStmt {
                        body,
                        handlers,
                        orelse,
                        finally,
                    } = &**stmt;
                    let falls = self.block(m, body, end, depth + 1);
                    for h in handlers {
                        self.push_block(&h.body);
                    }
                    self.push_block(orelse);
                    let exits = !falls
                        || handlers.iter().any(|h| self.exits(&h.body))
                        || self.exits(orelse);
                    if !self.block(m, finally, end, depth + 1) || exits {
                        self.spans.push(rest);
                        return false;
                    }
                }
                StmtKind::Match { subject, cases } => {
                    self.expr(m, *subject);
                    cases.iter().for_each(|c| self.push_block(c));
                    if cases.iter().any(|c| self.exits(c)) {
                        self.spans.push(rest);
                        return false;
                    }
                }
                StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {
                    self.spans.push(rest);
                    return false;
                }
                StmtKind::Import(_)
                | StmtKind::ImportFrom { .. }
                | StmtKind::FunctionDef(_)
                | StmtKind::ClassDef(_) => {}
            }
            if matches!(st.kind, StmtKind::Return(_) | StmtKind::Raise(_)) {
                self.spans.push(rest);
                return false;
            }
        }
        true
    }

    /// The parts of an expression that may not be evaluated.
    fn expr(&mut self, m: &Module, e: ExprId) {
        // One stack for the walk: `children` appends to it.
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            if stack.len() > MAX_STACK {
                self.spans.push(m.span(e));
                continue;
            }
            match m.kind(e) {
                ExprKind::BoolOp { values, .. } => {
                    stack.extend(values.first().copied());
                    self.spans.extend(values.iter().skip(1).map(|v| m.span(*v)));
                }
                ExprKind::IfExp { test, body, orelse } => {
                    stack.push(*test);
                    self.spans.push(m.span(*body));
                    self.spans.push(m.span(*orelse));
                }
                ExprKind::Lambda { .. } => self.spans.push(m.span(e)),
                ExprKind::Comp {
                    elt, value, gens, ..
                } => {
                    for (i, g) in gens.iter().enumerate() {
                        if i == 0 {
                            stack.push(g.iter);
                        } else {
                            self.spans.push(m.span(g.iter));
                        }
                        self.spans.extend(g.ifs.iter().map(|c| m.span(*c)));
                    }
                    self.spans.push(m.span(*elt));
                    self.spans.extend(value.iter().map(|v| m.span(*v)));
                }
                _ => m.children(e, &mut stack),
            }
        }
    }
}

/// Whether a block may leave the function or the enclosing loop before its end by
/// `return`, `break` or `continue` (a `raise` aborts the call instead).
pub(crate) fn may_leave(b: &Block, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    b.iter().any(|st| {
        matches!(
            st.kind,
            StmtKind::Return(_) | StmtKind::Break | StmtKind::Continue
        ) || st
            .kind
            .blocks()
            .into_iter()
            .any(|c| may_leave(c, depth + 1))
    })
}

/// Whether a block may leave the function or the enclosing loop before its end (`return`,
/// `raise`, `break`, `continue` anywhere in it, nested functions aside).
pub(crate) fn may_exit(b: &Block, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    b.iter().any(|st| {
        matches!(
            st.kind,
            StmtKind::Return(_) | StmtKind::Raise(_) | StmtKind::Break | StmtKind::Continue
        ) || st.kind.blocks().into_iter().any(|c| may_exit(c, depth + 1))
    })
}

/// The error paths of a function body: the handlers of `except:`, `except Exception` and
/// `except BaseException` (a failure nobody expected, logged or reported), of a failed
/// database statement (`except IntegrityError:` after a racing insert), and `if` branches
/// that end by raising (`if not ok: raise Error(f"{x.author} ...")`). Code there runs only
/// for the calls that fail: what it reads of a row is no cost of the rows that do not.
pub fn errors(m: &Module, body: &Block) -> Holes {
    let mut h = Holes::default();
    error_blocks(m, body, &mut h, 0);
    h
}

fn error_blocks(m: &Module, b: &Block, h: &mut Holes, depth: u32) {
    if depth > MAX_DEPTH {
        return;
    }
    for st in b {
        match &st.kind {
            StmtKind::Try(t) => {
                for hd in &t.handlers {
                    if is_broad_handler(m, hd.type_) {
                        h.push_block(&hd.body);
                    }
                }
            }
            StmtKind::If { body, orelse, .. } => {
                for blk in [body, orelse] {
                    if matches!(blk.last().map(|s| &s.kind), Some(StmtKind::Raise(_))) {
                        h.push_block(blk);
                    }
                }
            }
            _ => {}
        }
        for blk in st.kind.blocks() {
            error_blocks(m, blk, h, depth + 1);
        }
    }
}

/// `except:`, `except Exception:`, `except BaseException as e:`, a database error
/// (`IntegrityError`, `DatabaseError`, `OperationalError`), or a tuple naming one of them: a
/// handler for a failure, not for an expected outcome (`DoesNotExist`, `KeyError`).
pub fn is_broad_handler(m: &Module, type_: Option<ExprId>) -> bool {
    let Some(t) = type_ else {
        return true;
    };
    let broad = |e: ExprId| {
        m.dotted(e).is_some_and(|d| {
            matches!(
                d.rsplit('.').next(),
                Some(
                    "Exception"
                        | "BaseException"
                        | "IntegrityError"
                        | "DatabaseError"
                        | "OperationalError"
                )
            )
        })
    };
    match m.kind(t) {
        ExprKind::Seq { elts, .. } => elts.iter().any(|e| broad(*e)),
        _ => broad(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the text `needle` (first occurrence) lies in a hole of the first function.
    fn in_hole(src: &str, needle: &str) -> bool {
        let m = crate::parse::parse(src).expect("parses");
        let f = &m.functions[0];
        let h = Holes::of(&m, &f.body, f.span.end);
        let start = src.find(needle).expect("needle");
        h.covers(Span::new(start, start + needle.len()))
    }

    #[test]
    fn unconditional_statements_run() {
        let src = "def f(b):\n    x = 1\n    p = Price.objects.get(book=b)\n    return p\n";
        assert!(!in_hole(src, "Price.objects.get(book=b)"));
    }

    #[test]
    fn branches_and_code_after_an_early_return_may_not_run() {
        let src = "def f(b, c):\n    if c is None:\n        c = Price.objects.get(book=b)\n    return c\n";
        assert!(in_hole(src, "Price.objects.get(book=b)"));
        let src =
            "def f(b, d):\n    if d:\n        return d\n    return Price.objects.get(book=b)\n";
        assert!(in_hole(src, "Price.objects.get(book=b)"));
        assert!(!in_hole(src, "if d"));
    }

    #[test]
    fn try_body_runs_but_handlers_and_code_after_a_returning_try_may_not() {
        let src = "def f(b):\n    try:\n        return Price.objects.get(book=b)\n    except Exception:\n        return None\n";
        assert!(!in_hole(src, "Price.objects.get(book=b)"));
        let src = "def f(b):\n    try:\n        return CACHE[b.pk]\n    except KeyError:\n        pass\n    return Price.objects.get(book=b)\n";
        assert!(in_hole(src, "Price.objects.get(book=b)"));
        let src = "def f(b):\n    try:\n        p = CACHE[b.pk]\n    except KeyError:\n        p = CACHE[b.pk] = Price.objects.get(book=b)\n    return p\n";
        assert!(in_hole(src, "Price.objects.get(book=b)"));
    }

    /// The holes and guards `of_probe` gives the text `needle` in the first function.
    fn probed(src: &str, needle: &str) -> (bool, Vec<Guard>) {
        let m = crate::parse::parse(src).expect("parses");
        let f = &m.functions[0];
        let params: Vec<Box<str>> = f.params.iter().map(|p| p.name.clone()).collect();
        let h = Holes::of_probe(&m, &f.body, f.span.end, &params);
        let start = src.find(needle).expect("needle");
        let span = Span::new(start, start + needle.len());
        (h.covers(span), h.guards_at(span))
    }

    #[test]
    fn probe_keeps_parameter_tests_as_guards_and_runs_past_raise_only_branches() {
        let src = "def f(self, save=True):\n    e = Log()\n    if not self.name:\n        raise ValueError\n    if save:\n        e.save()\n    return e\n";
        assert_eq!(probed(src, "e.save()"), (false, vec![(1, true)]));
        assert!(in_hole(src, "e.save()"));
        let src = "def f(self, cache=None):\n    if not cache:\n        q = Price.objects.get()\n    else:\n        q = cache\n    return q\n";
        assert_eq!(
            probed(src, "Price.objects.get()"),
            (false, vec![(1, false)])
        );
        // a test of something else stays a hole; so does the code after a returning branch
        let src = "def f(self, save=True):\n    if self.cached:\n        return 1\n    if save:\n        Price.objects.get()\n";
        assert!(probed(src, "Price.objects.get()").0);
    }

    #[test]
    fn later_operands_and_branches_of_expressions_may_not_run() {
        let src = "def f(b):\n    return cache.get(b.pk) or Price.objects.get(book=b)\n";
        assert!(in_hole(src, "Price.objects.get(book=b)"));
        assert!(!in_hole(src, "cache.get(b.pk)"));
        let src = "def f(b):\n    return Price.objects.get(book=b) if b else None\n";
        assert!(in_hole(src, "Price.objects.get(book=b)"));
        let src =
            "def f(b):\n    with transaction.atomic():\n        return Price.objects.get(book=b)\n";
        assert!(!in_hole(src, "Price.objects.get(book=b)"));
    }
}
