def sort_by_request(rows, request, allowed, default=None):
    """The rows ordered by the `?sort=` column of the request when it is allowed (descending
    with `?dir=desc`), else by `default`."""
    column = request.GET.get("sort")
    if column in allowed:
        prefix = "-" if request.GET.get("dir") == "desc" else ""
        rows = rows.order_by(prefix + column)
    elif default:
        rows = rows.order_by(default)
    return rows
