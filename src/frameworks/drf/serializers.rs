//! DRF serializer declarations: the model, and for every serialized field how it reads the
//! object (a model field of `Meta.fields`, a `source` path, a nested serializer, a
//! `SerializerMethodField` method). Declarations only: what the fields read per row is found
//! by walking them over a view's rows with the interpreter ([`super::walk`]).

use super::{pk_only_field, str_list, Classes};
use crate::ast::{ExprId, ExprKind, FuncId, StmtKind, Target};
use crate::index::{FieldKind, Index, ModelId};
use crate::project::{File, FileId};
use crate::semantic::classes::class_attr;
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
}

/// The declaration of every serializer in `quals` (sorted qualified names).
pub(super) fn declare(
    classes: &Classes<'_>,
    ix: &Index,
    quals: &[String],
    by_qual: &HashMap<String, usize>,
) -> Vec<Serializer> {
    quals
        .iter()
        .map(|q| declare_one(classes, ix, q, by_qual))
        .collect()
}

fn declare_one(
    classes: &Classes<'_>,
    ix: &Index,
    qual: &str,
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
    };
    // Meta: the first class of the MRO that defines one.
    let meta = mro.iter().find_map(|q| {
        let (f, _, ci) = classes.class(q)?;
        let mi = f
            .ast
            .classes
            .iter()
            .position(|c| c.outer == Some(ci) && &*c.name == "Meta")?;
        Some((f, &f.ast.classes[mi]))
    });
    let Some((mf, meta)) = meta else { return ser };
    let Some(model) = class_attr(meta, "model")
        .and_then(|e| mf.ast.dotted(e))
        .and_then(|d| ix.model_by_qual(&mf.scope.qualify(&d)))
    else {
        return ser;
    };
    ser.model = Some(model);
    let depth: u32 = class_attr(meta, "depth")
        .and_then(|e| match mf.ast.kind(e) {
            ExprKind::Num(n) => n.and_then(|n| u32::try_from(n).ok()),
            _ => None,
        })
        .unwrap_or(0);
    let fields_e = class_attr(meta, "fields");
    let listed: Option<Vec<(String, Span)>> = fields_e.and_then(|e| str_list(&mf.ast, e));
    let exclude: Vec<String> = class_attr(meta, "exclude")
        .and_then(|e| str_list(&mf.ast, e))
        .unwrap_or_default()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    // Declared fields, subclass first.
    let mut declared: Vec<(String, &File, ExprId, Span)> = Vec::new();
    for q in &mro {
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
        let all = fields_e
            .and_then(|e| mf.ast.str_value(e))
            .is_some_and(|s| s == "__all__")
            || (fields_e.is_none() && !exclude.is_empty());
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
    let names: Vec<(String, Option<Span>)> = match &listed {
        Some(l) => l.iter().map(|(n, s)| (n.clone(), Some(*s))).collect(),
        None => {
            let all = fields_e
                .and_then(|e| mf.ast.str_value(e))
                .is_some_and(|s| s == "__all__")
                || fields_e.is_none();
            if !all {
                return ser;
            }
            let mut v: Vec<(String, Option<Span>)> =
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
    let meta_span = meta.name_span;
    for (name, lspan) in names {
        if let Some((_, f, call, sp)) = declared.iter().find(|(d, ..)| *d == name) {
            if let Some(read) = declared_field(classes, ix, &name, f, *call, &mro, by_qual) {
                ser.fields.push(Field {
                    name,
                    at: Loc::new(f.id, *sp),
                    read,
                });
            }
        } else {
            let at = match lspan {
                Some(s) => Loc::new(mf.id, s),
                None => Loc::new(file.id, meta_span),
            };
            ser.fields.push(Field {
                name,
                at,
                read: FieldRead::Model { depth },
            });
        }
    }
    ser
}

/// How a declared field (`name = SomeField(...)`) reads the object; `None` when it reads
/// nothing of it (`source="*"`, a `HyperlinkedIdentityField`, a method not found).
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
    let class = fq.rsplit('.').next().unwrap_or("").to_owned();
    let many = m
        .kwarg(kwargs, "many")
        .is_some_and(|k| matches!(m.kind(k.value), ExprKind::Const(crate::ast::Const::True)));
    let source = m
        .kwarg(kwargs, "source")
        .and_then(|k| m.str_value(k.value))
        .unwrap_or(name)
        .to_owned();
    if class == "SerializerMethodField" {
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
    if source == "*" || class == "HyperlinkedIdentityField" {
        return None;
    }
    Some(FieldRead::Source {
        parts: source.split('.').map(str::to_owned).collect(),
        many,
        pk_only: pk_only_field(m, &class, kwargs),
        nested: by_qual.get(&fq).copied(),
        stringify: class == "StringRelatedField",
    })
}
