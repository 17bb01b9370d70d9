//! `[tool.djperf]` / `djperf.toml` configuration and excludes.

mod common;

use common::{djperf, project, stdout_of, write};

fn concise(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    stdout_of(
        djperf(dir)
            .args(["check", "--output-format", "concise"])
            .args(args),
    )
}

#[test]
fn pyproject_ignore_and_select() {
    let p = project();
    write(
        p.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.djperf]\nignore = [\"DJP101\"]\n",
    );
    assert_eq!(
        concise(p.path(), &["shop/views.py"]),
        (0, "All checks passed\n".to_owned())
    );
    // the command line adds to the file's ignore list; --select replaces the file's select
    write(
        p.path(),
        "pyproject.toml",
        "[tool.djperf]\nselect = [\"DJP104\"]\n",
    );
    assert_eq!(concise(p.path(), &["shop/views.py"]).0, 0);
    assert_eq!(
        concise(p.path(), &["--select", "DJP101", "shop/views.py"]).0,
        1
    );
    write(
        p.path(),
        "pyproject.toml",
        "[tool.djperf]\nselect = [\"DJP104\"]\nextend-select = [\"DJP1\"]\n",
    );
    assert_eq!(concise(p.path(), &["shop/views.py"]).0, 1);
}

#[test]
fn djperf_toml_wins_over_pyproject() {
    let p = project();
    write(
        p.path(),
        "pyproject.toml",
        "[tool.djperf]\nignore = [\"DJP101\"]\n",
    );
    write(p.path(), "djperf.toml", "ignore = [\"DJP105\"]\n");
    assert_eq!(concise(p.path(), &["shop/views.py"]).0, 1);
    write(p.path(), ".djperf.toml", "ignore = [\"DJP1\"]\n");
    assert_eq!(concise(p.path(), &["shop/views.py"]).0, 0);
}

#[test]
fn per_file_ignores() {
    let p = project();
    write(
        p.path(),
        "djperf.toml",
        "[per-file-ignores]\n\"shop/views.py\" = [\"DJP101\"]\n",
    );
    assert_eq!(
        concise(p.path(), &["."]),
        (0, "All checks passed\n".to_owned())
    );
    write(
        p.path(),
        "djperf.toml",
        "[per-file-ignores]\n\"other/*.py\" = [\"DJP101\"]\n",
    );
    assert_eq!(concise(p.path(), &["."]).0, 1);
}

#[test]
fn unknown_keys_and_codes_exit_2_naming_key_and_file() {
    let p = project();
    write(
        p.path(),
        "pyproject.toml",
        "[tool.djperf]\nselct = [\"DJP101\"]\n",
    );
    let out = djperf(p.path())
        .args(["check", "shop/views.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("pyproject.toml") && err.contains("unknown key `tool.djperf.selct`"),
        "{err}"
    );
    write(
        p.path(),
        "pyproject.toml",
        "[tool.djperf]\nignore = [\"E501\"]\n",
    );
    let out = djperf(p.path())
        .args(["check", "shop/views.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("pyproject.toml")
            && err.contains("E501")
            && err.contains("tool.djperf.ignore"),
        "{err}"
    );
    // a pyproject.toml without [tool.djperf] is fine
    write(
        p.path(),
        "pyproject.toml",
        "[tool.ruff]\nline-length = 100\n",
    );
    assert_eq!(concise(p.path(), &["shop/views.py"]).0, 1);
}

#[test]
fn exclude_applies_to_walks_and_force_exclude_to_explicit_files() {
    let p = project();
    write(p.path(), "djperf.toml", "exclude = [\"views.py\"]\n");
    // walked: excluded
    assert_eq!(
        concise(p.path(), &["."]),
        (0, "All checks passed\n".to_owned())
    );
    // passed explicitly: checked
    assert_eq!(concise(p.path(), &["shop/views.py"]).0, 1);
    // forced: excluded again
    assert_eq!(
        concise(p.path(), &["--force-exclude", "shop/views.py"]),
        (0, "All checks passed\n".to_owned())
    );
    write(
        p.path(),
        "djperf.toml",
        "extend-exclude = [\"shop/*\"]\nforce-exclude = true\n",
    );
    assert_eq!(
        concise(p.path(), &["shop/views.py"]),
        (0, "All checks passed\n".to_owned())
    );
}

#[test]
fn excluded_files_still_feed_the_model_index() {
    let p = project();
    write(p.path(), "djperf.toml", "exclude = [\"models.py\"]\n");
    // models.py is excluded from reporting, but Book.author is still known
    assert_eq!(concise(p.path(), &["."]).0, 1);
}
