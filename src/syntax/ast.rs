//! A compact, owned Python syntax tree lowered from tree-sitter in one walk.
//!
//! Rules need statement structure (assignments, loops, branches, calls, attribute chains) to
//! follow querysets, and the project index needs every file's classes and imports. Keeping
//! tree-sitter trees alive costs about 25 bytes per source byte, so each file is parsed once,
//! lowered into this small arena, and the tree is dropped. Only the shapes djperf reasons about
//! get their own variant; everything else becomes [`ExprKind::Other`] with its children kept so
//! walks still see nested calls.
//!
//! The lowering never recurses without a bound: past [`MAX_DEPTH`] nested expressions or
//! statements the rest is dropped (CPython itself refuses such files).

use crate::source::Span;
use serde::{Deserialize, Serialize};

/// Deepest nesting of expressions/statements that is lowered.
pub const MAX_DEPTH: u32 = 200;

pub type ExprId = u32;
pub type FuncId = u32;
pub type ClassId = u32;
pub type Name = Box<str>;

// Millions of expressions and statements are alive at once: keep them small.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Expr>() == 40 && std::mem::size_of::<Stmt>() == 64);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeqKind {
    List,
    Tuple,
    Set,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Generator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Const {
    True,
    False,
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ExprKind {
    Name(Name),
    Attr {
        value: ExprId,
        attr: Name,
        attr_span: Span,
    },
    Call {
        func: ExprId,
        args: Box<[ExprId]>,
        kwargs: Thin<Keyword>,
    },
    /// A string literal without interpolation (implicit concatenation joined).
    Str(Box<str>),
    /// An f-string: the interpolated expressions.
    FString(Box<[ExprId]>),
    /// A number: its value when it is a decimal integer (`1_000` too) that fits a `u64`.
    /// Only the value is kept: a generated file can hold millions of numbers.
    Num(Option<u64>),
    Const(Const),
    Subscript {
        value: ExprId,
        index: ExprId,
    },
    Slice(Box<[ExprId]>),
    Seq {
        kind: SeqKind,
        elts: Box<[ExprId]>,
    },
    /// `{k: v, **rest}`: a `None` key is a `**` splat.
    Dict(Box<[(Option<ExprId>, ExprId)]>),
    Comp {
        kind: CompKind,
        elt: ExprId,
        /// The value of a dict comprehension.
        value: Option<ExprId>,
        gens: Box<[CompFor]>,
    },
    Compare {
        left: ExprId,
        ops: Thin<Box<str>>,
        comparators: Box<[ExprId]>,
    },
    Not(ExprId),
    BoolOp {
        and: bool,
        values: Box<[ExprId]>,
    },
    BinOp {
        left: ExprId,
        /// The operator: `&*op` is `"%"`, `"/"`, ...
        op: BinaryOp,
        right: ExprId,
    },
    IfExp {
        test: ExprId,
        body: ExprId,
        orelse: ExprId,
    },
    Lambda {
        params: Box<[Name]>,
        body: ExprId,
    },
    /// `*x` or `**x` in a call or literal.
    Starred(ExprId),
    Await(ExprId),
    NamedExpr {
        target: Name,
        value: ExprId,
    },
    /// Anything else; its sub-expressions are kept for walks.
    Other(Box<[ExprId]>),
}

/// A boxed slice behind one pointer (a boxed slice is two): it keeps the largest expression
/// kinds, calls and comparisons, within 32 bytes, so every [`Expr`] is 40 bytes instead of
/// 48. Empty holds nothing. Reads as a slice; serialized as one.
#[derive(Clone, PartialEq, Eq)]
pub struct Thin<T>(Option<Box<Box<[T]>>>);

impl<T> Default for Thin<T> {
    fn default() -> Self {
        Thin(None)
    }
}

impl<T> std::ops::Deref for Thin<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.0.as_deref().map_or(&[], |b| &**b)
    }
}

impl<T> From<Vec<T>> for Thin<T> {
    fn from(v: Vec<T>) -> Self {
        Thin((!v.is_empty()).then(|| Box::new(v.into_boxed_slice())))
    }
}

impl<T> FromIterator<T> for Thin<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Thin::from(iter.into_iter().collect::<Vec<T>>())
    }
}

impl<'a, T> IntoIterator for &'a Thin<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Thin<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: Serialize> Serialize for Thin<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Thin<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Thin::from)
    }
}

/// `v` in an allocation of exactly its length. `shrink_to_fit` is not enough: mimalloc's
/// `realloc` keeps a block that shrinks by at most half where it is, so a vector grown by
/// doubling kept up to half its bytes as slack (cold runs held 40-60 MB more than runs that
/// decode the same modules from the cache, which allocate exact lengths). For what stays
/// alive for the whole run: the lowered modules, the function summaries.
///
/// A vector over 1 MiB is only shrunk in place: a copy would hold both at once, and one
/// generated file's expressions can take hundreds of megabytes.
pub fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        return v;
    }
    if v.capacity().saturating_mul(std::mem::size_of::<T>()) > 1 << 20 {
        v.shrink_to_fit();
        return v;
    }
    let mut out = Vec::with_capacity(v.len());
    out.append(&mut v);
    out
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keyword {
    /// `None` for `**kwargs`.
    pub name: Option<Name>,
    pub value: ExprId,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompFor {
    pub target: Target,
    pub iter: ExprId,
    pub ifs: Box<[ExprId]>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Target {
    Name(Name, Span),
    Tuple(Vec<Target>),
    Attr(ExprId),
    Subscript(ExprId),
    Star(Box<Target>),
    Other,
}

impl Target {
    /// Every plain name bound by this target.
    pub fn names(&self, out: &mut Vec<Name>) {
        match self {
            Target::Name(n, _) => out.push(n.clone()),
            Target::Tuple(ts) => ts.iter().for_each(|t| t.names(out)),
            Target::Star(t) => t.names(out),
            _ => {}
        }
    }
}

pub type Block = Vec<Stmt>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

impl Stmt {
    /// `name = value`: one plain name assigned a value (`queryset = ...` in a class body).
    pub fn name_assign(&self) -> Option<(&Name, &ExprId)> {
        let StmtKind::Assign {
            targets,
            value: Some(v),
        } = &self.kind
        else {
            return None;
        };
        match targets.as_slice() {
            [Target::Name(n, _)] => Some((n, v)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Handler {
    pub type_: Option<ExprId>,
    pub name: Option<Name>,
    pub body: Block,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportName {
    /// Dotted module or object path, e.g. `django.db.models`.
    pub path: Box<str>,
    /// The local name it is bound to (`None` for `import a.b` which binds `a`).
    pub alias: Option<Name>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum StmtKind {
    Expr(ExprId),
    /// `a = b = value`, `a: T = value` (value may be absent for a bare annotation).
    Assign {
        targets: Vec<Target>,
        value: Option<ExprId>,
    },
    AugAssign {
        target: Target,
        value: ExprId,
    },
    /// Boxed, as `Try`: the two largest statements would double the size of every other.
    For(Box<ForStmt>),
    While {
        test: ExprId,
        body: Block,
        orelse: Block,
    },
    /// `elif` chains are nested `If`s in `orelse`.
    If {
        test: ExprId,
        body: Block,
        orelse: Block,
    },
    With {
        items: Vec<(ExprId, Option<Target>)>,
        body: Block,
    },
    Try(Box<TryStmt>),
    Match {
        subject: ExprId,
        cases: Vec<Block>,
    },
    Return(Option<ExprId>),
    /// `raise` with its expressions (exception, `from` cause).
    Raise(Vec<ExprId>),
    FunctionDef(FuncId),
    ClassDef(ClassId),
    /// `import a.b as c`
    Import(Vec<ImportName>),
    /// `from module import names`; `level` counts leading dots.
    ImportFrom {
        module: Box<str>,
        level: u32,
        names: Vec<ImportName>,
        star: bool,
    },
    Break,
    Continue,
    /// pass, raise, del, assert, global, ... with their expressions.
    Other(Vec<ExprId>),
}

/// `for target in iter: body else: orelse`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ForStmt {
    pub target: Target,
    pub iter: ExprId,
    pub body: Block,
    pub orelse: Block,
}

/// `try: body except: handlers else: orelse finally: finally`
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TryStmt {
    pub body: Block,
    pub handlers: Vec<Handler>,
    pub orelse: Block,
    pub finally: Block,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamKind {
    Normal,
    VarArgs,
    KwArgs,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Param {
    pub name: Name,
    pub span: Span,
    pub default: Option<ExprId>,
    pub kind: ParamKind,
    /// The annotation as written (`Order`, `"QuerySet[Order]"`, `Optional[Order]`).
    pub annotation: Option<Name>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionDef {
    pub name: Name,
    pub span: Span,
    pub name_span: Span,
    pub params: Vec<Param>,
    pub decorators: Vec<ExprId>,
    pub body: Block,
    /// The class whose body defines this function directly (a method).
    pub class: Option<ClassId>,
    /// The function whose body defines this one (a closure).
    pub parent: Option<FuncId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClassDef {
    pub name: Name,
    pub span: Span,
    pub name_span: Span,
    pub bases: Vec<ExprId>,
    pub keywords: Vec<Keyword>,
    pub decorators: Vec<ExprId>,
    pub body: Block,
    /// The class whose body defines this one (e.g. `Meta`).
    pub outer: Option<ClassId>,
}

/// One lowered file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Module {
    pub exprs: Vec<Expr>,
    pub body: Block,
    pub functions: Vec<FunctionDef>,
    pub classes: Vec<ClassDef>,
    /// tree-sitter found syntax errors (what parsed is still lowered).
    pub has_errors: bool,
    /// Where and what they are (DJP002), in source order.
    pub syntax_errors: Vec<crate::syntax::errors::SyntaxError>,
    /// Nesting past [`MAX_DEPTH`] was cut.
    pub truncated: bool,
}

impl Module {
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id as usize]
    }

    pub fn kind(&self, id: ExprId) -> &ExprKind {
        &self.exprs[id as usize].kind
    }

    pub fn span(&self, id: ExprId) -> Span {
        self.exprs[id as usize].span
    }

    /// The dotted text of a name/attribute chain (`models.ForeignKey`), if it is one.
    pub fn dotted(&self, id: ExprId) -> Option<String> {
        let mut parts = Vec::new();
        let mut cur = id;
        for _ in 0..64 {
            match self.kind(cur) {
                ExprKind::Name(n) => {
                    parts.push(&**n);
                    parts.reverse();
                    return Some(parts.join("."));
                }
                ExprKind::Attr { value, attr, .. } => {
                    parts.push(&**attr);
                    cur = *value;
                }
                _ => return None,
            }
        }
        None
    }

    /// The string value of a literal.
    /// The expression with exactly this span: the call, subscript or attribute chain a
    /// location recorded by the analysis points at (the outermost when several share it).
    pub fn expr_at(&self, span: Span) -> Option<ExprId> {
        let mut best: Option<(u8, ExprId)> = None;
        for (i, e) in self.exprs.iter().enumerate() {
            if e.span != span {
                continue;
            }
            let rank = match e.kind {
                ExprKind::Call { .. } => 3,
                ExprKind::Subscript { .. } => 2,
                ExprKind::Attr { .. } => 1,
                _ => continue,
            };
            let id = ExprId::try_from(i).ok()?;
            if best.is_none_or(|(r, _)| rank > r) {
                best = Some((rank, id));
            }
        }
        best.map(|(_, id)| id)
    }

    /// Whether the expression at `span` is a call of one of `methods` (`x.count()`).
    pub fn is_method_call(&self, span: Span, methods: &[&str]) -> bool {
        self.expr_at(span).is_some_and(|e| match self.kind(e) {
            ExprKind::Call { func, .. } => {
                matches!(self.kind(*func), ExprKind::Attr { attr, .. } if methods.contains(&&**attr))
            }
            _ => false,
        })
    }

    /// The string literals an argument stands for: `*FIELDS` or `FIELDS` where the module
    /// binds `FIELDS = ("a", "b")` (a list or tuple of string literals) at the top level.
    pub fn constant_strings(&self, id: ExprId) -> Option<Vec<&str>> {
        let e = match self.kind(id) {
            ExprKind::Starred(x) => *x,
            _ => id,
        };
        let ExprKind::Name(n) = self.kind(e) else {
            return None;
        };
        let mut found = None;
        for st in &self.body {
            if let Some((name, _, v)) = st.kind.name_assign() {
                if name == n {
                    found = Some(v);
                }
            }
        }
        let ExprKind::Seq { elts, .. } = self.kind(found?) else {
            return None;
        };
        elts.iter().map(|x| self.str_value(*x)).collect()
    }

    pub fn str_value(&self, id: ExprId) -> Option<&str> {
        match self.kind(id) {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A keyword argument of a call expression.
    pub fn kwarg<'a>(&self, kwargs: &'a [Keyword], name: &str) -> Option<&'a Keyword> {
        kwargs.iter().find(|k| k.name.as_deref() == Some(name))
    }

    /// Direct sub-expressions of an expression (not comprehension scopes' targets).
    pub fn children(&self, id: ExprId, out: &mut Vec<ExprId>) {
        match self.kind(id) {
            ExprKind::Name(_) | ExprKind::Str(_) | ExprKind::Num(_) | ExprKind::Const(_) => {}
            ExprKind::Attr { value, .. } => out.push(*value),
            ExprKind::Call { func, args, kwargs } => {
                out.push(*func);
                out.extend(args.iter());
                out.extend(kwargs.iter().map(|k| k.value));
            }
            ExprKind::FString(xs)
            | ExprKind::Slice(xs)
            | ExprKind::Other(xs)
            | ExprKind::Seq { elts: xs, .. }
            | ExprKind::BoolOp { values: xs, .. } => out.extend(xs.iter()),
            ExprKind::Subscript { value, index } => {
                out.push(*value);
                out.push(*index);
            }
            ExprKind::Dict(items) => {
                for (k, v) in items.iter() {
                    out.extend(k.iter());
                    out.push(*v);
                }
            }
            ExprKind::Comp {
                elt, value, gens, ..
            } => {
                for g in gens.iter() {
                    out.push(g.iter);
                    out.extend(g.ifs.iter());
                }
                out.push(*elt);
                out.extend(value.iter());
            }
            ExprKind::Compare {
                left, comparators, ..
            } => {
                out.push(*left);
                out.extend(comparators.iter());
            }
            ExprKind::Not(x)
            | ExprKind::Starred(x)
            | ExprKind::Await(x)
            | ExprKind::NamedExpr { value: x, .. }
            | ExprKind::Lambda { body: x, .. } => out.push(*x),
            ExprKind::BinOp { left, right, .. } => {
                out.push(*left);
                out.push(*right);
            }
            ExprKind::IfExp { test, body, orelse } => {
                out.push(*test);
                out.push(*body);
                out.push(*orelse);
            }
        }
    }
}

impl StmtKind {
    /// `name = value` (the first target of `a = b = value`, annotated or not): the name, its
    /// span and the value. Class bodies, `Meta` and settings modules are read this way.
    pub fn name_assign(&self) -> Option<(&Name, Span, ExprId)> {
        match self {
            StmtKind::Assign {
                targets,
                value: Some(v),
            } => match targets.first() {
                Some(Target::Name(n, span)) => Some((n, *span, *v)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The blocks nested directly in this statement, in source order (not the bodies of
    /// nested functions or classes, which are scopes of their own).
    pub fn blocks(&self) -> Vec<&Block> {
        match self {
            StmtKind::For(f) => vec![&f.body, &f.orelse],
            StmtKind::While { body, orelse, .. } | StmtKind::If { body, orelse, .. } => {
                vec![body, orelse]
            }
            StmtKind::With { body, .. } => vec![body],
            StmtKind::Try(t) => {
                let TryStmt {
                    body,
                    handlers,
                    orelse,
                    finally,
                } = &**t;
                let mut v = vec![body];
                v.extend(handlers.iter().map(|h| &h.body));
                v.push(orelse);
                v.push(finally);
                v
            }
            StmtKind::Match { cases, .. } => cases.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// The values of a body's `return value` statements, in source order, nested blocks
/// included (not nested functions or classes, scopes of their own).
pub fn returned_values(b: &Block) -> Vec<ExprId> {
    fn walk(b: &Block, out: &mut Vec<ExprId>, depth: u32) {
        if depth > 100 {
            return;
        }
        for st in b {
            match &st.kind {
                StmtKind::Return(Some(e)) => out.push(*e),
                k => {
                    for blk in k.blocks() {
                        walk(blk, out, depth + 1);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(b, &mut out, 0);
    out
}

/// Whether a block always leaves the enclosing loop at its end (`break`, `return`, `raise`).
pub fn exits_loop(b: &Block) -> bool {
    matches!(
        b.last().map(|s| &s.kind),
        Some(StmtKind::Break | StmtKind::Return(_) | StmtKind::Raise(_))
    )
}

/// Python's binary operators, so a [`ExprKind::BinOp`] keeps no text of its own.
const BINARY_OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^",
];

/// A binary operator, as its index in [`BINARY_OPERATORS`]; it derefs to the operator's text
/// (`""` if tree-sitter gave an unknown one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BinaryOp(u8);

impl BinaryOp {
    pub(super) const UNKNOWN: BinaryOp = BinaryOp(u8::MAX);

    pub(super) fn new(text: &str) -> Self {
        BINARY_OPERATORS
            .iter()
            .position(|op| *op == text)
            .and_then(|i| u8::try_from(i).ok())
            .map_or(Self::UNKNOWN, BinaryOp)
    }
}

impl std::ops::Deref for BinaryOp {
    type Target = str;

    fn deref(&self) -> &str {
        BINARY_OPERATORS
            .get(usize::from(self.0))
            .copied()
            .unwrap_or("")
    }
}

pub use super::lower::{lower, Lowering};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_integer_value_only() {
        let m =
            crate::parse::parse("a = 1_000\nb = 1.5\nc = 0x10\nd = 3\ne = 99999999999999999999\n")
                .unwrap();
        let nums: Vec<Option<u64>> = m
            .exprs
            .iter()
            .filter_map(|e| match e.kind {
                ExprKind::Num(v) => Some(v),
                _ => None,
            })
            .collect();
        assert_eq!(nums, [Some(1000), None, None, Some(3), None]);
        let m = crate::parse::parse("s = 'a %s' % b // c\n").unwrap();
        let ops: Vec<&str> = m
            .exprs
            .iter()
            .filter_map(|e| match &e.kind {
                ExprKind::BinOp { op, .. } => Some(&**op),
                _ => None,
            })
            .collect();
        assert_eq!(ops, ["%", "//"]);
    }
}
