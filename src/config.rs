//! Configuration: `[tool.djperf]` in `pyproject.toml`, or the top level of `djperf.toml` /
//! `.djperf.toml`, found in the project root (first of `.djperf.toml`, `djperf.toml`,
//! `pyproject.toml` with a `[tool.djperf]` table).
//!
//! Unknown keys and unknown rule codes are errors naming the key and the file.

use crate::rules;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Options read by rules, typed (defaults when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOptions {
    /// `large-charfield-max-length`: a `CharField` with a `max_length` above this is "large".
    pub large_charfield_max_length: u32,
    /// `max-indexes`: more indexes than this on one table, besides the primary key, is too
    /// many (DJP303). Unset (the default), the count alone is not reported: only indexes
    /// another one makes redundant are.
    pub max_indexes: Option<usize>,
    /// `database`: the engine the project runs on (`postgresql`, `sqlite`, `mysql`,
    /// `oracle`), overriding what djperf reads from the settings (DJP310).
    pub database: Option<String>,
    /// `migrations-since`: per app (the directory holding `migrations/`), the last migration
    /// applied on every database; DJP310 checks only the later ones.
    pub migrations_since: BTreeMap<String, String>,
}

/// Values `database` accepts.
pub const DATABASES: &[&str] = &["postgresql", "sqlite", "mysql", "oracle"];

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            large_charfield_max_length: 1000,
            max_indexes: None,
            database: None,
            migrations_since: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    select: Option<Vec<String>>,
    extend_select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    exclude: Option<Vec<String>>,
    extend_exclude: Option<Vec<String>>,
    force_exclude: Option<bool>,
    large_charfield_max_length: Option<u32>,
    max_indexes: Option<usize>,
    database: Option<String>,
    cache_dir: Option<PathBuf>,
    src: Option<Vec<PathBuf>>,
    migrations_since: Option<BTreeMap<String, String>>,
    test_paths: Option<Vec<String>>,
    extend_test_paths: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    djperf: Option<toml::Value>,
}

/// The configuration of one project.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (None: defaults).
    pub path: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    /// `exclude` (replacing the defaults, which are none beyond the built-in skipped
    /// directories) plus `extend-exclude`.
    pub exclude: Vec<String>,
    pub force_exclude: bool,
    /// `cache-dir`, relative to the configuration file's directory (default
    /// `<root>/.djperf_cache`).
    pub cache_dir: Option<PathBuf>,
    /// `src`: more directories absolute imports start from, relative to the project root
    /// (as Ruff's `src`); the project root, a `src/` layout and every `manage.py` directory
    /// are always import roots.
    pub src: Vec<PathBuf>,
    /// `test-paths` (replacing the built-in test rules) and `extend-test-paths`.
    pub test_paths: crate::discover::TestPaths,
    pub options: RuleOptions,
}

/// Glob patterns compiled for matching relative paths.
#[derive(Debug, Clone)]
pub struct Matchers {
    exclude: GlobSet,
    per_file: Vec<(GlobSet, Vec<String>)>,
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let p = p.trim_end_matches('/');
        b.add(Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

impl Config {
    pub fn matchers(&self) -> Result<Matchers, String> {
        let origin = self.origin();
        Ok(Matchers {
            exclude: glob_set(&self.exclude).map_err(|e| format!("{origin}: `exclude`: {e}"))?,
            per_file: self
                .per_file_ignores
                .iter()
                .map(|(g, codes)| {
                    glob_set(std::slice::from_ref(g))
                        .map(|s| (s, codes.clone()))
                        .map_err(|e| format!("{origin}: `per-file-ignores`: {e}"))
                })
                .collect::<Result<_, _>>()?,
        })
    }

    fn origin(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "configuration".to_owned(), |p| p.display().to_string())
    }
}

/// Every way a relative path can match a pattern: the full path, each ancestor directory and
/// the file name (so `migrations`, `legacy/*` and `*_generated.py` all work).
pub fn path_candidates(rel: &Path) -> Vec<PathBuf> {
    candidates(rel)
}

fn candidates(rel: &Path) -> Vec<PathBuf> {
    let mut out = vec![rel.to_path_buf()];
    let mut cur = rel.parent();
    while let Some(p) = cur {
        if p.as_os_str().is_empty() {
            break;
        }
        out.push(p.to_path_buf());
        if let Some(name) = p.file_name() {
            out.push(PathBuf::from(name));
        }
        cur = p.parent();
    }
    if let Some(name) = rel.file_name() {
        out.push(PathBuf::from(name));
    }
    out
}

impl Matchers {
    /// Whether `rel` (relative to the project root) is excluded.
    pub fn is_excluded(&self, rel: &Path) -> bool {
        !self.exclude.is_empty() && candidates(rel).iter().any(|c| self.exclude.is_match(c))
    }

    /// The selectors ignored in `rel` by `per-file-ignores`.
    pub fn ignored_in(&self, rel: &Path) -> Vec<&str> {
        let cands = candidates(rel);
        self.per_file
            .iter()
            .filter(|(g, _)| cands.iter().any(|c| g.is_match(c)))
            .flat_map(|(_, codes)| codes.iter().map(String::as_str))
            .collect()
    }
}

/// Find and read the configuration of the project rooted at `root`.
pub fn load(root: &Path) -> Result<Config, String> {
    for name in [".djperf.toml", "djperf.toml"] {
        let p = root.join(name);
        if p.is_file() {
            let text = read(&p)?;
            let value: toml::Value =
                toml::from_str(&text).map_err(|e| format!("{}: {}", p.display(), one_line(&e)))?;
            return from_value(value, &p, "");
        }
    }
    let p = root.join("pyproject.toml");
    if p.is_file() {
        let text = read(&p)?;
        let py: Pyproject =
            toml::from_str(&text).map_err(|e| format!("{}: {}", p.display(), one_line(&e)))?;
        if let Some(v) = py.tool.and_then(|t| t.djperf) {
            return from_value(v, &p, "tool.djperf.");
        }
    }
    Ok(Config::default())
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))
}

fn one_line(e: &toml::de::Error) -> String {
    e.message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_owned()
}

/// Parse a configuration table. `prefix` is how keys are named in messages (`tool.djperf.`).
pub fn from_value(value: toml::Value, path: &Path, prefix: &str) -> Result<Config, String> {
    let origin = path.display();
    let raw: Raw = value.try_into().map_err(|e: toml::de::Error| {
        let msg = one_line(&e);
        // serde says "unknown field `x`, expected one of ..."; name the key as written.
        match msg
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
        {
            Some(key) => format!("{origin}: unknown key `{prefix}{key}`"),
            None => format!("{origin}: {prefix}: {msg}"),
        }
    })?;
    let check = |key: &str, codes: &[String]| -> Result<(), String> {
        for c in codes {
            if !rules::is_valid_selector(c) {
                return Err(format!(
                    "{origin}: `{prefix}{key}`: unknown rule code `{c}`"
                ));
            }
        }
        Ok(())
    };
    if let Some(s) = &raw.select {
        check("select", s)?;
    }
    check(
        "extend-select",
        raw.extend_select.as_deref().unwrap_or_default(),
    )?;
    check("ignore", raw.ignore.as_deref().unwrap_or_default())?;
    for (glob, codes) in raw.per_file_ignores.iter().flatten() {
        check(&format!("per-file-ignores.\"{glob}\""), codes)?;
    }
    let defaults = RuleOptions::default();
    if let Some(db) = &raw.database {
        if !DATABASES.contains(&db.as_str()) {
            return Err(format!(
                "{origin}: `{prefix}database`: `{db}` is not one of {}",
                DATABASES.join(", ")
            ));
        }
    }
    let replace_tests = raw.test_paths.is_some();
    let test_globs: Vec<String> = raw
        .test_paths
        .unwrap_or_default()
        .into_iter()
        .chain(raw.extend_test_paths.unwrap_or_default())
        .collect();
    let test_paths = crate::discover::TestPaths {
        replace: replace_tests,
        globs: if test_globs.is_empty() {
            None
        } else {
            Some(
                glob_set(&test_globs)
                    .map_err(|e| format!("{origin}: `{prefix}test-paths`: {e}"))?,
            )
        },
    };
    let cfg = Config {
        path: Some(path.to_path_buf()),
        src: raw.src.unwrap_or_default(),
        test_paths,
        select: raw.select,
        extend_select: raw.extend_select.unwrap_or_default(),
        ignore: raw.ignore.unwrap_or_default(),
        per_file_ignores: raw
            .per_file_ignores
            .unwrap_or_default()
            .into_iter()
            .collect(),
        exclude: raw
            .exclude
            .unwrap_or_default()
            .into_iter()
            .chain(raw.extend_exclude.unwrap_or_default())
            .collect(),
        force_exclude: raw.force_exclude.unwrap_or(false),
        cache_dir: raw
            .cache_dir
            .map(|d| path.parent().map_or_else(|| d.clone(), |p| p.join(&d))),
        options: RuleOptions {
            large_charfield_max_length: raw
                .large_charfield_max_length
                .unwrap_or(defaults.large_charfield_max_length),
            max_indexes: raw.max_indexes.or(defaults.max_indexes),
            database: raw.database,
            migrations_since: raw.migrations_since.unwrap_or_default(),
        },
    };
    cfg.matchers()?;
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Config, String> {
        from_value(toml::from_str(s).unwrap(), Path::new("djperf.toml"), "")
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            r#"
select = ["DJP1"]
extend-select = ["DJP105"]
ignore = ["DJP104"]
exclude = ["legacy"]
extend-exclude = ["*_generated.py"]
force-exclude = true
large-charfield-max-length = 255
max-indexes = 8
database = "postgresql"
src = ["backend"]
extend-test-paths = ["qa/*"]
[per-file-ignores]
"tests/*" = ["DJP101"]
"#,
        )
        .unwrap();
        assert_eq!(c.select.as_deref(), Some(&["DJP1".to_owned()][..]));
        assert_eq!(c.exclude, ["legacy", "*_generated.py"]);
        assert!(c.force_exclude);
        assert_eq!(c.options.large_charfield_max_length, 255);
        assert_eq!(c.options.max_indexes, Some(8));
        assert_eq!(c.options.database.as_deref(), Some("postgresql"));
        assert_eq!(c.src, [PathBuf::from("backend")]);
        assert!(!c.test_paths.replace);
        assert!(c.test_paths.is_test(Path::new("qa/seed.py"), false));
        assert!(c.test_paths.is_test(Path::new("shop/tests.py"), false));
        let t = parse("test-paths = [\"qa\"]").unwrap();
        assert!(t.test_paths.replace && !t.test_paths.is_test(Path::new("shop/tests.py"), false));
        assert!(parse("test-paths = [\"[\"]").is_err());
        let m = c.matchers().unwrap();
        assert!(m.is_excluded(Path::new("legacy/views.py")));
        assert!(m.is_excluded(Path::new("shop/legacy/views.py")));
        assert!(m.is_excluded(Path::new("shop/x_generated.py")));
        assert!(!m.is_excluded(Path::new("shop/views.py")));
        assert_eq!(m.ignored_in(Path::new("tests/test_x.py")), ["DJP101"]);
        assert!(m.ignored_in(Path::new("shop/tests.py")).is_empty());
    }

    #[test]
    fn unknown_keys_and_codes_are_errors() {
        let e = parse("selct = [\"DJP101\"]").unwrap_err();
        assert_eq!(e, "djperf.toml: unknown key `selct`");
        let e = parse("ignore = [\"E501\"]").unwrap_err();
        assert_eq!(e, "djperf.toml: `ignore`: unknown rule code `E501`");
        let e = parse("[per-file-ignores]\n\"a.py\" = [\"X1\"]").unwrap_err();
        assert!(e.contains("per-file-ignores") && e.contains("X1"), "{e}");
        assert!(parse("exclude = \"x\"").is_err());
    }
}
