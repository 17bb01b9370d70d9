//! What a loop binds, read from its syntax: the names its target and body assign, so a
//! rule's help can tell the lookups that change per iteration (`pk=item.pk`) from those
//! that stay fixed (`document=instance`).

use crate::ast::{Block, ExprId, ExprKind, Module, Name, StmtKind, Target};
use crate::source::Span;

/// The statement or comprehension of the loop at `span` in `m`.
pub enum LoopAt<'a> {
    For {
        target: &'a Target,
        iter: ExprId,
        body: &'a Block,
    },
    Comp(ExprId),
}

/// The loop whose span is `span`: a `for` statement anywhere in the module (functions and
/// classes included) or a comprehension.
pub fn loop_at(m: &Module, span: Span) -> Option<LoopAt<'_>> {
    fn walk<'a>(b: &'a Block, span: Span) -> Option<LoopAt<'a>> {
        for st in b {
            if st.span.start > span.start || st.span.end < span.end {
                continue;
            }
            if let StmtKind::For(f) = &st.kind {
                if st.span == span {
                    return Some(LoopAt::For {
                        target: &f.target,
                        iter: f.iter,
                        body: &f.body,
                    });
                }
            }
            for inner in st.kind.blocks() {
                if let Some(l) = walk(inner, span) {
                    return Some(l);
                }
            }
        }
        None
    }
    if let Some(l) = walk(&m.body, span) {
        return Some(l);
    }
    for f in &m.functions {
        if let Some(l) = walk(&f.body, span) {
            return Some(l);
        }
    }
    let i = m
        .exprs
        .iter()
        .position(|e| e.span == span && matches!(e.kind, ExprKind::Comp { .. }))?;
    Some(LoopAt::Comp(ExprId::try_from(i).ok()?))
}

/// The iterable when the `for` loop at `span` iterates a slice (`for f in failures[:n]`):
/// Django refuses `.update()` and `.delete()` on a sliced queryset.
pub fn iterates_slice(m: &Module, span: Span) -> Option<ExprId> {
    match loop_at(m, span)? {
        LoopAt::For { iter, .. } => match m.kind(iter) {
            ExprKind::Subscript { index, .. } if matches!(m.kind(*index), ExprKind::Slice(_)) => {
                Some(iter)
            }
            _ => None,
        },
        LoopAt::Comp(_) => None,
    }
}

/// The names the loop at `span` binds on each iteration: its targets and every name its body
/// assigns (`for x in xs: y = f(x)` gives `x`, `y`). `None` when the loop is not found.
pub fn loop_names(m: &Module, span: Span) -> Option<Vec<Name>> {
    let mut out = Vec::new();
    match loop_at(m, span)? {
        LoopAt::For { target, body, .. } => {
            target.names(&mut out);
            assigned(body, &mut out);
        }
        LoopAt::Comp(e) => {
            if let ExprKind::Comp { gens, .. } = m.kind(e) {
                gens.iter().for_each(|g| g.target.names(&mut out));
            }
        }
    }
    Some(out)
}

fn assigned(b: &Block, out: &mut Vec<Name>) {
    for st in b {
        match &st.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| t.names(out)),
            StmtKind::AugAssign { target, .. } => target.names(out),
            StmtKind::For(f) => f.target.names(out),
            StmtKind::With { items, .. } => items
                .iter()
                .filter_map(|(_, t)| t.as_ref())
                .for_each(|t| t.names(out)),
            StmtKind::Try(t) => out.extend(t.handlers.iter().filter_map(|h| h.name.clone())),
            _ => {}
        }
        for inner in st.kind.blocks() {
            assigned(inner, out);
        }
    }
}

/// Whether expression `e` reads one of `names`.
pub fn mentions(m: &Module, e: ExprId, names: &[Name]) -> bool {
    let mut stack = vec![e];
    let mut kids = Vec::new();
    let mut steps = 0;
    while let Some(x) = stack.pop() {
        steps += 1;
        if steps > 4096 {
            // A huge expression: assume it may depend on the loop.
            return true;
        }
        if let ExprKind::Name(n) = m.kind(x) {
            if names.iter().any(|k| k == n) {
                return true;
            }
        }
        kids.clear();
        m.children(x, &mut kids);
        stack.extend(kids.iter().copied());
    }
    false
}

/// Whether the body of the loop at `span` sets `<var>.pk = None` or `<var>.id = None`: the
/// next `save()` of `var` inserts a copy of the row.
pub fn clears_pk(m: &Module, span: Span, var: &str) -> bool {
    fn walk(m: &Module, b: &Block, var: &str) -> bool {
        b.iter().any(|st| {
            let here = match &st.kind {
                StmtKind::Assign {
                    targets,
                    value: Some(v),
                } => {
                    matches!(m.kind(*v), ExprKind::Const(crate::ast::Const::None))
                        && targets.iter().any(|t| match t {
                            Target::Attr(e) => m.dotted(*e).is_some_and(|d| {
                                d.strip_prefix(var)
                                    .and_then(|r| r.strip_prefix('.'))
                                    .is_some_and(|a| a == "pk" || a == "id")
                            }),
                            _ => false,
                        })
                }
                _ => false,
            };
            here || st
                .kind
                .blocks()
                .into_iter()
                .any(|inner| walk(m, inner, var))
        })
    }
    match loop_at(m, span) {
        Some(LoopAt::For { body, .. }) => walk(m, body, var),
        _ => false,
    }
}

/// The name a statement in the body of the loop at `loop_span` assigns the expression at
/// `at` to (`x = M.objects.get(...)`, also `x = ...get(...)[0]`, `x, _ = ...`).
pub fn assigned_to(m: &Module, loop_span: Span, at: Span) -> Vec<Name> {
    fn walk(m: &Module, b: &Block, at: Span, out: &mut Vec<Name>) {
        for st in b {
            if st.span.start > at.start || st.span.end < at.end {
                continue;
            }
            if let StmtKind::Assign {
                targets,
                value: Some(v),
            } = &st.kind
            {
                let vs = m.span(*v);
                if vs.start <= at.start && at.end <= vs.end {
                    targets.iter().for_each(|t| t.names(out));
                }
            }
            for inner in st.kind.blocks() {
                walk(m, inner, at, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(LoopAt::For { body, .. }) = loop_at(m, loop_span) {
        walk(m, body, at, &mut out);
    }
    out
}

/// Whether the `for` loop at `loop_span` iterates a name that its function binds once, to a
/// literal list, tuple, set or dict, and never changes (`checks = [...]; for c in checks:`):
/// a fixed number of iterations written out in the code.
pub fn iterates_local_literal(m: &Module, loop_span: Span) -> bool {
    let Some(LoopAt::For { .. }) = loop_at(m, loop_span) else {
        return false;
    };
    // The `for` statement's iterable.
    fn find(b: &Block, span: Span) -> Option<ExprId> {
        for st in b {
            if st.span.start > span.start || st.span.end < span.end {
                continue;
            }
            if let StmtKind::For(f) = &st.kind {
                if st.span == span {
                    return Some(f.iter);
                }
            }
            for inner in st.kind.blocks() {
                if let Some(x) = find(inner, span) {
                    return Some(x);
                }
            }
        }
        None
    }
    // The innermost function holding the loop.
    let Some(func) = m
        .functions
        .iter()
        .filter(|f| f.span.start <= loop_span.start && loop_span.end <= f.span.end)
        .min_by_key(|f| f.span.end - f.span.start)
    else {
        return false;
    };
    let Some(iter) = find(&func.body, loop_span) else {
        return false;
    };
    let ExprKind::Name(n) = m.kind(iter) else {
        return false;
    };
    // A parameter holds what the caller passes.
    if func.params.iter().any(|p| p.name == *n) {
        return false;
    }
    let mut binds = 0;
    let mut literal = true;
    fn scan(m: &Module, b: &Block, n: &str, binds: &mut u32, literal: &mut bool) {
        for st in b {
            match &st.kind {
                StmtKind::Assign { targets, value } => {
                    let mut names = Vec::new();
                    targets.iter().for_each(|t| t.names(&mut names));
                    if names.iter().any(|x| &**x == n) {
                        *binds += 1;
                        let lit = value.is_some_and(|v| {
                            matches!(m.kind(v), ExprKind::Seq { .. } | ExprKind::Dict(_))
                                && targets.len() == 1
                                && matches!(&targets[0], Target::Name(..))
                        });
                        *literal &= lit;
                    }
                }
                StmtKind::AugAssign { target, .. } if binds_name(target, n) => *literal = false,
                StmtKind::For(f) if binds_name(&f.target, n) => *literal = false,
                _ => {}
            }
            for inner in st.kind.blocks() {
                scan(m, inner, n, binds, literal);
            }
        }
    }
    scan(m, &func.body, n, &mut binds, &mut literal);
    if binds != 1 || !literal {
        return false;
    }
    // Never changed in place: no `n.append(...)`, `n[i] = ...`, nor handed to a call.
    let within =
        |e: &crate::ast::Expr| func.span.start <= e.span.start && e.span.end <= func.span.end;
    !m.exprs.iter().filter(|e| within(e)).any(|e| match &e.kind {
        ExprKind::Attr { value, attr, .. } => {
            matches!(m.kind(*value), ExprKind::Name(x) if x == n)
                && !matches!(
                    &**attr,
                    "items" | "keys" | "values" | "copy" | "index" | "count"
                )
        }
        ExprKind::Call { args, kwargs, .. } => args
            .iter()
            .chain(kwargs.iter().map(|k| &k.value))
            .any(|a| matches!(m.kind(*a), ExprKind::Name(x) if x == n)),
        ExprKind::Subscript { value, .. } => {
            // Reading `n[0]` is fine; an assignment target is not told apart, so any
            // subscript of the name counts as a change.
            matches!(m.kind(*value), ExprKind::Name(x) if x == n)
        }
        _ => false,
    })
}

/// The parameters of the innermost function around `span` (`self` included).
pub fn params_around(m: &Module, span: Span) -> Option<Vec<Name>> {
    let f = m
        .functions
        .iter()
        .filter(|f| f.span.start <= span.start && span.end <= f.span.end)
        .min_by_key(|f| f.span.end - f.span.start)?;
    Some(f.params.iter().map(|p| p.name.clone()).collect())
}

/// The names bound by the `for` loop at `span` and by every `for` nested in its body.
pub fn for_targets(m: &Module, span: Span) -> Vec<Name> {
    fn walk(b: &Block, out: &mut Vec<Name>) {
        for st in b {
            if let StmtKind::For(f) = &st.kind {
                f.target.names(out);
            }
            for inner in st.kind.blocks() {
                walk(inner, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(LoopAt::For { target, body, .. }) = loop_at(m, span) {
        target.names(&mut out);
        walk(body, &mut out);
    }
    out
}

/// Whether `a` and `b` lie in the same innermost function.
pub fn same_function(m: &Module, a: Span, b: Span) -> bool {
    let innermost = |s: Span| {
        m.functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.span.start <= s.start && s.end <= f.span.end)
            .min_by_key(|(_, f)| f.span.end - f.span.start)
            .map(|(i, _)| i)
    };
    innermost(a).is_some_and(|x| innermost(b) == Some(x))
}

/// Whether assigning to `target` binds the name `n`.
fn binds_name(target: &Target, n: &str) -> bool {
    let mut names = Vec::new();
    target.names(&mut names);
    names.iter().any(|x| &**x == n)
}

/// The one name the loop at `span` binds to each item (`for book in books`,
/// `[... for book in books]`), when its target is a single name.
pub fn loop_target(m: &Module, span: Span) -> Option<Name> {
    let target = match loop_at(m, span)? {
        LoopAt::For { target, .. } => target,
        LoopAt::Comp(e) => match m.kind(e) {
            ExprKind::Comp { gens, .. } if gens.len() == 1 => &gens[0].target,
            _ => return None,
        },
    };
    match target {
        Target::Name(n, _) => Some(n.clone()),
        _ => None,
    }
}

/// The names the innermost function around `span` binds: its parameters (`self` included)
/// and every name its body assigns. What a query there reads of them may change from one
/// call to the next; anything else is the same on every call.
pub fn function_names(m: &Module, span: Span) -> Option<Vec<Name>> {
    let f = m
        .functions
        .iter()
        .filter(|f| f.span.start <= span.start && span.end <= f.span.end)
        .min_by_key(|f| f.span.end - f.span.start)?;
    let mut out: Vec<Name> = f.params.iter().map(|p| p.name.clone()).collect();
    assigned(&f.body, &mut out);
    Some(out)
}

/// The names whose attributes or items the body of the `for` loop at `span` assigns
/// (`self.n += 1`, `state["k"] = v`), or that it changes in place (`seen.append(x)`): a
/// query reading them may see them change.
pub fn mutated_roots(m: &Module, span: Span) -> Vec<Name> {
    fn root(m: &Module, mut e: ExprId) -> Option<Name> {
        for _ in 0..64 {
            match m.kind(e) {
                ExprKind::Name(n) => return Some(n.clone()),
                ExprKind::Attr { value, .. } | ExprKind::Subscript { value, .. } => e = *value,
                _ => return None,
            }
        }
        None
    }
    fn target(m: &Module, t: &Target, out: &mut Vec<Name>) {
        match t {
            Target::Attr(e) | Target::Subscript(e) => out.extend(root(m, *e)),
            Target::Tuple(ts) => ts.iter().for_each(|t| target(m, t, out)),
            Target::Star(t) => target(m, t, out),
            _ => {}
        }
    }
    fn walk(m: &Module, b: &Block, out: &mut Vec<Name>) {
        for st in b {
            match &st.kind {
                StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| target(m, t, out)),
                StmtKind::AugAssign { target: t, .. } => target(m, t, out),
                _ => {}
            }
            for inner in st.kind.blocks() {
                walk(m, inner, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(LoopAt::For { body, .. }) = loop_at(m, span) {
        walk(m, body, &mut out);
        // `seen.append(x)`, `ids.add(pk)`, `state.update(...)` in the loop
        for e in &m.exprs {
            if e.span.start < span.start || e.span.end > span.end {
                continue;
            }
            if let ExprKind::Call { func, .. } = &e.kind {
                if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                    if matches!(
                        &**attr,
                        "append"
                            | "extend"
                            | "add"
                            | "update"
                            | "insert"
                            | "pop"
                            | "remove"
                            | "discard"
                            | "clear"
                            | "setdefault"
                            | "appendleft"
                            | "popitem"
                    ) {
                        out.extend(root(m, *value));
                    }
                }
            }
        }
    }
    out
}

/// Where the body of the `for` loop at `loop_span` reads `name` again after `at` in the same
/// iteration (`obj = M.objects.create(...)`, then `obj.tags.add(...)` or `f(obj)`), leaving
/// out the reads that only collect it (`objs.append(obj)`, `seen.add(obj)`). `None` when
/// nothing after `at` reads it.
pub fn read_again(m: &Module, loop_span: Span, at: Span, name: &str) -> Option<Span> {
    let Some(LoopAt::For { body, .. }) = loop_at(m, loop_span) else {
        return None;
    };
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return None;
    };
    let (start, end) = (first.span.start, last.span.end);
    let within = |s: Span| s.start >= at.end && s.end <= end && s.start >= start;
    // names handed to a collecting call are not uses of the row
    let mut collected: Vec<Span> = Vec::new();
    for e in &m.exprs {
        if !within(e.span) {
            continue;
        }
        if let ExprKind::Call { func, args, .. } = &e.kind {
            if matches!(m.kind(*func), ExprKind::Attr { attr, .. } if matches!(&**attr, "append" | "add" | "extend"))
            {
                collected.extend(args.iter().map(|a| m.span(*a)));
            }
        }
    }
    m.exprs
        .iter()
        .filter(|e| within(e.span) && !collected.contains(&e.span))
        .find(|e| matches!(&e.kind, ExprKind::Name(n) if &**n == name))
        .map(|e| e.span)
}
