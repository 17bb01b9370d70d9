//! Command-line behaviour: exit codes, rule listing, JSON shape, selection, noqa.

use assert_cmd::Command;
use std::fs;

fn djperf() -> Command {
    Command::cargo_bin("djperf").unwrap()
}

const MODELS: &str = "from django.db import models\n\nclass Author(models.Model):\n    name = models.CharField(max_length=10)\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n";

fn project(views: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("manage.py"), "").unwrap();
    fs::create_dir(dir.path().join("shop")).unwrap();
    fs::write(dir.path().join("shop/__init__.py"), "").unwrap();
    fs::write(dir.path().join("shop/models.py"), MODELS).unwrap();
    fs::write(dir.path().join("shop/views.py"), views).unwrap();
    dir
}

const BAD: &str = "from .models import Book\n\ndef names():\n    return [b.author.name for b in Book.objects.all()]\n";

#[test]
fn exit_codes() {
    let bad = project(BAD);
    djperf()
        .current_dir(bad.path())
        .args(["check"])
        .assert()
        .code(1);
    djperf()
        .current_dir(bad.path())
        .args(["check", "--exit-zero"])
        .assert()
        .code(0);
    let good = project("from .models import Book\n\ndef names():\n    return [b.author.name for b in Book.objects.select_related('author')]\n");
    djperf()
        .current_dir(good.path())
        .args(["check"])
        .assert()
        .code(0);
    djperf()
        .current_dir(good.path())
        .args(["check", "--select", "E501"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown rule selector `E501`"));
    djperf()
        .current_dir(good.path())
        .args(["check", "no/such/path.py"])
        .assert()
        .code(2);
    djperf().args(["explain", "DJP999"]).assert().code(2);
}

#[test]
fn a_single_file_still_sees_models_in_other_files() {
    let bad = project(BAD);
    let out = djperf()
        .current_dir(bad.path())
        .args(["check", "shop/views.py", "--output-format", "concise"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("shop/views.py:4:13: DJP101"), "{s}");
}

#[test]
fn json_shape() {
    let bad = project(BAD);
    let out = djperf()
        .current_dir(bad.path())
        .args(["check", "--output-format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v[0];
    for key in [
        "code",
        "name",
        "severity",
        "message",
        "filename",
        "location",
        "end_location",
        "help",
        "fix",
        "related",
        "url",
    ] {
        assert!(d.get(key).is_some(), "missing key {key}: {d}");
    }
    assert_eq!(d["code"], "DJP101");
    assert_eq!(d["name"], "fk-access-in-loop");
    assert_eq!(d["filename"], "shop/views.py");
    assert_eq!(d["location"]["row"], 4);
    assert_eq!(d["location"]["column"], 13);
    assert!(d["help"]
        .as_str()
        .unwrap()
        .contains(".select_related(\"author\")"));
    assert_eq!(d["related"][0]["location"]["row"], 4);
}

#[test]
fn selection_and_noqa() {
    let bad = project(BAD);
    djperf()
        .current_dir(bad.path())
        .args(["check", "--ignore", "DJP1"])
        .assert()
        .code(0);
    djperf()
        .current_dir(bad.path())
        .args(["check", "--select", "DJP102"])
        .assert()
        .code(0);
    let quiet = project("from .models import Book\n\ndef names():\n    return [b.author.name for b in Book.objects.all()]  # noqa: DJP101\n");
    djperf()
        .current_dir(quiet.path())
        .args(["check"])
        .assert()
        .code(0);
    let other = project("from .models import Book\n\ndef names():\n    return [b.author.name for b in Book.objects.all()]  # noqa: DJP102\n");
    djperf()
        .current_dir(other.path())
        .args(["check"])
        .assert()
        .code(1);
}

#[test]
fn rules_and_explain() {
    let out = djperf().arg("rules").output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    for code in ["DJP101", "DJP102", "DJP103", "DJP104", "DJP105"] {
        assert!(s.contains(code), "{s}");
    }
    let out = djperf()
        .args(["explain", "fk-access-in-loop"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("## Why is this slow?") && s.contains("DJP101"),
        "{s}"
    );
}

#[test]
fn full_output_shows_help_and_summary() {
    let bad = project(BAD);
    let out = djperf()
        .current_dir(bad.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("warning[DJP101 fk-access-in-loop]"), "{s}");
    assert!(s.contains("help: add .select_related(\"author\")"), "{s}");
    assert!(s.contains("Found 1 problem in 1 file"), "{s}");
}

#[test]
fn test_code_is_skipped_unless_asked_for() {
    let dir = project("");
    fs::create_dir(dir.path().join("shop/tests")).unwrap();
    fs::write(dir.path().join("shop/tests/__init__.py"), "").unwrap();
    fs::write(
        dir.path().join("shop/tests/test_views.py"),
        BAD.replace("from .models", "from shop.models"),
    )
    .unwrap();
    djperf()
        .current_dir(dir.path())
        .args(["check"])
        .assert()
        .code(0);
    djperf()
        .current_dir(dir.path())
        .args(["check", "--include-tests", "--output-format", "concise"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "shop/tests/test_views.py:4:13: DJP101",
        ));
}

#[test]
fn template_findings_point_at_the_view_and_the_template_line() {
    let dir = project(
        "from django.shortcuts import render\nfrom .models import Book\n\ndef books(request):\n    qs = Book.objects.all()\n    return render(request, \"shop/books.html\", {\"books\": qs})\n",
    );
    fs::create_dir_all(dir.path().join("shop/templates/shop")).unwrap();
    fs::write(
        dir.path().join("shop/templates/shop/books.html"),
        "<ul>\n{% for b in books %}<li>{{ b.author.name }}</li>{% endfor %}\n</ul>\n",
    )
    .unwrap();
    let out = djperf()
        .current_dir(dir.path())
        .args(["check", "--output-format", "json", "--exit-zero"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DJP130")
        .expect("a DJP130 finding");
    assert_eq!(d["filename"], "shop/views.py");
    assert_eq!(d["location"]["row"], 5);
    let r = &d["related"][0];
    assert_eq!(r["filename"], "shop/templates/shop/books.html");
    assert_eq!(r["location"]["row"], 2);
    assert!(d["help"]
        .as_str()
        .unwrap()
        .contains("select_related(\"author\")"));
    // the full format shows the template snippet too
    djperf()
        .current_dir(dir.path())
        .args(["check", "--exit-zero"])
        .assert()
        .stdout(predicates::str::contains("{{ b.author.name }}"));
    // loaded in the view: nothing to report
    fs::write(
        dir.path().join("shop/views.py"),
        "from django.shortcuts import render\nfrom .models import Book\n\ndef books(request):\n    qs = Book.objects.select_related(\"author\")\n    return render(request, \"shop/books.html\", {\"books\": qs})\n",
    )
    .unwrap();
    djperf()
        .current_dir(dir.path())
        .args(["check", "--select", "DJP13"])
        .assert()
        .code(0);
}

#[test]
fn command_line_select_replaces_the_configured_selection() {
    let bad = project(BAD);
    fs::write(
        bad.path().join("pyproject.toml"),
        "[tool.djperf]\nextend-select = [\"DJP101\"]\n",
    )
    .unwrap();
    djperf()
        .current_dir(bad.path())
        .args(["check", "--select", "DJP104"])
        .assert()
        .code(0);
    djperf()
        .current_dir(bad.path())
        .args(["check", "--select", "DJP104", "--extend-select", "DJP101"])
        .assert()
        .code(1);
}

#[test]
fn without_a_root_marker_the_outermost_package_sets_the_root() {
    // An unpacked wheel: packages, no manage.py / pyproject.toml / .git.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    for pkg in ["catalog", "shop"] {
        fs::create_dir_all(site.join(pkg)).unwrap();
        fs::write(site.join(pkg).join("__init__.py"), "").unwrap();
    }
    fs::write(site.join("catalog/models.py"), MODELS).unwrap();
    fs::write(
        site.join("shop/views.py"),
        BAD.replace("from .models", "from catalog.models"),
    )
    .unwrap();
    let out = djperf()
        .current_dir(dir.path())
        .args([
            "check",
            "site/shop/views.py",
            "--output-format",
            "concise",
            "--no-cache",
        ])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("site/shop/views.py:4:13: DJP101"), "{s}");
}

#[test]
fn data_migration_code_in_migrations_is_checked_only_when_asked() {
    let dir = project("");
    fs::create_dir(dir.path().join("shop/migrations")).unwrap();
    fs::write(dir.path().join("shop/migrations/__init__.py"), "").unwrap();
    fs::write(
        dir.path().join("shop/migrations/0002_backfill.py"),
        "from django.db import migrations\n\n\
         def forwards(apps, schema_editor):\n    \
             Book = apps.get_model(\"shop\", \"Book\")\n    \
             for book in Book.objects.all():\n        \
                 print(book.author.name)\n\n\
         class Migration(migrations.Migration):\n    \
             operations = [migrations.RunPython(forwards)]\n",
    )
    .unwrap();
    djperf()
        .current_dir(dir.path())
        .args(["check"])
        .assert()
        .code(0);
    let found = predicates::str::contains("shop/migrations/0002_backfill.py:6:15: DJP101");
    djperf()
        .current_dir(dir.path())
        .args([
            "check",
            "--include-migrations",
            "--output-format",
            "concise",
        ])
        .assert()
        .code(1)
        .stdout(found.clone());
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.djperf]\ninclude-migrations = true\n",
    )
    .unwrap();
    djperf()
        .current_dir(dir.path())
        .args(["check", "--output-format", "concise"])
        .assert()
        .code(1)
        .stdout(found);
}
