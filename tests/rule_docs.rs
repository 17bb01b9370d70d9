//! docs/rules/ is generated from the rule table: every page is up to date and no page is
//! left from a rule that is gone. `DJPERF_UPDATE_DOCS=1 cargo test --test rule_docs` (or
//! `djperf debug gen-docs`) rewrites them.

use std::path::Path;

#[test]
fn rule_pages_match_the_rule_table() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(djperf::docs::RULES_DIR);
    if std::env::var_os("DJPERF_UPDATE_DOCS").is_some_and(|v| v == "1") {
        djperf::docs::write(&dir).unwrap();
    }
    let pages = djperf::docs::pages();
    assert_eq!(pages.len(), djperf::rules::RULES.len() + 1);
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if &on_disk != text {
            stale.push(name.clone());
        }
    }
    let mut extra: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !pages.iter().any(|(p, _)| p == n))
        .collect();
    extra.sort();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "docs/rules is out of date (stale: {stale:?}, not generated: {extra:?}); \
         run `DJPERF_UPDATE_DOCS=1 cargo test --test rule_docs` or `djperf debug gen-docs`"
    );
    // Each page holds the rule's whole documentation.
    for r in djperf::rules::RULES {
        let page = &pages
            .iter()
            .find(|(n, _)| *n == format!("{}.md", r.code))
            .unwrap()
            .1;
        assert!(
            page.contains(r.doc.trim()) && page.contains(r.name),
            "{}",
            r.code
        );
    }
}
