//! Stable fingerprints of findings, for SARIF `partialFingerprints`, GitLab and the baseline.
//!
//! A fingerprint never contains a line number: a blank line added above a finding must not
//! change it. It hashes the rule code, the path relative to the project root, the enclosing
//! `def`/`class` (dotted), the flagged expression text with whitespace removed, and the
//! occurrence index of that tuple in the file (two identical findings in one function differ).

use crate::check::CheckResult;
use crate::diagnostic::Diagnostic;
use crate::project::File;
use rustc_hash::FxHashMap as HashMap;

/// FNV-1a, 64 bits: stable across platforms, Rust versions and runs (unlike `DefaultHasher`).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The dotted name of the innermost `def`/`class` holding `offset` (`""` at module level).
pub fn enclosing_scope(file: &File, offset: u32) -> String {
    let m = &file.ast;
    let func = m
        .functions
        .iter()
        .enumerate()
        .filter(|(_, f)| f.span.start <= offset && offset < f.span.end)
        .min_by_key(|(_, f)| f.span.end - f.span.start);
    let class = m
        .classes
        .iter()
        .enumerate()
        .filter(|(_, c)| c.span.start <= offset && offset < c.span.end)
        .min_by_key(|(_, c)| c.span.end - c.span.start);
    let class_name = |mut id: usize| {
        let mut parts = vec![m.classes[id].name.to_string()];
        while let Some(o) = m.classes[id].outer {
            id = o as usize;
            parts.push(m.classes[id].name.to_string());
        }
        parts.reverse();
        parts.join(".")
    };
    match (func, class) {
        (Some((_, f)), Some((ci, c))) if c.span.end - c.span.start < f.span.end - f.span.start => {
            // a class inside a function
            format!("{}.<locals>.{}", f.name, class_name(ci))
        }
        (Some((fi, _)), _) => {
            let mut parts = Vec::new();
            let mut id = fi;
            loop {
                let f = &m.functions[id];
                parts.push(f.name.to_string());
                if let Some(c) = f.class {
                    parts.push(class_name(c as usize));
                }
                match f.parent {
                    Some(p) if f.class.is_none() => id = p as usize,
                    _ => break,
                }
            }
            parts.reverse();
            parts.join(".")
        }
        (None, Some((ci, _))) => class_name(ci),
        (None, None) => String::new(),
    }
}

/// Fingerprints of every diagnostic of a run, in the same order (16 hex digits each).
/// Computed once by [`crate::check::run`] into `CheckResult::fingerprints`.
pub fn fingerprints(res: &CheckResult) -> Vec<String> {
    let mut seen: HashMap<(u32, &str, String, String), usize> = HashMap::default();
    res.diagnostics
        .iter()
        .map(|d| {
            let f = res.file(d.file);
            let (scope, expr) = parts(f, d);
            let n = seen
                .entry((d.file, d.code, scope.clone(), expr.clone()))
                .or_insert(0);
            let occurrence = n.to_string();
            *n += 1;
            let rel = crate::discover::slashed(&f.rel);
            format!(
                "{:016x}",
                fnv1a(&[d.code, &rel, &scope, &expr, &occurrence])
            )
        })
        .collect()
}

fn parts(f: &File, d: &Diagnostic) -> (String, String) {
    let scope = enclosing_scope(f, d.span.start);
    let expr: String = f
        .text
        .as_deref()
        .and_then(|t| t.get(d.span.range()))
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (scope, expr)
}

#[cfg(test)]
mod tests {
    use super::fnv1a;

    #[test]
    fn fnv_is_stable_and_separates_parts() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
