//! DJP310 `blocking-index-migration`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::index::migrations::{Blocking, OpKind};

pub const RULE: Rule = Rule {
    code: "DJP310",
    name: "blocking-index-migration",
    summary: "a migration builds an index on an existing PostgreSQL table without CONCURRENTLY",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::MIGRATIONS,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
In a project that runs on PostgreSQL (a `postgresql`/`postgis` engine or database URL in its
code, or an import of `django.contrib.postgres`), finds migration operations that build an
index on a table that already exists: `AddIndex`, `AddField` with `db_index=True` or
`unique=True`, `AlterField` that turns on `db_index` or `unique` (compared with the app's
earlier migrations, `RenameField` and `RenameModel` followed), and
`AlterUniqueTogether`/`AlterIndexTogether` that add a set of columns. An index added in the
migration that creates the model is fine (the table is empty), and so are `initial = True` and
squashed (`replaces = [...]`) migrations, which only run on a database that does not have the
app's tables yet, and operations that build nothing (an `AlterUniqueTogether` that restates
the sets after a `RenameField`).

When the settings can also select another engine (an environment switch, test settings on
SQLite, an engine name put together at run time, code or migrations that branch on
`connection.vendor == "mysql"`), `AddIndexConcurrently` would fail there: the help gives a vendor-guarded
`SeparateDatabaseAndState` instead. A `unique=True` field gets `CREATE UNIQUE INDEX
CONCURRENTLY` (a plain `Index` cannot be unique).

## Why is this slow?
`CREATE INDEX` takes a lock that blocks every `INSERT`, `UPDATE` and `DELETE` on the table
until the index is built: minutes on a large table, while the site cannot write.
`CREATE INDEX CONCURRENTLY` builds it without blocking writes.

## Example
```python
class Migration(migrations.Migration):
    operations = [
        migrations.AddIndex(
            model_name="book",
            index=models.Index(fields=["isbn"], name="book_isbn_idx"),
        ),
    ]
```

Use instead:
```python
from django.contrib.postgres.operations import AddIndexConcurrently

class Migration(migrations.Migration):
    atomic = False

    operations = [
        AddIndexConcurrently(
            model_name="book",
            index=models.Index(fields=["isbn"], name="book_isbn_idx"),
        ),
    ]
```

## Known problems
A project whose database engine comes from the environment alone is not known to use
PostgreSQL (set `database = "postgresql"` in `[tool.djperf]`). Small tables build their index
in milliseconds; djperf cannot know the size. `AddField` of a foreign key (which Django
indexes too), `AddConstraint` and `RunSQL` are not read. Old migrations that ran on every
database long ago are history: `migrations-since = { <app> = "<last applied migration>" }`
skips them.
"#;

/// The advice for a project that runs only on PostgreSQL.
fn postgres_help(b: &Blocking<'_>) -> String {
    match &b.op.kind {
        OpKind::AddIndex => "use `django.contrib.postgres.operations.AddIndexConcurrently` with the same arguments, in a migration with `atomic = False`".to_owned(),
        OpKind::AddField(name, d) if d.unique => format!(
            "a plain `Index` cannot be unique: add `{name}` without `unique=True` here, then, in a migration with `atomic = False`, run `CREATE UNIQUE INDEX CONCURRENTLY <name> ON <table> (<column>)` and `ALTER TABLE <table> ADD CONSTRAINT <name> UNIQUE USING INDEX <name>` as the `database_operations` of a `SeparateDatabaseAndState` whose `state_operations` is the `AlterField` to `unique=True`"
        ),
        OpKind::AlterField(name, d) if d.unique => format!(
            "a plain `Index` cannot be unique: in a migration with `atomic = False`, run `CREATE UNIQUE INDEX CONCURRENTLY <name> ON <table> (<{name} column>)` and `ALTER TABLE <table> ADD CONSTRAINT <name> UNIQUE USING INDEX <name>` as the `database_operations` of a `SeparateDatabaseAndState` whose `state_operations` is this `{}`",
            b.op.class
        ),
        OpKind::AddField(..) | OpKind::AlterField(..) => format!(
            "add the field without the index here, then create the index in a separate migration with `atomic = False` using `AddIndexConcurrently` (wrap the `{}` in `SeparateDatabaseAndState` so the state still says `db_index`)",
            b.op.class
        ),
        OpKind::Together(false, _) => "use `AddIndexConcurrently` with a `models.Index` on the same fields, in a migration with `atomic = False`".to_owned(),
        _ => "build the unique index with `CREATE UNIQUE INDEX CONCURRENTLY` (a `RunSQL` in a migration with `atomic = False`) and record the state with `SeparateDatabaseAndState`".to_owned(),
    }
}

/// The advice for a project whose settings can also select other databases, where
/// `AddIndexConcurrently` fails (`TypeError` on SQLite, no psycopg elsewhere).
fn mixed_help(b: &Blocking<'_>, others: &str) -> String {
    let unique = match &b.op.kind {
        OpKind::AddField(_, d) | OpKind::AlterField(_, d) => d.unique,
        OpKind::Together(unique, _) => *unique,
        _ => false,
    };
    let create = if unique {
        "CREATE UNIQUE INDEX CONCURRENTLY"
    } else {
        "CREATE INDEX CONCURRENTLY"
    };
    format!(
        "the settings can also select {others}, where `AddIndexConcurrently` fails: in a migration with `atomic = False`, keep the `{}` as the `state_operations` of a `SeparateDatabaseAndState` whose `database_operations` is a `RunPython` that runs `{create}` when `schema_editor.connection.vendor == \"postgresql\"` and the plain operation otherwise",
        b.op.class
    )
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let engines = &cx.index.engines;
    if !cx.file.in_migrations || !engines.postgres {
        return;
    }
    let others: Vec<&str> = engines
        .others
        .iter()
        .map(|e| match *e {
            "sqlite" => "SQLite",
            "mysql" => "MySQL",
            _ => "Oracle",
        })
        .collect();
    let others = match (others.is_empty(), engines.runtime) {
        (true, true) => "other databases (the engine is chosen at run time)".to_owned(),
        (false, true) => format!("{} and other databases", others.join(", ")),
        _ => others.join(" and "),
    };
    for b in cx.index.migrations.blocking(cx.file.id) {
        let help = if engines.postgres_only() {
            postgres_help(&b)
        } else {
            mixed_help(&b, &others)
        };
        out.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            file: cx.file.id,
            span: super::header_span(cx.file, b.op.span),
            message: format!(
                "`{}` on `{}` builds {} while it blocks writes to the table",
                b.op.class, b.op.model, b.what
            ),
            label: "CREATE INDEX without CONCURRENTLY".to_owned(),
            help: Some(help),
            related: Vec::new(),
            fix: None,
            depends: Vec::new(),
        });
    }
}
