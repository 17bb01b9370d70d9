# django_tables2 provides the `render_table` tag and the default table template.
EXTRA_INSTALLED_APPS = ["django_tables2"]
