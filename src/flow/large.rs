//! Rows whose large columns are never read (DJP201).
//!
//! A loop over a queryset (`for b in qs:`, `[b.title for b in qs]`) whose rows are only ever
//! read through plain fields of their model names exactly the fields the rows need. When the
//! model has large columns (`TextField`, `JSONField`...) that no read touches, `.only()` or
//! `.defer()` would leave them out of the `SELECT`.
//!
//! The check is syntactic over the loop's scope and deliberately strict: any other use of
//! the row name (passed to a call, returned, stored, formatted whole, a method called on it,
//! rebound, captured by a nested function) makes the rows "escape", and nothing is reported.

use super::{Analyzer, Event, Qs};
use crate::ast::{Block, ExprId, ExprKind, Module, StmtKind, Target};
use crate::index::{Index, Member, ModelId};
use crate::source::Span;
use std::collections::BTreeSet;

/// The fields read on a row name, or `None` once the row escapes.
struct Reads<'a> {
    m: &'a Module,
    ix: &'a Index,
    model: ModelId,
    name: &'a str,
    fields: BTreeSet<String>,
    escaped: bool,
}

impl Reads<'_> {
    /// The field an attribute read `row.<attr>` loads, `Some(None)` for the primary key,
    /// `None` when it is not a plain column of the row (a relation read is left to the N+1
    /// rules, whose fix comes first).
    fn field_of(&self, attr: &str) -> Option<Option<String>> {
        let model = self.ix.model(self.model);
        if attr == "pk" {
            return Some(None);
        }
        match self.ix.member(self.model, attr) {
            Some(Member::Plain(f)) if f.primary_key => Some(None),
            Some(Member::Plain(f)) => Some(Some(f.name.clone())),
            // `author_id` is loaded with the `author` column.
            Some(Member::ForeignKeyId(f)) => Some(Some(f.name.clone())),
            None if attr == "id" && !model.fields.iter().any(|f| f.primary_key) => Some(None),
            _ => None,
        }
    }

    fn expr(&mut self, e: ExprId) {
        if self.escaped {
            return;
        }
        match self.m.kind(e) {
            ExprKind::Name(n) if &**n == self.name => self.escaped = true,
            ExprKind::Attr { value, attr, .. } if matches!(self.m.kind(*value), ExprKind::Name(n) if &**n == self.name) => {
                match self.field_of(attr) {
                    Some(Some(f)) => {
                        self.fields.insert(f);
                    }
                    Some(None) => {}
                    None => self.escaped = true,
                }
            }
            ExprKind::Comp { gens, .. } => {
                // A comprehension rebinding the name hides the row: too subtle, give up.
                let mut names = Vec::new();
                for g in gens.iter() {
                    g.target.names(&mut names);
                }
                if names.iter().any(|n| &**n == self.name) {
                    self.escaped = true;
                    return;
                }
                self.children(e);
            }
            ExprKind::NamedExpr { target, .. } if &**target == self.name => {
                self.escaped = true;
            }
            _ => self.children(e),
        }
    }

    fn children(&mut self, e: ExprId) {
        let mut kids = Vec::new();
        self.m.children(e, &mut kids);
        for k in kids {
            self.expr(k);
        }
    }

    /// A target being assigned: rebinding the row or writing to it escapes.
    fn target(&mut self, t: &Target) {
        match t {
            Target::Name(n, _) if &**n == self.name => self.escaped = true,
            Target::Name(..) | Target::Other => {}
            Target::Tuple(ts) => ts.iter().for_each(|t| self.target(t)),
            Target::Star(t) => self.target(t),
            Target::Attr(e) | Target::Subscript(e) => {
                let base = match self.m.kind(*e) {
                    ExprKind::Attr { value, .. } => Some(*value),
                    ExprKind::Subscript { value, .. } => Some(*value),
                    _ => None,
                };
                if base.is_some_and(
                    |b| matches!(self.m.kind(b), ExprKind::Name(n) if &**n == self.name),
                ) {
                    self.escaped = true;
                } else {
                    self.expr(*e);
                }
            }
        }
    }

    fn block(&mut self, b: &Block) {
        for st in b {
            if self.escaped {
                return;
            }
            match &st.kind {
                StmtKind::Expr(e) => self.expr(*e),
                StmtKind::Assign { targets, value } => {
                    if let Some(v) = value {
                        self.expr(*v);
                    }
                    targets.iter().for_each(|t| self.target(t));
                }
                StmtKind::AugAssign { target, value } => {
                    self.expr(*value);
                    self.target(target);
                }
                StmtKind::For {
                    target,
                    iter,
                    body,
                    orelse,
                } => {
                    self.expr(*iter);
                    self.target(target);
                    self.block(body);
                    self.block(orelse);
                }
                StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                    self.expr(*test);
                    self.block(body);
                    self.block(orelse);
                }
                StmtKind::With { items, body } => {
                    for (e, t) in items {
                        self.expr(*e);
                        if let Some(t) = t {
                            self.target(t);
                        }
                    }
                    self.block(body);
                }
                StmtKind::Try {
                    body,
                    handlers,
                    orelse,
                    finally,
                } => {
                    self.block(body);
                    for h in handlers {
                        if h.name.as_deref() == Some(self.name) {
                            self.escaped = true;
                        }
                        if let Some(t) = h.type_ {
                            self.expr(t);
                        }
                        self.block(&h.body);
                    }
                    self.block(orelse);
                    self.block(finally);
                }
                StmtKind::Return(e) => {
                    if let Some(e) = e {
                        self.expr(*e);
                    }
                }
                StmtKind::Raise(es) | StmtKind::Other(es) => es.iter().for_each(|e| self.expr(*e)),
                // Patterns may bind names the IR does not keep; nested scopes may capture
                // the row; imports may rebind it: all too subtle, give up.
                StmtKind::Match { .. }
                | StmtKind::FunctionDef(_)
                | StmtKind::ClassDef(_)
                | StmtKind::Import(_)
                | StmtKind::ImportFrom { .. } => self.escaped = true,
                StmtKind::Break | StmtKind::Continue => {}
            }
        }
    }
}

/// The spans of every read of `name` in a block (nested scopes included).
fn collect_expr(m: &Module, e: ExprId, name: &str, out: &mut Vec<Span>) {
    let mut stack = vec![e];
    let mut kids = Vec::new();
    while let Some(e) = stack.pop() {
        if matches!(m.kind(e), ExprKind::Name(n) if &**n == name) {
            out.push(m.span(e));
        }
        kids.clear();
        m.children(e, &mut kids);
        stack.extend(kids.iter().copied());
    }
}

fn collect_target(m: &Module, t: &Target, name: &str, out: &mut Vec<Span>) {
    match t {
        Target::Tuple(ts) => ts.iter().for_each(|t| collect_target(m, t, name, out)),
        Target::Star(t) => collect_target(m, t, name, out),
        Target::Attr(e) | Target::Subscript(e) => collect_expr(m, *e, name, out),
        Target::Name(..) | Target::Other => {}
    }
}

fn collect_block(m: &Module, b: &Block, name: &str, out: &mut Vec<Span>) {
    for st in b {
        match &st.kind {
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => collect_expr(m, *e, name, out),
            StmtKind::Assign { targets, value } => {
                if let Some(v) = value {
                    collect_expr(m, *v, name, out);
                }
                targets.iter().for_each(|t| collect_target(m, t, name, out));
            }
            StmtKind::AugAssign { target, value } => {
                collect_expr(m, *value, name, out);
                collect_target(m, target, name, out);
                if matches!(target, Target::Name(n, _) if &**n == name) {
                    out.push(st.span);
                }
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                collect_expr(m, *iter, name, out);
                collect_target(m, target, name, out);
                collect_block(m, body, name, out);
                collect_block(m, orelse, name, out);
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                collect_expr(m, *test, name, out);
                collect_block(m, body, name, out);
                collect_block(m, orelse, name, out);
            }
            StmtKind::With { items, body } => {
                for (e, t) in items {
                    collect_expr(m, *e, name, out);
                    if let Some(t) = t {
                        collect_target(m, t, name, out);
                    }
                }
                collect_block(m, body, name, out);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finally,
            } => {
                collect_block(m, body, name, out);
                for h in handlers {
                    if let Some(t) = h.type_ {
                        collect_expr(m, t, name, out);
                    }
                    collect_block(m, &h.body, name, out);
                }
                collect_block(m, orelse, name, out);
                collect_block(m, finally, name, out);
            }
            StmtKind::Match { subject, cases } => {
                collect_expr(m, *subject, name, out);
                cases.iter().for_each(|c| collect_block(m, c, name, out));
            }
            StmtKind::Raise(es) | StmtKind::Other(es) => {
                es.iter().for_each(|e| collect_expr(m, *e, name, out));
            }
            // A nested function or class may read the name at any time.
            StmtKind::FunctionDef(f) => {
                let f = &m.functions[*f as usize];
                collect_block(m, &f.body, name, out);
            }
            StmtKind::ClassDef(c) => collect_block(m, &m.classes[*c as usize].body, name, out),
            StmtKind::Return(None)
            | StmtKind::Import(_)
            | StmtKind::ImportFrom { .. }
            | StmtKind::Break
            | StmtKind::Continue => {}
        }
    }
}

/// One loop over a queryset's rows to check: the row name and where it is used.
pub(super) enum LoopScope<'a> {
    /// `for <name> in <iter>: <body>`.
    For { body: &'a Block },
    /// A comprehension: everything in it but the first generator's iterable.
    Comp { comp: ExprId },
}

impl<'a> Analyzer<'a> {
    /// A loop over `q` (the value of `iter`) binds each row to `target`: report when the
    /// rows' large columns are never read and nothing else sees the rows.
    pub(super) fn note_large_loop(
        &mut self,
        q: &Qs,
        iter: ExprId,
        target: &Target,
        scope: &LoopScope<'_>,
    ) {
        let Some(body) = self.fn_body else { return };
        let Target::Name(name, _) = target else {
            return;
        };
        let ix = self.ix;
        let m = self.m;
        if q.values
            || q.cached
            || q.is_list
            || q.single
            // A related manager of one object fetched here (`author.articles.all()`): not of a
            // row (the N+1 rules' business) nor of `self` (the caller may have prefetched it).
            || q.related.as_ref().is_some_and(|r| {
                r.prefetched || r.parent.open || r.parent.row.is_some() || r.parent.created_in_loop.is_some()
            })
            || q.bypass.is_some()
            || q.loads.only.is_some()
            || !q.loads.deferred.is_empty()
            || q.classes.len() > 1
        {
            return;
        }
        // The fix goes on an expression of this function: not a class attribute, not a
        // queryset handed in.
        if !(q.span.file == self.file.id
            && self.fn_span.start <= q.span.span.start
            && q.span.span.end <= self.fn_span.end)
        {
            return;
        }
        let model = ix.model(q.model);
        let opts = &ix.index_options;
        let large: Vec<&str> = model
            .fields
            .iter()
            .filter(|f| {
                !f.primary_key
                    && f.kind == crate::index::FieldKind::Plain
                    && crate::index::indexes::is_large(f, opts)
            })
            .map(|f| f.name.as_str())
            .collect();
        // A large field the model's `__init__`/`from_db` (or a parent's) touches is read on
        // every instance anyway.
        if large.iter().any(|f| ix.init_touches(q.model, f)) {
            return;
        }
        if large.is_empty() {
            return;
        }
        // A queryset held in a name: that name is read only here (and in `qs = qs...`).
        if let ExprKind::Name(qn) = m.kind(iter) {
            let mut reads = Vec::new();
            collect_block(m, body, qn, &mut reads);
            let ispan = m.span(iter);
            if reads
                .iter()
                .any(|s| *s != ispan && !self.rechained(body, qn, *s))
            {
                return;
            }
        } else if !matches!(m.kind(iter), ExprKind::Call { .. } | ExprKind::Attr { .. }) {
            return;
        }
        let mut r = Reads {
            m,
            ix,
            model: q.model,
            name,
            fields: BTreeSet::new(),
            escaped: false,
        };
        match scope {
            LoopScope::For { body: lb } => {
                r.block(lb);
                // The name keeps the last row after the loop (and in its `else:`).
                let Some(end) = lb.last().map(|s| s.span.end) else {
                    return;
                };
                let mut after = Vec::new();
                collect_block(m, body, name, &mut after);
                if after.iter().any(|s| s.start >= end) {
                    return;
                }
            }
            LoopScope::Comp { comp } => {
                let ExprKind::Comp {
                    elt, value, gens, ..
                } = m.kind(*comp)
                else {
                    return;
                };
                for (i, g) in gens.iter().enumerate() {
                    if i > 0 {
                        r.expr(g.iter);
                        let mut names = Vec::new();
                        g.target.names(&mut names);
                        if names.iter().any(|n| n == name) {
                            return;
                        }
                    }
                    g.ifs.iter().for_each(|c| r.expr(*c));
                }
                r.expr(*elt);
                if let Some(v) = value {
                    r.expr(*v);
                }
            }
        }
        if r.escaped {
            return;
        }
        let unread: Vec<String> = large
            .iter()
            .filter(|f| !r.fields.contains(**f))
            .map(|f| (*f).to_owned())
            .collect();
        if unread.is_empty() {
            return;
        }
        self.events.push(Event::LargeFieldsUnused {
            span: q.span,
            model: q.model,
            read: r.fields.into_iter().collect(),
            unread,
            // `.only()` with `select_related`/`prefetch_related` must name the relation's key
            // too: `.defer()` of the large columns is the safe fix.
            only_ok: !q.loads.select_all && q.loads.nodes.is_empty(),
        });
    }

    /// Whether the read of `qn` at `at` is the base of a chain assigned back to `qn`
    /// (`qs = qs.filter(...)`), which only narrows the rows.
    fn rechained(&self, body: &Block, qn: &str, at: Span) -> bool {
        let m = self.m;
        let mut found = false;
        visit_assigns(body, &mut |targets, value| {
            if let [Target::Name(t, _)] = targets {
                if &**t == qn && m.span(value).start <= at.start && at.end <= m.span(value).end {
                    // Only a method chain on the name itself.
                    let mut cur = value;
                    loop {
                        match m.kind(cur) {
                            ExprKind::Call { func, .. } => cur = *func,
                            ExprKind::Attr { value, .. } => cur = *value,
                            ExprKind::Name(n) if &**n == qn && m.span(cur) == at => {
                                found = true;
                                break;
                            }
                            _ => break,
                        }
                    }
                }
            }
        });
        found
    }
}

fn visit_assigns(b: &Block, f: &mut dyn FnMut(&[Target], ExprId)) {
    for st in b {
        match &st.kind {
            StmtKind::Assign {
                targets,
                value: Some(v),
            } => f(targets, *v),
            k => k.blocks().into_iter().for_each(|blk| visit_assigns(blk, f)),
        }
    }
}
