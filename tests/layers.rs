//! The layers only point down: cli/server → session → rules → frameworks → flow → index →
//! semantic / syntax / django. A module that names a module above its layer (outside
//! comments) fails this test. See docs/architecture.md.

use std::path::{Path, PathBuf};

/// Each layer, and the crate modules code in it must not name.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "syntax",
        &[
            "semantic",
            "index",
            "flow",
            "frameworks",
            "rules",
            "session",
            "fix",
        ],
    ),
    (
        "django.rs",
        &[
            "semantic",
            "index",
            "flow",
            "frameworks",
            "rules",
            "session",
            "fix",
        ],
    ),
    (
        "semantic",
        &["index", "flow", "frameworks", "rules", "session", "fix"],
    ),
    ("index", &["flow", "frameworks", "rules", "session", "fix"]),
    ("flow", &["frameworks", "rules", "session", "fix"]),
    ("frameworks", &["rules", "session", "fix"]),
    ("rules", &["session", "check", "cli", "server"]),
    ("session.rs", &["check", "cli", "server"]),
];

fn sources(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_file() {
        out.push(p.to_path_buf());
        return;
    }
    for e in std::fs::read_dir(p).unwrap().flatten() {
        let q = e.path();
        if q.is_dir() || q.extension().is_some_and(|x| x == "rs") {
            sources(&q, out);
        }
    }
}

/// `crate::<name>` references in code (comments, doc comments and the unit tests of a
/// module, which may drive the whole pipeline, left out).
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(pos) = rest.find("crate::") {
            let after = &rest[pos + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((i + 1, name));
            rest = after;
        }
    }
    out
}

#[test]
fn layers_only_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (layer, forbidden) in LAYERS {
        let mut files = Vec::new();
        sources(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "layer {layer} has no sources");
        for f in files {
            checked += 1;
            let text = std::fs::read_to_string(&f).unwrap();
            for (line, name) in crate_refs(&text) {
                if forbidden.contains(&name.as_str()) {
                    failures.push(format!(
                        "{}:{line}: the {layer} layer names crate::{name}, a layer above it",
                        f.strip_prefix(&src).unwrap().display()
                    ));
                }
            }
        }
    }
    assert!(checked > 30, "too few sources checked: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_check_sees_a_forbidden_reference() {
    let refs = crate_refs(
        "use crate::flow::Event; // crate::rules\n/// crate::session\n#[cfg(test)]\nuse crate::cli;\n",
    );
    assert_eq!(refs, vec![(1, "flow".to_owned())]);
}
