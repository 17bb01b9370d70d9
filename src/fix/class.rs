//! Edits on a class body: extend a literal list/tuple attribute
//! (`list_select_related = ("author",)`), add a new attribute after another one, or add a
//! method at the end of the body. They keep the code's layout: the quote style, one item per
//! line with trailing commas, the body's indentation and line endings.

use crate::ast::{ClassId, ExprId, ExprKind, Module, SeqKind, StmtKind, Target};
use crate::diagnostic::Edit;
use crate::project::File;
use crate::source::Span;

/// The text of a file that can take edits (it parsed without errors).
fn editable(file: &File) -> Option<&str> {
    let m = &file.ast;
    if m.has_errors || m.truncated {
        return None;
    }
    file.text.as_deref()
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// A tuple literal of quoted strings: `("a",)`, `("a", "b")`.
pub fn tuple_literal(items: &[String], q: char) -> String {
    let lits: Vec<String> = items.iter().map(|l| format!("{q}{l}{q}")).collect();
    if lits.len() == 1 {
        format!("({},)", lits[0])
    } else {
        format!("({})", lits.join(", "))
    }
}

/// The quote style to write new strings in: the first plain string of `e`, else the file's.
pub fn quote_for(file: &File, e: Option<ExprId>) -> char {
    let m = &file.ast;
    let text = file.text.as_deref().unwrap_or("");
    if let Some(e) = e {
        if let ExprKind::Seq { elts, .. } = m.kind(e) {
            if let Some(q) = elts
                .iter()
                .find_map(|x| super::queryset::quote_of(m, text, *x))
            {
                return q;
            }
        }
    }
    super::queryset::quote_style(file)
}

/// Add `items` to the literal list or tuple `seq` (bracketed, only plain strings), after its
/// last element. A one-element tuple `("a",)` becomes `("a", "b")`; a list or tuple written
/// one element per line gets one new line per item, keeping a trailing comma. An empty
/// literal is replaced whole.
pub fn extend_seq(file: &File, seq: ExprId, items: &[String]) -> Option<Edit> {
    let text = editable(file)?;
    let m = &file.ast;
    let ExprKind::Seq { kind, elts } = m.kind(seq) else {
        return None;
    };
    if *kind == SeqKind::Set || items.is_empty() {
        return None;
    }
    let span = m.span(seq);
    let src = text.get(span.range())?;
    let (open, close) = match kind {
        SeqKind::List => ('[', ']'),
        _ => ('(', ')'),
    };
    if !src.starts_with(open) || !src.ends_with(close) {
        return None;
    }
    if elts.iter().any(|x| m.str_value(*x).is_none()) {
        return None;
    }
    let q = quote_for(file, Some(seq));
    let lits: Vec<String> = items.iter().map(|l| format!("{q}{l}{q}")).collect();
    let Some(&last) = elts.last() else {
        let content = match kind {
            SeqKind::List => format!("[{}]", lits.join(", ")),
            _ => tuple_literal(items, q),
        };
        return Some(Edit {
            file: file.id,
            span,
            content,
        });
    };
    let nl = newline(text);
    let last_end = m.span(last).end as usize;
    let close_at = span.end as usize - 1;
    let between = text.get(last_end..close_at)?;
    let open_gap = text.get(span.start as usize + 1..m.span(elts[0]).start as usize)?;
    let last_start = m.span(last).start as usize;
    let line_start = text[..last_start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..last_start];
    let one_per_line = open_gap.contains('\n') && indent.chars().all(|c| c == ' ' || c == '\t');
    let comma = between.find(',');
    let (start, end, content) = match (one_per_line, comma) {
        (true, Some(c)) => (
            last_end + c + 1,
            last_end + c + 1,
            lits.iter().map(|l| format!("{nl}{indent}{l},")).collect(),
        ),
        (true, None) => (
            last_end,
            last_end,
            lits.iter().map(|l| format!(",{nl}{indent}{l}")).collect(),
        ),
        // `("a",)`: the comma only made it a tuple.
        (false, Some(c)) if *kind == SeqKind::Tuple && elts.len() == 1 => {
            (last_end, last_end + c + 1, format!(", {}", lits.join(", ")))
        }
        (false, _) => (last_end, last_end, format!(", {}", lits.join(", "))),
    };
    Some(Edit {
        file: file.id,
        span: Span::new(start, end),
        content,
    })
}

/// Replace the value expression `e` (`True`, `False`) by `content`.
pub fn replace_expr(file: &File, e: ExprId, content: String) -> Option<Edit> {
    editable(file)?;
    Some(Edit {
        file: file.id,
        span: file.ast.span(e),
        content,
    })
}

/// The indentation of the class body's statements, and the class's own.
fn body_indent<'t>(m: &Module, text: &'t str, class: ClassId) -> Option<(&'t str, &'t str)> {
    let c = m.classes.get(class as usize)?;
    let first = c.body.first()?;
    let at = first.span.start as usize;
    let ls = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[ls..at];
    let cs = c.name_span.start as usize;
    let cls = text[..cs].rfind('\n').map_or(0, |i| i + 1);
    let class_indent = text[cls..cs]
        .strip_suffix("class ")
        .filter(|s| s.chars().all(|c| c == ' ' || c == '\t'))?;
    if indent.is_empty()
        || !indent.chars().all(|c| c == ' ' || c == '\t')
        || !indent.starts_with(class_indent)
        || indent.len() <= class_indent.len()
    {
        return None;
    }
    Some((indent, class_indent))
}

/// The end of the line holding `offset` (before its line break).
fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > 0 && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// The statement of the class body assigning `name`, if any.
fn attr_stmt(m: &Module, class: ClassId, name: &str) -> Option<Span> {
    let c = m.classes.get(class as usize)?;
    c.body.iter().rev().find_map(|st| match &st.kind {
        StmtKind::Assign { targets, .. }
            if targets
                .iter()
                .any(|t| matches!(t, Target::Name(n, _) if &**n == name)) =>
        {
            Some(st.span)
        }
        _ => None,
    })
}

/// Add the line `line` (`list_select_related = (...)`) to the class body: after the line
/// assigning `after` when the class itself assigns it, else before the first statement that
/// is not the docstring.
pub fn add_attr(file: &File, class: ClassId, after: &str, line: &str) -> Option<Edit> {
    let text = editable(file)?;
    let m = &file.ast;
    let (indent, _) = body_indent(m, text, class)?;
    let nl = newline(text);
    if let Some(st) = attr_stmt(m, class, after) {
        let pos = line_end(text, st.end as usize);
        return Some(Edit {
            file: file.id,
            span: Span::new(pos, pos),
            content: format!("{nl}{indent}{line}"),
        });
    }
    let c = m.classes.get(class as usize)?;
    let is_doc = |st: &crate::ast::Stmt| matches!(&st.kind, StmtKind::Expr(e) if matches!(m.kind(*e), ExprKind::Str(_)));
    let target = c.body.iter().find(|st| !is_doc(st));
    match target {
        Some(st) => {
            let at = st.span.start as usize;
            let ls = text[..at].rfind('\n').map_or(0, |i| i + 1);
            if text[ls..at] != *indent {
                return None;
            }
            Some(Edit {
                file: file.id,
                span: Span::new(ls, ls),
                content: format!("{indent}{line}{nl}"),
            })
        }
        None => {
            // Only a docstring: after it.
            let pos = line_end(text, c.body.last()?.span.end as usize);
            Some(Edit {
                file: file.id,
                span: Span::new(pos, pos),
                content: format!("{nl}{indent}{line}"),
            })
        }
    }
}

/// Add a method at the end of the class body, after a blank line. `lines` are the method's
/// lines indented relative to the body (`def ...:` first, then `    return ...`).
pub fn add_method(file: &File, class: ClassId, lines: &[String]) -> Option<Edit> {
    let text = editable(file)?;
    let m = &file.ast;
    let (indent, class_indent) = body_indent(m, text, class)?;
    let step = &indent[class_indent.len()..];
    let nl = newline(text);
    let c = m.classes.get(class as usize)?;
    let pos = line_end(text, c.body.last()?.span.end as usize);
    let mut content = String::from(nl);
    for (i, l) in lines.iter().enumerate() {
        content.push_str(nl);
        content.push_str(indent);
        if i > 0 {
            content.push_str(step);
        }
        content.push_str(l);
    }
    Some(Edit {
        file: file.id,
        span: Span::new(pos, pos),
        content,
    })
}
