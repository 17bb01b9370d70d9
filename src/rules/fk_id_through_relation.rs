//! DJP404 `fk-id-through-relation`.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::flow::Event;

pub const RULE: Rule = Rule {
    code: "DJP404",
    name: "fk-id-through-relation",
    summary: "The related object is loaded only to read its primary key",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads_migrations: false,
    check,
};

const DOC: &str = r#"## What it does
Finds `obj.author.id` and `obj.author.pk` where `author` is a foreign key or one-to-one field
whose object was not loaded with the row (`select_related`).

## Why is this slow?
Reading `obj.author` runs a query to fetch the author, only to read the key that the row
already holds in its `author_id` column. In a loop that is one query per row.

## Example
```python
for book in Book.objects.all():
    ids.append(book.author.id)
```

Use instead:
```python
for book in Book.objects.all():
    ids.append(book.author_id)
```

## Known problems
A foreign key with `to_field` stores that field, not the primary key, in `author_id`; such
keys are not told apart. Reads of the same `obj.author` elsewhere in the function (which fetch
it anyway) silence the finding, but an object built in the function with the related object
(`Book.objects.create(author=a)`, `Book(author=a)`) already holds it and is still reported.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::FkIdThroughRelation {
            span,
            model,
            attr,
            id_attr,
        } = ev
        else {
            continue;
        };
        let name = &cx.index.model(*model).name;
        out.push(
            rule.diagnostic(
                cx.file.id,
                *span,
                format!("`{name}.{attr}` is fetched only to read its `{id_attr}`"),
                format!("queries `{attr}` to read a key the row holds"),
            )
            .with_help(format!("read `{attr}_id` instead: no query")),
        );
    }
}
