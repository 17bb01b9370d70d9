//! Edits that take a loaded path out of a queryset: one argument of `select_related(...)` /
//! `prefetch_related(...)`, the whole call when it is its only argument, or a lookup
//! shortened to the part that is read. The code's layout is kept: the argument goes with its
//! separator (one argument per line stays one per line, a trailing comma stays), the call
//! goes with the line break before it, and a chain that started on a manager keeps
//! iterating rows (`Book.objects.select_related("a")` becomes `Book.objects.all()`).

use crate::ast::{ExprId, ExprKind};
use crate::diagnostic::Edit;
use crate::project::File;
use crate::source::Span;

/// Remove argument `index` of the loading call `call`; the whole `.method(...)` when it is
/// the only one. `None` when a comment or a `*args` sits where the edit would go.
pub fn remove_arg(file: &File, call: ExprId, index: usize) -> Option<Edit> {
    let m = &file.ast;
    let text = file.text.as_deref()?;
    let ExprKind::Call { func, args, kwargs } = m.kind(call) else {
        return None;
    };
    let ExprKind::Attr { value: recv, .. } = m.kind(*func) else {
        return None;
    };
    if !kwargs.is_empty()
        || index >= args.len()
        || args
            .iter()
            .any(|a| matches!(m.kind(*a), ExprKind::Starred(_)))
    {
        return None;
    }
    let arg = m.span(args[index]);
    let (span, content) = if args.len() == 1 {
        let start = m.span(*recv).end;
        let end = m.span(call).end;
        // a manager is not iterable: keep a queryset where the chain would end on one
        let chained = m
            .exprs
            .iter()
            .any(|x| matches!(&x.kind, ExprKind::Attr { value, .. } if *value == call));
        let content = if chained
            || matches!(
                m.kind(*recv),
                ExprKind::Call { .. } | ExprKind::Subscript { .. }
            ) {
            String::new()
        } else {
            ".all()".to_owned()
        };
        (Span::new(start as usize, end as usize), content)
    } else if index + 1 < args.len() {
        let next = m.span(args[index + 1]);
        (
            Span::new(arg.start as usize, next.start as usize),
            String::new(),
        )
    } else if let Some(comma) = trailing_comma(text, arg.end as usize) {
        // the last argument with a trailing comma (one per line): it goes with its comma,
        // a comment after it stays
        (Span::new(arg.start as usize, comma + 1), String::new())
    } else {
        let prev = m.span(args[index - 1]);
        (
            Span::new(prev.end as usize, arg.end as usize),
            String::new(),
        )
    };
    // the text removed around the argument (not inside it) must hold no comment
    let has_comment = |a: u32, b: u32| {
        text.get(a as usize..b as usize)
            .is_none_or(|s| s.contains('#'))
    };
    let before = (span.start, arg.start.clamp(span.start, span.end));
    let after = (arg.end.clamp(span.start, span.end), span.end);
    if has_comment(before.0, before.1) || has_comment(after.0, after.1) {
        return None;
    }
    Some(Edit {
        file: file.id,
        span,
        content,
    })
}

/// The offset of the comma right after `at` (spaces and tabs between), if any.
fn trailing_comma(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let skip = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[skip..].starts_with(',').then_some(at + skip)
}

/// Replace the string literal `arg` by `lookup`, in the literal's quotes.
pub fn replace_lookup(file: &File, arg: ExprId, lookup: &str) -> Option<Edit> {
    let m = &file.ast;
    let text = file.text.as_deref()?;
    let q = super::queryset::quote_of(m, text, arg)?;
    Some(Edit {
        file: file.id,
        span: m.span(arg),
        content: format!("{q}{lookup}{q}"),
    })
}
