//! DJP130 `template-fk-in-loop`.

use super::{quoted_list, Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::flow::Event;
use crate::project::FileId;
use crate::source::{Loc, Span};
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP130",
    name: "template-fk-in-loop",
    summary:
        "A template reads a foreign key on every row of a queryset its view did not load it on",
    default_enabled: true,
    reads: Reads::TEMPLATES,
    fix: Fixable::No,
    supersedes: &[],
    severity: Severity::Warning,
    doc: DOC,
    check,
};

const DOC: &str = r#"## What it does
Follows a view's context into the template it renders (`render()`, `TemplateResponse`,
`ListView`/`DetailView`/`TemplateView`, also through project base views of any module,
through `{% extends %}` and `{{ block.super }}`,
`{% include %}`, `{% with %}`, `{% regroup %}`, tuple loops over `enumerate()`/`zip()`,
and the custom inclusion tags, simple tags and filters of `{% load %}`ed `templatetags`
libraries) and finds a forward foreign key or one-to-one relation read
on each row of a `{% for %}` loop (`{{ book.author.name }}`) when the view's queryset did not
load it with `select_related()` (or `prefetch_related()`).

The finding is reported at the view's queryset, where the fix goes; the template line that
reads the relation is shown as a related location.

A django-tables2 table rendered by a `SingleTableView` (or `SingleTableMixin`) with
`table_class = ...` is followed the same way: every column of the table runs for each row of
the view's queryset, as django-tables2 renders it. A column's accessor
(`Column(accessor="author__name")`, by default the column's name) is resolved on the row, and
then its `render_<column>(value, record)` method runs, or the value is shown as text
(`str(author)`). The columns generated from `Meta.model`/`Meta.fields` are followed too, and
`Meta.exclude` is applied. The column is shown as the related location.

## Why is this slow?
A template lookup `book.author` is an attribute read: Django runs one query per row for a
relation that was not loaded, exactly as in Python code. Templates hide it well: the view
looks like one query and the page runs N+1.

## Example
```python
def book_list(request):
    return render(request, "shop/books.html", {"books": Book.objects.all()})
```
```django
{% for book in books %}{{ book.author.name }}{% endfor %}
```

Use instead:
```python
def book_list(request):
    books = Book.objects.select_related("author")
    return render(request, "shop/books.html", {"books": books})
```

## Known problems
Templates are found statically: an app's `templates/` directory and `TEMPLATES["DIRS"]`
entries that are literal paths or built from `BASE_DIR`. Template names computed at run
time, tags and filters of `builtins` libraries, and values an inclusion tag builds itself
(a queryset made in the tag function) are not followed; neither are a table's
`TemplateColumn`s, a project's own column classes, columns with `linkify`/`transform`, tables
whose classes define `__init__` (they may load what the columns read themselves), or views
that build the table or its data in code of their own (`get_table_data()`, a `get_table()`
that does more than extend `super()`); tuple loops over dicts
(`{% for k, v in d.items %}`) bind nothing. Relations read on the object of a `DetailView` (one row) are
not findings; loops over its related managers are not followed to the view either.
"#;

/// Whether a file of the run is a template.
fn is_template(cx: &Context<'_>, id: FileId) -> bool {
    cx.file_by_id(id).is_some_and(|f| f.template)
}

/// Group template events by the view queryset they belong to.
pub(super) struct Group<'e> {
    pub root_span: Loc,
    pub events: Vec<&'e Event>,
    /// Template locations reading the relations: (file, span, what).
    pub sites: Vec<(FileId, Span, String)>,
}

/// Events of `cx`'s views for which `pick` returns the accessor read, grouped per queryset.
pub(super) fn groups<'e>(
    cx: &'e Context<'_>,
    pick: impl Fn(&Event) -> Option<(Loc, Loc, String)>,
) -> Vec<Group<'e>> {
    let walked = cx.template_events();
    let mut by_root: BTreeMap<Loc, Group<'e>> = BTreeMap::new();
    // Template lookups, then the columns of django-tables2 tables (in Python files).
    let evs = walked
        .events
        .iter()
        .map(|e| (e, true))
        .chain(walked.tables.iter().map(|e| (e, false)));
    for (ev, in_template) in evs {
        let Some((span, root_span, attr)) = pick(ev) else {
            continue;
        };
        // The fix goes to a queryset of the view; one built in the template is not reported.
        if root_span.file != cx.file.id {
            continue;
        }
        if in_template && !is_template(cx, span.file) {
            continue;
        }
        let (tfile, tspan) = (span.file, span.span);
        let g = by_root.entry(root_span).or_insert_with(|| Group {
            root_span,
            events: Vec::new(),
            sites: Vec::new(),
        });
        g.events.push(ev);
        let line = |f: FileId, s: Span| {
            cx.file_by_id(f)
                .map_or(0, |file| file.lines.line_of(s.start as usize))
        };
        if !g
            .sites
            .iter()
            .any(|(f, s, a)| *f == tfile && line(*f, *s) == line(tfile, tspan) && *a == attr)
        {
            g.sites.push((tfile, tspan, attr));
        }
    }
    by_root.into_values().collect()
}

/// The related locations of a group (at most a few), and what reads them: "template
/// `a.html`", or "the table in `app/tables.py`" for django-tables2 columns.
pub(super) fn related(cx: &Context<'_>, g: &Group<'_>, what: &str) -> (Vec<Related>, String) {
    const MAX_SITES: usize = 5;
    let mut names: Vec<String> = Vec::new();
    let mut tables: Vec<String> = Vec::new();
    let mut rel = Vec::new();
    for (f, s, attr) in &g.sites {
        let name = cx
            .file_by_id(*f)
            .map(|file| crate::discover::slashed(&file.rel))
            .unwrap_or_default();
        let list = if is_template(cx, *f) {
            &mut names
        } else {
            &mut tables
        };
        if !list.contains(&name) {
            list.push(name);
        }
        if rel.len() < MAX_SITES {
            rel.push(Related {
                file: *f,
                span: *s,
                message: format!("{what} `{attr}` for each row"),
            });
        }
    }
    let mut subject = Vec::new();
    if !names.is_empty() {
        subject.push(format!("template `{}`", names.join("`, `")));
    }
    if !tables.is_empty() {
        subject.push(format!("the table in `{}`", tables.join("`, `")));
    }
    (rel, subject.join(" and "))
}

/// Where the call goes: a view's `model = Book` becomes `queryset = Book.objects...`.
pub(super) fn fix_help(cx: &Context<'_>, root: Span, root_name: &str, call: &str) -> String {
    let text = cx.file.text.as_deref().unwrap_or("");
    let src = text.get(root.range()).unwrap_or("");
    let line = cx.file.lines.line_of(root.start as usize);
    let is_model_attr = cx
        .file
        .lines
        .line_text(text, line)
        .trim_start()
        .strip_prefix("model")
        .is_some_and(|r| r.trim_start().starts_with('='));
    if is_model_attr && !src.is_empty() {
        format!("replace `model = {src}` with `queryset = {src}.objects{call}` (or add it to get_queryset())")
    } else {
        format!("add {call} to this `{root_name}` queryset")
    }
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let groups = groups(cx, |ev| match ev {
        Event::FkAccess {
            span,
            root_span,
            attr,
            ..
        } => Some((*span, *root_span, attr.clone())),
        _ => None,
    });
    for g in groups {
        let mut paths: Vec<String> = Vec::new();
        let mut many = false;
        let mut first: Option<(&str, &str)> = None;
        for ev in &g.events {
            if let Event::FkAccess {
                path,
                many: m,
                generic,
                model,
                attr,
                ..
            } = ev
            {
                many |= *m || *generic;
                let p = path.join("__");
                if !paths.contains(&p) {
                    paths.push(p);
                }
                first.get_or_insert((&cx.index.model(*model).name, attr));
            }
        }
        let Some((model_name, attr)) = first else {
            continue;
        };
        let maximal: Vec<String> = paths
            .iter()
            .filter(|p| {
                !paths.iter().any(|q| {
                    q.len() > p.len() && q.starts_with(p.as_str()) && q[p.len()..].starts_with("__")
                })
            })
            .cloned()
            .collect();
        let root_name = match g.events.first() {
            Some(Event::FkAccess { root_model, .. }) => cx.index.model(*root_model).name.clone(),
            _ => continue,
        };
        let call = if many {
            "prefetch_related"
        } else {
            "select_related"
        };
        let (related, templates) = related(cx, &g, "reads");
        let more = if maximal.len() > 1 {
            format!(" (and {} more)", maximal.len() - 1)
        } else {
            String::new()
        };
        out.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            file: cx.file.id,
            span: g.root_span.span,
            message: format!(
                "{templates} reads `{model_name}.{attr}`{more} on every row it loops over: one query per row"
            ),
            label: format!(
                "these `{root_name}` rows do not load `{}`",
                maximal.join("`, `")
            ),
            help: Some(fix_help(
                cx,
                g.root_span.span,
                &root_name,
                &format!(".{call}({})", quoted_list(&maximal)),
            )),
            related,
            fix: None,
            depends: Vec::new(),
        }
        .with_depends(g.events.iter().flat_map(|e| cx.depends_on(e)).collect()));
    }
}
