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
use crate::ast::{Block, ExprId, ExprKind, FuncId, Module, ParamKind, StmtKind, Target};
use crate::index::signals::{Receiver, Sender, Signal};
use crate::index::{Index, Member, ModelId};
use crate::project::File;
use crate::semantic::classes::{Hierarchy, Mro};
use crate::source::Span;
use std::collections::BTreeSet;

/// What a block does with a row name (or `self` in a model method): the fields it reads, or
/// `escaped` once the object is used any way that could read more.
struct Reads<'a> {
    m: &'a Module,
    ix: &'a Index,
    model: ModelId,
    name: &'a str,
    fields: BTreeSet<String>,
    escaped: bool,
    /// Members read or called on the object that are not columns (methods, properties,
    /// `__str__` when it is formatted), and `super.<name>` for `super().<name>` in a method:
    /// what they read is resolved with the class hierarchy ([`member_reads`]).
    uses: BTreeSet<String>,
    /// Where the primary key is read (`row.pk`, `row.id`).
    pk_reads: Vec<Span>,
    /// An attribute of the object is assigned.
    writes: bool,
    /// Walking a model method's body: a relation read reads the relation's key column of
    /// `self` (its own query is the N+1 rules' business).
    in_member: bool,
}

impl<'a> Reads<'a> {
    fn new(m: &'a Module, ix: &'a Index, model: ModelId, name: &'a str, in_member: bool) -> Self {
        Reads {
            m,
            ix,
            model,
            name,
            fields: BTreeSet::new(),
            escaped: false,
            uses: BTreeSet::new(),
            pk_reads: Vec::new(),
            writes: false,
            in_member,
        }
    }
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

    fn is_me(&self, e: ExprId) -> bool {
        matches!(self.m.kind(e), ExprKind::Name(n) if &**n == self.name)
    }

    /// `row.<attr>` read (not assigned).
    fn attr(&mut self, e: ExprId, attr: &str) {
        match self.field_of(attr) {
            Some(Some(f)) => {
                self.fields.insert(f);
            }
            Some(None) => self.pk_reads.push(self.m.span(e)),
            None => match self.ix.member(self.model, attr) {
                // Not a column nor a relation: a method, property or plain attribute.
                None => {
                    self.uses.insert(attr.to_owned());
                }
                Some(Member::Forward(f)) if self.in_member => {
                    self.fields.insert(f.name.clone());
                }
                Some(Member::ManyToMany(_) | Member::Reverse(_) | Member::GenericRelation(_))
                    if self.in_member => {}
                Some(_) => self.escaped = true,
            },
        }
    }

    /// `e` is formatted as text (`str(e)`, `f"{e}"`, `print(e)`): the row's `__str__` runs.
    fn formatted(&mut self, e: ExprId) {
        if self.is_me(e) {
            self.uses.insert("__str__".to_owned());
        } else {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: ExprId) {
        if self.escaped {
            return;
        }
        match self.m.kind(e) {
            ExprKind::Name(n) if &**n == self.name => self.escaped = true,
            ExprKind::Attr { value, attr, .. } if self.is_me(*value) => self.attr(e, attr),
            // `super().save(...)` in a method body runs the parent class's method.
            ExprKind::Attr { value, attr, .. }
                if self.in_member
                    && matches!(self.m.kind(*value), ExprKind::Call { func, .. }
                        if matches!(self.m.kind(*func), ExprKind::Name(s) if &**s == "super")) =>
            {
                self.uses.insert(format!("super.{attr}"));
                self.children(*value);
            }
            ExprKind::Call { func, args, kwargs }
                if matches!(self.m.kind(*func), ExprKind::Name(f)
                    if matches!(&**f, "str" | "print" | "format")) =>
            {
                for a in args.iter() {
                    self.formatted(*a);
                }
                for k in kwargs.iter() {
                    self.expr(k.value);
                }
            }
            ExprKind::Call { func, args, kwargs }
                if matches!(self.m.kind(*func), ExprKind::Attr { value, attr, .. }
                    if &**attr == "format" && matches!(self.m.kind(*value), ExprKind::Str(_))) =>
            {
                for a in args.iter().chain(kwargs.iter().map(|k| &k.value)) {
                    self.formatted(*a);
                }
            }
            ExprKind::FString(xs) => {
                for x in xs.iter() {
                    self.formatted(*x);
                }
            }
            ExprKind::BinOp { left, op, right }
                if &**op == "%" && matches!(self.m.kind(*left), ExprKind::Str(_)) =>
            {
                match self.m.kind(*right) {
                    ExprKind::Seq { elts, .. } => {
                        for x in elts.iter() {
                            self.formatted(*x);
                        }
                    }
                    _ => self.formatted(*right),
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
            ExprKind::Lambda { .. } => {
                // A lambda may capture the object and run later.
                let mut spans = Vec::new();
                collect_expr(self.m, e, self.name, &mut spans);
                if !spans.is_empty() {
                    self.escaped = true;
                }
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

    /// A target being assigned: rebinding the row escapes; assigning one of its attributes
    /// reads nothing (Django keeps an assigned deferred field, and `save()` writes it).
    fn target(&mut self, t: &Target) {
        match t {
            Target::Name(n, _) if &**n == self.name => self.escaped = true,
            Target::Name(..) | Target::Other => {}
            Target::Tuple(ts) => ts.iter().for_each(|t| self.target(t)),
            Target::Star(t) => self.target(t),
            Target::Attr(e) => match self.m.kind(*e) {
                // `row.pk = None` then `row.save()` inserts a copy with every column, the
                // deferred ones fetched first, one query per row.
                ExprKind::Attr { value, attr, .. }
                    if self.is_me(*value) && self.field_of(attr) == Some(None) =>
                {
                    self.escaped = true;
                }
                ExprKind::Attr { value, .. } if self.is_me(*value) => self.writes = true,
                ExprKind::Attr { value, .. } => self.expr(*value),
                _ => self.expr(*e),
            },
            Target::Subscript(e) => match self.m.kind(*e) {
                ExprKind::Subscript { value, .. } if self.is_me(*value) => self.escaped = true,
                ExprKind::Subscript { value, index } => {
                    self.expr(*value);
                    self.expr(*index);
                }
                _ => self.expr(*e),
            },
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
                    // `row.views += 1` reads the field before writing it.
                    if let Target::Attr(e) = target {
                        self.expr(*e);
                    }
                    self.target(target);
                }
                StmtKind::For(stmt) => {
                    let crate::ast::ForStmt {
                        target,
                        iter,
                        body,
                        orelse,
                    } = &**stmt;
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
                StmtKind::Try(stmt) => {
                    let crate::ast::TryStmt {
                        body,
                        handlers,
                        orelse,
                        finally,
                    } = &**stmt;
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
            StmtKind::For(stmt) => {
                let crate::ast::ForStmt {
                    target,
                    iter,
                    body,
                    orelse,
                } = &**stmt;
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
            StmtKind::Try(stmt) => {
                let crate::ast::TryStmt {
                    body,
                    handlers,
                    orelse,
                    finally,
                } = &**stmt;
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
            // A manager or queryset class djperf cannot read (a library's, or a
            // `get_queryset()` whose effect is unknown) may defer or reshape the rows.
            || !self.ix.rows_known(&q.classes)
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
        let mut r = Reads::new(m, ix, q.model, name, false);
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
            uses: r.uses.into_iter().collect(),
            pk_reads: r
                .pk_reads
                .into_iter()
                .map(|s| crate::source::Loc::new(self.file.id, s))
                .collect(),
            writes: r.writes,
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

// ---------------------------------------------------------------- members of the rows

/// Django's `Model` members that read (or reload) every field.
const DJANGO_MEMBERS_READING: &[&str] = &[
    "__reduce__",
    "__getstate__",
    "__setstate__",
    "__copy__",
    "__deepcopy__",
    "refresh_from_db",
    "arefresh_from_db",
    "serializable_value",
    "save_base",
    "asave",
    "adelete",
    "clean",
    "clean_fields",
    "full_clean",
    "validate_unique",
    "validate_constraints",
    "date_error_message",
    "unique_error_message",
];

/// Bound on the members followed from one use (methods calling methods).
const MEMBER_BUDGET: usize = 32;

/// The columns of `model` that using member `name` of a row reads (a method or property
/// called, `__str__` when the row is formatted, `save`/`delete` with their signal
/// receivers), following the model's own methods, properties and `super()` calls through
/// the class hierarchy. `None` when the row may be seen by code djperf does not read (a base
/// class outside the project, the instance handed to a call, a receiver of every model's
/// signals, a Django method that reads every field).
pub fn member_reads(
    ix: &Index,
    h: &Hierarchy<'_>,
    model: ModelId,
    name: &str,
) -> Option<BTreeSet<String>> {
    let md = ix.model(model);
    if md.builtin {
        return None;
    }
    let mro = h.mro(&md.qual, &|q| q.starts_with("django."));
    let mut w = MemberWalk {
        ix,
        h,
        model,
        mro: &mro,
        budget: MEMBER_BUDGET,
        seen: Vec::new(),
    };
    let mut out = w.member(name, 0)?;
    for sig in Signal::of_method(name) {
        for r in ix.signals.of(*sig, model, true) {
            out.extend(w.receiver(r)?);
        }
    }
    Some(out)
}

/// The columns of `model` its `post_init` receivers read on every instance built, or `None`
/// when a receiver of every model's `post_init` may read any.
pub fn init_signal_reads(
    ix: &Index,
    h: &Hierarchy<'_>,
    model: ModelId,
) -> Option<BTreeSet<String>> {
    let md = ix.model(model);
    let mro = h.mro(&md.qual, &|q| q.starts_with("django."));
    let mut w = MemberWalk {
        ix,
        h,
        model,
        mro: &mro,
        budget: MEMBER_BUDGET,
        seen: Vec::new(),
    };
    let mut out = BTreeSet::new();
    for r in ix.signals.of(Signal::PostInit, model, true) {
        out.extend(w.receiver(r)?);
    }
    Some(out)
}

struct MemberWalk<'a> {
    ix: &'a Index,
    h: &'a Hierarchy<'a>,
    model: ModelId,
    mro: &'a Mro,
    budget: usize,
    /// `(class position, name)` already being walked (recursion).
    seen: Vec<(usize, String)>,
}

impl MemberWalk<'_> {
    /// Member `name` looked up from position `from` of the class order.
    fn member(&mut self, name: &str, from: usize) -> Option<BTreeSet<String>> {
        if self.seen.iter().any(|(p, n)| *p == from && n == name) {
            return Some(BTreeSet::new());
        }
        if self.budget == 0 {
            return None;
        }
        self.budget -= 1;
        let classes = self.mro.classes.get(from..).unwrap_or(&[]);
        for (i, q) in classes.iter().enumerate() {
            if let Some((file, func)) = self.h.method(q, name) {
                self.seen.push((from, name.to_owned()));
                let out = self.method(file, func, from + i + 1);
                self.seen.pop();
                return out;
            }
            if self.h.attr(q, name).is_some() {
                // A class attribute: no column.
                return Some(BTreeSet::new());
            }
        }
        if self.mro.unresolved {
            // A base djperf cannot read may define it.
            return None;
        }
        if name == "__repr__" {
            return self.member("__str__", 0);
        }
        if let Some(field) = name
            .strip_prefix("get_")
            .and_then(|n| n.strip_suffix("_display"))
        {
            return Some(BTreeSet::from([field.to_owned()]));
        }
        if DJANGO_MEMBERS_READING.contains(&name)
            || name.starts_with("get_next_by_")
            || name.starts_with("get_previous_by_")
            || name.starts_with("_save")
            || name.starts_with("_do_")
            || name.starts_with("_perform")
        {
            return None;
        }
        if self.set_from_self_in_init(name) {
            // `self.stats = ComponentStats(self)` in `__init__`: the object holds the row and
            // may read any of its columns.
            return None;
        }
        // Django's own members that read no column besides the primary key (`__str__`,
        // `__eq__`, `save()` and `delete()`, which on a row loaded with deferred fields write
        // and delete only what is loaded), or an attribute set on the instance at run time.
        Some(BTreeSet::new())
    }

    /// Whether an `__init__` of the class order assigns `self.<name>` a value built from the
    /// instance itself (`self.stats = Stats(self)`).
    fn set_from_self_in_init(&self, name: &str) -> bool {
        self.mro.classes.iter().any(|q| {
            let Some((file, func)) = self.h.method(q, "__init__") else {
                return false;
            };
            let m = &file.ast;
            let Some(f) = m.functions.get(func as usize) else {
                return false;
            };
            let Some(me) = f.params.first() else {
                return false;
            };
            let mut found = false;
            visit_assigns(&f.body, &mut |targets, value| {
                let sets = targets.iter().any(|t| {
                    matches!(t, Target::Attr(e) if matches!(m.kind(*e),
                        ExprKind::Attr { value, attr, .. }
                            if &**attr == name
                                && matches!(m.kind(*value), ExprKind::Name(n) if n == &me.name)))
                });
                found |= sets && holds(m, value, &me.name);
            });
            found
        })
    }

    /// The columns a method's body reads of its `self` (`next`: where `super()` looks).
    fn method(&mut self, file: &File, func: FuncId, next: usize) -> Option<BTreeSet<String>> {
        let m = &file.ast;
        let f = m.functions.get(func as usize)?;
        let is_static = f.decorators.iter().any(|d| {
            m.dotted(*d)
                .is_some_and(|n| n == "staticmethod" || n == "classmethod")
        });
        let Some(me) = f.params.first().filter(|_| !is_static) else {
            // A static or class method does not see the instance.
            return Some(BTreeSet::new());
        };
        let mut r = Reads::new(m, self.ix, self.model, &me.name, true);
        r.block(&f.body);
        if r.escaped || nested_scopes_see(m, &f.body, &me.name) {
            return None;
        }
        let mut out = r.fields;
        for u in r.uses {
            let got = match u.strip_prefix("super.") {
                Some(parent) => self.member(parent, next),
                None => self.member(&u, 0),
            };
            out.extend(got?);
        }
        Some(out)
    }

    /// The columns a signal receiver reads of the instance it is sent.
    fn receiver(&mut self, r: &Receiver) -> Option<BTreeSet<String>> {
        if !matches!(r.sender, Sender::Model(_)) {
            return None;
        }
        let file = self.h.file(r.file)?;
        let m = &file.ast;
        let f = m.functions.get(r.func as usize)?;
        // `def handler(sender, instance, **kwargs)`: the instance is the keyword `instance`
        // (or the second positional parameter).
        let me = f
            .params
            .iter()
            .find(|p| &*p.name == "instance")
            .or_else(|| f.params.get(1).filter(|p| p.kind == ParamKind::Normal))?;
        let kwargs = f.params.iter().find(|p| p.kind == ParamKind::KwArgs);
        let mut r = Reads::new(m, self.ix, self.model, &me.name, true);
        r.block(&f.body);
        if r.escaped || nested_scopes_see(m, &f.body, &me.name) {
            return None;
        }
        // `kwargs["instance"]` reaches the instance another way.
        if let Some(k) = kwargs {
            let mut spans = Vec::new();
            collect_block(m, &f.body, &k.name, &mut spans);
            if !spans.is_empty() {
                return None;
            }
        }
        let mut out = r.fields;
        for u in r.uses {
            if u.starts_with("super.") {
                return None;
            }
            out.extend(self.member(&u, 0)?);
        }
        Some(out)
    }
}

/// Whether a nested function or class of `body` reads `name` (it may run later, with the
/// object).
fn nested_scopes_see(m: &Module, body: &Block, name: &str) -> bool {
    let mut found = false;
    visit_nested(m, body, &mut |b| {
        let mut spans = Vec::new();
        collect_block(m, b, name, &mut spans);
        found |= !spans.is_empty();
    });
    found
}

fn visit_nested(m: &Module, b: &Block, f: &mut dyn FnMut(&Block)) {
    for st in b {
        match &st.kind {
            StmtKind::FunctionDef(id) => {
                if let Some(func) = m.functions.get(*id as usize) {
                    f(&func.body);
                }
            }
            StmtKind::ClassDef(id) => {
                if let Some(c) = m.classes.get(*id as usize) {
                    f(&c.body);
                }
            }
            k => k
                .blocks()
                .into_iter()
                .for_each(|blk| visit_nested(m, blk, f)),
        }
    }
}

/// Whether `e` uses `name` itself, not only its attributes (`Stats(self)`, `[self]`).
fn holds(m: &Module, e: ExprId, name: &str) -> bool {
    let mut stack = vec![e];
    let mut kids = Vec::new();
    while let Some(e) = stack.pop() {
        match m.kind(e) {
            ExprKind::Name(n) if &**n == name => return true,
            ExprKind::Attr { value, .. } if matches!(m.kind(*value), ExprKind::Name(n) if &**n == name) =>
                {}
            _ => {
                kids.clear();
                m.children(e, &mut kids);
                stack.extend(kids.iter().copied());
            }
        }
    }
    false
}
