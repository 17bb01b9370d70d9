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
pub struct Holes(Vec<Span>);

impl Holes {
    /// The holes of a function whose body is `body` and whose source ends at `end`.
    pub fn of(m: &Module, body: &Block, end: u32) -> Holes {
        let mut h = Holes(Vec::new());
        h.block(m, body, end, 0);
        h
    }

    /// Whether code at `span` may not run on a call.
    pub fn covers(&self, span: Span) -> bool {
        self.0
            .iter()
            .any(|h| span.start >= h.start && span.end <= h.end)
    }

    fn push_block(&mut self, b: &Block) {
        if let (Some(first), Some(last)) = (b.first(), b.last()) {
            self.0.push(Span {
                start: first.span.start,
                end: last.span.end,
            });
        }
    }

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
                    self.push_block(body);
                    self.push_block(orelse);
                    if may_exit(body, 0) || may_exit(orelse, 0) {
                        self.0.push(rest);
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
                    if may_exit(body, 0) || may_exit(orelse, 0) {
                        self.0.push(rest);
                        return false;
                    }
                }
                StmtKind::While { test, body, orelse } => {
                    self.expr(m, *test);
                    self.push_block(body);
                    self.push_block(orelse);
                    if may_exit(body, 0) || may_exit(orelse, 0) {
                        self.0.push(rest);
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
                        || handlers.iter().any(|h| may_exit(&h.body, 0))
                        || may_exit(orelse, 0);
                    if !self.block(m, finally, end, depth + 1) || exits {
                        self.0.push(rest);
                        return false;
                    }
                }
                StmtKind::Match { subject, cases } => {
                    self.expr(m, *subject);
                    cases.iter().for_each(|c| self.push_block(c));
                    if cases.iter().any(|c| may_exit(c, 0)) {
                        self.0.push(rest);
                        return false;
                    }
                }
                StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {
                    self.0.push(rest);
                    return false;
                }
                StmtKind::Import(_)
                | StmtKind::ImportFrom { .. }
                | StmtKind::FunctionDef(_)
                | StmtKind::ClassDef(_) => {}
            }
            if matches!(st.kind, StmtKind::Return(_) | StmtKind::Raise(_)) {
                self.0.push(rest);
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
                self.0.push(m.span(e));
                continue;
            }
            match m.kind(e) {
                ExprKind::BoolOp { values, .. } => {
                    stack.extend(values.first().copied());
                    self.0.extend(values.iter().skip(1).map(|v| m.span(*v)));
                }
                ExprKind::IfExp { test, body, orelse } => {
                    stack.push(*test);
                    self.0.push(m.span(*body));
                    self.0.push(m.span(*orelse));
                }
                ExprKind::Lambda { .. } => self.0.push(m.span(e)),
                ExprKind::Comp {
                    elt, value, gens, ..
                } => {
                    for (i, g) in gens.iter().enumerate() {
                        if i == 0 {
                            stack.push(g.iter);
                        } else {
                            self.0.push(m.span(g.iter));
                        }
                        self.0.extend(g.ifs.iter().map(|c| m.span(*c)));
                    }
                    self.0.push(m.span(*elt));
                    self.0.extend(value.iter().map(|v| m.span(*v)));
                }
                _ => m.children(e, &mut stack),
            }
        }
    }
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
