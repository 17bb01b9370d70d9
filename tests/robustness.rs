//! Robustness: every input problem of issue 9 is a tested behaviour. A per-file problem is a
//! warning on stderr and the run goes on; the exit code never says "clean" after an error.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const MODELS: &str = "from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)


def titles():
    for book in Book.objects.all():
        print(book.author.name)
";

/// Where the DJP101 of [`MODELS`] is reported.
const FINDING: &str = ":14:15: DJP101";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pyproject.toml"), "").unwrap();
    dir
}

fn djperf(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("djperf").unwrap();
    c.current_dir(dir).timeout(Duration::from_secs(120));
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let out = djperf(dir)
        .arg("check")
        .arg("--output-format")
        .arg("concise")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Write `bytes` as `shop.py` in a fresh project and check it.
fn check_bytes(bytes: &[u8]) -> Run {
    let dir = project();
    fs::write(dir.path().join("shop.py"), bytes).unwrap();
    check(dir.path(), &["."])
}

fn assert_finding(r: &Run) {
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("shop.py{FINDING}")),
        "stdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn baseline_finding() {
    let r = check_bytes(MODELS.as_bytes());
    assert_finding(&r);
    assert_eq!(r.stderr, "");
}

#[test]
fn syntax_error_still_analyses_what_parsed() {
    let src = MODELS.replace(
        "\n\ndef titles",
        "\n\ndef broken(:\n    pass\n\n\ndef titles",
    );
    let r = check_bytes(src.as_bytes());
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("shop.py:18:15: DJP101"), "{}", r.stdout);
    assert!(r.stderr.contains("shop.py: syntax error"), "{}", r.stderr);
}

#[test]
fn latin1_with_coding_line_decodes_silently() {
    let mut bytes = b"# -*- coding: latin-1 -*-\n".to_vec();
    bytes.extend_from_slice(
        MODELS
            .replace("\n\ndef titles", "\nS = '\u{1}'\n\ndef titles")
            .as_bytes(),
    );
    // Make the string literal hold a Latin-1 byte that is not valid UTF-8.
    let pos = bytes.iter().position(|b| *b == 1).unwrap();
    bytes[pos] = 0xE9;
    let r = check_bytes(&bytes);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("shop.py:16:15: DJP101"), "{}", r.stdout);
    assert_eq!(r.stderr, "");
}

#[test]
fn invalid_utf8_without_coding_line_warns_and_goes_on() {
    let mut bytes = MODELS.as_bytes().to_vec();
    bytes.extend_from_slice(b"S = '\xff\xfe'\n");
    let r = check_bytes(&bytes);
    assert_finding(&r);
    assert!(
        r.stderr.contains("shop.py: not valid UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn bom_crlf_lone_cr_and_nul_keep_positions() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "bom",
            [b"\xEF\xBB\xBF".as_slice(), MODELS.as_bytes()].concat(),
        ),
        ("crlf", MODELS.replace('\n', "\r\n").into_bytes()),
        ("lone cr", MODELS.replace('\n', "\r").into_bytes()),
        (
            "nul",
            MODELS
                .replace("class Author", "# \0\0\nclass Author")
                .into_bytes(),
        ),
    ];
    for (name, bytes) in cases {
        let r = check_bytes(&bytes);
        let want = if name == "nul" {
            ":15:15: DJP101"
        } else {
            FINDING
        };
        assert_eq!(r.code, 1, "{name}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains(&format!("shop.py{want}")),
            "{name}: {}",
            r.stdout
        );
        assert_eq!(r.stderr, "", "{name}");
    }
}

#[test]
fn oversize_files_are_skipped_with_a_note() {
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    let r = check(dir.path(), &["--max-file-size", "100", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("over the size limit of 100 bytes; skipped"),
        "{}",
        r.stderr
    );
    let r = check(dir.path(), &["--max-file-size", "1K", "."]);
    assert_finding(&r);
    let r = check(dir.path(), &["--max-file-size", "lots", "."]);
    assert_eq!(r.code, 2);
}

/// A 20 MB generated file is over the default limit (10M): skipped before it is read.
#[test]
fn huge_generated_file_is_skipped_by_default() {
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    fs::write(dir.path().join("big.py"), generated(20 << 20)).unwrap();
    let r = check(dir.path(), &["."]);
    assert_finding(&r);
    assert!(r.stderr.contains("big.py: 20971"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("over the size limit of 10485760 bytes; skipped"),
        "{}",
        r.stderr
    );
}

/// At least `len` bytes of generated code: one short top-level statement a line.
fn generated(len: usize) -> String {
    let line = "x = [1, 2, 3]  # generated\n";
    line.repeat(len / line.len() + 1)
}

/// Run djperf under a Python parent that reports the peak RSS of its children (the crate
/// forbids the `unsafe` a direct `getrusage` call needs). Returns the run and the peak in KiB.
fn check_with_peak_rss(dir: &Path, args: &[&str]) -> (Run, u64) {
    const PY: &str = "import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], capture_output=True)
sys.stdout.buffer.write(r.stdout)
sys.stderr.buffer.write(r.stderr)
print('peak-rss-kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(r.returncode)
";
    let out = std::process::Command::new("python3")
        .current_dir(dir)
        .args(["-c", PY])
        .arg(assert_cmd::cargo::cargo_bin("djperf"))
        .args(["check", "--output-format", "concise"])
        .args(args)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let (stderr, peak) = stderr
        .trim_end()
        .rsplit_once('\n')
        .map_or(("", stderr.trim_end()), |(a, b)| (a, b));
    let kib = peak
        .strip_prefix("peak-rss-kib ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {stderr}{peak}"));
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: if stderr.is_empty() {
            String::new()
        } else {
            format!("{stderr}\n")
        },
    };
    (run, kib)
}

/// Checked anyway (`--max-file-size 30M`), a 20 MB generated file stays within 30 bytes of
/// memory per source byte. It is parsed one run of top-level statements at a time, so only a
/// small tree-sitter tree is alive at once (parsed whole, the tree alone took 1.6 GB and the
/// run 2.1 GB, about 100 bytes per source byte; now about 490 MB, mostly the lowered IR).
#[test]
fn huge_generated_file_checked_in_bounded_memory() {
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    let big = generated(20 << 20);
    fs::write(dir.path().join("big.py"), &big).unwrap();
    let (r, kib) = check_with_peak_rss(dir.path(), &["--max-file-size", "30M", "."]);
    assert_finding(&r);
    assert_eq!(r.stderr, "");
    let bound = 30 * big.len() as u64 / 1024;
    assert!(kib < bound, "peak RSS {kib} KiB, bound {bound} KiB");
}

/// An unreadable file that the user asked to check is an error (exit 2): a run that silently
/// skipped it must not look clean. One that is only indexed (not reported) is a warning.
#[cfg(target_os = "linux")]
#[test]
fn unreadable_file() {
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    // Tests may run as root, which ignores file modes; reading /proc/self/mem from offset 0
    // fails with EIO for everyone.
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("mem.py")).unwrap();
    let r = check(dir.path(), &["."]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("shop.py{FINDING}")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("mem.py: cannot read"), "{}", r.stderr);
    // Checking only shop.py: mem.py is indexed, not reported, so it is only a warning.
    let r = check(dir.path(), &["shop.py"]);
    assert_finding(&r);
}

/// A file found by the walk and gone before it is read (a `git checkout`, a build step, an
/// editor's temporary file): a warning naming it, every other file still checked, no panic.
/// Like any file that cannot be read, it makes the run an error (exit code 2) when it was one
/// of the files being checked, and is only a warning when it was only indexed.
#[test]
fn file_that_vanishes_after_it_was_found() {
    use djperf::check::{plan, CheckOptions};
    let dir = project();
    let root = dir.path().canonicalize().unwrap();
    fs::write(root.join("shop.py"), MODELS).unwrap();
    fs::write(root.join("gone.py"), "from shop import Book\n").unwrap();
    for (paths, reported) in [
        (vec![root.clone()], true),
        (vec![root.join("shop.py")], false),
    ] {
        fs::write(root.join("gone.py"), "from shop import Book\n").unwrap();
        let opts = CheckOptions {
            paths,
            ..CheckOptions::default()
        };
        let plan = plan(&opts).unwrap();
        let found: Vec<(PathBuf, bool)> = plan.files().map(|(p, r)| (p.to_owned(), r)).collect();
        assert!(
            found.contains(&(root.join("gone.py"), reported)),
            "{found:?}"
        );
        fs::remove_file(root.join("gone.py")).unwrap();
        let res = plan.analyse();
        let warned: Vec<String> = res
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.path, w.message))
            .collect();
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].contains("gone.py: cannot read: it vanished after it was found"),
            "{warned:?}"
        );
        // `djperf check` exits 2 exactly when `had_error` (src/cli.rs).
        assert_eq!(res.had_error(), reported, "{warned:?}");
        let codes: Vec<(String, &str)> = res
            .diagnostics
            .iter()
            .map(|d| (res.file(d.file).display.clone(), d.code))
            .collect();
        assert_eq!(codes.len(), 1, "{codes:?}");
        assert!(
            codes[0].0.ends_with("shop.py") && codes[0].1 == "DJP101",
            "{codes:?}"
        );
    }
}

/// Mode 000 on a file and on a directory. Root reads them anyway; then there is nothing to
/// test and the test says so (the /proc/self/mem case above covers read errors for root).
#[cfg(unix)]
#[test]
fn mode_000_file_and_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    let locked = dir.path().join("locked.py");
    fs::write(&locked, "x = 1\n").unwrap();
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    fs::write(sub.join("inner.py"), "x = 1\n").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&locked).is_ok() {
        eprintln!("skipped: running with privileges that ignore file modes (root)");
        fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let r = check(dir.path(), &["."]);
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("shop.py{FINDING}")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("locked.py: cannot read"), "{}", r.stderr);
    assert!(r.stderr.contains("sub"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn symlink_loops_directories_named_py_and_fifos() {
    use std::os::unix::fs::symlink;
    let dir = project();
    let p = dir.path();
    fs::write(p.join("shop.py"), MODELS).unwrap();
    symlink("self.py", p.join("self.py")).unwrap();
    symlink("b.py", p.join("a.py")).unwrap();
    symlink("a.py", p.join("b.py")).unwrap();
    fs::create_dir(p.join("d")).unwrap();
    symlink("..", p.join("d/up")).unwrap();
    fs::create_dir(p.join("x.py")).unwrap();
    fs::write(p.join("x.py/inner.py"), "x = 1\n").unwrap();
    let fifo = p.join("fifo.py");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let r = check(p, &["."]);
    assert_finding(&r);
    // Named explicitly, none of them hangs or crashes; a FIFO is never opened.
    let mut args = vec!["self.py", "a.py", "x.py", "d", "shop.py"];
    if made.is_ok_and(|s| s.success()) {
        args.push("fifo.py");
    }
    let r = check(p, &args);
    assert_finding(&r);
}

#[test]
fn paths_with_spaces_quotes_and_non_ascii() {
    let dir = project();
    let sub = dir.path().join("it's \"a\" café dir");
    fs::create_dir(&sub).unwrap();
    fs::write(sub.join("vüe s.py"), MODELS).unwrap();
    let r = check(dir.path(), &["."]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("it's \"a\" café dir/vüe s.py{FINDING}")),
        "{}",
        r.stdout
    );
    let out = djperf(dir.path())
        .args([
            "check",
            "--output-format",
            "json",
            "it's \"a\" café dir/vüe s.py",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.to_string().contains("vüe s.py"), "{v}");
}

#[test]
fn deep_indentation_is_refused_not_aborted() {
    let mut src = String::from(MODELS);
    for i in 0..3000 {
        src.push_str(&" ".repeat(i));
        src.push_str("if x:\n");
    }
    src.push_str(&" ".repeat(3000));
    src.push_str("pass\n");
    let dir = project();
    fs::write(dir.path().join("deep.py"), src).unwrap();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    let r = check(dir.path(), &["."]);
    assert_finding(&r);
    assert!(
        r.stderr.contains("deep.py: nesting deeper than 100 levels"),
        "{}",
        r.stderr
    );
}

#[test]
fn deep_expressions_do_not_overflow_the_stack() {
    let n = 50_000;
    let cases = [
        format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n)),
        format!("x = {}{}\n", "[".repeat(n), "]".repeat(n)),
        format!("x = {}0{}\n", "f(".repeat(n), ")".repeat(n)),
        format!("x = 1{}\n", " + 1".repeat(n)),
        format!("x = a{}\n", ".b".repeat(n)),
        format!("x = {}1\n", "not ".repeat(n)),
        format!("x = {}y\n", "lambda: ".repeat(n)),
    ];
    for src in cases {
        let dir = project();
        fs::write(dir.path().join("gen.py"), &src).unwrap();
        fs::write(dir.path().join("shop.py"), MODELS).unwrap();
        let r = check(dir.path(), &["."]);
        assert_finding(&r);
        assert!(!r.stderr.contains("internal error"), "{}", &src[..40]);
    }
}

#[test]
fn output_is_the_same_bytes_with_one_or_two_threads() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/projects");
    let run = |threads: &str| {
        djperf(&root)
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--output-format", "json", "."])
            .output()
            .unwrap()
    };
    let one = run("1");
    let two = run("2");
    let two_again = run("2");
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(two.stdout, two_again.stdout);
    assert_eq!(one.stderr, two.stderr);
}

#[test]
fn bad_command_lines_exit_2_with_one_line() {
    let dir = project();
    let cases: &[&[&str]] = &[
        &[],
        &["chek"],
        &["check", "--bogus"],
        &["check", "--output-format", "xml"],
        &["check", "--select", "DJP999"],
        &["check", "--ignore", "nonsense"],
        &["check", "does-not-exist.py"],
        &["check", "-"],
        &["check", "--max-file-size", "-3"],
        &["explain", "DJP999"],
        &["debug", "parse-only"],
    ];
    for args in cases {
        let out = djperf(dir.path()).args(*args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("djperf: error: "), "{args:?}: {err}");
    }
}

/// A panic anywhere (here inside a rayon worker) is reported as an internal error, exit 2.
#[test]
fn internal_errors_never_exit_0() {
    let dir = project();
    let out = djperf(dir.path())
        .args(["debug", "panic"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("djperf: error: internal error"));
}

#[test]
fn parse_only_walks_like_check() {
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    fs::write(dir.path().join("bad.py"), "def f(:\n").unwrap();
    let out = djperf(dir.path())
        .args(["debug", "parse-only", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.starts_with("parsed 2 files, "), "{s}");
    assert!(s.contains("1 with syntax errors"), "{s}");
}
