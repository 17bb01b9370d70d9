//! Configuration: `[tool.djperf]` in `pyproject.toml`, or the top level of `djperf.toml` /
//! `.djperf.toml`, found in the project root (first of `.djperf.toml`, `djperf.toml`,
//! `pyproject.toml` with a `[tool.djperf]` table), or named with `--config FILE`; each
//! `--config 'KEY = VALUE'` then overrides one setting (as in Ruff).
//!
//! Every error names the file, the line and column, and the key (`pyproject.toml:5:1: unknown
//! key `tool.djperf.selct` (did you mean `select`?)`); a configuration file that exists but
//! cannot be read (a symlink loop, no permission, a directory) is an error too, never a
//! silent default.

use crate::rules;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

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

type Codes = Option<Vec<Spanned<String>>>;

/// One configuration source as written (a file's table, or one `--config` setting).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    select: Codes,
    extend_select: Codes,
    ignore: Codes,
    per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    exclude: Codes,
    extend_exclude: Codes,
    force_exclude: Option<bool>,
    large_charfield_max_length: Option<u32>,
    max_indexes: Option<usize>,
    database: Option<Spanned<String>>,
    cache_dir: Option<PathBuf>,
    respect_gitignore: Option<bool>,
    src: Option<Vec<PathBuf>>,
    migrations_since: Option<BTreeMap<String, String>>,
    test_paths: Codes,
    extend_test_paths: Codes,
}

/// The keys of [`Raw`], for "did you mean" suggestions.
const KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "force-exclude",
    "large-charfield-max-length",
    "max-indexes",
    "database",
    "cache-dir",
    "respect-gitignore",
    "src",
    "migrations-since",
    "test-paths",
    "extend-test-paths",
];

impl Raw {
    /// `other`'s settings replace these (a `--config` setting over the file).
    fn overlay(&mut self, other: Raw) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            select,
            extend_select,
            ignore,
            per_file_ignores,
            exclude,
            extend_exclude,
            force_exclude,
            large_charfield_max_length,
            max_indexes,
            database,
            cache_dir,
            respect_gitignore,
            src,
            migrations_since,
            test_paths,
            extend_test_paths
        );
    }
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    djperf: Option<Raw>,
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
    /// `respect-gitignore` (default true): files `.gitignore` leaves out are not reported.
    pub respect_gitignore: Option<bool>,
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

/// `--config` arguments: at most one configuration file (used instead of discovery) and any
/// number of `KEY = VALUE` settings, applied in order over it.
#[derive(Debug, Clone, Default)]
pub struct ConfigArgs {
    pub file: Option<PathBuf>,
    pub settings: Vec<String>,
}

impl ConfigArgs {
    /// Sort `--config` arguments as Ruff does: a path that exists (or ends in `.toml`) is a
    /// file, anything else must be a TOML `KEY = VALUE` setting.
    pub fn parse(args: &[String]) -> Result<ConfigArgs, String> {
        let mut out = ConfigArgs::default();
        for a in args {
            let path = Path::new(a);
            let looks_like_setting = a.contains('=') && toml::from_str::<toml::Table>(a).is_ok();
            if std::fs::symlink_metadata(path).is_ok()
                || (!looks_like_setting && a.ends_with(".toml"))
            {
                if let Some(first) = &out.file {
                    return Err(format!(
                        "--config: two configuration files given (`{}` and `{a}`); pass one, and settings as `KEY = VALUE`",
                        first.display()
                    ));
                }
                out.file = Some(PathBuf::from(a));
            } else if looks_like_setting {
                out.settings.push(a.clone());
            } else {
                return Err(format!(
                    "--config `{a}`: neither a configuration file that exists nor a TOML `KEY = VALUE` setting"
                ));
            }
        }
        Ok(out)
    }
}

/// Where a configuration text came from, to place errors: `path:line:col` (or the
/// `--config` setting and a column).
struct Source<'a> {
    name: String,
    text: &'a str,
    /// How keys are named in messages (`tool.djperf.`).
    prefix: &'a str,
    /// A `--config` setting: one line, so only the column is given.
    setting: bool,
}

impl Source<'_> {
    fn at(&self, span: Option<Range<usize>>) -> String {
        let Some(span) = span else {
            return self.name.clone();
        };
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let col = before
            .rfind('\n')
            .map_or(before, |i| &before[i + 1..])
            .chars()
            .count()
            + 1;
        if self.setting {
            format!("{} (column {col})", self.name)
        } else {
            format!("{}:{line}:{col}", self.name)
        }
    }

    /// A TOML or shape error, with its place and the key it is about.
    fn toml_error(&self, e: &toml::de::Error) -> String {
        let msg = one_line(e);
        if let Some(key) = msg
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
        {
            let tip = KEYS
                .iter()
                .map(|k| (strsim::jaro_winkler(key, k), k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return format!(
                "{}: unknown key `{}{key}`{tip}",
                self.at(e.span()),
                self.prefix
            );
        }
        match e.span().and_then(|s| key_at(self.text, &s)) {
            Some(key) => format!("{}: `{key}`: {msg}", self.at(e.span())),
            None => format!("{}: {msg}", self.at(e.span())),
        }
    }
}

/// The dotted key whose value holds `span` (`tool.djperf.exclude`), if the text parses.
/// Tables declared by a `[header]` do not span their keys, so every table is searched.
fn key_at(text: &str, span: &Range<usize>) -> Option<String> {
    use toml::de::{DeTable, DeValue};
    fn find(table: &DeTable<'_>, span: &Range<usize>) -> Option<Vec<String>> {
        for (k, v) in table {
            let inner = match v.get_ref() {
                DeValue::Table(t) => find(t, span),
                DeValue::Array(a) => a.iter().find_map(|item| match item.get_ref() {
                    DeValue::Table(t) => find(t, span),
                    _ => None,
                }),
                _ => None,
            };
            let r = v.span();
            let here = r.start <= span.start && span.end <= r.end;
            if let Some(mut path) = inner.or_else(|| here.then(Vec::new)) {
                path.insert(0, k.get_ref().to_string());
                return Some(path);
            }
        }
        None
    }
    let doc = DeTable::parse(text).ok()?;
    find(doc.get_ref(), span).map(|p| p.join("."))
}

/// Find and read the configuration of the project rooted at `root`.
pub fn load(root: &Path) -> Result<Config, String> {
    load_with(root, &ConfigArgs::default())
}

/// [`load`], or the file `--config` named instead, then each `--config` setting over it.
pub fn load_with(root: &Path, args: &ConfigArgs) -> Result<Config, String> {
    let (mut raw, path) = match &args.file {
        Some(p) => read_file(p)?.map_or_else(
            || (Raw::default(), Some(p.clone())),
            |r| (r, Some(p.clone())),
        ),
        None => discover(root)?,
    };
    for s in &args.settings {
        let src = Source {
            name: format!("--config `{s}`"),
            text: s,
            prefix: "",
            setting: true,
        };
        let over: Raw = toml::from_str(s).map_err(|e| src.toml_error(&e))?;
        validate(&over, &src)?;
        raw.overlay(over);
    }
    from_raw(raw, path.as_deref())
}

/// The configuration file of `root`: the first of `.djperf.toml`, `djperf.toml` and a
/// `pyproject.toml` with `[tool.djperf]`. Anything by those names that exists but is not a
/// readable file stops the run.
fn discover(root: &Path) -> Result<(Raw, Option<PathBuf>), String> {
    for name in [".djperf.toml", "djperf.toml", "pyproject.toml"] {
        let p = root.join(name);
        if std::fs::symlink_metadata(&p).is_err() {
            continue;
        }
        if let Some(raw) = read_file(&p)? {
            return Ok((raw, Some(p)));
        }
    }
    Ok((Raw::default(), None))
}

/// Read and check one configuration file; `None` for a `pyproject.toml` without
/// `[tool.djperf]`.
fn read_file(p: &Path) -> Result<Option<Raw>, String> {
    let text = read(p)?;
    let is_pyproject = p.file_name().is_some_and(|n| n == "pyproject.toml");
    let src = Source {
        name: p.display().to_string(),
        text: &text,
        prefix: if is_pyproject { "tool.djperf." } else { "" },
        setting: false,
    };
    let raw = if is_pyproject {
        let py: Pyproject = toml::from_str(&text).map_err(|e| src.toml_error(&e))?;
        match py.tool.and_then(|t| t.djperf) {
            Some(raw) => raw,
            None => return Ok(None),
        }
    } else {
        toml::from_str(&text).map_err(|e| src.toml_error(&e))?
    };
    validate(&raw, &src)?;
    Ok(Some(raw))
}

fn read(p: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
    if !meta.is_file() {
        return Err(format!("{}: cannot read: not a regular file", p.display()));
    }
    std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))
}

fn one_line(e: &toml::de::Error) -> String {
    e.message()
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .to_owned()
}

/// Codes, globs and the database name of one source, each error placed in that source.
fn validate(raw: &Raw, src: &Source<'_>) -> Result<(), String> {
    let prefix = src.prefix;
    let check = |key: &str, codes: &[Spanned<String>]| -> Result<(), String> {
        for c in codes {
            if !rules::is_valid_selector(c.get_ref()) {
                return Err(format!(
                    "{}: `{prefix}{key}`: unknown rule code `{}`",
                    src.at(Some(c.span())),
                    c.get_ref()
                ));
            }
        }
        Ok(())
    };
    check("select", raw.select.as_deref().unwrap_or_default())?;
    check(
        "extend-select",
        raw.extend_select.as_deref().unwrap_or_default(),
    )?;
    check("ignore", raw.ignore.as_deref().unwrap_or_default())?;
    for (glob, codes) in raw.per_file_ignores.iter().flatten() {
        check(&format!("per-file-ignores.\"{}\"", glob.get_ref()), codes)?;
        glob_set(std::slice::from_ref(glob.get_ref())).map_err(|e| {
            format!(
                "{}: `{prefix}per-file-ignores`: {e}",
                src.at(Some(glob.span()))
            )
        })?;
    }
    for (key, globs) in [
        ("exclude", &raw.exclude),
        ("extend-exclude", &raw.extend_exclude),
        ("test-paths", &raw.test_paths),
        ("extend-test-paths", &raw.extend_test_paths),
    ] {
        for g in globs.iter().flatten() {
            glob_set(std::slice::from_ref(g.get_ref()))
                .map_err(|e| format!("{}: `{prefix}{key}`: {e}", src.at(Some(g.span()))))?;
        }
    }
    if let Some(db) = &raw.database {
        if !DATABASES.contains(&db.get_ref().as_str()) {
            return Err(format!(
                "{}: `{prefix}database`: `{}` is not one of {}",
                src.at(Some(db.span())),
                db.get_ref(),
                DATABASES.join(", ")
            ));
        }
    }
    Ok(())
}

/// Parse a configuration table. `prefix` is how keys are named in messages (`tool.djperf.`).
pub fn from_value(value: toml::Value, path: &Path, prefix: &str) -> Result<Config, String> {
    let text = toml::to_string(&value).map_err(|e| e.to_string())?;
    let src = Source {
        name: path.display().to_string(),
        text: &text,
        prefix,
        setting: false,
    };
    let raw: Raw = toml::from_str(&text).map_err(|e| src.toml_error(&e))?;
    validate(&raw, &src)?;
    from_raw(raw, Some(path))
}

fn strings(v: Codes) -> Option<Vec<String>> {
    v.map(|v| v.into_iter().map(Spanned::into_inner).collect())
}

fn from_raw(raw: Raw, path: Option<&Path>) -> Result<Config, String> {
    let defaults = RuleOptions::default();
    let replace_tests = raw.test_paths.is_some();
    let test_globs: Vec<String> = strings(raw.test_paths)
        .unwrap_or_default()
        .into_iter()
        .chain(strings(raw.extend_test_paths).unwrap_or_default())
        .collect();
    let test_paths = crate::discover::TestPaths {
        replace: replace_tests,
        // checked, with their places, by `validate`
        globs: if test_globs.is_empty() {
            None
        } else {
            Some(glob_set(&test_globs)?)
        },
    };
    let cfg = Config {
        path: path.map(Path::to_path_buf),
        src: raw.src.unwrap_or_default(),
        test_paths,
        select: strings(raw.select),
        extend_select: strings(raw.extend_select).unwrap_or_default(),
        ignore: strings(raw.ignore).unwrap_or_default(),
        per_file_ignores: raw
            .per_file_ignores
            .unwrap_or_default()
            .into_iter()
            .map(|(g, codes)| {
                (
                    g.into_inner(),
                    codes.into_iter().map(Spanned::into_inner).collect(),
                )
            })
            .collect(),
        exclude: strings(raw.exclude)
            .unwrap_or_default()
            .into_iter()
            .chain(strings(raw.extend_exclude).unwrap_or_default())
            .collect(),
        force_exclude: raw.force_exclude.unwrap_or(false),
        cache_dir: raw.cache_dir.map(|d| {
            path.and_then(Path::parent)
                .map_or_else(|| d.clone(), |p| p.join(&d))
        }),
        respect_gitignore: raw.respect_gitignore,
        options: RuleOptions {
            large_charfield_max_length: raw
                .large_charfield_max_length
                .unwrap_or(defaults.large_charfield_max_length),
            max_indexes: raw.max_indexes.or(defaults.max_indexes),
            database: raw.database.map(Spanned::into_inner),
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
        assert_eq!(
            e,
            "djperf.toml:1:1: unknown key `selct` (did you mean `select`?)"
        );
        let e = parse("ignore = [\"E501\"]").unwrap_err();
        assert_eq!(e, "djperf.toml:1:11: `ignore`: unknown rule code `E501`");
        let e = parse("[per-file-ignores]\n\"a.py\" = [\"X1\"]").unwrap_err();
        assert!(e.contains("per-file-ignores") && e.contains("X1"), "{e}");
        assert!(parse("exclude = \"x\"").is_err());
    }
}
