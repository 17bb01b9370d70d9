//! Django's API as data, in one place: which queryset methods chain, evaluate, return one row
//! or write; which builtins evaluate an iterable; which classes are models, managers, admins
//! and serializers; which calls render templates. The interpreter, the index and the
//! frameworks read these tables instead of keeping lists of their own.

// ---------------------------------------------------------------- the QuerySet API

/// Methods that return a new queryset of the same rows.
pub const QS_METHODS: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "annotate",
    "alias",
    "distinct",
    "only",
    "defer",
    "using",
    "reverse",
    "none",
    "extra",
    "select_for_update",
    "values",
    "values_list",
    "union",
    "intersection",
    "difference",
    "complex_filter",
    "get_queryset",
    "_chain",
    "_clone",
];

/// Methods that run a query and return one object.
pub const SINGLE_METHODS: &[&str] = &["get", "first", "last", "earliest", "latest"];
/// Methods that run a query and return something else.
pub const QUERY_METHODS: &[&str] = &[
    "count",
    "exists",
    "aggregate",
    "in_bulk",
    "update",
    "delete",
    "create",
    "get_or_create",
    "update_or_create",
    "contains",
    "explain",
];
/// A method of Django's queryset API that runs a query and does not return a queryset
/// (one row, a count, a write, an iterator).
pub fn is_evaluating_method(method: &str) -> bool {
    QUERY_METHODS.contains(&method) || SINGLE_METHODS.contains(&method) || method == "iterator"
}

/// Chained methods that clone a queryset and change its rows or shape.
pub const NARROWING: &[&str] = &[
    "filter",
    "exclude",
    "order_by",
    "values",
    "values_list",
    "annotate",
    "alias",
    "distinct",
    "reverse",
    "extra",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "union",
    "intersection",
    "difference",
    "complex_filter",
    "select_for_update",
    "using",
    "none",
];
/// Builtins that evaluate an iterable argument.
pub const EVALUATING_BUILTINS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "sorted",
    "len",
    "bool",
    "any",
    "all",
    "sum",
    "min",
    "max",
    "print",
    "frozenset",
    "dict",
];

/// Calls that render a template with a context (a probed walk records them).
pub const TEMPLATE_RENDER_CALLS: &[&str] = &[
    "render",
    "render_to_response",
    "render_to_string",
    "TemplateResponse",
    "SimpleTemplateResponse",
];

/// Functions that iterate one of their arguments (qualified name, argument position), as
/// `str.join` iterates its one argument.
pub const ITERATING_CALLS: &[(&str, usize)] = &[
    ("django.utils.html.format_html_join", 2),
    ("django.utils.text.get_text_list", 0),
];

// ---------------------------------------------------------------- models and managers

/// The classes a Django model derives from.
pub const MODEL_BASES: &[&str] = &["django.db.models.Model", "django.db.models.base.Model"];

/// Django's manager and queryset classes (a project class deriving from one is a manager).
pub const MANAGER_BASES: &[&str] = &[
    "django.db.models.Manager",
    "django.db.models.manager.Manager",
    "django.db.models.manager.BaseManager",
    "django.db.models.QuerySet",
    "django.db.models.query.QuerySet",
    "django.contrib.auth.models.UserManager",
    "django.contrib.auth.base_user.BaseUserManager",
];

/// Methods not followed: writes and validation. Their relation reads usually sit behind state
/// checks (`if not self.pk`, `if self.present_in_database`) that the caller's path decides, and
/// the write itself is what DJP104 reports.
pub const NOT_FOLLOWED: &[&str] = &[
    "save",
    "delete",
    "clean",
    "full_clean",
    "clean_fields",
    "validate_unique",
    "validate_constraints",
    "validated_save",
];

// ---------------------------------------------------------------- the admin and DRF

/// Django's `ModelAdmin` classes.
pub const ADMIN_ROOTS: &[&str] = &[
    "django.contrib.admin.ModelAdmin",
    "django.contrib.admin.options.ModelAdmin",
    "django.contrib.gis.admin.GISModelAdmin",
    "django.contrib.gis.admin.ModelAdmin",
];

/// DRF's model serializer classes.
pub const SERIALIZER_ROOTS: &[&str] = &[
    "rest_framework.serializers.ModelSerializer",
    "rest_framework.serializers.HyperlinkedModelSerializer",
];
