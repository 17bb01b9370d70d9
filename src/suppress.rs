//! `# noqa` comments: bare (everything on the line) or with codes (`# noqa: DJP101, DJP102`).

/// Whether a finding with `code` on a line with this text is suppressed.
pub fn is_suppressed(line: &str, code: &str) -> bool {
    let Some(hash) = find_comment(line) else {
        return false;
    };
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
        let rest = &comment[at + 4..];
        let rest = rest.trim_start();
        let Some(codes) = rest.strip_prefix(':') else {
            return true; // bare noqa
        };
        let codes: Vec<&str> = codes
            .split([',', ' ', '\t'])
            .map(str::trim)
            .take_while(|c| c.is_empty() || c.chars().all(|ch| ch.is_ascii_alphanumeric()))
            .filter(|c| !c.is_empty())
            .collect();
        if codes.is_empty() {
            return true;
        }
        return codes.iter().any(|c| c.eq_ignore_ascii_case(code));
    }
    false
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

#[cfg(test)]
mod tests {
    use super::is_suppressed;

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
    }
}
