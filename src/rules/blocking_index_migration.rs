//! DJP310 `blocking-index-migration`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::index::migrations::OpKind;

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
In a project that runs on PostgreSQL (a `postgresql`/`postgis` `ENGINE` in its settings, or an
import of `django.contrib.postgres`), finds migration operations that build an index on a
table that already exists: `AddIndex`, `AddField` with `db_index=True` or `unique=True`,
`AlterField` that turns on `db_index` or `unique` (compared with the app's earlier
migrations), and `AlterUniqueTogether`/`AlterIndexTogether` that add a set of columns.
An index added in the migration that creates the model is fine (the table is empty), and so
are `initial = True` and squashed (`replaces = [...]`) migrations, which only run on a
database that does not have the app's tables yet.

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
PostgreSQL. Small tables build their index in milliseconds; djperf cannot know the size.
`AddField` of a foreign key (which Django indexes too) and `RunSQL` are not read. Every
migration of the project is checked, also those that ran long ago: suppress those with
`# noqa: DJP310` or exclude them.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    if !cx.file.in_migrations || !cx.index.uses_postgres {
        return;
    }
    for b in cx.index.migrations.blocking(cx.file.id) {
        let help = match &b.op.kind {
            OpKind::AddIndex => "use `django.contrib.postgres.operations.AddIndexConcurrently` with the same arguments, in a migration with `atomic = False`".to_owned(),
            OpKind::AddField(..) | OpKind::AlterField(..) => format!(
                "add the field without the index here, then create the index in a separate migration with `atomic = False` using `AddIndexConcurrently` (wrap the `{}` in `SeparateDatabaseAndState` so the state still says `db_index`/`unique`)",
                b.op.class
            ),
            OpKind::Together(false, _) => "use `AddIndexConcurrently` with a `models.Index` on the same fields, in a migration with `atomic = False`".to_owned(),
            _ => "build the unique index with `CREATE UNIQUE INDEX CONCURRENTLY` (a `RunSQL` in a migration with `atomic = False`) and record the state with `SeparateDatabaseAndState`".to_owned(),
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
        });
    }
}
