//! The rules' documentation pages, `docs/rules/DJPnnn.md`, generated from the rule table
//! (`djperf debug gen-docs`; `tests/rule_docs.rs` keeps the checked-in pages in sync), and
//! the links that findings carry to them.
//!
//! Where the pages are online is known only to whoever builds djperf (build.rs): the
//! `DJPERF_DOCS_URL` build variable (the URL of the `docs/rules/` folder), else
//! `<repository>/blob/HEAD/docs/rules/` (the GitHub and GitLab layout) where the repository
//! is `DJPERF_REPOSITORY_URL`, Cargo.toml's `repository` or the web address of the source
//! tree's `origin` remote (a `pip install git+https://...` build knows it), else the
//! `file://` path of the pages in the source tree djperf was built from. `djperf explain
//! CODE` prints the same text offline.

use crate::rules::{Rule, RULES};
use std::io;
use std::path::Path;

/// Where the pages live in the repository.
pub const RULES_DIR: &str = "docs/rules";

/// The repository's web address, when the build knows it.
pub fn repository_url() -> Option<&'static str> {
    Some(env!("DJPERF_REPOSITORY")).filter(|s| !s.is_empty())
}

/// The URL of the `docs/rules/` folder, ending in `/`.
pub fn base_url() -> Option<String> {
    base_url_from(
        option_env!("DJPERF_DOCS_URL"),
        repository_url(),
        Some(env!("DJPERF_SOURCE_DOCS")),
    )
}

/// What SARIF names as the tool's `informationUri`: the repository, else the pages' index.
pub fn information_url() -> Option<String> {
    repository_url()
        .map(str::to_owned)
        .or_else(|| base_url().map(|b| b + "README.md"))
}

fn base_url_from(
    explicit: Option<&str>,
    repository: Option<&str>,
    source_dir: Option<&str>,
) -> Option<String> {
    let base = match (
        explicit.map(str::trim).filter(|s| !s.is_empty()),
        repository.filter(|s| !s.is_empty()),
        source_dir.filter(|s| !s.is_empty()),
    ) {
        (Some(url), _, _) => url.to_owned(),
        (None, Some(repo), _) => format!("{repo}/blob/HEAD/{RULES_DIR}"),
        (None, None, Some(dir)) => crate::server::path_to_uri(Path::new(dir)),
        (None, None, None) => return None,
    };
    Some(if base.ends_with('/') {
        base
    } else {
        base + "/"
    })
}

/// The page's file name in [`RULES_DIR`].
pub fn file_name(rule: &Rule) -> String {
    format!("{}.md", rule.code)
}

/// The online page of a rule, when the build knows where the pages are.
pub fn rule_url(rule: &Rule) -> Option<String> {
    base_url().map(|b| b + &file_name(rule))
}

/// One rule's page.
pub fn rule_page(rule: &Rule) -> String {
    format!(
        "<!-- Generated from src/rules/ by `djperf debug gen-docs`: edit the rule's doc comment, not this file. -->\n\
         # {code} `{name}`\n\n\
         {summary}.\n\n\
         Enabled by default: {default}. Severity: {severity}. \
         Suppress one finding with `# noqa: {code}`; `djperf explain {code}` prints the same text.\n\n\
         {doc}\n",
        code = rule.code,
        name = rule.name,
        summary = rule.summary.trim_end_matches('.'),
        default = if rule.default_enabled { "yes" } else { "no" },
        severity = rule.severity.as_str(),
        doc = rule.doc.trim(),
    )
}

/// The index page, `docs/rules/README.md`.
pub fn index_page() -> String {
    let mut s = String::from(
        "<!-- Generated from src/rules/ by `djperf debug gen-docs`. -->\n# djperf rules\n\n\
         | code | name | default | what it finds |\n|---|---|---|---|\n",
    );
    for r in RULES {
        s.push_str(&format!(
            "| [{code}]({file}) | `{name}` | {default} | {summary} |\n",
            code = r.code,
            file = file_name(r),
            name = r.name,
            default = if r.default_enabled { "on" } else { "off" },
            summary = r.summary.replace('|', "\\|"),
        ));
    }
    s
}

/// Every page: (file name in [`RULES_DIR`], text), index first.
pub fn pages() -> Vec<(String, String)> {
    std::iter::once(("README.md".to_owned(), index_page()))
        .chain(RULES.iter().map(|r| (file_name(r), rule_page(r))))
        .collect()
}

/// Write every page into `dir` and remove pages of rules that no longer exist. Returns how
/// many pages were written.
pub fn write(dir: &Path) -> io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let pages = pages();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ours = name.starts_with("DJP") && name.ends_with(".md");
        if ours && !pages.iter().any(|(n, _)| n == name) {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, text) in &pages {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(pages.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(base_url_from(None, None, None), None);
        assert_eq!(
            base_url_from(None, Some("https://git.example/acme/djperf"), Some("/src")).as_deref(),
            Some("https://git.example/acme/djperf/blob/HEAD/docs/rules/")
        );
        assert_eq!(
            base_url_from(Some("https://docs.acme/rules"), Some("https://x/y"), None).as_deref(),
            Some("https://docs.acme/rules/")
        );
        assert_eq!(
            base_url_from(Some("  "), None, Some("/home/me/dj perf/docs/rules")).as_deref(),
            Some("file:///home/me/dj%20perf/docs/rules/")
        );
    }

    #[test]
    fn every_build_links_the_pages() {
        let url = crate::rules::find("DJP101").and_then(Rule::url).unwrap();
        assert!(url.ends_with("/DJP101.md"), "{url}");
        assert!(information_url().is_some());
    }
}
