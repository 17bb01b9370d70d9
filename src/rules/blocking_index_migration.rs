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
app's tables yet, a migration of the app's initial run split over files (`0002_initial...`
after only initial migrations) on the tables they created, and operations that build nothing
(an `AlterUniqueTogether` that restates the sets after a `RenameField`).

When the settings can also select another engine (an environment switch, test settings on
SQLite, an engine name put together at run time, code or migrations that branch on
`connection.vendor == "mysql"`), `AddIndexConcurrently` would fail there: the help gives a vendor-guarded
`SeparateDatabaseAndState` instead. A `unique=True` field and a `unique_together` set get
`CREATE UNIQUE INDEX CONCURRENTLY` and then `ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING
INDEX` (a plain `Index` cannot be unique, and a unique index is not the constraint a later
migration drops; the sets an `AlterUniqueTogether` replaces are dropped with `DROP
CONSTRAINT`, which a state-only operation would leave behind); a new primary key gets `ADD
CONSTRAINT ... PRIMARY KEY USING INDEX`. An
`AddField` keeps adding its column (with `db_index=False`, or without `unique=True`) and the
index is built in a separate migration whose state is the `AlterField` that turns it on; an
`AlterField` first applies what else it changes (dropping `null=True`, a new type) without the
index, since a state-only operation would leave those out of the database too.

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

/// What the operation builds, in SQL that does not block writes, and how the state is kept.
struct Concurrent {
    /// The statements run instead (`CREATE UNIQUE INDEX CONCURRENTLY ...` and the constraint
    /// that adopts the index).
    sql: String,
    /// The operation kept as the `state_operations` of a `SeparateDatabaseAndState`.
    state: String,
    /// A first step in this migration (`AddField` keeps adding the column, without the
    /// index), the concurrent build then going in a separate migration.
    first: Option<String>,
}

/// The concurrent form of `b`, or `None` when a plain `AddIndexConcurrently` fits (postgres
/// only) or nothing safe can be said.
fn concurrent(b: &Blocking<'_>) -> Option<Concurrent> {
    let unique_sql = |cols: &str, constraint: &str| {
        format!(
            "`CREATE UNIQUE INDEX CONCURRENTLY <name> ON <table> ({cols})` and then `ALTER TABLE <table> ADD CONSTRAINT <name> {constraint} USING INDEX <name>`"
        )
    };
    let index_sql = |cols: &str| format!("`CREATE INDEX CONCURRENTLY <name> ON <table> ({cols})`");
    let class = &b.op.class;
    match &b.op.kind {
        OpKind::AddField(name, d) => {
            let col = format!("<{name} column>");
            let (add, sql, to) = if d.primary_key {
                // a primary key added to a table with rows: no safe short advice
                return None;
            } else if d.one_to_one {
                // a `OneToOneField` is always unique: a foreign key without its index first
                (
                    format!("add `{name}` as a `ForeignKey` with the same arguments and `db_index=False`"),
                    unique_sql(&col, "UNIQUE"),
                    "the `OneToOneField`",
                )
            } else if d.unique {
                (
                    format!("add `{name}` without `unique=True`"),
                    unique_sql(&col, "UNIQUE"),
                    "`unique=True`",
                )
            } else {
                (
                    format!("add `{name}` without the index (`db_index=False`)"),
                    index_sql(&col),
                    "`db_index=True`",
                )
            };
            Some(Concurrent {
                sql,
                state: format!("the `AlterField` to {to}"),
                first: Some(format!(
                    "{add} here (the column is still added), then, in a separate migration"
                )),
            })
        }
        OpKind::AlterField(name, d) => {
            let col = format!("<{name} column>");
            let sql = if d.primary_key {
                // a unique index is no primary key: the constraint adopts it (the column
                // must already be NOT NULL, or PostgreSQL scans the table for it)
                format!(
                    "{} (`{name}` must already be NOT NULL)",
                    unique_sql(&col, "PRIMARY KEY")
                )
            } else if d.unique {
                unique_sql(&col, "UNIQUE")
            } else {
                index_sql(&col)
            };
            // A state-only `AlterField` changes nothing else in the database either: what else
            // it alters (dropping `null=True`, the type, a default) goes first, without the index.
            let without = if d.primary_key {
                None
            } else if d.unique {
                Some("`unique=True`")
            } else {
                Some("the index (`db_index=False`)")
            };
            Some(Concurrent {
                sql,
                state: format!("this `{class}`"),
                first: without.map(|w| {
                    format!(
                        "alter `{name}` to its new definition without {w} here (what else the `{class}` changes, such as dropping `null=True`, still applies), then, in a separate migration"
                    )
                }),
            })
        }
        OpKind::Together(true, _) => Some(Concurrent {
            sql: format!("{}{}", unique_sql("<columns>", "UNIQUE"), dropped(b)),
            state: format!("this `{class}`"),
            first: None,
        }),
        _ => None,
    }
}

/// The statements for the sets an `AlterUniqueTogether` drops, which a state-only operation
/// would leave in the database (`, and ALTER TABLE ... DROP CONSTRAINT ...`).
fn dropped(b: &Blocking<'_>) -> String {
    if b.drops.is_empty() {
        return String::new();
    }
    let sets: Vec<String> = b
        .drops
        .iter()
        .map(|t| format!("({})", t.join(", ")))
        .collect();
    format!(
        ", and `ALTER TABLE <table> DROP CONSTRAINT <name>` for each set it removes: {}",
        sets.join(" and ")
    )
}

/// The advice for a project that runs only on PostgreSQL.
fn postgres_help(b: &Blocking<'_>) -> Option<String> {
    match &b.op.kind {
        OpKind::AddIndex => return Some("use `django.contrib.postgres.operations.AddIndexConcurrently` with the same arguments, in a migration with `atomic = False`".to_owned()),
        OpKind::Together(false, _) => return Some("use `AddIndexConcurrently` with a `models.Index` on the same fields, in a migration with `atomic = False`".to_owned()),
        _ => {}
    }
    let c = concurrent(b)?;
    let lead = match &b.op.kind {
        OpKind::AlterField(_, d) if d.primary_key => "a unique index is not a primary key: ",
        OpKind::AddField(_, d) | OpKind::AlterField(_, d) if d.unique => {
            "a plain `Index` cannot be unique, and a unique index is not a constraint: "
        }
        OpKind::Together(true, _) => {
            "a plain `Index` cannot be unique, and a unique index is not a constraint: "
        }
        _ => "",
    };
    let first = c.first.unwrap_or_else(|| "in a migration".to_owned());
    Some(format!(
        "{lead}{first} with `atomic = False`, run {} as the `database_operations` of a `SeparateDatabaseAndState` whose `state_operations` is {}",
        c.sql, c.state
    ))
}

/// The advice for a project whose settings can also select other databases, where
/// `AddIndexConcurrently` fails (`TypeError` on SQLite, no psycopg elsewhere).
fn mixed_help(b: &Blocking<'_>, others: &str) -> Option<String> {
    let lead =
        format!("the settings can also select {others}, where `AddIndexConcurrently` fails: ");
    let guard = "when `schema_editor.connection.vendor == \"postgresql\"`";
    let Some(c) = concurrent(b) else {
        // `AddIndex`, `AlterIndexTogether`: the state is the operation itself
        if matches!(b.op.kind, OpKind::AddIndex | OpKind::Together(false, _)) {
            return Some(format!(
                "{lead}in a migration with `atomic = False`, keep the `{}` as the `state_operations` of a `SeparateDatabaseAndState` whose `database_operations` is a `RunPython` that runs `CREATE INDEX CONCURRENTLY` {guard} and the plain operation otherwise",
                b.op.class
            ));
        }
        return None;
    };
    let first = c.first.unwrap_or_else(|| "in a migration".to_owned());
    Some(format!(
        "{lead}{first} with `atomic = False`, keep {} as the `state_operations` of a `SeparateDatabaseAndState` whose `database_operations` is a `RunPython` that runs {} {guard} and the plain operation otherwise",
        c.state, c.sql
    ))
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
            help,
            related: Vec::new(),
            fix: None,
            depends: Vec::new(),
        });
    }
}
