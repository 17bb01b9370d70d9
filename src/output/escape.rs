//! Text that reaches a terminal from data: file names, messages, source lines.
//!
//! A file name may hold a newline, a tab or an ANSI escape (`ansi_\x1b[31mred.py` is a legal
//! Unix name); printed raw, it would forge output lines or rewrite the reviewer's terminal. The
//! human formats (`full`, `concise`, warnings on stderr) print such characters escaped, as
//! `\n`, `\t`, `\x1b` or `\u{202e}`; JSON and SARIF keep names exact through their own
//! escaping.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is: C0 and C1 controls, DEL, the Unicode line
/// and paragraph separators, and the bidirectional controls that reorder what is shown
/// ("Trojan Source").
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// How an unsafe character is written: `\n`, `\r`, `\t`, `\x1b` (ASCII), `\u{85}` (others).
pub fn escaped(c: char, out: &mut String) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_ascii() => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` with every unsafe character escaped (borrowed when there is none).
pub fn human(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            escaped(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn escapes_controls_only() {
        assert_eq!(human("shop/views.py"), "shop/views.py");
        assert_eq!(human("caf\u{e9} \u{1F600}.py"), "caf\u{e9} \u{1F600}.py");
        assert_eq!(human("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(human("ansi_\x1b[31mred.py"), "ansi_\\x1b[31mred.py");
        assert_eq!(human("x\u{7f}\u{85}\u{202e}y"), "x\\x7f\\u{85}\\u{202e}y");
        assert_eq!(human("back\\slash.py"), "back\\slash.py");
    }
}
