//! Querysets handed to a callee that iterates them: `show(Book.objects.all())` where
//! `def show(books): for b in books: print(b.author.name)`.
//!
//! The callee's summary says only that it evaluates its parameter; what it reads of each row
//! is per-row code of the callee. The callee's body is walked again with the parameter bound
//! to the caller's queryset ([`Analyzer::call_bound`]), so its loops see the caller's loads
//! and whatever the callee chains itself (a `prefetch_related` there is a clean near-miss).
//! Only the relation reads on rows of the caller's queryset are kept, moved to the call (the
//! fix goes at the caller's queryset; the callee's read becomes the `via` location). Rows the
//! callee derives with a chain of its own (`books.filter(...)`) are left out: their fix would
//! belong in the callee, which the callee's own callers share.

use super::call::shown_call;
use super::*;

impl<'a> Analyzer<'a> {
    /// `f` is called at `span` with `argv`/`kwv`: walk its body over each queryset argument
    /// it evaluates (one that is not a per-row value: those are followed by the summary).
    pub(super) fn walk_handed_querysets(
        &mut self,
        f: &'a FnSummary,
        recv: Option<&Value>,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
        span: Loc,
    ) {
        if self.sym || self.files.is_empty() || self.apply_depth >= MAX_APPLY_DEPTH {
            return;
        }
        let bound = recv.is_some();
        let mut binds: Vec<(usize, Value)> = Vec::new();
        let positional = argv
            .iter()
            .enumerate()
            .map(|(i, v)| (f.param_for_pos(i, bound), v));
        let keywords = kwv.iter().map(|(k, v)| (f.param_for_kw(k), v));
        for (p, v) in positional.chain(keywords) {
            let (Some(p), Value::QuerySet(q)) = (p, v) else {
                continue;
            };
            if q.values || q.empty || self.per_row_value(v) {
                continue;
            }
            if f.trees.get(p).is_some_and(evaluates) {
                binds.push((p, v.clone()));
            }
        }
        if binds.is_empty() {
            return;
        }
        let Some(file) = self.files.get(f.at.0) else {
            return;
        };
        if let Some(r) = recv.filter(|r| matches!(r, Value::Instance(_) | Value::ModelClass(_))) {
            if f.binds_receiver() && !binds.iter().any(|(p, _)| *p == 0) {
                binds.push((0, r.clone()));
            }
        }
        let roots_of = |q: &Qs| -> Vec<Loc> {
            std::iter::once(q.span)
                .chain(q.through.iter().copied())
                .chain(q.fix_at.iter().copied())
                .collect()
        };
        let roots: Vec<Loc> = binds
            .iter()
            .filter_map(|(_, v)| match v {
                Value::QuerySet(q) => Some(q),
                _ => None,
            })
            .flat_map(roots_of)
            .collect();
        // A parameter annotated as rows (`books: list[Book]`) makes the callee report, on its
        // own, the narrowed queries it runs per row (no caller's load serves them): those are
        // not reported again at the call.
        let params = file.ast.functions.get(f.at.1 as usize).map(|d| &d.params);
        let annotated: Vec<Loc> = binds
            .iter()
            .filter(|(p, _)| {
                params
                    .and_then(|ps| ps.get(*p))
                    .and_then(|p| p.annotation.as_deref())
                    .is_some_and(|t| !matches!(self.annotated(t, span), Value::Unknown))
            })
            .filter_map(|(_, v)| match v {
                Value::QuerySet(q) => Some(roots_of(q)),
                _ => None,
            })
            .flatten()
            .collect();
        let start = self.events.len();
        let saved = self.via;
        self.via = None;
        self.call_bound(file, f.at.1, &binds);
        self.via = saved;
        let new: Vec<Event> = self.events.drain(start..).collect();
        for mut e in new {
            if let Event::RelatedEval {
                narrowed: Some(_),
                root_span,
                ..
            } = &e
            {
                if annotated.contains(root_span) {
                    continue;
                }
            }
            match &mut e {
                Event::FkAccess {
                    span: at,
                    root_span,
                    via,
                    ..
                }
                | Event::RelatedEval {
                    span: at,
                    root_span,
                    via,
                    ..
                } if roots.contains(root_span) => {
                    if via.is_none() {
                        *via = Some(*at);
                    }
                    *at = span;
                }
                _ => continue,
            }
            if let Event::RelatedEval { via_call, .. } = &mut e {
                if via_call.is_none() {
                    *via_call = Some(shown_call(f, recv));
                }
            }
            self.events.push(e);
        }
    }
}

/// Whether a parameter's tree evaluates the value or something chained on it.
fn evaluates(a: &Access) -> bool {
    a.eval.is_some() || a.children.values().any(evaluates)
}
