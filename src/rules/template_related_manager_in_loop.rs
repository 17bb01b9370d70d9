//! DJP131 `template-related-manager-in-loop`.

use super::template_fk_in_loop::{fix_help, groups, related};
use super::{quoted_list, Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::flow::{EvalHow, Event};

pub const RULE: Rule = Rule {
    code: "DJP131",
    name: "template-related-manager-in-loop",
    summary: "A template evaluates a reverse or many-to-many manager on every row of a queryset its view did not prefetch",
    default_enabled: true,
    reads: Reads::TEMPLATES,
    fix: Fixable::No,
    supersedes: &[],
    severity: Severity::Warning,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does
Follows a view's context into the template it renders (as DJP130 does) and finds a related
manager — a reverse foreign key or a many-to-many — evaluated on each row of a `{% for %}`
loop: `{% for tag in book.tags.all %}`, `{{ book.reviews.count }}`,
`{{ book.tags.all|length }}`, `{% if book.tags.exists %}`, when the view's queryset did not
`prefetch_related()` it.

The finding is reported at the view's queryset, where the fix goes; the template lines
are shown as related locations.

## Why is this slow?
`book.tags.all` in a template calls the manager's `all()`: one query per row unless the
relation was prefetched. `.count` and `.exists` are queries too, served by a prefetch cache
when there is one.

## Example
```python
class BookListView(ListView):
    model = Book
```
```django
{% for book in book_list %}{% for tag in book.tags.all %}{{ tag.name }}{% endfor %}{% endfor %}
```

Use instead:
```python
class BookListView(ListView):
    queryset = Book.objects.prefetch_related("tags")
```

## Known problems
The same limits as DJP130: statically found templates, no `builtins` tag libraries,
nothing an inclusion tag builds itself. A manager narrowed in the template cannot be:
templates call methods without arguments.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let groups = groups(cx, |ev| match ev {
        Event::RelatedEval {
            span,
            root_span,
            rel,
            ..
        } => Some((*span, *root_span, rel.clone())),
        _ => None,
    });
    for g in groups {
        let mut lookups: Vec<String> = Vec::new();
        let mut only_counts = true;
        let mut narrowed: Option<String> = None;
        let mut first: Option<(&str, &str)> = None;
        let mut root_name = String::new();
        for ev in &g.events {
            if let Event::RelatedEval {
                path,
                model,
                rel,
                how,
                root_model,
                narrowed: n,
                ..
            } = ev
            {
                if narrowed.is_none() {
                    narrowed.clone_from(n);
                }
                let l = path.join("__");
                if !lookups.contains(&l) {
                    lookups.push(l);
                }
                only_counts &= matches!(how, EvalHow::Count | EvalHow::Exists);
                first.get_or_insert((&cx.index.model(*model).name, rel));
                root_name.clone_from(&cx.index.model(*root_model).name);
            }
        }
        let Some((model_name, rel)) = first else {
            continue;
        };
        let (related, templates) = related(cx, &g, "queries");
        let more = if lookups.len() > 1 {
            format!(" (and {} more)", lookups.len() - 1)
        } else {
            String::new()
        };
        let mut help = fix_help(
            cx,
            g.root_span.span,
            &root_name,
            &format!(".prefetch_related({})", quoted_list(&lookups)),
        );
        if let Some(m) = &narrowed {
            help = format!(
                "a plain prefetch cannot serve `.{}`: {}",
                super::called(m),
                fix_help(
                    cx,
                    g.root_span.span,
                    &root_name,
                    &format!(
                        ".prefetch_related(Prefetch({}, queryset=..., to_attr=\"...\"))",
                        quoted_list(&lookups[..1])
                    ),
                )
            );
        } else if only_counts {
            help.push_str(", or annotate() the counts if only the numbers are needed");
        }
        out.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            file: cx.file.id,
            span: g.root_span.span,
            message: format!(
                "{templates} queries `{model_name}.{rel}`{more} on every row it loops over: one query per row"
            ),
            label: format!(
                "these `{root_name}` rows do not prefetch `{}`",
                lookups.join("`, `")
            ),
            help: Some(help),
            related,
            fix: None,
            depends: Vec::new(),
        }
        .with_depends(g.events.iter().flat_map(|e| cx.depends_on(e)).collect()));
    }
}
