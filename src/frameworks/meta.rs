//! The inner `class Meta` of framework classes (DRF serializers, django-tables2 tables,
//! django-import-export resources) and the lists of names they declare, as Python would
//! compute them: `class Meta(Base.Meta)` inherits the base's options, and
//! `fields = Base.Meta.fields + ("extra",)` extends a base's list.

use crate::ast::{ClassDef, ExprId, ExprKind};
use crate::index::Index;
use crate::project::File;
use crate::semantic::classes::{class_attr, Hierarchy};
use crate::source::Loc;

/// Bound on `Meta` bases and list references followed from one class.
const MAX_DEPTH: usize = 8;

/// A class's `Meta`: the one found first in the class's MRO, then the `Meta` classes it
/// inherits from (`class Meta(BaseTable.Meta)`), in lookup order.
#[derive(Clone, Default)]
pub(crate) struct Meta<'a> {
    chain: Vec<(&'a File, &'a ClassDef)>,
}

impl<'a> Meta<'a> {
    /// The `Meta` of the class whose MRO (project classes) is `mro`.
    pub(crate) fn of(classes: &Hierarchy<'a>, ix: &Index, mro: &[String]) -> Meta<'a> {
        let mut out = Meta::default();
        let first = mro.iter().find_map(|q| inner_meta(classes, q));
        if let Some(m) = first {
            out.push(classes, ix, m, 0);
        }
        out
    }

    fn push(
        &mut self,
        classes: &Hierarchy<'a>,
        ix: &Index,
        (f, c): (&'a File, &'a ClassDef),
        depth: usize,
    ) {
        if depth > MAX_DEPTH || self.chain.iter().any(|(_, d)| std::ptr::eq(*d, c)) {
            return;
        }
        self.chain.push((f, c));
        for b in &c.bases {
            let Some(d) = f.ast.dotted(*b) else { continue };
            let Some(owner) = d.strip_suffix(".Meta") else {
                continue;
            };
            let q = ix.resolve_alias(&f.scope.qualify(owner));
            let mro = classes.mro(&q, &|_| false).classes;
            if let Some(m) = mro.iter().find_map(|q| inner_meta(classes, q)) {
                self.push(classes, ix, m, depth + 1);
            }
        }
    }

    /// The value of option `name`, and the file it is written in.
    pub(crate) fn attr(&self, name: &str) -> Option<(&'a File, ExprId)> {
        self.chain
            .iter()
            .find_map(|(f, c)| class_attr(c, name).map(|e| (*f, e)))
    }

    /// The `Meta` class found first (where a finding about the options points).
    pub(crate) fn first(&self) -> Option<(&'a File, &'a ClassDef)> {
        self.chain.first().copied()
    }
}

/// The `Meta` class nested directly in project class `qual`.
fn inner_meta<'a>(classes: &Hierarchy<'a>, qual: &str) -> Option<(&'a File, &'a ClassDef)> {
    let (f, _, ci) = classes.class(qual)?;
    let mi = f
        .ast
        .classes
        .iter()
        .position(|c| c.outer == Some(ci) && &*c.name == "Meta")?;
    Some((f, &f.ast.classes[mi]))
}

/// The strings of a list of names as Python computes it: a literal list or tuple, `a + b`,
/// `[*a, "x"]`, `list(a)`/`tuple(a)`/`a.copy()`, and `Base.Meta.fields` (another class's
/// option), each string with where it is written. `None` when some part is not known.
pub(crate) fn names(
    classes: &Hierarchy<'_>,
    ix: &Index,
    f: &File,
    e: ExprId,
) -> Option<Vec<(String, Loc)>> {
    let mut out = Vec::new();
    names_into(classes, ix, f, e, 0, &mut out).then_some(out)
}

fn names_into(
    classes: &Hierarchy<'_>,
    ix: &Index,
    f: &File,
    e: ExprId,
    depth: usize,
    out: &mut Vec<(String, Loc)>,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let m = &f.ast;
    match m.kind(e) {
        ExprKind::Seq { elts, .. } => elts.iter().all(|x| match m.kind(*x) {
            ExprKind::Str(s) => {
                out.push((s.to_string(), Loc::new(f.id, m.span(*x))));
                true
            }
            ExprKind::Starred(inner) => names_into(classes, ix, f, *inner, depth + 1, out),
            _ => false,
        }),
        ExprKind::BinOp { left, op, right } if &**op == "+" => {
            names_into(classes, ix, f, *left, depth + 1, out)
                && names_into(classes, ix, f, *right, depth + 1, out)
        }
        ExprKind::Call { func, args, kwargs } if kwargs.is_empty() => {
            match (m.kind(*func), &args[..]) {
                (ExprKind::Name(n), [a]) if matches!(&**n, "list" | "tuple") => {
                    names_into(classes, ix, f, *a, depth + 1, out)
                }
                (ExprKind::Attr { value, attr, .. }, []) if &**attr == "copy" => {
                    names_into(classes, ix, f, *value, depth + 1, out)
                }
                _ => false,
            }
        }
        ExprKind::Attr { .. } => {
            let Some(d) = m.dotted(e) else { return false };
            let Some((owner, opt)) = d.rsplit_once(".Meta.") else {
                return false;
            };
            let q = ix.resolve_alias(&f.scope.qualify(owner));
            let mro = classes.mro(&q, &|_| false).classes;
            if mro.is_empty() {
                return false;
            }
            let meta = Meta::of(classes, ix, &mro);
            match meta.attr(opt) {
                Some((g, v)) => names_into(classes, ix, g, v, depth + 1, out),
                None => false,
            }
        }
        _ => false,
    }
}
