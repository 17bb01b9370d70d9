//! `--stdin-filename PATH -`: stdin replaces the on-disk copy of PATH.

mod common;

use common::{djperf, project, write, MODELS, VIEWS, VIEWS_FIXED};

#[test]
fn stdin_replaces_the_file_on_disk() {
    let p = project();
    // disk has the N+1, stdin has the fix
    djperf(p.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "shop/views.py",
            "-",
        ])
        .write_stdin(VIEWS_FIXED)
        .assert()
        .code(0)
        .stdout("All checks passed\n");
    // disk is fixed, stdin (the unsaved buffer) has the N+1: shown under PATH
    write(p.path(), "shop/views.py", VIEWS_FIXED);
    djperf(p.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "shop/views.py",
            "-",
        ])
        .write_stdin(VIEWS)
        .assert()
        .code(1)
        .stdout(predicates::str::starts_with("shop/views.py:7:27: DJP101"));
}

#[test]
fn stdin_models_replace_the_index_entry() {
    let p = project();
    let lookup = "\n\ndef names():\n    return [b.author.name for b in Book.objects.all()]\n";
    // same models as on disk: author is a foreign key
    djperf(p.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "shop/models.py",
            "-",
        ])
        .write_stdin(format!("{MODELS}{lookup}"))
        .assert()
        .code(1);
    // the buffer turns `author` into a plain field: the on-disk foreign key must be forgotten
    let changed = MODELS.replace(
        "models.ForeignKey(Author, on_delete=models.CASCADE)",
        "models.CharField(max_length=100)",
    );
    djperf(p.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "shop/models.py",
            "-",
        ])
        .write_stdin(format!("{changed}{lookup}"))
        .assert()
        .code(0)
        .stdout("All checks passed\n");
}

#[test]
fn stdin_for_a_new_file_and_config_by_path() {
    let p = project();
    // a file that does not exist on disk yet
    djperf(p.path())
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "shop/new_views.py",
            "-",
        ])
        .write_stdin(VIEWS)
        .assert()
        .code(1)
        .stdout(predicates::str::starts_with(
            "shop/new_views.py:7:27: DJP101",
        ));
    // per-file-ignores and force-exclude use PATH
    write(
        p.path(),
        "djperf.toml",
        "[per-file-ignores]\n\"new_*.py\" = [\"DJP101\"]\n",
    );
    djperf(p.path())
        .args(["check", "--stdin-filename", "shop/new_views.py", "-"])
        .write_stdin(VIEWS)
        .assert()
        .code(0);
    write(p.path(), "djperf.toml", "exclude = [\"new_*.py\"]\n");
    djperf(p.path())
        .args([
            "check",
            "--force-exclude",
            "--stdin-filename",
            "shop/new_views.py",
            "-",
        ])
        .write_stdin(VIEWS)
        .assert()
        .code(0);
    // `-` without --stdin-filename is a usage error
    djperf(p.path())
        .args(["check", "-"])
        .write_stdin(VIEWS)
        .assert()
        .code(2);
}
