//! Rewrites of one expression for the efficiency rules: `len(qs)` → `qs.count()` (DJP401),
//! a truth test → `qs.exists()` (DJP402), `qs.count() > 0` → `qs.exists()` (DJP403),
//! `obj.author.id` → `obj.author_id` (DJP404). Each returns `None` when the expression at the
//! span is not the expected shape or the file has syntax errors.

use super::queryset::{find_expr, method_name};
use crate::ast::{ExprId, ExprKind, Module};
use crate::diagnostic::Edit;
use crate::flow::usage::{existence_test, is_int};
use crate::project::File;
use crate::source::Span;

fn module(file: &File) -> Option<(&Module, &str)> {
    let m = &file.ast;
    if m.has_errors || m.truncated {
        return None;
    }
    Some((m, file.text.as_deref()?))
}

/// The source of `e`, parenthesized unless it binds tighter than attribute access.
fn receiver(m: &Module, text: &str, e: ExprId) -> Option<String> {
    let src = text.get(m.span(e).range())?;
    Some(match m.kind(e) {
        ExprKind::Name(_)
        | ExprKind::Attr { .. }
        | ExprKind::Call { .. }
        | ExprKind::Subscript { .. } => src.to_owned(),
        _ => format!("({src})"),
    })
}

/// `len(x)` / `bool(x)`: the argument.
fn builtin_arg(m: &Module, e: ExprId, names: &[&str]) -> Option<ExprId> {
    let ExprKind::Call { func, args, kwargs } = m.kind(e) else {
        return None;
    };
    let ExprKind::Name(n) = m.kind(*func) else {
        return None;
    };
    if !names.contains(&&**n) || args.len() != 1 || !kwargs.is_empty() {
        return None;
    }
    Some(args[0])
}

fn edit(file: &File, span: Span, content: String) -> Edit {
    Edit {
        file: file.id,
        span,
        content,
    }
}

/// DJP401: `len(qs)` at `span` becomes `qs.count()`.
pub fn len_to_count(file: &File, span: Span) -> Option<Edit> {
    let (m, text) = module(file)?;
    let e = find_expr(m, span)?;
    let arg = builtin_arg(m, e, &["len"])?;
    Some(edit(
        file,
        span,
        format!("{}.count()", receiver(m, text, arg)?),
    ))
}

/// The comparison with 0 or 1 whose operand has this span, and whether it asks "none?".
fn existence_compare(m: &Module, operand: Span) -> Option<(ExprId, bool)> {
    m.exprs.iter().enumerate().find_map(|(i, x)| {
        let ExprKind::Compare {
            left,
            ops,
            comparators,
        } = &x.kind
        else {
            return None;
        };
        let ([op], [right]) = (&ops[..], &comparators[..]) else {
            return None;
        };
        let (subject, k, flipped) = if is_int(m, *right, 0) {
            (*left, 0, false)
        } else if is_int(m, *right, 1) {
            (*left, 1, false)
        } else if is_int(m, *left, 0) {
            (*right, 0, true)
        } else if is_int(m, *left, 1) {
            (*right, 1, true)
        } else {
            return None;
        };
        if m.span(subject) != operand {
            return None;
        }
        let negated = existence_test(op, k, flipped)?;
        Some((ExprId::try_from(i).ok()?, negated))
    })
}

/// `[not ]x.exists()`.
fn exists_text(m: &Module, text: &str, x: ExprId, negated: bool) -> Option<String> {
    let not = if negated { "not " } else { "" };
    Some(format!("{not}{}.exists()", receiver(m, text, x)?))
}

/// DJP402: the truth test at `span` (`qs` in `if qs:`/`not qs`, `bool(qs)`, `len(qs)` in
/// `if len(qs):` or `len(qs) > 0`) becomes `qs.exists()` (a comparison with 0 or 1 is
/// replaced whole, `len(qs) == 0` by `not qs.exists()`).
pub fn truth_to_exists(file: &File, span: Span) -> Option<Edit> {
    let (m, text) = module(file)?;
    let e = find_expr(m, span).or_else(|| {
        m.exprs
            .iter()
            .position(|x| x.span == span && matches!(x.kind, ExprKind::Name(_)))
            .and_then(|i| ExprId::try_from(i).ok())
    })?;
    if let Some(arg) = builtin_arg(m, e, &["len"]) {
        if let Some((cmp, negated)) = existence_compare(m, span) {
            return Some(edit(file, m.span(cmp), exists_text(m, text, arg, negated)?));
        }
        return Some(edit(file, span, exists_text(m, text, arg, false)?));
    }
    if let Some(arg) = builtin_arg(m, e, &["bool"]) {
        return Some(edit(file, span, exists_text(m, text, arg, false)?));
    }
    match m.kind(e) {
        ExprKind::Name(_) | ExprKind::Call { .. } | ExprKind::Attr { .. } => {
            Some(edit(file, span, exists_text(m, text, e, false)?))
        }
        _ => None,
    }
}

/// DJP403: `qs.count() > 0` (the comparison at `span`) becomes `qs.exists()`, `== 0`
/// `not qs.exists()`; `qs.count()` alone in a truth test (`if qs.count():`,
/// `not qs.count()`) becomes `qs.exists()`.
pub fn count_to_exists(file: &File, span: Span) -> Option<Edit> {
    let (m, text) = module(file)?;
    let e = find_expr(m, span).or_else(|| {
        m.exprs
            .iter()
            .position(|x| x.span == span && matches!(x.kind, ExprKind::Compare { .. }))
            .and_then(|i| ExprId::try_from(i).ok())
    })?;
    let count_recv = |c: ExprId| -> Option<(ExprId, Span)> {
        let ExprKind::Call { func, args, kwargs } = m.kind(c) else {
            return None;
        };
        if method_name(m, *func) != Some("count") || !args.is_empty() || !kwargs.is_empty() {
            return None;
        }
        let ExprKind::Attr {
            value, attr_span, ..
        } = m.kind(*func)
        else {
            return None;
        };
        Some((*value, *attr_span))
    };
    if let ExprKind::Compare {
        left, comparators, ..
    } = m.kind(e)
    {
        let (subject, negated) = [*left]
            .into_iter()
            .chain(comparators.iter().copied())
            .find_map(|s| existence_compare(m, m.span(s)).map(|(_, n)| (s, n)))?;
        let (recv, _) = count_recv(subject)?;
        return Some(edit(file, span, exists_text(m, text, recv, negated)?));
    }
    let (_, attr_span) = count_recv(e)?;
    Some(edit(file, attr_span, "exists".to_owned()))
}

/// DJP404: `obj.author.id` / `obj.author.pk` at `span` becomes `obj.author_id`.
pub fn relation_key(file: &File, span: Span) -> Option<Edit> {
    let (m, text) = module(file)?;
    let e = m
        .exprs
        .iter()
        .position(|x| x.span == span && matches!(x.kind, ExprKind::Attr { .. }))
        .and_then(|i| ExprId::try_from(i).ok())?;
    let ExprKind::Attr { value, attr, .. } = m.kind(e) else {
        return None;
    };
    if !matches!(&**attr, "id" | "pk") {
        return None;
    }
    let ExprKind::Attr {
        value: base,
        attr: rel,
        ..
    } = m.kind(*value)
    else {
        return None;
    };
    Some(edit(
        file,
        span,
        format!("{}.{rel}_id", receiver(m, text, *base)?),
    ))
}

/// Whether the queryset measured at `span` (`len(x)`, `bool(x)` or `x` itself) is a local
/// name, whose rows later code might still read, rather than a queryset built inline.
pub fn measures_name(file: &File, span: Span) -> bool {
    let m = &file.ast;
    let Some(e) = m
        .exprs
        .iter()
        .position(|x| x.span == span && matches!(x.kind, ExprKind::Name(_) | ExprKind::Call { .. }))
        .and_then(|i| ExprId::try_from(i).ok())
    else {
        return true;
    };
    let x = builtin_arg(m, e, &["len", "bool"]).unwrap_or(e);
    !matches!(m.kind(x), ExprKind::Call { .. })
}
