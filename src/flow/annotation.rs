//! What a parameter's annotation says it holds: `order: Order` is one row of `Order`,
//! `orders: QuerySet[Order]` or `list[Order]` are rows of `Order`, `"Order"`,
//! `Optional[Order]` and `Order | None` too. The rows come from a caller, so what they load
//! is not known here ([`Inst::open`], [`Qs::open`]): relation reads on them are never claimed
//! missing, but the queries the function builds from them are its own.

use super::*;

/// A type expression as written in an annotation.
#[derive(Debug, PartialEq)]
enum Ty {
    /// A dotted name (`Order`, `models.QuerySet`, `None`).
    Name(String),
    /// `base[args]`.
    Sub(String, Vec<Ty>),
    /// `a | b`.
    Union(Vec<Ty>),
    /// Anything else (`...`, a call, a literal).
    Other,
}

/// Bound on nesting (`Optional["list[Optional[Order]]"]`).
const MAX_DEPTH: u32 = 8;

/// Containers whose items are the rows (`list[Order]`, `Iterable[Order]`).
const ROW_LISTS: &[&str] = &[
    "list",
    "List",
    "Sequence",
    "MutableSequence",
    "Iterable",
    "Iterator",
    "Collection",
    "set",
    "Set",
    "frozenset",
    "FrozenSet",
    "AbstractSet",
];

/// Django's queryset and manager classes: `QuerySet[Order]` holds rows of `Order`.
const ROW_QUERYSETS: &[&str] = &["QuerySet", "Manager", "BaseManager"];

/// Split `s` at each top-level `sep` (outside brackets and quotes).
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, c) if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn is_dotted(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|p| {
            p.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

fn parse(text: &str, depth: u32) -> Ty {
    let s = text.trim();
    if depth > MAX_DEPTH || s.is_empty() {
        return Ty::Other;
    }
    // a string annotation: its text is the type
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if s.len() >= 2 * q.len() && s.starts_with(q) && s.ends_with(q) {
            return parse(&s[q.len()..s.len() - q.len()], depth + 1);
        }
    }
    let parts = split_top(s, '|');
    if parts.len() > 1 {
        return Ty::Union(parts.into_iter().map(|p| parse(p, depth + 1)).collect());
    }
    if is_dotted(s) {
        return Ty::Name(s.to_owned());
    }
    if let Some(inner) = s.strip_suffix(']') {
        if let Some((base, args)) = inner.split_once('[') {
            let base = base.trim();
            if is_dotted(base) {
                let args = split_top(args, ',')
                    .into_iter()
                    .map(|a| parse(a, depth + 1))
                    .collect();
                return Ty::Sub(base.to_owned(), args);
            }
        }
    }
    Ty::Other
}

fn is_none(t: &Ty) -> bool {
    matches!(t, Ty::Name(n) if n == "None")
}

impl Analyzer<'_> {
    /// The value a parameter annotated `text` holds on entry (located at `span`), or
    /// `Unknown` when the annotation names no model.
    pub(super) fn annotated(&self, text: &str, span: Loc) -> Value {
        self.type_value(&parse(text, 0), span, 0)
    }

    fn type_value(&self, t: &Ty, span: Loc, depth: u32) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        match t {
            Ty::Name(n) => match self.annotation_model(n) {
                Some(model) => Value::Instance(Inst {
                    model,
                    loads: LoadSet::default(),
                    row: None,
                    created_in_loop: None,
                    open: true,
                    from_caller: true,
                    item_of: None,
                }),
                None => Value::Unknown,
            },
            // `Order | None`: an `Order` where it is used as one
            Ty::Union(ts) => self.optional(ts, span, depth),
            Ty::Sub(base, args) => {
                let last = crate::semantic::imports::last_segment(base);
                match (last, args.as_slice()) {
                    ("Optional" | "Annotated", [a, ..]) => self.type_value(a, span, depth + 1),
                    ("Union", ts) => self.optional(ts, span, depth),
                    (c, [Ty::Name(n)]) if ROW_QUERYSETS.contains(&c) || ROW_LISTS.contains(&c) => {
                        let Some(model) = self.annotation_model(n) else {
                            return Value::Unknown;
                        };
                        let classes = self
                            .ix
                            .manager(model, "_default_manager")
                            .map(|(_, c)| c)
                            .unwrap_or_default();
                        let mut q = Qs::rows_of(model, LoadSet::default(), span);
                        q.classes = classes.into();
                        q.open = true;
                        q.ordered = self.ix.default_ordered(model);
                        if ROW_LISTS.contains(&c) {
                            q.is_list = true;
                            q.cached = true;
                        } else {
                            q.is_manager = c != "QuerySet";
                        }
                        Value::QuerySet(q)
                    }
                    _ => Value::Unknown,
                }
            }
            Ty::Other => Value::Unknown,
        }
    }

    /// `a | b | None`: the one type left without `None`.
    fn optional(&self, ts: &[Ty], span: Loc, depth: u32) -> Value {
        let rest: Vec<&Ty> = ts.iter().filter(|t| !is_none(t)).collect();
        match rest.as_slice() {
            [t] => self.type_value(t, span, depth + 1),
            _ => Value::Unknown,
        }
    }

    /// The model a dotted name of an annotation names (`Order`, `models.Order`, a name
    /// imported under `if TYPE_CHECKING:`).
    fn annotation_model(&self, dotted: &str) -> Option<ModelId> {
        if dotted.contains('.') {
            return self.ix.model_by_module_attr(self.file, dotted);
        }
        match self.name_value(dotted) {
            Value::ModelClass(id) => Some(id),
            _ => None,
        }
    }

    /// Bind the annotated parameters of `f` (a function walked on its own, its callers
    /// unknown) to what their annotations say they hold. `skip_first`: the first parameter is
    /// bound already (`self` of a model method) or is `self`/`cls`.
    pub(super) fn bind_annotated(&mut self, f: &FunctionDef, skip_first: bool) {
        for (i, p) in f.params.iter().enumerate() {
            if (i == 0 && skip_first) || p.kind != crate::ast::ParamKind::Normal {
                continue;
            }
            let Some(text) = p.annotation.as_deref() else {
                continue;
            };
            let v = self.annotated(text, self.loc(p.span));
            if !matches!(v, Value::Unknown) {
                self.env.insert(p.name.clone(), v);
            }
        }
    }
}

impl Analyzer<'_> {
    /// A model signal receiver (`@receiver(post_save, sender=Project)`, `post_save.connect(f,
    /// sender=Project)`) gets one instance of its sender as `instance`: the object being
    /// saved, deleted or built, loaded by code that is not known here ([`Inst::open`]). A
    /// function connected for several senders, or for any, binds nothing.
    pub(super) fn bind_receiver_instance(&mut self, f: &FunctionDef, fi: usize) {
        use crate::index::signals::Sender;
        let file = self.file.id;
        let mut senders = self
            .ix
            .signals
            .receivers
            .iter()
            .filter(|r| r.file == file && r.func as usize == fi)
            .map(|r| r.sender);
        let Some(Sender::Model(model)) = senders.next() else {
            return;
        };
        if senders.any(|s| s != Sender::Model(model)) {
            return;
        }
        let Some(p) = f
            .params
            .iter()
            .find(|p| &*p.name == "instance" && p.kind == crate::ast::ParamKind::Normal)
        else {
            return;
        };
        if self.env.contains_key(&p.name) {
            return;
        }
        self.env
            .insert(p.name.clone(), Value::Instance(Inst::open(model)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Ty {
        Ty::Name(s.to_owned())
    }

    #[test]
    fn parses_annotations() {
        assert_eq!(parse("Order", 0), name("Order"));
        assert_eq!(parse("'Order'", 0), name("Order"));
        assert_eq!(parse("models.Order", 0), name("models.Order"));
        assert_eq!(
            parse("\"QuerySet[Order]\"", 0),
            Ty::Sub("QuerySet".into(), vec![name("Order")])
        );
        assert_eq!(
            parse("Order | None", 0),
            Ty::Union(vec![name("Order"), name("None")])
        );
        assert_eq!(
            parse("Optional['Order']", 0),
            Ty::Sub("Optional".into(), vec![name("Order")])
        );
        assert_eq!(
            parse("dict[str, list[Order]]", 0),
            Ty::Sub(
                "dict".into(),
                vec![name("str"), Ty::Sub("list".into(), vec![name("Order")])]
            )
        );
        assert_eq!(parse("Callable[..., Order]", 0), {
            Ty::Sub("Callable".into(), vec![Ty::Other, name("Order")])
        });
        assert_eq!(parse("", 0), Ty::Other);
        assert_eq!(parse("'", 0), Ty::Other);
        assert_eq!(parse("list[", 0), Ty::Other);
    }
}
