def sized_only(rows, request):
    """Rows with a size, unless `?all=1` asks for every one."""
    if request.GET.get("all"):
        return rows
    return rows.filter(size__gte=0)
