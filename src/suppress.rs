//! `# noqa` comments: bare (everything on the line) or with codes (`# noqa: DJP101, DJP102`).
//!
//! [`is_suppressed`] reads one line. [`comments`] scans a whole file with a light tokenizer
//! (strings, triple-quoted strings, backslash continuations), so a `# noqa` inside a
//! docstring is not taken for a comment and a line that ends inside a string is known not to
//! take one: DJP003 `unused-noqa` and `--add-noqa` rely on it.

use std::ops::Range;

/// Whether a finding with `code` on a line with this text is suppressed.
pub fn is_suppressed(line: &str, code: &str) -> bool {
    let Some(hash) = find_comment(line) else {
        return false;
    };
    directive(line, hash).is_some_and(|d| d.bare || d.has(code))
}

/// A `# noqa` directive on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Byte range in the line from the `#` that starts it to the end of its code list.
    pub range: Range<usize>,
    /// The codes, with their ranges in the line.
    pub codes: Vec<(String, Range<usize>)>,
    /// `# noqa` or `# noqa:` with nothing after it: everything on the line is suppressed.
    pub bare: bool,
}

/// A rule code: letters then digits (`DJP101`, `E501`), as Ruff reads them. The list ends
/// at the first word that is not one (`# noqa: DJP101 kept for the export`).
fn is_code(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.len() < word.len() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

impl Directive {
    pub fn has(&self, code: &str) -> bool {
        self.codes.iter().any(|(c, _)| c.eq_ignore_ascii_case(code))
    }
}

/// The `# noqa` directive of `line`, whose comment starts at byte `hash`.
pub fn directive(line: &str, hash: usize) -> Option<Directive> {
    let comment = &line[hash..];
    let lower = comment.to_ascii_lowercase();
    let mut search = 0;
    while let Some(pos) = lower[search..].find("noqa") {
        let at = search + pos;
        let before = lower[..at].trim_end_matches([' ', '#']);
        // `noqa` must start a comment (`# noqa`), possibly after another comment's text
        if !lower[..at].trim_end().ends_with('#')
            && !before.is_empty()
            && !lower[..at].ends_with("# ")
        {
            search = at + 4;
            continue;
        }
        let start = hash + lower[..at].trim_end().len().saturating_sub(1);
        let start = if line.as_bytes().get(start) == Some(&b'#') {
            start
        } else {
            hash + at
        };
        let after = hash + at + 4;
        let rest = &line[after..];
        let trimmed = rest.trim_start();
        let Some(list) = trimmed.strip_prefix(':') else {
            return Some(Directive {
                range: start..after,
                codes: Vec::new(),
                bare: true,
            });
        };
        let mut pos = after + (rest.len() - trimmed.len()) + 1;
        let mut codes = Vec::new();
        let mut end = pos;
        for piece in list.split_inclusive([',', ' ', '\t']) {
            let word = piece.trim_end_matches([',', ' ', '\t']);
            if !word.is_empty() {
                if !is_code(word) {
                    break;
                }
                codes.push((word.to_owned(), pos..pos + word.len()));
                end = pos + word.len();
            }
            pos += piece.len();
        }
        // `# noqa:` with nothing after it counts as bare (as before); `# noqa: reason`
        // suppresses nothing.
        let bare = codes.is_empty() && list.trim().is_empty();
        if codes.is_empty() && !bare {
            // not a directive after all; a later `# noqa: ...` on the line may be
            search = at + 4;
            continue;
        }
        if codes.is_empty() {
            end = after;
        }
        return Some(Directive {
            range: start..end,
            codes,
            bare,
        });
    }
    None
}

/// The byte offset of the `#` that starts a comment, skipping `#` inside string literals.
pub fn find_comment(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, ch) in line.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == q {
                quote = None;
            }
        } else if ch == '"' || ch == '\'' {
            quote = Some(ch);
        } else if ch == '#' {
            return Some(i);
        }
    }
    None
}

/// What a line of a file holds for comments, by the light tokenizer of [`comments`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineComment {
    /// Byte offset (in the file) of the `#` of the line's comment.
    pub hash: Option<usize>,
    /// The line ends inside a triple-quoted string or with a backslash continuation: a
    /// comment cannot be added at its end.
    pub continues: bool,
}

/// One entry per line (as [`crate::source::LineIndex`] counts lines: LF, CRLF, lone CR).
pub fn comments(text: &str) -> Vec<LineComment> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut cur = LineComment::default();
    // (quote, triple) while inside a string
    let mut quote: Option<(u8, bool)> = None;
    let mut i = 0;
    let end_line = |cur: &mut LineComment, continues: bool, out: &mut Vec<LineComment>| {
        cur.continues = continues;
        out.push(*cur);
        *cur = LineComment::default();
    };
    while i < b.len() {
        let c = b[i];
        let newline = c == b'\n' || c == b'\r';
        let width = if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        if let Some((q, triple)) = quote {
            if newline {
                if triple {
                    end_line(&mut cur, true, &mut out);
                } else {
                    // the tokenizer ends an unterminated one-line string here
                    quote = None;
                    end_line(&mut cur, false, &mut out);
                }
                i += width;
                continue;
            }
            match c {
                b'\\' => {
                    // an escaped line end continues the string
                    if let Some(&n) = b.get(i + 1) {
                        if n == b'\n' || n == b'\r' {
                            let w = if n == b'\r' && b.get(i + 2) == Some(&b'\n') {
                                2
                            } else {
                                1
                            };
                            end_line(&mut cur, true, &mut out);
                            i += 1 + w;
                            continue;
                        }
                    }
                    i += 2;
                    continue;
                }
                _ if c == q && !triple => quote = None,
                _ if c == q && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) => {
                    quote = None;
                    i += 3;
                    continue;
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        match c {
            b'\n' | b'\r' => {
                end_line(&mut cur, false, &mut out);
                i += width;
            }
            b'#' => {
                cur.hash = Some(i);
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'\'' | b'"' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                quote = Some((c, triple));
                i += if triple { 3 } else { 1 };
            }
            b'\\' if matches!(b.get(i + 1), Some(b'\n' | b'\r')) => {
                let w = if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                end_line(&mut cur, true, &mut out);
                i += 1 + w;
            }
            _ => i += 1,
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noqa_forms() {
        assert!(is_suppressed("x = b.author  # noqa", "DJP101"));
        assert!(is_suppressed("x = b.author  # noqa: DJP101", "DJP101"));
        assert!(is_suppressed(
            "x = b.author  # NOQA:DJP102,DJP101",
            "DJP101"
        ));
        assert!(!is_suppressed("x = b.author  # noqa: DJP102", "DJP101"));
        assert!(!is_suppressed("x = '# noqa'", "DJP101"));
        assert!(is_suppressed(
            "x = 1  # type: ignore  # noqa: DJP101",
            "DJP101"
        ));
        assert!(!is_suppressed("x = b.author", "DJP101"));
        assert!(is_suppressed("x = b.author  # noqa:", "DJP101"));
        assert!(!is_suppressed("x = b.author  # noqa: see below", "DJP101"));
        assert!(is_suppressed(
            "x = b.author  # noqa: see below  # noqa: DJP101",
            "DJP101"
        ));
        assert!(is_suppressed(
            "x = b.author  # noqa: DJP101 kept for the export",
            "DJP101"
        ));
    }

    #[test]
    fn directive_ranges() {
        let line = "x = 1  # type: ignore  # noqa: E501, DJP101 because";
        let d = directive(line, line.find('#').unwrap()).unwrap();
        assert_eq!(&line[d.range.clone()], "# noqa: E501, DJP101");
        let line = "x = 1  # noqa: E501, DJP101";
        let d = directive(line, line.find('#').unwrap()).unwrap();
        assert_eq!(&line[d.range.clone()], "# noqa: E501, DJP101");
        let codes: Vec<&str> = d.codes.iter().map(|(_, r)| &line[r.clone()]).collect();
        assert_eq!(codes, ["E501", "DJP101"]);
        let line = "x = 1  #noqa";
        let d = directive(line, line.find('#').unwrap()).unwrap();
        assert_eq!(&line[d.range], "#noqa");
        assert!(d.codes.is_empty() && d.bare);
        let line = "x = 1  # noqa: DJP105 kept for the export";
        let d = directive(line, line.find('#').unwrap()).unwrap();
        assert_eq!(&line[d.range.clone()], "# noqa: DJP105");
        assert_eq!(d.codes.len(), 1);
    }

    #[test]
    fn comments_skip_strings_and_know_continuations() {
        let text =
            "a = 1  # x\ns = \"\"\"\n# noqa: DJP101\n\"\"\"  # y\nt = 'a#b' \\\n  + 'c'\r\nu = 2";
        let c = comments(text);
        assert_eq!(c.len(), 7);
        assert_eq!(c[0].hash, Some(7));
        assert_eq!(
            (c[1].hash, c[1].continues, c[2].hash, c[2].continues),
            (None, true, None, true)
        );
        assert_eq!(c[3].hash, Some(text.find("# y").unwrap()));
        assert_eq!((c[4].hash, c[4].continues), (None, true));
        assert_eq!((c[5].hash, c[5].continues), (None, false));
        assert_eq!(c[6], LineComment::default());
    }
}
