//! DJP107 `relation-read-on-init`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::index::signals::{Sender, Signal};
use crate::index::{Index, Member, ModelId, ReverseKind};
use crate::source::{Loc, Span};
use crate::syntax::ast::{
    Block, ExprId, ExprKind, FunctionDef, Module, ParamKind, StmtKind, Target,
};

pub const RULE: Rule = Rule {
    code: "DJP107",
    name: "relation-read-on-init",
    summary: "A model's `__init__`, `from_db()` or `post_init` receiver reads a relation of every instance built",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::MODELS,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a model's `__init__`, its `from_db()` classmethod, and the `post_init` signal
receivers connected for it, when they read a foreign key or one-to-one relation of the
instance (`self.author`, `instance.author.name`, `getattr(self, "author")`) on the way every
row loaded from the database takes: unconditionally, in a `try:` body, or under a test that
holds for a loaded row (`if self.pk:`, `if self.author_id is not None:`, `if
self._state.adding:` — Django sets `adding` to False only after `from_db()` has built the
instance).

## Why is this slow?
Django runs `__init__` (and the `post_init` receivers) for every row a queryset returns. A
relation read there fetches the related object with one query per row, wherever the model is
loaded: every list view, every loop, every `len(qs)`. `select_related()` cannot help: Django
attaches the joined object to the instance only after `__init__` and `from_db()` have returned,
and `prefetch_related()` after the whole list is built.

## Example
```python
class Device(models.Model):
    rack = models.ForeignKey(Rack, on_delete=models.CASCADE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._original_rack = self.rack if self.pk else None
```

Use instead:
```python
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._original_rack_id = self.rack_id
```
Keep the key (the row holds it) and compare keys, or read the relation later, where it is
needed.

## Known problems
Only the methods' own bodies are read: a helper or property they call that reads a relation is
not followed. Reads under any other condition (a property such as `self.present_in_database`,
a setting) are not reported, nor are reads inside loops or comprehensions, nor many-valued
relations (`self.tags.all()` is lazy; evaluating it is not looked for). A nullable foreign key
queries only on the rows where it is set.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    let m = &cx.file.ast;
    for (id, model) in ix.models.iter().enumerate() {
        if model.builtin || model.file != Some(cx.file.id) {
            continue;
        }
        let Ok(id) = ModelId::try_from(id) else {
            continue;
        };
        let Some(class) = m
            .classes
            .iter()
            .find(|c| c.outer.is_none() && (c.span == model.span || c.name_span == model.span))
        else {
            continue;
        };
        for st in &class.body {
            let StmtKind::FunctionDef(fid) = st.kind else {
                continue;
            };
            let Some(func) = m.functions.get(fid as usize) else {
                continue;
            };
            let hits = match &*func.name {
                "__init__" => func
                    .params
                    .first()
                    .map(|me| walk_after_super(ix, m, id, &me.name, &func.body, "__init__"))
                    .unwrap_or_default(),
                "from_db" => from_db_reads(ix, m, id, func),
                _ => continue,
            };
            let what = format!("`{}.{}`", model.name, func.name);
            report(cx, rule, id, &what, hits, out);
        }
    }
    for r in &ix.signals.receivers {
        let (Signal::PostInit, Sender::Model(id), true) =
            (r.signal, r.sender, r.file == cx.file.id)
        else {
            continue;
        };
        let Some(func) = m.functions.get(r.func as usize) else {
            continue;
        };
        let Some(me) = func
            .params
            .iter()
            .find(|p| &*p.name == "instance")
            .or_else(|| func.params.get(1).filter(|p| p.kind == ParamKind::Normal))
        else {
            continue;
        };
        let mut w = Walk::new(ix, m, id, &me.name);
        w.block(&func.body);
        let what = format!("the `post_init` receiver `{}`", func.name);
        report(cx, rule, id, &what, w.hits, out);
    }
}

fn report(
    cx: &Context<'_>,
    rule: &Rule,
    model: ModelId,
    what: &str,
    hits: Vec<(Span, String)>,
    out: &mut Vec<Diagnostic>,
) {
    let ix = cx.index;
    let name = &ix.model(model).name;
    let mut seen: Vec<String> = Vec::new();
    for (span, attr) in hits {
        // One finding per relation and method: the first read queries, later ones hit the cache.
        if seen.contains(&attr) {
            continue;
        }
        seen.push(attr.clone());
        let forward = matches!(ix.member(model, &attr), Some(Member::Forward(_)));
        let help = if forward {
            format!(
                "keep the key instead (`{attr}_id` is on the row) or read `{attr}` where it is needed; `select_related(\"{attr}\")` cannot help: Django attaches the joined object only after `__init__`/`from_db()` have run"
            )
        } else {
            format!(
                "read `{attr}` where it is needed, not for every instance built; `select_related(\"{attr}\")` cannot help: Django attaches the joined object only after `__init__`/`from_db()` have run"
            )
        };
        out.push(
            rule.diagnostic(
                Loc::new(cx.file.id, span),
                format!(
                    "{what} reads `{name}.{attr}` for every instance built: one query per row loaded"
                ),
                format!("queries `{attr}` for each row loaded"),
            )
            .with_help(help),
        );
    }
}

/// `from_db()`: the instance is the name bound by `x = super().from_db(...)` or `x =
/// cls(...)`; what follows that statement runs for every row loaded.
fn from_db_reads(
    ix: &Index,
    m: &Module,
    model: ModelId,
    func: &FunctionDef,
) -> Vec<(Span, String)> {
    for (i, st) in func.body.iter().enumerate() {
        let Some((name, v)) = st.name_assign() else {
            continue;
        };
        let ExprKind::Call { func: callee, .. } = m.kind(*v) else {
            continue;
        };
        let builds = match m.kind(*callee) {
            ExprKind::Name(n) => func.params.first().is_some_and(|p| p.name == *n),
            ExprKind::Attr { value, attr, .. } => {
                &**attr == "from_db"
                    && matches!(m.kind(*value), ExprKind::Call { func: s, .. }
                        if matches!(m.kind(*s), ExprKind::Name(n) if &**n == "super"))
            }
            _ => false,
        };
        if builds {
            let mut w = Walk::new(ix, m, model, name);
            w.stmts(&func.body[i + 1..]);
            return w.hits;
        }
    }
    Vec::new()
}

/// `__init__`: the statements after `super().__init__(...)` (before it the instance has no
/// state; an `__init__` that never calls it is left alone).
fn walk_after_super(
    ix: &Index,
    m: &Module,
    model: ModelId,
    me: &str,
    body: &Block,
    method: &str,
) -> Vec<(Span, String)> {
    let Some(pos) = body.iter().position(|st| match &st.kind {
        StmtKind::Expr(e) => calls_super(m, *e, method),
        _ => false,
    }) else {
        return Vec::new();
    };
    let mut w = Walk::new(ix, m, model, me);
    w.stmts(&body[pos + 1..]);
    w.hits
}

fn calls_super(m: &Module, e: ExprId, method: &str) -> bool {
    let ExprKind::Call { func, .. } = m.kind(e) else {
        return false;
    };
    let ExprKind::Attr { value, attr, .. } = m.kind(*func) else {
        return false;
    };
    &**attr == method
        && match m.kind(*value) {
            ExprKind::Call { func: s, .. } => {
                matches!(m.kind(*s), ExprKind::Name(n) if &**n == "super")
            }
            // `models.Model.__init__(self, ...)`, `Base.__init__(self, ...)`
            _ => true,
        }
}

/// Bound on the expression walk (generated code nests deeply).
const MAX_DEPTH: u32 = 100;

/// The relation reads on the path every loaded row takes through a block.
struct Walk<'a> {
    ix: &'a Index,
    m: &'a Module,
    model: ModelId,
    me: &'a str,
    hits: Vec<(Span, String)>,
    /// The instance name was rebound, or the path ended (`return`, `raise`).
    done: bool,
}

impl<'a> Walk<'a> {
    fn new(ix: &'a Index, m: &'a Module, model: ModelId, me: &'a str) -> Self {
        Walk {
            ix,
            m,
            model,
            me,
            hits: Vec::new(),
            done: false,
        }
    }

    fn is_me(&self, e: ExprId) -> bool {
        matches!(self.m.kind(e), ExprKind::Name(n) if &**n == self.me)
    }

    fn block(&mut self, b: &Block) {
        self.stmts(b);
    }

    fn stmts(&mut self, b: &[crate::syntax::ast::Stmt]) {
        for st in b {
            if self.done {
                return;
            }
            match &st.kind {
                StmtKind::Expr(e) => self.expr(*e, 0),
                StmtKind::Assign { targets, value } => {
                    if let Some(v) = value {
                        self.expr(*v, 0);
                    }
                    for t in targets {
                        self.target(t);
                    }
                }
                StmtKind::AugAssign { target, value } => {
                    self.expr(*value, 0);
                    if let Target::Attr(e) | Target::Subscript(e) = target {
                        self.expr(*e, 0);
                    }
                    self.target(target);
                }
                StmtKind::If { test, body, orelse } => {
                    self.expr(*test, 0);
                    match self.loaded(*test) {
                        Some(true) => self.block(body),
                        Some(false) => self.block(orelse),
                        None => {}
                    }
                }
                StmtKind::Try(stmt) => {
                    let crate::ast::TryStmt { body, finally, .. } = &**stmt;
                    // The handlers and `else` may not run; the body runs up to a raise.
                    self.block(body);
                    let ended = self.done;
                    self.done = false;
                    self.block(finally);
                    self.done |= ended;
                }
                StmtKind::With { items, body } => {
                    for (e, _) in items {
                        self.expr(*e, 0);
                    }
                    self.block(body);
                }
                StmtKind::Return(e) => {
                    if let Some(e) = e {
                        self.expr(*e, 0);
                    }
                    self.done = true;
                }
                StmtKind::Raise(_) => self.done = true,
                StmtKind::Other(es) => {
                    for e in es {
                        self.expr(*e, 0);
                    }
                }
                // Loops may run zero times; nested definitions run later, if at all.
                _ => {}
            }
        }
    }

    fn target(&mut self, t: &Target) {
        match t {
            Target::Name(n, _) if &**n == self.me => self.done = true,
            Target::Name(..) | Target::Other => {}
            Target::Tuple(ts) => ts.iter().for_each(|t| self.target(t)),
            Target::Star(t) => self.target(t),
            // `self.x = ...` writes; `self.author.name = ...` reads `self.author`.
            Target::Attr(e) => {
                if let ExprKind::Attr { value, .. } = self.m.kind(*e) {
                    if !self.is_me(*value) {
                        self.expr(*value, 0);
                    }
                }
            }
            Target::Subscript(e) => {
                if let ExprKind::Subscript { value, index } = self.m.kind(*e) {
                    self.expr(*value, 0);
                    self.expr(*index, 0);
                }
            }
        }
    }

    /// `self.<attr>` read at `span`.
    fn read(&mut self, span: Span, attr: &str) {
        let relation = match self.ix.member(self.model, attr) {
            Some(Member::Forward(_)) => true,
            Some(Member::Reverse(r)) => r.kind == ReverseKind::OneToOne,
            _ => false,
        };
        if relation {
            self.hits.push((span, attr.to_owned()));
        }
    }

    fn expr(&mut self, e: ExprId, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        let m = self.m;
        match m.kind(e) {
            ExprKind::Attr { value, attr, .. } if self.is_me(*value) => {
                self.read(m.span(e), attr);
            }
            ExprKind::Call { func, args, .. }
                if matches!(m.kind(*func), ExprKind::Name(f) if matches!(&**f, "getattr" | "hasattr"))
                    && args.first().is_some_and(|a| self.is_me(*a)) =>
            {
                if let Some(ExprKind::Str(s)) = args.get(1).map(|a| m.kind(*a)) {
                    self.read(m.span(e), s);
                }
                for a in args.iter().skip(2) {
                    self.expr(*a, depth + 1);
                }
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(*test, depth + 1);
                match self.loaded(*test) {
                    Some(true) => self.expr(*body, depth + 1),
                    Some(false) => self.expr(*orelse, depth + 1),
                    None => {}
                }
            }
            // Only the first operand always runs.
            ExprKind::BoolOp { values, .. } => {
                if let Some(v) = values.first() {
                    self.expr(*v, depth + 1);
                }
            }
            // Run later, or per item of a collection that may be empty.
            ExprKind::Lambda { .. } | ExprKind::Comp { .. } => {}
            _ => {
                let mut kids = Vec::new();
                m.children(e, &mut kids);
                for k in kids {
                    self.expr(k, depth + 1);
                }
            }
        }
    }

    /// The value of a test for a row being loaded, while `__init__`/`from_db()` run: its
    /// primary key and foreign keys are set, `_state.adding` is still True. `None` when
    /// unknown.
    fn loaded(&self, test: ExprId) -> Option<bool> {
        let m = self.m;
        match m.kind(test) {
            ExprKind::Not(x) => self.loaded(*x).map(|b| !b),
            ExprKind::Attr { value, attr, .. } if self.is_me(*value) => match &**attr {
                "pk" | "id" => Some(true),
                a => matches!(self.ix.member(self.model, a), Some(Member::ForeignKeyId(_)))
                    .then_some(true),
            },
            ExprKind::Attr { value, attr, .. } if &**attr == "adding" => {
                matches!(m.kind(*value), ExprKind::Attr { value: me, attr: st, .. }
                    if &**st == "_state" && self.is_me(*me))
                .then_some(true)
            }
            ExprKind::Compare {
                left,
                ops,
                comparators,
            } if ops.len() == 1
                && matches!(
                    m.kind(comparators[0]),
                    ExprKind::Const(crate::syntax::ast::Const::None)
                ) =>
            {
                let set = self.loaded(*left)?;
                match &*ops[0] {
                    "is not" => Some(set),
                    "is" => Some(!set),
                    _ => None,
                }
            }
            ExprKind::BoolOp { and: true, values } => {
                let mut all = true;
                for v in values.iter() {
                    match self.loaded(*v) {
                        Some(true) => {}
                        Some(false) => return Some(false),
                        None => all = false,
                    }
                }
                all.then_some(true)
            }
            _ => None,
        }
    }
}
