//! DRF serializer declarations: the model, and for every serialized field how it reads the
//! object (a model field of `Meta.fields`, a `source` path, a nested serializer, a
//! `SerializerMethodField` method). Declarations only: what the fields read per row is found
//! by walking them over a view's rows with the interpreter ([`super::walk`]).

use super::{pk_only_field, str_list, Classes};
use crate::ast::{ExprId, ExprKind, FuncId, StmtKind, Target};
use crate::frameworks::meta::{self, Meta};
use crate::index::{FieldKind, Index, ModelId};
use crate::project::{File, FileId};
use crate::source::{Loc, Span};
use rustc_hash::FxHashMap as HashMap;

/// How a serialized field reads the object.
#[derive(Debug, Clone)]
pub enum FieldRead {
    /// A model field named in `Meta.fields` (or implied by `"__all__"`) that no declared
    /// field overrides, serialized with `depth` levels of nesting (`Meta.depth`).
    Model { depth: u32 },
    /// A declared field reading `source` (`"author.name"`; the field's name by default).
    Source {
        parts: Vec<String>,
        /// `many=True`: the last step is a related manager whose rows are each serialized.
        many: bool,
        /// `PrimaryKeyRelatedField` (or a hyperlinked field looking up `pk`): a forward
        /// foreign key is read as its key column only.
        pk_only: bool,
        /// A nested serializer of the project (index into [`super::Facts::serializers`]).
        nested: Option<usize>,
        /// `StringRelatedField`: `str()` of the related object.
        stringify: bool,
        /// The field's class and its overrides are known: otherwise a relation that is the
        /// last step is not claimed to be read (a library's field may read its key only).
        known: bool,
        /// `SlugRelatedField`'s `slug_field` path, read on each related object.
        slug: Vec<String>,
        /// The project's `to_representation`/`get_url` override, run on each value.
        child: Option<(FileId, FuncId)>,
    },
    /// A `SerializerMethodField`: `def get_<name>(self, obj)`.
    Method { file: FileId, func: FuncId },
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    /// Where the field is declared (or listed in `Meta.fields`).
    pub at: Loc,
    pub read: FieldRead,
}

#[derive(Debug, Clone)]
pub struct Serializer {
    pub qual: String,
    pub name: String,
    pub file: FileId,
    pub model: Option<ModelId>,
    /// The fields serialized, in declaration order.
    pub fields: Vec<Field>,
    /// The model fields it outputs, when that is certain: a `fields` list or `"__all__"`
    /// with `exclude`, no declared fields and no `to_representation` override. `None`: unknown.
    pub outputs: Option<Vec<String>>,
    /// A plain `Serializer` (no `ModelSerializer`): it serializes its declared fields only and
    /// has no model of its own; it reads the rows it is given.
    pub plain: bool,
}

/// The declaration of every serializer in `quals` (sorted qualified names, each with whether
/// it is a plain `Serializer`).
pub(super) fn declare(
    classes: &Classes<'_>,
    ix: &Index,
    quals: &[(String, bool)],
    by_qual: &HashMap<String, usize>,
) -> Vec<Serializer> {
    quals
        .iter()
        .map(|(q, plain)| declare_one(classes, ix, q, *plain, by_qual))
        .collect()
}

fn declare_one(
    classes: &Classes<'_>,
    ix: &Index,
    qual: &str,
    plain: bool,
    by_qual: &HashMap<String, usize>,
) -> Serializer {
    let mro = classes.mro(qual, &super::is_any_serializer_root).classes;
    let (file, cdef, _) = classes.class(qual).expect("indexed class");
    let mut ser = Serializer {
        qual: qual.to_owned(),
        name: cdef.name.to_string(),
        file: file.id,
        model: None,
        fields: Vec::new(),
        outputs: None,
        plain,
    };
    let popped = popped_fields(classes, &mro);
    if plain {
        // `Serializer` serializes its declared fields (its bases' included), whatever `Meta`
        // says; what they read depends on the rows it is given.
        for (name, f, call, sp) in declared_fields(classes, &mro) {
            if popped.contains(&name) {
                continue;
            }
            if let Some(read) = declared_field(classes, ix, &name, f, call, &mro, by_qual) {
                ser.fields.push(Field {
                    name,
                    at: Loc::new(f.id, sp),
                    read,
                });
            }
        }
        return ser;
    }
    // Meta: the first class of the MRO that defines one, with the options it inherits.
    let meta = Meta::of(classes, ix, &mro);
    let Some((mf, meta_def)) = meta.first() else {
        return ser;
    };
    let Some(model) = meta
        .attr("model")
        .and_then(|(f, e)| Some((f, f.ast.dotted(e)?)))
        .and_then(|(f, d)| ix.model_by_qual(&f.scope.qualify(&d)))
    else {
        return ser;
    };
    ser.model = Some(model);
    let depth: u32 = meta
        .attr("depth")
        .and_then(|(f, e)| match f.ast.kind(e) {
            ExprKind::Num(n) => n.and_then(|n| u32::try_from(n).ok()),
            _ => None,
        })
        .unwrap_or(0);
    let fields_e = meta.attr("fields");
    let fields_all = fields_e
        .and_then(|(f, e)| f.ast.str_value(e))
        .is_some_and(|s| s == "__all__");
    let list = |(f, e): (&File, ExprId)| {
        meta::names(classes, ix, f, e).or_else(|| {
            str_list(&f.ast, e)
                .map(|l| l.into_iter().map(|(n, s)| (n, Loc::new(f.id, s))).collect())
        })
    };
    let listed: Option<Vec<(String, Loc)>> = fields_e.and_then(list);
    let exclude: Vec<String> = meta
        .attr("exclude")
        .and_then(list)
        .unwrap_or_default()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let declared = declared_fields(classes, &mro);
    let overrides_output = mro.iter().any(|q| {
        classes.class(q).is_some_and(|(f, c, _)| {
            c.body.iter().any(|st| {
                matches!(st.kind, StmtKind::FunctionDef(g)
                    if matches!(&*f.ast.functions[g as usize].name, "to_representation" | "get_fields"))
            })
        })
    });
    if declared.is_empty() && !overrides_output {
        // `fields = "__all__"`, or only `exclude`: every model field but the excluded.
        let all = fields_all || (fields_e.is_none() && !exclude.is_empty());
        ser.outputs = match (&listed, all) {
            (Some(l), _) => Some(l.iter().map(|(n, _)| n.clone()).collect()),
            (None, true) => Some(
                ix.model(model)
                    .fields
                    .iter()
                    .map(|f| f.name.clone())
                    .filter(|n| !exclude.contains(n))
                    .collect(),
            ),
            (None, false) => None,
        };
    }
    // The field names serialized.
    let names: Vec<(String, Option<Loc>)> = match &listed {
        Some(l) => l.iter().map(|(n, s)| (n.clone(), Some(*s))).collect(),
        None => {
            if !(fields_all || fields_e.is_none()) {
                return ser;
            }
            let mut v: Vec<(String, Option<Loc>)> =
                declared.iter().map(|(n, ..)| (n.clone(), None)).collect();
            for fl in &ix.model(model).fields {
                if matches!(
                    fl.kind,
                    FieldKind::ForeignKey | FieldKind::OneToOne | FieldKind::ManyToMany
                ) && !exclude.contains(&fl.name)
                    && !v.iter().any(|(n, _)| n == &fl.name)
                {
                    v.push((fl.name.clone(), None));
                }
            }
            v
        }
    };
    let meta_span = meta_def.name_span;
    let write_only = meta
        .attr("extra_kwargs")
        .map(|(f, e)| write_only_extra(f, e))
        .unwrap_or_default();
    for (name, lspan) in names {
        if popped.contains(&name) {
            continue;
        }
        if let Some((_, f, call, sp)) = declared.iter().find(|(d, ..)| *d == name) {
            if let Some(read) = declared_field(classes, ix, &name, f, *call, &mro, by_qual) {
                ser.fields.push(Field {
                    name,
                    at: Loc::new(f.id, *sp),
                    read,
                });
            }
        } else if !write_only.contains(&name) {
            let at = lspan.unwrap_or(Loc::new(mf.id, meta_span));
            ser.fields.push(Field {
                name,
                at,
                read: FieldRead::Model { depth },
            });
        }
    }
    ser
}

/// The fields `Meta.extra_kwargs = {"x": {"write_only": True}}` makes write-only: never
/// serialized.
fn write_only_extra(f: &File, e: ExprId) -> Vec<String> {
    let m = &f.ast;
    let ExprKind::Dict(items) = m.kind(e) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|(k, v)| {
            let ExprKind::Dict(opts) = m.kind(*v) else {
                return None;
            };
            let wo = opts.iter().any(|(ok, ov)| {
                ok.and_then(|ok| m.str_value(ok)) == Some("write_only")
                    && matches!(m.kind(*ov), ExprKind::Const(crate::ast::Const::True))
            });
            wo.then(|| k.and_then(|k| m.str_value(k)).map(str::to_owned))
                .flatten()
        })
        .collect()
}

/// Fields the serializer's methods remove (`self.fields.pop("pdf_data")` in `__init__`,
/// `fields.pop("x")` in `get_fields()`): serialized only on some requests, so not walked.
fn popped_fields(classes: &Classes<'_>, mro: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for q in mro {
        let Some((f, cdef, _)) = classes.class(q) else {
            continue;
        };
        let m = &f.ast;
        for e in &m.exprs {
            if e.span.start < cdef.span.start || e.span.end > cdef.span.end {
                continue;
            }
            let ExprKind::Call {
                func: callee, args, ..
            } = &e.kind
            else {
                continue;
            };
            let ExprKind::Attr { value, attr, .. } = m.kind(*callee) else {
                continue;
            };
            if &**attr != "pop"
                || !m
                    .dotted(*value)
                    .is_some_and(|d| d == "self.fields" || d == "fields")
            {
                continue;
            }
            if let Some(name) = args.first().and_then(|a| m.str_value(*a)) {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// Whether a class called in a serializer's body makes a serializer field: one of DRF's, a
/// serializer of the project, a project class built on DRF's fields, or a class from another
/// library named like one (`...Field`, `...Serializer`). Other calls (`logging.getLogger()`)
/// are plain class attributes.
fn is_field_class(classes: &Classes<'_>, by_qual: &HashMap<String, usize>, fq: &str) -> bool {
    let last = fq.rsplit('.').next().unwrap_or("");
    fq.starts_with("rest_framework.")
        || by_qual.contains_key(fq)
        || match classes.class(fq) {
            Some(_) => {
                classes
                    .mro(fq, &|q| q.starts_with("rest_framework."))
                    .reached
                    || last.ends_with("Field")
            }
            None => last.ends_with("Field") || last.ends_with("Serializer"),
        }
}

/// The fields a serializer class and its bases declare (`name = SomeField(...)`), subclass
/// first, each once.
fn declared_fields<'c>(
    classes: &Classes<'c>,
    mro: &[String],
) -> Vec<(String, &'c File, ExprId, Span)> {
    let mut declared: Vec<(String, &File, ExprId, Span)> = Vec::new();
    for q in mro {
        let Some((f, c, _)) = classes.class(q) else {
            continue;
        };
        for st in &c.body {
            if let StmtKind::Assign {
                targets,
                value: Some(v),
            } = &st.kind
            {
                if let Some(Target::Name(n, sp)) = targets.first() {
                    if matches!(f.ast.kind(*v), ExprKind::Call { .. })
                        && !declared.iter().any(|(d, ..)| d == &**n)
                    {
                        declared.push((n.to_string(), f, *v, *sp));
                    }
                }
            }
        }
    }
    declared
}

/// What a serializer field class does with the object it is given, from DRF's code
/// (`rest_framework/relations.py`) and the project's overrides.
struct FieldClass {
    /// The DRF class it is (or extends): `PrimaryKeyRelatedField`, `CharField`...; for a
    /// class of another library, its own name.
    base: String,
    /// DRF's or a library's class, or a project class over one whose overrides are known.
    known: bool,
    /// `use_pk_only_optimization()`: a forward foreign key is read as its key column only.
    pk_only: bool,
    /// A project override run on each value (`to_representation(self, value)`, or a
    /// hyperlinked field's `get_url(self, obj, ...)`).
    child: Option<(FileId, FuncId)>,
}

fn field_class(
    classes: &Classes<'_>,
    m: &crate::ast::Module,
    fq: &str,
    kwargs: &[crate::ast::Keyword],
) -> FieldClass {
    let last = fq.rsplit('.').next().unwrap_or("").to_owned();
    if classes.class(fq).is_none() {
        let drf = fq.starts_with("rest_framework.");
        return FieldClass {
            known: drf,
            pk_only: drf && pk_only_field(m, &last, kwargs),
            base: last,
            child: None,
        };
    }
    let mro = classes
        .mro(fq, &|q| q.starts_with("rest_framework."))
        .classes;
    // the first class outside the project in the MRO: DRF's (or a library's) base
    let base = mro
        .iter()
        .filter_map(|q| classes.table.get(q))
        .flat_map(|c| c.bases.iter())
        .find(|b| classes.class(b).is_none() && b.as_str() != "object")
        .cloned()
        .unwrap_or_default();
    let drf = base.starts_with("rest_framework.");
    let base = base.rsplit('.').next().unwrap_or("").to_owned();
    let mut known = drf && classes.lookup_method(&mro, "get_attribute").is_none();
    let pk_only = match classes.lookup_method(&mro, "use_pk_only_optimization") {
        None => drf && pk_only_field(m, &base, kwargs),
        Some((f, fid)) => match const_bool_return(f, fid) {
            Some(b) => b,
            None => {
                known = false;
                false
            }
        },
    };
    let child = classes
        .lookup_method(&mro, "to_representation")
        .or_else(|| {
            base.starts_with("Hyperlinked")
                .then(|| classes.lookup_method(&mro, "get_url"))
                .flatten()
        })
        .map(|(f, fid)| (f.id, fid));
    FieldClass {
        base,
        known,
        pk_only,
        child,
    }
}

/// The value every `return` of a method gives when it is `True` or `False` throughout.
fn const_bool_return(f: &File, fid: FuncId) -> Option<bool> {
    let func = f.ast.functions.get(fid as usize)?;
    let rets = crate::ast::returned_values(&func.body);
    let mut out = None;
    for r in rets {
        let b = match f.ast.kind(r) {
            ExprKind::Const(crate::ast::Const::True) => true,
            ExprKind::Const(crate::ast::Const::False) => false,
            _ => return None,
        };
        if out.is_some_and(|o| o != b) {
            return None;
        }
        out = Some(b);
    }
    out
}

/// How a declared field (`name = SomeField(...)`) reads the object; `None` when it reads
/// nothing of it (a `HyperlinkedIdentityField`, a method not found, a computed `source`).
fn declared_field(
    classes: &Classes<'_>,
    ix: &Index,
    name: &str,
    f: &File,
    call: ExprId,
    mro: &[String],
    by_qual: &HashMap<String, usize>,
) -> Option<FieldRead> {
    let m = &f.ast;
    let ExprKind::Call { func, kwargs, .. } = m.kind(call) else {
        return None;
    };
    let dotted = m.dotted(*func)?;
    let fq = ix.resolve_alias(&f.scope.qualify(&dotted));
    if !is_field_class(classes, by_qual, &fq) {
        return None;
    }
    // `write_only=True`: never serialized
    if m.kwarg(kwargs, "write_only")
        .is_some_and(|k| matches!(m.kind(k.value), ExprKind::Const(crate::ast::Const::True)))
    {
        return None;
    }
    let many = m
        .kwarg(kwargs, "many")
        .is_some_and(|k| matches!(m.kind(k.value), ExprKind::Const(crate::ast::Const::True)));
    let source = match m.kwarg(kwargs, "source") {
        Some(k) => m.str_value(k.value)?.to_owned(),
        None => name.to_owned(),
    };
    let nested = by_qual.get(&fq).copied();
    let fc = if nested.is_some() {
        FieldClass {
            base: "Serializer".to_owned(),
            known: true,
            pk_only: false,
            child: None,
        }
    } else {
        field_class(classes, m, &fq, kwargs)
    };
    if fc.base == "SerializerMethodField" {
        let method = m
            .kwarg(kwargs, "method_name")
            .and_then(|k| m.str_value(k.value))
            .map_or_else(|| format!("get_{name}"), str::to_owned);
        let (mfile, fid) = classes.lookup_method(mro, &method)?;
        return Some(FieldRead::Method {
            file: mfile.id,
            func: fid,
        });
    }
    // `HyperlinkedIdentityField` links the object itself (`source="*"`): its key only,
    // unless the project's `get_url` reads more. With `many=True` DRF wraps it in a
    // `ManyRelatedField` whose own source is the field's name (or `source=`): the related
    // manager's `.all()` is evaluated for every object, each row linked by its key.
    let identity = fc.base == "HyperlinkedIdentityField" && !many;
    if identity && fc.child.is_none() {
        return None;
    }
    let parts = if source == "*" || identity {
        Vec::new()
    } else {
        source.split('.').map(str::to_owned).collect()
    };
    // `SlugRelatedField(slug_field="owner__name")` reads that path on the related object
    let slug = (fc.base == "SlugRelatedField")
        .then(|| {
            m.kwarg(kwargs, "slug_field")
                .and_then(|k| m.str_value(k.value))
        })
        .flatten()
        .map(|s| {
            s.replace("__", ".")
                .split('.')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(FieldRead::Source {
        parts,
        many,
        pk_only: fc.pk_only,
        known: fc.known,
        nested,
        stringify: fc.base == "StringRelatedField" && fc.child.is_none(),
        slug,
        child: fc.child,
    })
}
