//! `--write-baseline`, `--baseline` and `--changed-since REV`.

mod common;

use common::{djperf, project, stdout_of, write, VIEWS};
use std::path::Path;
use std::process::Command;

/// A second finding in another function (DJP101 on line 13 of the original file).
const MORE: &str = "

def more_titles():
    return [b.author.name for b in Book.objects.all()]
";

fn concise(dir: &Path, args: &[&str]) -> (i32, String) {
    stdout_of(
        djperf(dir)
            .args(["check", "--output-format", "concise"])
            .args(args),
    )
}

#[test]
fn baseline_hides_known_findings_only() {
    let p = project();
    let b = p.path().join("djperf-baseline.json");
    djperf(p.path())
        .args(["check", "--write-baseline"])
        .arg(&b)
        .arg(".")
        .assert()
        .code(0)
        .stdout("");
    let text = std::fs::read_to_string(&b).unwrap();
    assert!(
        text.contains("\"DJP101\"") && text.contains("shop/views.py"),
        "{text}"
    );
    let bl = b.to_str().unwrap();
    assert_eq!(
        concise(p.path(), &["--baseline", bl, "."]),
        (0, "All checks passed\n".to_owned())
    );
    // lines above the known finding move it; it stays known
    write(
        p.path(),
        "shop/views.py",
        &format!("import os\n\n\n{VIEWS}"),
    );
    assert_eq!(
        concise(p.path(), &["--baseline", bl, "."]),
        (0, "All checks passed\n".to_owned())
    );
    // a new finding fails
    write(p.path(), "shop/views.py", &format!("{VIEWS}{MORE}"));
    let (code, out) = concise(p.path(), &["--baseline", bl, "."]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.starts_with("shop/views.py:12:"), "{out}");
    assert!(
        out.ends_with("\nFound 1 problem in 1 file\n[*] 1 fixable with --fix\n"),
        "{out}"
    );
    // a missing baseline is an error
    assert_eq!(concise(p.path(), &["--baseline", "nope.json", "."]).0, 2);
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t.invalid"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

#[test]
fn diff_keeps_findings_on_changed_lines() {
    let p = project();
    git(p.path(), &["init", "-q"]);
    git(p.path(), &["add", "-A"]);
    git(p.path(), &["commit", "-qm", "init"]);
    // nothing changed since HEAD: the old finding is not reported
    assert_eq!(
        concise(p.path(), &["--changed-since", "HEAD", "."]),
        (0, "All checks passed\n".to_owned())
    );
    assert_eq!(concise(p.path(), &["."]).0, 1);
    write(p.path(), "shop/views.py", &format!("{VIEWS}{MORE}"));
    let (code, out) = concise(p.path(), &["--changed-since", "HEAD", "."]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.starts_with("shop/views.py:12:"), "{out}");
    assert!(
        out.ends_with("\nFound 1 problem in 1 file\n[*] 1 fixable with --fix\n"),
        "{out}"
    );
    // an unknown revision is an error
    assert_eq!(
        concise(p.path(), &["--changed-since", "no-such-rev", "."]).0,
        2
    );
}
