//! Syntax errors, located: what DJP002 `syntax-error` reports.
//!
//! tree-sitter recovers from errors by wrapping what it could not place in `ERROR` nodes and
//! inserting zero-width `MISSING` tokens. Each outermost such node is one error here, with a
//! message in CPython's words where the shape is clear (a bracket never closed, a string
//! never terminated, a missing token) and "invalid syntax" otherwise. Only subtrees that hold
//! an error are walked, iteratively: a clean file costs one `has_error()` call.

use crate::source::Span;
use serde::{Deserialize, Serialize};
use tree_sitter::Node;

/// At most this many errors are kept per file: after a few, the rest are usually echoes.
pub const MAX_ERRORS: usize = 20;

/// One syntax error: where and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

/// Append the syntax errors below `root` (in source order) to `out`, up to [`MAX_ERRORS`].
pub fn collect(root: Node<'_>, src: &[u8], out: &mut Vec<SyntaxError>) {
    if !root.has_error() {
        return;
    }
    let mut cursor = root.walk();
    loop {
        if out.len() >= MAX_ERRORS {
            return;
        }
        let node = cursor.node();
        let descend = if node.is_error() {
            out.push(describe_error(node, src));
            false
        } else if node.is_missing() {
            out.push(SyntaxError {
                span: Span::new(node.start_byte(), node.start_byte()),
                message: format!("expected {}", token_name(node.kind())),
            });
            false
        } else {
            node.has_error()
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// `` `)` `` for punctuation and keywords, "an identifier" for named kinds.
fn token_name(kind: &str) -> String {
    match kind {
        "identifier" => "an identifier".to_owned(),
        "block" => "an indented block".to_owned(),
        k if k.chars().all(|c| c.is_ascii_lowercase() || c == '_') && k.contains('_') => {
            format!("a {}", k.replace('_', " "))
        }
        k => format!("`{k}`"),
    }
}

/// The message and span of an `ERROR` node: an opening bracket without its closing one, an
/// unterminated string, or the first line of what could not be parsed.
fn describe_error(node: Node<'_>, src: &[u8]) -> SyntaxError {
    // Scan the tokens directly inside the error (and inside its strings) in order.
    let mut open: Vec<Node<'_>> = Vec::new();
    let mut unterminated: Option<Node<'_>> = None;
    let mut cursor = node.walk();
    let mut depth = 0usize;
    if cursor.goto_first_child() {
        loop {
            let n = cursor.node();
            match n.kind() {
                "(" | "[" | "{" => open.push(n),
                ")" | "]" | "}" => {
                    open.pop();
                }
                "string_start" => unterminated = unterminated.or(Some(n)),
                "string_end" => unterminated = None,
                _ => {}
            }
            // Go into strings and nested errors (where tree-sitter leaves loose tokens), not
            // into complete expressions.
            let into = matches!(n.kind(), "string" | "ERROR") && depth < 64;
            if into && cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            let mut done = false;
            while !cursor.goto_next_sibling() {
                if depth == 0 || !cursor.goto_parent() {
                    done = true;
                    break;
                }
                depth -= 1;
            }
            if done {
                break;
            }
        }
    }
    if let Some(s) = unterminated {
        let what = if text(s, src).contains(['f', 'F']) {
            "f-string"
        } else {
            "string"
        };
        return SyntaxError {
            span: Span::new(s.start_byte(), s.end_byte()),
            message: format!("unterminated {what} literal"),
        };
    }
    if let Some(b) = open.first() {
        return SyntaxError {
            span: Span::new(b.start_byte(), b.end_byte()),
            message: format!("`{}` was never closed", text(*b, src)),
        };
    }
    // The first line of the error, without trailing blanks.
    let start = node.start_byte();
    let rest = &src[start..node.end_byte().max(start)];
    let line_len = rest
        .iter()
        .position(|b| *b == b'\n' || *b == b'\r')
        .unwrap_or(rest.len());
    let line = &rest[..line_len];
    let trimmed = line.len()
        - line
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    SyntaxError {
        span: Span::new(start, start + trimmed),
        message: "invalid syntax".to_owned(),
    }
}

fn text<'s>(n: Node<'_>, src: &'s [u8]) -> &'s str {
    std::str::from_utf8(&src[n.byte_range()]).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> Vec<(String, String)> {
        let m = crate::parse::parse(src).unwrap();
        m.syntax_errors
            .iter()
            .map(|e| (src[e.span.range()].to_owned(), e.message.clone()))
            .collect()
    }

    #[test]
    fn messages_and_spans() {
        assert_eq!(
            errors("def broken(:\n    pass\n"),
            [(String::new(), "expected `)`".to_owned())]
        );
        assert_eq!(
            errors("x = f\"abc {y\n\ndef ok():\n    pass\n"),
            [("f\"".to_owned(), "unterminated f-string literal".to_owned())]
        );
        assert_eq!(
            errors("def a():\n    x = (1,\n    return 2\n"),
            [("(".to_owned(), "`(` was never closed".to_owned())]
        );
        let e = errors("x = = 1\n");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(errors("x = 1\n").is_empty());
    }

    #[test]
    fn many_errors_are_capped() {
        let src = "x = = 1\n".repeat(100);
        assert_eq!(errors(&src).len(), MAX_ERRORS);
    }
}
