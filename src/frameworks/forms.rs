//! Django forms: the choices of a model choice field, rendered once per row of its queryset.
//!
//! A `forms.ModelChoiceField(queryset=...)` or `ModelMultipleChoiceField(queryset=...)`
//! declared on a `Form`/`ModelForm` renders, through a widget that lists its choices
//! (`Select`, `SelectMultiple`, `RadioSelect`, `CheckboxSelectMultiple`, the default ones),
//! one option per row of the queryset, labelled `field.label_from_instance(obj)`, which is
//! `str(obj)` unless the field's class overrides it (django/forms/models.py,
//! `ModelChoiceIterator.choice`). Each row is code run per row outside any loop of the
//! project: the model's `__str__` (or the override) is walked over one row of the queryset,
//! and what it reads and does not load is one query per choice, every time the form renders.
//!
//! Only a form that is plausibly rendered is walked: a form class (or a subclass of it) named
//! somewhere in the project's code other than a class's bases and its own body, outside tests
//! and outside modules that import DRF (a form used only to validate an API's input never
//! renders its choices), and not only built to be validated (`Form(data).is_valid()`, or
//! `form = Form(data)` in a function that uses `form` only to validate, read its cleaned data
//! or errors, or save it). A field is left alone where its choices may be rendered some other way: a widget
//! that is not one of Django's choice widgets (a `HiddenInput`, a chooser or autocomplete
//! widget that renders the chosen value only, a project widget overriding how options are
//! built), a field class djperf cannot read, and a field whose `queryset`, `widget`,
//! `choices` or label function code may replace (`self.fields["x"].queryset = ...`, any
//! use of `.fields["x"]` but setting its label, help text, `required`, `initial`,
//! `disabled` or widget attributes) in a module that declares or names the form.
//! `to_field_name` changes the option values, not the labels: it keeps the finding.
//! A queryset of `values()` rows, or one that `select_related()`s what the label reads, is
//! clean.

use crate::ast::{ExprId, ExprKind, Module};
use crate::flow::{Analyzer, Event, Summaries, Value};
use crate::index::Index;
use crate::project::{File, FileId};
use crate::semantic::classes::Hierarchy;
use crate::source::Loc;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Django's form base classes.
const FORM_ROOTS: &[&str] = &[
    "django.forms.Form",
    "django.forms.forms.Form",
    "django.forms.BaseForm",
    "django.forms.forms.BaseForm",
    "django.forms.ModelForm",
    "django.forms.models.ModelForm",
    "django.forms.BaseModelForm",
    "django.forms.models.BaseModelForm",
];

/// Django's model choice fields.
const FIELD_ROOTS: &[&str] = &[
    "django.forms.ModelChoiceField",
    "django.forms.models.ModelChoiceField",
    "django.forms.ModelMultipleChoiceField",
    "django.forms.models.ModelMultipleChoiceField",
];

/// Django's widgets that render one option per choice (short names under `django.forms`,
/// `django.forms.widgets`), and the admin's filtered multiple select.
const CHOICE_WIDGETS: &[&str] = &[
    "Select",
    "SelectMultiple",
    "RadioSelect",
    "CheckboxSelectMultiple",
];

/// Methods of a widget subclass that change how its options are built or rendered.
const WIDGET_RENDERING: &[&str] = &[
    "render",
    "get_context",
    "optgroups",
    "options",
    "create_option",
];

/// Attributes of a bound field (`self.fields["x"].<attr>`) whose change keeps its choices as
/// declared.
const HARMLESS_FIELD_ATTRS: &[&str] = &[
    "label",
    "help_text",
    "required",
    "initial",
    "disabled",
    "error_messages",
    "empty_label",
    "label_suffix",
    "validators",
    "show_hidden_initial",
    "localize",
];

fn is_form_root(q: &str) -> bool {
    FORM_ROOTS.contains(&q)
}

fn is_field_root(q: &str) -> bool {
    FIELD_ROOTS.contains(&q)
}

fn is_choice_widget(q: &str) -> bool {
    let short = q
        .strip_prefix("django.forms.widgets.")
        .or_else(|| q.strip_prefix("django.forms."));
    short.is_some_and(|s| CHOICE_WIDGETS.contains(&s))
        || q == "django.contrib.admin.widgets.FilteredSelectMultiple"
}

/// Which fields' choices some code may replace: how often each field is named, and whether
/// some code names every field (a computed key).
#[derive(Default)]
struct Touched {
    names: HashMap<String, usize>,
    any: bool,
}

impl Touched {
    fn add(&mut self, name: Option<String>) {
        match name {
            Some(n) => *self.names.entry(n).or_default() += 1,
            None => self.any = true,
        }
    }

    /// How many times code names field `name` (`usize::MAX`: every field).
    fn count(&self, name: &str) -> usize {
        if self.any {
            usize::MAX
        } else {
            self.names.get(name).copied().unwrap_or(0)
        }
    }
}

/// The per-row observations of every rendered form's model choice fields, by the file the
/// field is declared in (where DJP101 words them, with the fix at the field's queryset).
pub(crate) fn build(
    classes: &Hierarchy<'_>,
    ix: &Index,
    sums: &Summaries,
) -> HashMap<FileId, Vec<Event>> {
    let mut out: HashMap<FileId, Vec<Event>> = HashMap::default();
    let files = classes.files();
    // Form classes and their method resolution orders.
    let forms: HashMap<&str, Vec<String>> = classes
        .quals()
        .filter_map(|q| {
            let mro = classes.mro(q, &is_form_root);
            mro.reached.then_some((q, mro.classes))
        })
        .collect();
    if forms.is_empty() {
        return out;
    }
    let shorts: HashSet<&str> = forms.keys().filter_map(|q| q.rsplit('.').next()).collect();
    // Where each form is named, and what code does to form fields: in a form's own methods
    // (`__init__`), for that form; elsewhere (a view's `get_form()`), for the forms its
    // module names.
    let mut named_in: HashMap<&str, Vec<FileId>> = HashMap::default();
    let mut touched_free: HashMap<FileId, Touched> = HashMap::default();
    let mut touched_by: HashMap<String, Touched> = HashMap::default();
    for f in files {
        if f.is_test || f.builtin || f.template {
            continue;
        }
        for (span, name) in touched_fields(&f.ast) {
            match method_class(f, span).filter(|q| forms.contains_key(q.as_str())) {
                Some(q) => touched_by.entry(q).or_default().add(name),
                None => touched_free.entry(f.id).or_default().add(name),
            }
        }
        if imports_drf(f) {
            continue;
        }
        for q in references(f, ix, &shorts, &forms) {
            let v = named_in.entry(q).or_default();
            if !v.contains(&f.id) {
                v.push(f.id);
            }
        }
    }
    // Each declared field once, walked for the first rendered form that keeps it as declared.
    let mut done: HashSet<(String, String)> = HashSet::default();
    let mut quals: Vec<&&str> = named_in.keys().collect();
    quals.sort();
    for q in quals {
        let Some(mro) = forms.get(*q) else { continue };
        let named: &[FileId] = named_in.get(*q).map_or(&[], |v| v.as_slice());
        // how many places may replace field `name` of this form
        let touches = |name: &str| {
            mro.iter()
                .map(|c| touched_by.get(c).map_or(0, |t| t.count(name)))
                .chain(
                    named
                        .iter()
                        .map(|id| touched_free.get(id).map_or(0, |t| t.count(name))),
                )
                .fold(0usize, usize::saturating_add)
        };
        let replaced = |name: &str| touches(name) > 0;
        let mut seen_names: HashSet<String> = HashSet::default();
        for c in mro {
            let Some((cf, cdef, _)) = classes.class(c) else {
                continue;
            };
            for st in &cdef.body {
                let Some((n, nspan, v)) = st.kind.name_assign() else {
                    continue;
                };
                let name = n.to_string();
                // a field redeclared nearer the form hides this one
                if !seen_names.insert(name.clone()) {
                    continue;
                }
                if replaced(&name) || done.contains(&(c.clone(), name.clone())) {
                    continue;
                }
                let Some(field) = choice_field(classes, ix, cf, nspan, v) else {
                    continue;
                };
                done.insert((c.clone(), name));
                if let Some(qs) = field.queryset {
                    let events = walk_field(classes, ix, sums, &field, cf, qs, field.at);
                    if !events.is_empty() {
                        out.entry(cf.id).or_default().extend(events);
                    }
                }
            }
        }
        // `self.fields["x"].queryset = ...` in the form's `__init__`, the one place that
        // changes a declared choice field `x`: its choices are that queryset's rows.
        for c in mro {
            let Some((inf, fid)) = classes.method(c, "__init__") else {
                continue;
            };
            let Some(init) = inf.ast.functions.get(fid as usize) else {
                continue;
            };
            for (name, target, value) in queryset_assignments(&inf.ast, &init.body) {
                if touches(&name) != 1 || !done.insert((format!("{c}.__init__"), name.clone())) {
                    continue;
                }
                let Some((_, field)) = declared(classes, ix, mro, &name) else {
                    continue;
                };
                let at = inf.ast.span(target);
                let events = walk_field(classes, ix, sums, &field, inf, value, at);
                if !events.is_empty() {
                    out.entry(inf.id).or_default().extend(events);
                }
            }
        }
    }
    out
}

/// The choice field `name` as the first class of `mro` declaring it declares it.
fn declared<'a>(
    classes: &Hierarchy<'a>,
    ix: &Index,
    mro: &[String],
    name: &str,
) -> Option<(&'a File, ChoiceField)> {
    for c in mro {
        let (cf, cdef, _) = classes.class(c)?;
        for st in &cdef.body {
            if let Some((n, nspan, v)) = st.kind.name_assign() {
                if &**n == name {
                    return choice_field(classes, ix, cf, nspan, v).map(|fd| (cf, fd));
                }
            }
        }
    }
    None
}

/// `self.fields["x"].queryset = value` statements of a method body (nested blocks too): the
/// field's name, the assigned attribute and the value.
fn queryset_assignments(m: &Module, body: &crate::ast::Block) -> Vec<(String, ExprId, ExprId)> {
    let mut out = Vec::new();
    let mut stack = vec![body];
    let mut steps = 0usize;
    while let Some(b) = stack.pop() {
        for st in b {
            steps += 1;
            if steps > 10_000 {
                return out;
            }
            if let crate::ast::StmtKind::Assign {
                targets,
                value: Some(v),
            } = &st.kind
            {
                if let [crate::ast::Target::Attr(a)] = targets.as_slice() {
                    if let ExprKind::Attr {
                        value: sub, attr, ..
                    } = m.kind(*a)
                    {
                        if &**attr == "queryset" {
                            if let ExprKind::Subscript { value: fs, index } = m.kind(*sub) {
                                let on_self_fields = matches!(m.kind(*fs),
                                    ExprKind::Attr { value: me, attr: fa, .. }
                                        if &**fa == "fields"
                                            && matches!(m.kind(*me), ExprKind::Name(n) if &**n == "self"));
                                if let (true, Some(name)) = (on_self_fields, m.str_value(*index)) {
                                    out.push((name.to_owned(), *a, *v));
                                }
                            }
                        }
                    }
                }
            }
            stack.extend(st.kind.blocks());
        }
    }
    out
}

/// A declared model choice field whose choices a widget renders.
struct ChoiceField {
    /// The field's name where it is declared (where the finding is shown).
    at: crate::source::Span,
    /// The declared queryset (`None` when the field is declared without one).
    queryset: Option<ExprId>,
    /// The field class's `label_from_instance` override, when it has one.
    label: Option<(FileId, crate::ast::FuncId)>,
}

/// `v` is a model choice field whose every choice is rendered.
fn choice_field(
    classes: &Hierarchy<'_>,
    ix: &Index,
    f: &File,
    at: crate::source::Span,
    v: ExprId,
) -> Option<ChoiceField> {
    let m = &f.ast;
    let ExprKind::Call { func, args, kwargs } = m.kind(v) else {
        return None;
    };
    let q = ix.resolve_alias(&f.scope.qualify(&m.dotted(*func)?));
    // `**options` may pass a widget
    if kwargs.iter().any(|k| k.name.is_none()) {
        return None;
    }
    // the widget a project field class declares (`widget = APISelect`)
    let mut class_widget: Option<(&File, ExprId)> = None;
    let label = if is_field_root(&q) {
        None
    } else {
        // a project subclass of Django's field, every base of it read
        let mro = classes.mro(&q, &is_field_root);
        if !mro.reached || mro.unresolved || mro.classes.is_empty() {
            return None;
        }
        class_widget = classes.lookup_attr(&mro.classes, "widget");
        // choices built or rendered another way
        if [
            "iterator",
            "_get_choices",
            "choices",
            "_set_queryset",
            "get_bound_field",
        ]
        .iter()
        .any(|n| {
            classes.lookup_attr(&mro.classes, n).is_some()
                || classes.lookup_method(&mro.classes, n).is_some()
        }) {
            return None;
        }
        classes
            .lookup_method(&mro.classes, "label_from_instance")
            .map(|(lf, fid)| (lf.id, fid))
    };
    let queryset = m
        .kwarg(kwargs, "queryset")
        .map(|k| k.value)
        .or_else(|| args.first().copied());
    let widget = m
        .kwarg(kwargs, "widget")
        .map(|w| (f, w.value))
        .or(class_widget);
    if let Some((wf, w)) = widget {
        let target = match wf.ast.kind(w) {
            ExprKind::Call { func, .. } => *func,
            _ => w,
        };
        let wq = ix.resolve_alias(&wf.scope.qualify(&wf.ast.dotted(target)?));
        if !renders_choices(classes, &wq) {
            return None;
        }
    }
    Some(ChoiceField {
        at,
        queryset,
        label,
    })
}

/// Widget class `q` renders one option per choice: one of Django's choice widgets, or a
/// project subclass of one that keeps how they build and render options.
fn renders_choices(classes: &Hierarchy<'_>, q: &str) -> bool {
    if is_choice_widget(q) {
        return true;
    }
    let mro = classes.mro(q, &is_choice_widget);
    mro.reached
        && !mro.unresolved
        && !WIDGET_RENDERING
            .iter()
            .any(|n| classes.lookup_method(&mro.classes, n).is_some())
}

/// Walk the label of one choice of `field` over a row of queryset `qs` of file `f`, the
/// finding shown at `at` in `f`.
fn walk_field(
    classes: &Hierarchy<'_>,
    ix: &Index,
    sums: &Summaries,
    field: &ChoiceField,
    f: &File,
    qs: ExprId,
    at: crate::source::Span,
) -> Vec<Event> {
    let mut an = Analyzer::new(ix, f, sums);
    let qs = an.eval_detached(qs);
    let Value::QuerySet(q) = &qs else {
        return Vec::new();
    };
    // a queryset built elsewhere (a helper's): its fix is not in this file
    if q.span.file != f.id || q.empty {
        return Vec::new();
    }
    an.events.clear();
    let at = Loc::new(f.id, at);
    let row = an.enter_loop(&qs, at);
    match field.label {
        Some((lf, fid)) => {
            if let Some(lfile) = classes.file(lf) {
                for r in an.call_bound(lfile, fid, &[(1, row.clone())]) {
                    // a returned instance is rendered with `str()`
                    an.format(&r, at);
                }
            }
        }
        None => an.format(&row, at),
    }
    an.exit_loop();
    // Shown at the field; a read in the label's code is where it reads the relation.
    an.events
        .into_iter()
        .filter_map(|mut e| {
            match &mut e {
                Event::FkAccess { span, via, .. } | Event::RelatedEval { span, via, .. } => {
                    if *span != at {
                        *via = via.or(Some(*span));
                        *span = at;
                    }
                }
                _ => return None,
            }
            Some(e)
        })
        .collect()
}

/// Whether a module imports Django REST framework.
fn imports_drf(f: &File) -> bool {
    f.scope
        .names
        .values()
        .any(|q| q == "rest_framework" || q.starts_with("rest_framework."))
}

/// Attributes of a form instance that validate or save it: a form only used through them is
/// never rendered.
const VALIDATION_ATTRS: &[&str] = &[
    "is_valid",
    "cleaned_data",
    "errors",
    "non_field_errors",
    "save",
    "has_changed",
    "changed_data",
    "add_error",
    "full_clean",
    "is_bound",
    "instance",
];

/// The form classes `f` names in a way that may render them: not in the bases of a class,
/// not inside the form's own definition (`super(Form, self)`), and not a form built only to
/// be validated (`Form(data).is_valid()`, or `form = Form(data)` in a function that uses
/// `form` only through [`VALIDATION_ATTRS`] until it assigns `form` again).
fn references<'q>(
    f: &File,
    ix: &Index,
    shorts: &HashSet<&str>,
    forms: &HashMap<&'q str, Vec<String>>,
) -> Vec<&'q str> {
    let m = &f.ast;
    let bases: HashSet<ExprId> = m
        .classes
        .iter()
        .flat_map(|c| c.bases.iter().copied())
        .collect();
    let uses = Uses::of(m);
    let mut out: Vec<&'q str> = Vec::new();
    for (i, e) in m.exprs.iter().enumerate() {
        let short = match &e.kind {
            ExprKind::Name(n) => &**n,
            ExprKind::Attr { attr, .. } => &**attr,
            _ => continue,
        };
        if !shorts.contains(short) {
            continue;
        }
        let Ok(id) = ExprId::try_from(i) else {
            continue;
        };
        if bases.contains(&id) {
            continue;
        }
        let Some(d) = m.dotted(id) else { continue };
        let q = ix.resolve_alias(&f.scope.qualify(&d));
        let Some((k, _)) = forms.get_key_value(q.as_str()) else {
            continue;
        };
        if out.contains(k) {
            continue;
        }
        let own = m.classes.iter().any(|c| {
            c.outer.is_none()
                && c.span.start <= e.span.start
                && e.span.end <= c.span.end
                && format!("{}.{}", f.scope.module, c.name) == *k
        });
        if own || uses.validated_only(m, id) {
            continue;
        }
        out.push(k);
    }
    out
}

/// How the expressions of a module are used, for [`references`].
struct Uses {
    /// Receivers of a validation attribute (`x` of `x.is_valid`).
    validated: HashSet<ExprId>,
    /// The call each called expression makes.
    call_of: HashMap<ExprId, ExprId>,
    /// Values assigned to one plain name.
    assigned: HashMap<ExprId, Box<str>>,
    /// Where each plain name is assigned (statement starts).
    assigned_at: HashMap<Box<str>, Vec<u32>>,
}

impl Uses {
    fn of(m: &Module) -> Uses {
        let mut u = Uses {
            validated: HashSet::default(),
            call_of: HashMap::default(),
            assigned: HashMap::default(),
            assigned_at: HashMap::default(),
        };
        for (i, e) in m.exprs.iter().enumerate() {
            let Ok(id) = ExprId::try_from(i) else {
                continue;
            };
            match &e.kind {
                ExprKind::Attr { value, attr, .. } if VALIDATION_ATTRS.contains(&&**attr) => {
                    u.validated.insert(*value);
                }
                ExprKind::Call { func, .. } => {
                    u.call_of.insert(*func, id);
                }
                _ => {}
            }
        }
        let mut stack: Vec<&crate::ast::Block> = vec![&m.body];
        stack.extend(m.functions.iter().map(|g| &g.body));
        let mut steps = 0usize;
        while let Some(b) = stack.pop() {
            for st in b {
                steps += 1;
                if steps > 200_000 {
                    return u;
                }
                if let crate::ast::StmtKind::Assign {
                    targets,
                    value: Some(v),
                } = &st.kind
                {
                    if let [crate::ast::Target::Name(n, _)] = targets.as_slice() {
                        u.assigned.insert(*v, n.clone());
                        u.assigned_at
                            .entry(n.clone())
                            .or_default()
                            .push(st.span.start);
                    }
                }
                stack.extend(st.kind.blocks());
            }
        }
        u
    }

    /// Form class reference `id` is only called to build a form that is validated.
    fn validated_only(&self, m: &Module, id: ExprId) -> bool {
        let Some(call) = self.call_of.get(&id).copied() else {
            return false;
        };
        if self.validated.contains(&call) {
            return true;
        }
        let Some(name) = self.assigned.get(&call) else {
            return false;
        };
        let at = m.span(call);
        let Some(func) = m
            .functions
            .iter()
            .filter(|g| g.span.start <= at.start && at.end <= g.span.end)
            .min_by_key(|g| g.span.end - g.span.start)
        else {
            return false;
        };
        // the uses of this value of the name: up to its next assignment in the function
        let until = self
            .assigned_at
            .get(name)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&p| p > at.end && p < func.span.end)
            .min()
            .unwrap_or(func.span.end);
        m.exprs.iter().enumerate().all(|(i, e)| {
            let inside = at.end <= e.span.start && e.span.end <= until;
            match &e.kind {
                ExprKind::Name(n) if inside && n == name => {
                    ExprId::try_from(i).is_ok_and(|x| self.validated.contains(&x))
                }
                _ => true,
            }
        })
    }
}

/// The class (qualified) whose method holds `span`, when it is a top-level class.
fn method_class(f: &File, span: crate::source::Span) -> Option<String> {
    let m = &f.ast;
    let inner = m
        .functions
        .iter()
        .enumerate()
        .filter(|(_, g)| g.span.start <= span.start && span.end <= g.span.end)
        .min_by_key(|(_, g)| g.span.end - g.span.start)?
        .0;
    let mut cur = m.functions.get(inner)?;
    for _ in 0..32 {
        match cur.parent {
            Some(p) => cur = m.functions.get(p as usize)?,
            None => break,
        }
    }
    let c = m.classes.get(cur.class? as usize)?;
    c.outer
        .is_none()
        .then(|| format!("{}.{}", f.scope.module, c.name))
}

/// Where the code of module `m` may replace a field's choices, and which field (`None`:
/// a computed key): every `.fields[...]` (or `.base_fields[...]`) subscript not only used
/// to set a harmless attribute, and `.fields.pop(...)`/`.update(...)`.
fn touched_fields(m: &Module) -> Vec<(crate::source::Span, Option<String>)> {
    let mut out = Vec::new();
    let is_fields = |e: ExprId| {
        matches!(
            m.kind(e),
            ExprKind::Attr { attr, .. } if matches!(&**attr, "fields" | "base_fields")
        )
    };
    let is_fields_sub = |e: ExprId| match m.kind(e) {
        ExprKind::Subscript { value, .. } => is_fields(*value),
        _ => false,
    };
    let mut harmless: HashSet<ExprId> = HashSet::default();
    for e in &m.exprs {
        let ExprKind::Attr { value, attr, .. } = &e.kind else {
            continue;
        };
        if is_fields_sub(*value) && HARMLESS_FIELD_ATTRS.contains(&&**attr) {
            harmless.insert(*value);
        }
        // `.fields["x"].widget.attrs`
        if &**attr == "attrs" {
            if let ExprKind::Attr {
                value: w, attr: wa, ..
            } = m.kind(*value)
            {
                if &**wa == "widget" && is_fields_sub(*w) {
                    harmless.insert(*w);
                }
            }
        }
    }
    for (i, e) in m.exprs.iter().enumerate() {
        let Ok(id) = ExprId::try_from(i) else {
            continue;
        };
        match &e.kind {
            ExprKind::Subscript { index, .. } if is_fields_sub(id) && !harmless.contains(&id) => {
                out.push((e.span, m.str_value(*index).map(str::to_owned)));
            }
            ExprKind::Call { func, args, .. } => {
                if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                    if is_fields(*value) && matches!(&**attr, "pop" | "update" | "__setitem__") {
                        let name = args.first().and_then(|a| m.str_value(*a));
                        out.push((e.span, name.filter(|_| &**attr == "pop").map(str::to_owned)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}
