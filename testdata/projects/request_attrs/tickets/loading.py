def maybe_select_related(rows, fields):
    """`rows.select_related(*fields)`, unless the rows are dicts (`values()`)."""
    if rows._fields is not None:
        return rows
    return rows.select_related(*fields)


def maybe_prefetch_related(rows, fields):
    """`rows.prefetch_related(*fields)`, unless the rows come from a `union()`."""
    if not rows.query.combinator:
        try:
            rows = rows.prefetch_related(*fields)
        except (TypeError, ValueError):
            pass
    return rows
