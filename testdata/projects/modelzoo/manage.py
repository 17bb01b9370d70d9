"""Model shapes djperf must resolve: custom user, abstract and multi-table parents, proxies,
generic foreign keys, models packages, string targets, from_queryset managers."""
