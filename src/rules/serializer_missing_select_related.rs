//! DJP110 `serializer-missing-select-related`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "DJP110",
    name: "serializer-missing-select-related",
    summary:
        "A DRF view's queryset does not join a foreign key its serializer reads on every object",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a Django REST Framework generic view or viewset whose queryset (`queryset =` or
`get_queryset()`, inherited ones included) does not `select_related()` a forward foreign key
or one-to-one relation that its serializer reads on every object: a nested serializer, a field
with `source="author.name"`, a `SlugRelatedField`/`StringRelatedField`, a model field with
`Meta.depth`, or `obj.author` in a `SerializerMethodField` method. The serializer may live in
another file; the finding points at the queryset, where the fix goes, with the serializer field
as a related location.

## Why is this slow?
A list endpoint serializes every row of the queryset. Each row whose relation was not joined
runs one query when the serializer reads it: N rows, N extra queries. A
`PrimaryKeyRelatedField` (the default for a foreign key in `Meta.fields`) reads only
`author_id` and needs nothing.

## Example
```python
class BookSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name")

class BookList(generics.ListAPIView):
    queryset = Book.objects.all()
    serializer_class = BookSerializer
```

Use instead:
```python
class BookList(generics.ListAPIView):
    queryset = Book.objects.select_related("author")
    serializer_class = BookSerializer
```

## Fix safety
`--fix` adds `.select_related(...)` to the view's `queryset =` attribute, or to the queryset
`get_queryset()` returns (each branch that builds it), merging into an existing call. A
`queryset =` inherited from a base view is edited there, which every subclass shares: the
join costs them little and changes no result. Safe (unsafe on a `select_for_update()`
queryset, as for DJP101); no fix after a bare `select_related()`.

## Known problems
Only `queryset =`/`get_queryset()` chains djperf can evaluate name missing relations (a
queryset built by code it cannot follow reports queries per row only), and serializer classes
named by `serializer_class` or returned by `get_serializer_class()` are followed. When
`get_queryset()` returns differently loaded querysets on paths that `get_serializer_class()`
pairs with different serializers, the relations common to every path are used. Views that only
retrieve, update, create or destroy one object (no list action) are reported only for reads
nested under a many-valued relation, the one place their queries repeat.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    super::serializer_missing_prefetch_related::report(cx, rule, false, out);
}
