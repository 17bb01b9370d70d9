//! DJP310's advice fits the databases the settings can select, `unique=True` gets a unique
//! index, and `migrations-since` skips migrations that ran everywhere long ago.

mod common;

use common::{djperf, write};
use serde_json::Value;

const INITIAL: &str = "from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    operations = [
        migrations.CreateModel(
            name=\"Book\",
            fields=[
                (\"id\", models.AutoField(primary_key=True)),
                (\"isbn\", models.CharField(max_length=13)),
                (\"title\", models.CharField(max_length=200)),
            ],
        ),
    ]
";

const SECOND: &str = "from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [(\"shop\", \"0001_initial\")]

    operations = [
        migrations.AlterField(
            model_name=\"book\",
            name=\"isbn\",
            field=models.CharField(max_length=13, unique=True),
        ),
        migrations.AddIndex(
            model_name=\"book\",
            index=models.Index(fields=[\"title\"], name=\"book_title_idx\"),
        ),
    ]
";

fn project(settings: &[(&str, &str)], pyproject: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(p, "manage.py", "\"\"\"manage\"\"\"\n");
    write(p, "pyproject.toml", pyproject);
    write(p, "shop/__init__.py", "");
    write(
        p,
        "shop/models.py",
        "from django.db import models\n\n\nclass Book(models.Model):\n    isbn = models.CharField(max_length=13, unique=True)\n    title = models.CharField(max_length=200, db_index=True)\n",
    );
    write(p, "shop/migrations/__init__.py", "");
    write(p, "shop/migrations/0001_initial.py", INITIAL);
    write(p, "shop/migrations/0002_isbn.py", SECOND);
    for (rel, text) in settings {
        write(p, rel, text);
    }
    dir
}

/// DJP310 findings: (line, help).
fn djp310(dir: &std::path::Path) -> Vec<(u64, String)> {
    let out = djperf(dir)
        .args([
            "check",
            "--no-cache",
            "--select",
            "DJP310",
            "--output-format",
            "json",
            "--exit-zero",
            ".",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["location"]["row"].as_u64().unwrap(),
                d["help"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

const POSTGRES: &str = "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql\", \"NAME\": \"shop\"}}\n";

#[test]
fn postgres_only_gets_concurrent_operations_and_a_unique_index_for_unique() {
    let p = project(&[("config/settings.py", POSTGRES)], "[tool.djperf]\n");
    let found = djp310(p.path());
    assert_eq!(found.len(), 2, "{found:?}");
    let (alter, add) = (&found[0].1, &found[1].1);
    assert!(
        alter.contains("CREATE UNIQUE INDEX CONCURRENTLY"),
        "{alter}"
    );
    assert!(alter.contains("cannot be unique"), "{alter}");
    assert!(!alter.contains("AddIndexConcurrently"), "{alter}");
    assert!(add.contains("AddIndexConcurrently"), "{add}");
}

#[test]
fn engines_a_test_lists_are_not_settings() {
    // misago: a system check refuses other engines, and its test names them; a test that
    // overrides the settings does count.
    let check = "SUPPORTED_ENGINES = [\"django.db.backends.postgresql\"]\n";
    let test_check = "INVALID_ENGINES = [\"django.db.backends.sqlite3\", \"django.db.backends.mysql\"]\n\n\ndef test_invalid_engines():\n    for engine in INVALID_ENGINES:\n        assert engine\n";
    let p = project(
        &[
            ("config/settings.py", POSTGRES),
            ("shop/checks.py", check),
            ("shop/tests/__init__.py", ""),
            ("shop/tests/test_checks.py", test_check),
        ],
        "[tool.djperf]\n",
    );
    let found = djp310(p.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[1].1.contains("AddIndexConcurrently"),
        "{}",
        found[1].1
    );
    assert!(!found[1].1.contains("SQLite"), "{}", found[1].1);
    let override_test = "from django.test import override_settings\n\n\n@override_settings(DATABASES={\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\"}})\ndef test_on_sqlite():\n    pass\n";
    let p = project(
        &[
            ("config/settings.py", POSTGRES),
            ("shop/tests/__init__.py", ""),
            ("shop/tests/test_sqlite.py", override_test),
        ],
        "[tool.djperf]\n",
    );
    assert!(djp310(p.path())[1].1.contains("SQLite"));
}

#[test]
fn settings_that_can_select_sqlite_get_a_vendor_guarded_operation() {
    // An environment switch in the settings, and test settings on SQLite.
    let settings = "import os\n\nDATABASES = {\"default\": {\"ENGINE\": os.environ.get(\"DB_ENGINE\", \"django.db.backends.postgresql\")}}\n";
    let test_settings =
        "from .settings import *\n\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\"}}\n";
    let p = project(
        &[
            ("config/settings.py", settings),
            ("config/settings_test.py", test_settings),
        ],
        "[tool.djperf]\n",
    );
    let found = djp310(p.path());
    assert_eq!(found.len(), 2, "{found:?}");
    for (_, help) in &found {
        assert!(help.contains("SQLite"), "{help}");
        assert!(
            help.contains("schema_editor.connection.vendor == \"postgresql\""),
            "{help}"
        );
        assert!(help.contains("SeparateDatabaseAndState"), "{help}");
    }
    assert!(found[0].1.contains("CREATE UNIQUE INDEX CONCURRENTLY"));
    // Told it is PostgreSQL only, the plain advice comes back.
    let p = project(
        &[
            ("config/settings.py", settings),
            ("config/settings_test.py", test_settings),
        ],
        "[tool.djperf]\ndatabase = \"postgresql\"\n",
    );
    assert!(djp310(p.path())[1].1.contains("AddIndexConcurrently"));
}

#[test]
fn migrations_since_skips_history() {
    let p = project(
        &[("config/settings.py", POSTGRES)],
        "[tool.djperf]\nmigrations-since = { shop = \"0002_isbn\" }\n",
    );
    assert_eq!(djp310(p.path()), Vec::new());
    let p = project(
        &[("config/settings.py", POSTGRES)],
        "[tool.djperf]\nmigrations-since = { shop = \"0001_initial\" }\n",
    );
    assert_eq!(djp310(p.path()).len(), 2);
    let p = project(
        &[("config/settings.py", POSTGRES)],
        "[tool.djperf]\nmigrations-since = { other = \"0002_isbn\" }\n",
    );
    assert_eq!(djp310(p.path()).len(), 2);
}

/// A squashed migration that sorts before the ones it replaces (`0001_squashed_0002_...`)
/// is not what a database with history ran: its operations do not hide the originals'.
#[test]
fn a_squash_does_not_hide_the_migrations_it_replaces() {
    let p = project(&[("config/settings.py", POSTGRES)], "[tool.djperf]\n");
    let squash = INITIAL
        .replace(
            "    initial = True\n",
            "    replaces = [(\"shop\", \"0001_initial\"), (\"shop\", \"0002_isbn\")]\n",
        )
        .replace(
            "(\"isbn\", models.CharField(max_length=13))",
            "(\"isbn\", models.CharField(max_length=13, unique=True))",
        )
        .replace(
            "(\"title\", models.CharField(max_length=200))",
            "(\"title\", models.CharField(max_length=200, db_index=True))",
        );
    write(
        p.path(),
        "shop/migrations/0001_squashed_0002_isbn.py",
        &squash,
    );
    let found = djp310(p.path());
    assert_eq!(
        found.iter().map(|f| f.0).collect::<Vec<_>>(),
        [8, 13],
        "{found:?}"
    );
}

/// pretix builds its engine at run time (`"django.db.backends." + backend`, SQLite by
/// default) and imports `django.contrib.postgres` for PostgreSQL installs.
#[test]
fn an_engine_chosen_at_run_time_is_not_postgres_only() {
    let settings = "import os\n\nbackend = os.environ.get(\"DB\", \"sqlite3\")\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.\" + backend}}\n";
    let helpers = "from django.contrib.postgres.indexes import BrinIndex\n";
    let p = project(
        &[
            ("config/settings.py", settings),
            ("shop/helpers.py", helpers),
        ],
        "[tool.djperf]\n",
    );
    let found = djp310(p.path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[1].1.contains("other databases"), "{}", found[1].1);
    assert!(
        found[1].1.contains("SeparateDatabaseAndState"),
        "{}",
        found[1].1
    );
}

#[test]
fn code_that_branches_on_mysql_runs_there_too() {
    // django-hordak: PostgreSQL settings, and migrations that run SQL per vendor.
    let data_migration = "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n    if schema_editor.connection.vendor == \"postgresql\":\n        pass\n    elif schema_editor.connection.vendor == \"mysql\":\n        pass\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"shop\", \"0002_isbn\")]\n    operations = [migrations.RunPython(forwards)]\n";
    let p = project(
        &[
            ("config/settings.py", POSTGRES),
            ("shop/migrations/0003_sql.py", data_migration),
        ],
        "[tool.djperf]\n",
    );
    let found = djp310(p.path());
    assert_eq!(found.len(), 2, "{found:?}");
    for (_, help) in &found {
        assert!(help.contains("MySQL"), "{help}");
        assert!(!help.contains("use `django.contrib.postgres"), "{help}");
    }
    // Only a PostgreSQL branch: still PostgreSQL only.
    let pg_only = data_migration.replace("\"mysql\"", "\"postgresql\"");
    let p = project(
        &[
            ("config/settings.py", POSTGRES),
            ("shop/migrations/0003_sql.py", &pg_only),
        ],
        "[tool.djperf]\n",
    );
    assert!(djp310(p.path())[1].1.contains("AddIndexConcurrently"));
}

/// The app's initial run split over several files (`0002_initial` after `0001_initial`,
/// which makemigrations writes for circular dependencies, here without `initial = True`):
/// the tables the first created are still empty. A later migration with "initial" in its
/// name, after one that is not part of the initial run, is reported.
#[test]
fn an_initial_run_split_over_files_builds_on_empty_tables() {
    let p = project(&[("config/settings.py", POSTGRES)], "[tool.djperf]\n");
    let second = p.path().join("shop/migrations/0002_isbn.py");
    std::fs::rename(
        &second,
        p.path().join("shop/migrations/0002_initial_shop.py"),
    )
    .unwrap();
    assert_eq!(djp310(p.path()), Vec::new());
    write(
        p.path(),
        "shop/migrations/0003_isbn.py",
        &SECOND.replace("0001_initial", "0002_initial_shop"),
    );
    write(
        p.path(),
        "shop/migrations/0004_initial_more.py",
        &SECOND.replace("0001_initial", "0003_isbn"),
    );
    // `isbn` is unique since the initial run: only each file's `AddIndex` builds anything.
    let found = djp310(p.path());
    assert_eq!(
        found.iter().map(|f| f.0).collect::<Vec<_>>(),
        [13, 13],
        "{found:?}"
    );
}

/// `AddField(db_index=True)` keeps adding the column; a primary key and a unique-together
/// set are constraints that adopt the concurrently built index.
#[test]
fn advice_keeps_the_column_and_builds_constraints() {
    let third = "from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [(\"shop\", \"0002_isbn\")]

    operations = [
        migrations.AddField(
            model_name=\"book\",
            name=\"code\",
            field=models.CharField(max_length=5, default=\"\", db_index=True),
        ),
        migrations.RemoveField(model_name=\"book\", name=\"id\"),
        migrations.AlterField(
            model_name=\"book\",
            name=\"title\",
            field=models.CharField(max_length=200, primary_key=True, serialize=False),
        ),
        migrations.AlterUniqueTogether(
            name=\"book\",
            unique_together={(\"title\", \"code\")},
        ),
    ]
";
    let settings = "import os\n\nDATABASES = {\"default\": {\"ENGINE\": os.environ.get(\"DB_ENGINE\", \"django.db.backends.postgresql\")}}\n";
    let test_settings =
        "from .settings import *\n\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\"}}\n";
    for mixed in [false, true] {
        let files: Vec<(&str, &str)> = if mixed {
            vec![
                ("config/settings.py", settings),
                ("config/settings_test.py", test_settings),
            ]
        } else {
            vec![("config/settings.py", POSTGRES)]
        };
        let p = project(&files, "[tool.djperf]\n");
        write(p.path(), "shop/migrations/0003_keys.py", third);
        // a set replaced by another: the old constraint must be dropped as well
        let fourth = "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"shop\", \"0003_keys\")]\n\n    operations = [\n        migrations.AlterUniqueTogether(name=\"book\", unique_together={(\"isbn\", \"code\")}),\n    ]\n";
        write(p.path(), "shop/migrations/0004_together.py", fourth);
        let found: Vec<(u64, String)> = djp310(p.path()).into_iter().skip(2).collect();
        assert_eq!(found.len(), 4, "{found:?}");
        let replaced = &found[3].1;
        assert!(
            replaced.contains("DROP CONSTRAINT <name>` for each set it removes: (title, code)"),
            "{replaced}"
        );
        assert!(!found[2].1.contains("DROP CONSTRAINT"), "{}", found[2].1);
        let (add, pk, together) = (&found[0].1, &found[1].1, &found[2].1);
        assert!(
            add.contains("add `code` without the index (`db_index=False`) here"),
            "{add}"
        );
        assert!(add.contains("the `AlterField` to `db_index=True`"), "{add}");
        assert!(
            !add.contains("keep the `AddField`") && !add.contains("this `AddField`"),
            "{add}"
        );
        assert!(
            pk.contains("ADD CONSTRAINT <name> PRIMARY KEY USING INDEX <name>"),
            "{pk}"
        );
        assert!(
            together.contains("ADD CONSTRAINT <name> UNIQUE USING INDEX <name>"),
            "{together}"
        );
        assert_eq!(mixed, add.contains("SQLite"), "{add}");
    }
}
