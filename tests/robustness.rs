//! Robustness: every input problem of issues 9 and 19 is a tested behaviour. A file to be
//! checked that cannot be read is a DJP001 finding, a syntax error a DJP002 finding (so the
//! run exits 1 and every format carries them); a file that vanished, or one only indexed, is
//! a warning on stderr; exit code 2 is kept for usage, configuration and internal errors.
//! The other output formats and the escaping of names: `tests/robustness_report.rs`.

mod common;

use assert_cmd::Command;
use common::Run;
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

/// The binary, with a guard against hangs (not a timing: a loaded CI machine runs the
/// debug build over the fixtures in well over a minute).
fn djperf(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("djperf").unwrap();
    c.current_dir(dir).timeout(Duration::from_secs(600));
    c
}

fn check(dir: &Path, args: &[&str]) -> Run {
    Run::of(
        djperf(dir)
            .args(["check", "--output-format", "concise"])
            .args(args),
    )
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
fn syntax_error_is_a_finding_and_the_rest_is_still_checked() {
    let src = MODELS.replace(
        "\n\ndef titles",
        "\n\ndef broken(:\n    pass\n\n\ndef titles",
    );
    let r = check_bytes(src.as_bytes());
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "shop.py:12:12: DJP002 syntax error: expected `)`\n\
         shop.py:18:15: DJP101 `Book.author` is a relation read on every row: one query per row\n\
         Found 2 problems in 1 file\n",
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr, "");
    // A file that is nothing but a syntax error does not pass for clean.
    let r = check_bytes(b"def (\n");
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("shop.py:1:"), "{}", r.stdout);
    assert!(r.stdout.contains(" DJP002 syntax error"), "{}", r.stdout);
    // Ignored, it is only a warning, as before.
    let dir = project();
    fs::write(dir.path().join("shop.py"), "def (\n").unwrap();
    let r = check(dir.path(), &["--ignore", "DJP002", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("shop.py: syntax error"), "{}", r.stderr);
}

/// After a broken statement the parse recovers at the next top-level statement: an
/// unterminated f-string or an unclosed call no longer swallows the functions after it.
#[test]
fn functions_after_a_syntax_error_are_still_checked() {
    for broken in [
        "label = f\"{book.title\n",
        "label = f'{book.title} '  'x\n",
        "value = compute(1,\n    2\n",
        "x = [\n    1,\n",
        "def half(:\n    return (\n",
        "class Broken(\n",
        "if x\n    pass\n",
    ] {
        let src = MODELS.replace("\n\ndef titles", &format!("\n\n{broken}\n\ndef titles"));
        let line = src
            .lines()
            .position(|l| l.contains("book.author.name"))
            .unwrap()
            + 1;
        let r = check_bytes(src.as_bytes());
        assert!(
            r.stdout.contains(&format!("shop.py:{line}:15: DJP101")),
            "{broken:?}:\n{}",
            r.stdout
        );
        assert!(r.stdout.contains("DJP002"), "{broken:?}:\n{}", r.stdout);
        assert_eq!(r.code, 1);
    }
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

/// A 20 MB generated file is checked by default (there is no size limit, as in Ruff), within
/// 24 bytes of memory per source byte. It is parsed one run of top-level statements at a
/// time, so only a small tree-sitter tree is alive at once (parsed whole, the tree alone took
/// 1.6 GB and the run 2.1 GB, about 100 bytes per source byte; then about 490 MB, and 420 MiB
/// since expressions take 40 bytes and statements 64, mostly the lowered IR). A model defined
/// at its end is indexed.
#[test]
fn huge_generated_file_checked_by_default_in_bounded_memory() {
    let dir = project();
    let mut big = generated(20 << 20);
    big.push_str("\nfrom django.db import models\n\n\nclass Huge(models.Model):\n    book = models.ForeignKey(\"shop.Book\", on_delete=models.CASCADE)\n");
    fs::write(dir.path().join("big.py"), &big).unwrap();
    let uses = "from big import Huge\n\n\ndef f():\n    for h in Huge.objects.all():\n        print(h.book.id, h.book.author)\n";
    fs::write(dir.path().join("shop.py"), format!("{MODELS}{uses}")).unwrap();
    let (r, kib) = check_with_peak_rss(dir.path(), &["."]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("shop.py{FINDING}")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("shop.py:20:15: DJP101 [*] `Huge.book`"),
        "the model of big.py was not indexed:\n{}",
        r.stdout
    );
    assert_eq!(r.stderr, "");
    let bound = 24 * big.len() as u64 / 1024;
    assert!(kib < bound, "peak RSS {kib} KiB, bound {bound} KiB");
}

/// An unreadable file that the user asked to check is a DJP001 finding (exit 1), and every
/// other file is still reported; one that is only indexed (not reported) is a warning.
#[cfg(target_os = "linux")]
#[test]
fn unreadable_file() {
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    // Tests may run as root, which ignores file modes; reading /proc/self/mem from offset 0
    // fails with EIO for everyone (the mode 000 case, run unprivileged, is below).
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("mem.py")).unwrap();
    let r = check(dir.path(), &["."]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "mem.py:1:1: DJP001 cannot read: Input/output error (os error 5); not checked\n\
             shop.py{FINDING} [*] `Book.author` is a relation read on every row: one query per row\n\
             Found 2 problems in 2 files\n\
             [*] 1 fixable with --fix\n"
        )
    );
    assert_eq!(r.stderr, "");
    // Checking only shop.py: mem.py is indexed, not reported, so it is only a warning.
    let r = check(dir.path(), &["shop.py"]);
    assert_finding(&r);
    assert!(
        r.stderr.contains("mem.py: cannot read: Input/output error"),
        "{}",
        r.stderr
    );
    // With DJP001 ignored, a warning says the file was not checked.
    let r = check(dir.path(), &["--ignore", "DJP001", "."]);
    assert_finding(&r);
    assert!(
        r.stderr
            .contains("mem.py: cannot read: Input/output error (os error 5); not checked"),
        "{}",
        r.stderr
    );
    // `select` does not turn it off.
    let r = check(dir.path(), &["--select", "DJP4", "."]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("mem.py:1:1: DJP001 "), "{}", r.stdout);
}

/// A file found by the walk and gone before it is read (a `git checkout`, a build step, an
/// editor's temporary file): a warning naming it, every other file still checked, no panic,
/// no finding and no error: it no longer exists, so nothing of it is lost.
#[test]
fn file_that_vanishes_after_it_was_found() {
    use djperf::check::{plan, CheckOptions};
    let dir = project();
    let root = dir.path().canonicalize().unwrap();
    fs::write(root.join("shop.py"), MODELS).unwrap();
    for (paths, reported) in [
        (vec![root.clone()], true),
        (vec![root.join("shop.py")], false),
        (vec![root.join("gone.py"), root.join("shop.py")], true),
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
            warned[0].contains("gone.py: it vanished after it was found; skipped"),
            "{warned:?}"
        );
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

/// Run `djperf check` as an unprivileged user, so that file modes are enforced: directly when
/// the tests do not run as root, else through `setpriv` as `nobody`. `None` (with the reason
/// printed) only when neither is possible.
#[cfg(unix)]
fn check_unprivileged(dir: &Path, args: &[&str]) -> Option<Run> {
    use std::os::unix::fs::MetadataExt;
    let root = fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let bin = assert_cmd::cargo::cargo_bin("djperf");
    let mut cmd = if root {
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(setpriv) = setpriv else {
            eprintln!(
                "SKIPPED: running as root and setpriv is missing: file modes cannot be enforced"
            );
            return None;
        };
        let mut c = std::process::Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    cmd.current_dir(dir).args(["check", "--no-cache"]);
    if !args.contains(&"--output-format") {
        cmd.args(["--output-format", "concise"]);
    }
    let out = cmd.args(args).output().unwrap();
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Mode 000 on a file and on a directory, run as a user the modes apply to (`nobody` through
/// `setpriv` when the tests run as root): each is a DJP001 finding, the JSON report still
/// holds every other finding, and the exit code is 1.
#[cfg(unix)]
#[test]
fn mode_000_file_and_directory() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let p = dir.path();
    fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(p.join("shop.py"), MODELS).unwrap();
    let locked = p.join("locked.py");
    fs::write(&locked, "x = 1\n").unwrap();
    let sub = p.join("sub");
    fs::create_dir(&sub).unwrap();
    fs::write(sub.join("inner.py"), "x = 1\n").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o000)).unwrap();
    let r = check_unprivileged(p, &["."]);
    let json = check_unprivileged(p, &["--output-format", "json", "."]);
    let only = check_unprivileged(p, &["shop.py"]);
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    let (Some(r), Some(json), Some(only)) = (r, json, only) else {
        return;
    };
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "locked.py:1:1: DJP001 cannot read: Permission denied (os error 13); not checked\n\
             shop.py{FINDING} [*] `Book.author` is a relation read on every row: one query per row\n\
             sub:1:1: DJP001 cannot list the directory: Permission denied (os error 13); not checked\n\
             Found 3 problems in 3 files\n\
             [*] 1 fixable with --fix\n"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr, "");
    assert_eq!(json.code, 1, "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let codes: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["filename"].as_str().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("locked.py", "DJP001"),
            ("shop.py", "DJP101"),
            ("sub", "DJP001")
        ]
    );
    // Only indexed, they are warnings: the file and the directory are not reported.
    assert_finding(&only);
    assert!(
        only.stderr
            .contains("locked.py: cannot read: Permission denied"),
        "{}",
        only.stderr
    );
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
    symlink("nowhere.py", p.join("dangling.py")).unwrap();
    let fifo = p.join("fifo.py");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    // Walked into, they are skipped silently: none is a file that was meant to be checked.
    let r = check(p, &["."]);
    assert_finding(&r);
    assert_eq!(r.stderr, "");
    assert!(!r.stdout.contains("DJP001"), "{}", r.stdout);
    // Named explicitly, none of them hangs or crashes; a FIFO is never opened (a read would
    // wait for a writer forever), and each that cannot be read is a DJP001 finding.
    let r = check(
        p,
        &[
            "self.py",
            "a.py",
            "x.py",
            "d",
            "fifo.py",
            "dangling.py",
            "shop.py",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "a.py:1:1: DJP001 cannot read: Too many levels of symbolic links (os error 40); not checked",
            "dangling.py:1:1: DJP001 cannot read: a symbolic link to nothing; not checked",
            "fifo.py:1:1: DJP001 a FIFO, not a regular file: never opened; not checked",
            "self.py:1:1: DJP001 cannot read: Too many levels of symbolic links (os error 40); not checked",
            &format!("shop.py{FINDING} [*] `Book.author` is a relation read on every row: one query per row"),
            "Found 5 problems in 5 files",
            "[*] 1 fixable with --fix",
        ],
        "{}",
        r.stderr
    );
}

/// Character and block devices named on the command line are not read either (reading
/// `/dev/zero` would never end, `/dev/tty` would wait for the keyboard).
#[cfg(target_os = "linux")]
#[test]
fn devices_named_on_the_command_line_are_never_read() {
    let dir = project();
    fs::write(dir.path().join("shop.py"), MODELS).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.py")).unwrap();
    let r = check(dir.path(), &["zero.py", "/dev/null", "shop.py"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("/dev/null:1:1: DJP001 a character device, not a regular file: never opened; not checked"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "zero.py:1:1: DJP001 a character device, not a regular file: never opened; not checked"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("shop.py{FINDING}")),
        "{}",
        r.stdout
    );
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
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!("shop.py{FINDING}")),
        "{}",
        r.stdout
    );
    // Python rejects it too: a syntax error at the first line past 100 blocks.
    assert!(
        r.stdout
            .contains("deep.py:116:102: DJP002 syntax error: more than 100 nested blocks"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr, "");
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
