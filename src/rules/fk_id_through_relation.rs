//! DJP404 `fk-id-through-relation`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::fix::rewrite;
use crate::flow::Event;
use crate::index::Member;

pub const RULE: Rule = Rule {
    code: "DJP404",
    name: "fk-id-through-relation",
    summary: "The related object is loaded only to read its primary key",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &["DJP101"],
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

## Fix safety
`obj.author.id` becomes `obj.author_id`. Safe on a non-null foreign key. Unsafe on a nullable
one: `obj.author_id` is `None` where `obj.author.id` raised `AttributeError`. No fix when the
declaration names `to_field`; unsafe when the declaration could not be read.

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
        let fix = key_fix(cx, *model, attr, span.span);
        out.push(
            rule.diagnostic(
                *span,
                format!("`{name}.{attr}` is fetched only to read its `{id_attr}`"),
                format!("queries `{attr}` to read a key the row holds"),
            )
            .with_help(format!("read `{attr}_id` instead: no query"))
            .with_fix(fix)
            .with_depends(cx.depends_on(ev)),
        );
    }
}

/// `obj.author_id` for `obj.author.id`: safe on a non-null foreign key; unsafe on a nullable
/// one (`author_id` is `None` where `author.id` raised) or when the declaration cannot be
/// read; none with `to_field` (`author_id` then holds that field, not the key).
fn key_fix(
    cx: &Context<'_>,
    model: crate::index::ModelId,
    attr: &str,
    span: crate::source::Span,
) -> Option<Fix> {
    let Some(Member::Forward(f)) = cx.index.member(model, attr) else {
        return None;
    };
    let decl = f
        .file
        .and_then(|id| cx.file_by_id(id))
        .and_then(|file| file.text.as_deref().and_then(|t| t.get(f.span.range())));
    if decl.is_some_and(|d| d.contains("to_field")) {
        return None;
    }
    let edit = rewrite::relation_key(cx.file, span)?;
    let why = if f.null {
        Some(format!(
            "`{attr}` is nullable: `{attr}_id` gives None where `{attr}.id` raised AttributeError"
        ))
    } else if decl.is_none() && f.file.is_some() {
        Some("the foreign key's declaration was not read: check it has no `to_field`".to_owned())
    } else {
        None
    };
    Some(Fix {
        message: match &why {
            Some(w) => format!("Read `{attr}_id` ({w})"),
            None => format!("Read `{attr}_id`"),
        },
        applicability: if why.is_some() {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: vec![edit],
    })
}
