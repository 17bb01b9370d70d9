//! Finding the project root and the Python files to read.

use std::path::{Component, Path, PathBuf};
use walkdir::WalkDir;

/// Directory names never descended into.
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".djperf_cache",
    "node_modules",
    "__pycache__",
    "site-packages",
    "build",
    "dist",
    ".venv",
    "venv",
];

const ROOT_MARKERS: &[&str] = &[
    "manage.py",
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    ".git",
];

/// The nearest ancestor of `start` (inclusive) holding a root marker.
pub fn project_root(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut cur: Option<&Path> = Some(if start.is_file() {
        start.parent()?
    } else {
        &start
    });
    while let Some(dir) = cur {
        if ROOT_MARKERS.iter().any(|m| dir.join(m).exists()) {
            return Some(dir.to_path_buf());
        }
        cur = dir.parent();
    }
    None
}

/// Where a project without a root marker starts: the directory holding the outermost
/// package (`__init__.py`) around `start`, so `check site/shop/views.py` still indexes the
/// models of `site/shop/` and its sibling packages in `site/`.
pub fn package_root(start: &Path) -> PathBuf {
    let mut dir = if start.is_dir() {
        start
    } else {
        start.parent().unwrap_or(start)
    };
    while dir.join("__init__.py").is_file() {
        match dir.parent() {
            Some(p) => dir = p,
            None => break,
        }
    }
    dir.to_path_buf()
}

/// A problem met while walking (reported as a warning).
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
}

/// Whether a directory should be skipped.
pub(crate) fn skip_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    SKIP_DIRS.contains(&name) || path.join("pyvenv.cfg").is_file()
}

/// Every `.py`/`.pyi` file below `root` (or `root` itself if it is a file), sorted.
pub fn python_files(root: &Path, problems: &mut Vec<WalkProblem>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !(e.file_type().is_dir() && skip_dir(e.path())));
    for entry in walker {
        match entry {
            Ok(e) => {
                let ft = e.file_type();
                let regular = ft.is_file() || (ft.is_symlink() && e.path().is_file());
                if regular && is_python(e.path()) {
                    out.push(e.into_path());
                }
            }
            Err(err) => problems.push(WalkProblem {
                path: err.path().map(Path::to_path_buf).unwrap_or_default(),
                message: err.to_string(),
            }),
        }
    }
    out.sort();
    out.dedup();
    out
}

pub fn is_python(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("py" | "pyi"))
}

/// Whether a path lies inside a `migrations` package.
pub fn in_migrations(rel: &Path) -> bool {
    rel.components()
        .any(|c| matches!(c, Component::Normal(n) if n == "migrations"))
}

/// Whether a path is test code: under a `tests`/`test` package, or named `test_*.py`,
/// `*_test.py`, `*_tests.py`, `tests.py` or `conftest.py`. Rules skip it by default: a query
/// per assertion is no production slowness.
pub fn is_test_path(rel: &Path) -> bool {
    let in_test_dir = rel.parent().is_some_and(|p| {
        p.components()
            .any(|c| matches!(c, Component::Normal(n) if n == "tests" || n == "test"))
    });
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.strip_suffix(".py").unwrap_or(name);
    in_test_dir
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem == "tests"
        || stem == "conftest"
}

/// Lexically normalise a path (no filesystem access): drops `.`, folds `..`.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The dotted module name of a file relative to the project root.
pub fn module_name(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        for ext in [".pyi", ".py"] {
            if let Some(stem) = last.strip_suffix(ext) {
                *last = stem.to_owned();
                break;
            }
        }
    }
    if parts.last().is_some_and(|l| l == "__init__") {
        parts.pop();
    }
    parts.join(".")
}

/// How a path is shown: relative to the current directory when below it, with `/`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let s = shown.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        assert_eq!(module_name(Path::new("shop/models.py")), "shop.models");
        assert_eq!(
            module_name(Path::new("shop/models/__init__.py")),
            "shop.models"
        );
        assert_eq!(module_name(Path::new("manage.py")), "manage");
        assert!(in_migrations(Path::new("shop/migrations/0001_initial.py")));
        assert!(!in_migrations(Path::new("shop/models.py")));
        assert!(is_test_path(Path::new("shop/tests/test_views.py")));
        assert!(is_test_path(Path::new("shop/tests.py")));
        assert!(is_test_path(Path::new("shop/test_api.py")));
        assert!(!is_test_path(Path::new("shop/testing_utils.py")));
        assert!(!is_test_path(Path::new("shop/views.py")));
        assert_eq!(
            normalize(Path::new("./a/../b/./c.py")),
            PathBuf::from("b/c.py")
        );
    }
}
