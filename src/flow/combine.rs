//! Querysets combined with `|`, `&` and `^`: `qs1 | qs2`, `pages |= Page.objects.filter(...)`
//! accumulated in a loop.
//!
//! Django builds the combined query on a copy of the left operand: its `select_related()`
//! and `prefetch_related()` lookups are the combined queryset's, the right operand's are
//! dropped (`Book.objects.select_related("author") | Book.objects.all()` loads the author,
//! `Book.objects.all() | Book.objects.select_related("author")` does not). An empty operand
//! (`none()`) gives the other one (for `&`, the empty one). The combined rows keep the left
//! operand's locations, so a fix goes on it (appended to the whole expression it would land
//! on the right operand, which Django ignores).

use super::*;

impl Analyzer<'_> {
    /// `a <op> b` for `op` one of `|`, `&`, `^`.
    pub(super) fn combine_querysets(op: &str, a: Value, b: Value) -> Value {
        let (Value::QuerySet(qa), Value::QuerySet(qb)) = (&a, &b) else {
            return Value::Unknown;
        };
        let plain = |q: &Qs| !q.values && q.related.is_none() && !q.is_manager && !q.is_list;
        if qa.model != qb.model || !plain(qa) || !plain(qb) {
            return Value::Unknown;
        }
        match (op == "&", qa.empty, qb.empty) {
            (true, true, _) | (false, _, true) => return a,
            (true, _, true) | (false, true, _) => return b,
            _ => {}
        }
        let mut q = qa.clone();
        // `&` keeps at most the rows of either side; `|` and `^` add the rows of both (and
        // `|=` in a loop accumulates one side per iteration), so one-row operands do not
        // make a one-row result
        q.single = op == "&" && (qa.single || qb.single);
        q.cached = false;
        q.iterator = false;
        q.bypass = None;
        Value::QuerySet(q)
    }

    /// The operator of the augmented assignment at `stmt` whose value is `value` (`"|"` for
    /// `qs |= other`), read from the source text between the target and the value.
    pub(super) fn aug_operator(
        &self,
        stmt: crate::source::Span,
        value: ExprId,
    ) -> Option<&'static str> {
        let text = self.file.text.as_deref()?;
        let head = text.get(stmt.start as usize..self.m.span(value).start as usize)?;
        let head = head.trim_end().strip_suffix('=')?;
        ["|", "&", "^", "+"]
            .into_iter()
            .find(|op| head.ends_with(op) && !head.ends_with(&format!("{op}{op}")))
    }
}
