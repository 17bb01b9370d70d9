//! Lowering: one walk over a tree-sitter tree into the compact [`Module`] of
//! [`super::ast`]. Never recurses without a bound: past [`MAX_DEPTH`] nested expressions or
//! statements the rest is dropped (CPython itself refuses such files).

use super::ast::*;
use crate::source::Span;
use tree_sitter::Node;

/// Field names the lowering asks for.
const FIELD_NAMES: [&str; 25] = [
    "alias",
    "alternative",
    "argument",
    "arguments",
    "attribute",
    "body",
    "condition",
    "consequence",
    "definition",
    "expression",
    "function",
    "key",
    "left",
    "module_name",
    "name",
    "object",
    "operator",
    "operators",
    "parameters",
    "right",
    "subject",
    "subscript",
    "superclasses",
    "type",
    "value",
];

/// Field ids of the Python grammar, looked up once: tree-sitter's lookup by name compares
/// against every field name of the grammar on each call.
static FIELD_IDS: std::sync::LazyLock<[u16; 25]> = std::sync::LazyLock::new(|| {
    let lang: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    FIELD_NAMES.map(|n| {
        lang.field_id_for_name(n)
            .map_or(0, std::num::NonZeroU16::get)
    })
});

fn field_id(name: &str) -> u16 {
    let i = match name {
        "alias" => 0,
        "alternative" => 1,
        "argument" => 2,
        "arguments" => 3,
        "attribute" => 4,
        "body" => 5,
        "condition" => 6,
        "consequence" => 7,
        "definition" => 8,
        "expression" => 9,
        "function" => 10,
        "key" => 11,
        "left" => 12,
        "module_name" => 13,
        "name" => 14,
        "object" => 15,
        "operator" => 16,
        "operators" => 17,
        "parameters" => 18,
        "right" => 19,
        "subject" => 20,
        "subscript" => 21,
        "superclasses" => 22,
        "type" => 23,
        "value" => 24,
        _ => return 0,
    };
    FIELD_IDS[i]
}

fn field_nz(name: &str) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(field_id(name)).unwrap_or(std::num::NonZeroU16::MAX)
}

/// The node kind id of comments.
static COMMENT_KIND: std::sync::LazyLock<u16> = std::sync::LazyLock::new(|| {
    let lang: tree_sitter::Language = tree_sitter_python::LANGUAGE.into();
    lang.id_for_node_kind("comment", true)
});

/// The value of a decimal integer literal (`1_000` too); `None` for floats, other bases and
/// values past `u64`.
fn int_value(text: &str) -> Option<u64> {
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// A node's child in a named field.
fn field<'t>(n: Node<'t>, name: &str) -> Option<Node<'t>> {
    n.child_by_field_id(field_id(name))
}

/// Lower a parsed tree into a [`Module`].
pub fn lower(root: Node<'_>, src: &[u8]) -> Module {
    let mut l = Lowering::new(src);
    l.add(root);
    l.finish()
}

/// A [`Module`] lowered from several trees over one source, in order: a big file is parsed
/// one run of top-level statements at a time (see [`crate::parse`]), so only one small tree
/// is alive at once. Spans are offsets into the whole source.
pub struct Lowering<'s>(Lowerer<'s>);

impl<'s> Lowering<'s> {
    pub fn new(src: &'s [u8]) -> Self {
        Lowering(Lowerer {
            src,
            m: Module::default(),
            scopes: Vec::new(),
        })
    }

    /// Lower the top-level statements of one tree and append them to the module's body.
    pub fn add(&mut self, root: Node<'_>) {
        let l = &mut self.0;
        l.m.has_errors |= root.has_error();
        crate::syntax::errors::collect(root, l.src, &mut l.m.syntax_errors);
        let body = l.block_children(root, 0);
        if l.m.body.is_empty() {
            l.m.body = body;
        } else {
            l.m.body.extend(body);
        }
    }

    pub fn finish(self) -> Module {
        let mut m = self.0.m;
        // Every file's IR stays in memory until the rules ran: drop the growth slack.
        m.body = crate::ast::exact(m.body);
        m.exprs = crate::ast::exact(m.exprs);
        m.functions = crate::ast::exact(m.functions);
        m.classes = crate::ast::exact(m.classes);
        m
    }
}

struct Lowerer<'s> {
    src: &'s [u8],
    m: Module,
    /// Enclosing definitions, innermost last.
    scopes: Vec<Scope>,
}

#[derive(Clone, Copy)]
enum Scope {
    Class(ClassId),
    Func(FuncId),
}

fn span(n: Node<'_>) -> Span {
    Span::new(n.start_byte(), n.end_byte())
}

impl Lowerer<'_> {
    fn text(&self, n: Node<'_>) -> &str {
        std::str::from_utf8(&self.src[n.byte_range()]).unwrap_or("")
    }

    fn name(&self, n: Node<'_>) -> Name {
        self.text(n).into()
    }

    fn push(&mut self, kind: ExprKind, span: Span) -> ExprId {
        let id = u32::try_from(self.m.exprs.len()).unwrap_or(u32::MAX);
        self.m.exprs.push(Expr { kind, span });
        id
    }

    /// Named children without comments. Most nodes have a few: kept on the stack.
    fn named_children<'t>(n: Node<'t>) -> smallvec::SmallVec<[Node<'t>; 8]> {
        let mut c = n.walk();
        n.named_children(&mut c)
            .filter(|c| c.kind_id() != *COMMENT_KIND)
            .collect()
    }

    // ---------------------------------------------------------------- statements

    fn block_children(&mut self, n: Node<'_>, depth: u32) -> Block {
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            self.m.truncated = true;
            return out;
        }
        for c in Self::named_children(n) {
            self.stmt(c, depth, &mut out);
        }
        crate::ast::exact(out)
    }

    fn body_of(&mut self, n: Node<'_>, fname: &str, depth: u32) -> Block {
        match field(n, fname) {
            Some(b) => self.block_children(b, depth + 1),
            None => Vec::new(),
        }
    }

    fn stmt(&mut self, n: Node<'_>, depth: u32, out: &mut Block) {
        let sp = span(n);
        let kind = match n.kind() {
            "expression_statement" => {
                let kids = Self::named_children(n);
                if kids.len() == 1 {
                    match kids[0].kind() {
                        "assignment" => self.assignment(kids[0], depth),
                        "augmented_assignment" => {
                            let target = self.target_field(kids[0], "left", depth);
                            let value = self.expr_field(kids[0], "right", depth);
                            StmtKind::AugAssign { target, value }
                        }
                        _ => StmtKind::Expr(self.expr(kids[0], depth)),
                    }
                } else {
                    let xs = kids.iter().map(|k| self.expr(*k, depth)).collect();
                    StmtKind::Other(xs)
                }
            }
            "for_statement" => {
                let target = self.target_field(n, "left", depth);
                let iter = self.expr_field(n, "right", depth);
                let body = self.body_of(n, "body", depth);
                let orelse = match field(n, "alternative") {
                    Some(e) => self.body_of(e, "body", depth),
                    None => Vec::new(),
                };
                StmtKind::For(Box::new(ForStmt {
                    target,
                    iter,
                    body,
                    orelse,
                }))
            }
            "while_statement" => {
                let test = self.expr_field(n, "condition", depth);
                let body = self.body_of(n, "body", depth);
                let orelse = match field(n, "alternative") {
                    Some(e) => self.body_of(e, "body", depth),
                    None => Vec::new(),
                };
                StmtKind::While { test, body, orelse }
            }
            "if_statement" => self.if_chain(n, depth),
            "with_statement" => {
                let mut items = Vec::new();
                for clause in Self::named_children(n) {
                    if clause.kind() != "with_clause" {
                        continue;
                    }
                    for item in Self::named_children(clause) {
                        if let Some(v) = field(item, "value") {
                            items.push(self.with_item(v, depth));
                        }
                    }
                }
                let body = self.body_of(n, "body", depth);
                StmtKind::With { items, body }
            }
            "try_statement" => {
                let body = self.body_of(n, "body", depth);
                let mut handlers = Vec::new();
                let mut orelse = Vec::new();
                let mut finally = Vec::new();
                for c in Self::named_children(n) {
                    match c.kind() {
                        "except_clause" | "except_group_clause" => {
                            let mut type_ = None;
                            let mut name = None;
                            let mut hbody = Vec::new();
                            for k in Self::named_children(c) {
                                match k.kind() {
                                    "block" => hbody = self.block_children(k, depth + 1),
                                    "as_pattern" => {
                                        if let Some(v) = k.named_child(0) {
                                            type_ = Some(self.expr(v, depth));
                                        }
                                        if let Some(a) = field(k, "alias") {
                                            name = Some(self.name(a));
                                        }
                                    }
                                    _ if type_.is_none() => type_ = Some(self.expr(k, depth)),
                                    _ => {
                                        if name.is_none() && k.kind() == "identifier" {
                                            name = Some(self.name(k));
                                        }
                                    }
                                }
                            }
                            handlers.push(Handler {
                                type_,
                                name,
                                body: hbody,
                            });
                        }
                        "else_clause" => orelse = self.body_of(c, "body", depth),
                        "finally_clause" => {
                            if let Some(b) = Self::named_children(c)
                                .into_iter()
                                .find(|b| b.kind() == "block")
                            {
                                finally = self.block_children(b, depth + 1);
                            }
                        }
                        _ => {}
                    }
                }
                StmtKind::Try(Box::new(TryStmt {
                    body,
                    handlers,
                    orelse,
                    finally,
                }))
            }
            "match_statement" => {
                let subject = self.expr_field(n, "subject", depth);
                let mut cases = Vec::new();
                if let Some(b) = field(n, "body") {
                    for case in Self::named_children(b) {
                        if let Some(cb) = field(case, "consequence") {
                            cases.push(self.block_children(cb, depth + 1));
                        }
                    }
                }
                StmtKind::Match { subject, cases }
            }
            "raise_statement" => {
                let xs = Self::named_children(n)
                    .into_iter()
                    .filter(|c| is_expression_kind(c.kind()))
                    .map(|c| self.expr(c, depth))
                    .collect();
                StmtKind::Raise(xs)
            }
            "return_statement" => {
                let v = n.named_child(0).map(|c| self.expr(c, depth));
                StmtKind::Return(v)
            }
            "function_definition" => StmtKind::FunctionDef(self.function(n, Vec::new(), depth)),
            "class_definition" => StmtKind::ClassDef(self.class(n, Vec::new(), depth)),
            "decorated_definition" => {
                let mut decorators = Vec::new();
                for c in Self::named_children(n) {
                    if c.kind() == "decorator" {
                        if let Some(e) = c.named_child(0) {
                            decorators.push(self.expr(e, depth));
                        }
                    }
                }
                match field(n, "definition") {
                    Some(d) if d.kind() == "function_definition" => {
                        StmtKind::FunctionDef(self.function(d, decorators, depth))
                    }
                    Some(d) if d.kind() == "class_definition" => {
                        StmtKind::ClassDef(self.class(d, decorators, depth))
                    }
                    _ => StmtKind::Other(decorators),
                }
            }
            "import_statement" => {
                let mut names = Vec::new();
                for c in Self::named_children(n) {
                    names.push(self.import_name(c));
                }
                StmtKind::Import(names)
            }
            "import_from_statement" => {
                let mut module: Box<str> = "".into();
                let mut level = 0;
                let mut names = Vec::new();
                let mut star = false;
                if let Some(m) = field(n, "module_name") {
                    if m.kind() == "relative_import" {
                        let t = self.text(m);
                        level =
                            u32::try_from(t.chars().take_while(|c| *c == '.').count()).unwrap_or(0);
                        module = t.trim_start_matches('.').into();
                    } else {
                        module = self.text(m).into();
                    }
                }
                let mut c = n.walk();
                for nm in n.children_by_field_id(field_nz("name"), &mut c) {
                    names.push(self.import_name(nm));
                }
                for k in Self::named_children(n) {
                    if k.kind() == "wildcard_import" {
                        star = true;
                    }
                }
                StmtKind::ImportFrom {
                    module,
                    level,
                    names,
                    star,
                }
            }
            "future_import_statement" => StmtKind::Other(Vec::new()),
            "break_statement" => StmtKind::Break,
            "continue_statement" => StmtKind::Continue,
            "ERROR" => {
                // Keep whatever statements tree-sitter recovered inside the error.
                self.m.has_errors = true;
                for c in Self::named_children(n) {
                    if is_statement_kind(c.kind()) {
                        self.stmt(c, depth + 1, out);
                    }
                }
                return;
            }
            "block" => {
                for c in Self::named_children(n) {
                    self.stmt(c, depth + 1, out);
                }
                return;
            }
            _ => {
                // pass, raise, del, assert, global, nonlocal, print, exec, type alias...
                let xs = Self::named_children(n)
                    .into_iter()
                    .filter(|c| is_expression_kind(c.kind()))
                    .map(|c| self.expr(c, depth))
                    .collect();
                StmtKind::Other(xs)
            }
        };
        out.push(Stmt { kind, span: sp });
    }

    fn if_chain(&mut self, n: Node<'_>, depth: u32) -> StmtKind {
        let test = self.expr_field(n, "condition", depth);
        let body = self.body_of(n, "consequence", depth);
        // alternatives: elif_clause* else_clause?
        let mut c = n.walk();
        let alts: Vec<Node<'_>> = n
            .children_by_field_id(field_nz("alternative"), &mut c)
            .collect();
        let orelse = self.elif_rest(&alts, depth);
        StmtKind::If { test, body, orelse }
    }

    fn elif_rest(&mut self, alts: &[Node<'_>], depth: u32) -> Block {
        let Some((first, rest)) = alts.split_first() else {
            return Vec::new();
        };
        if depth > MAX_DEPTH {
            self.m.truncated = true;
            return Vec::new();
        }
        match first.kind() {
            "elif_clause" => {
                let test = self.expr_field(*first, "condition", depth);
                let body = self.body_of(*first, "consequence", depth);
                let orelse = self.elif_rest(rest, depth + 1);
                vec![Stmt {
                    kind: StmtKind::If { test, body, orelse },
                    span: span(*first),
                }]
            }
            "else_clause" => self.body_of(*first, "body", depth),
            _ => Vec::new(),
        }
    }

    fn with_item(&mut self, v: Node<'_>, depth: u32) -> (ExprId, Option<Target>) {
        if v.kind() == "as_pattern" {
            let value = match v.named_child(0) {
                Some(e) => self.expr(e, depth),
                None => self.push(ExprKind::Other(Box::new([])), span(v)),
            };
            let target = v
                .child_by_field_id(field_id("alias"))
                .and_then(|a| a.named_child(0))
                .map(|t| self.target(t, depth));
            (value, target)
        } else {
            (self.expr(v, depth), None)
        }
    }

    fn import_name(&self, n: Node<'_>) -> ImportName {
        if n.kind() == "aliased_import" {
            let path = n
                .child_by_field_id(field_id("name"))
                .map(|x| self.text(x).into())
                .unwrap_or_default();
            let alias = field(n, "alias").map(|a| self.name(a));
            ImportName { path, alias }
        } else {
            ImportName {
                path: self.text(n).into(),
                alias: None,
            }
        }
    }

    fn assignment(&mut self, n: Node<'_>, depth: u32) -> StmtKind {
        // a = b = c is right-nested: assignment(left=a, right=assignment(left=b, right=c))
        let mut targets = Vec::new();
        let mut cur = n;
        let mut value = None;
        for _ in 0..64 {
            if let Some(l) = field(cur, "left") {
                targets.push(self.target(l, depth));
            }
            match field(cur, "right") {
                Some(r) if r.kind() == "assignment" => cur = r,
                Some(r) => {
                    value = Some(self.expr(r, depth));
                    break;
                }
                None => break,
            }
        }
        let targets = crate::ast::exact(targets);
        StmtKind::Assign { targets, value }
    }

    fn target_field(&mut self, n: Node<'_>, fname: &str, depth: u32) -> Target {
        match field(n, fname) {
            Some(t) => self.target(t, depth),
            None => Target::Other,
        }
    }

    fn target(&mut self, n: Node<'_>, depth: u32) -> Target {
        if depth > MAX_DEPTH {
            self.m.truncated = true;
            return Target::Other;
        }
        match n.kind() {
            "identifier" => Target::Name(self.name(n), span(n)),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
            | "expression_list" => Target::Tuple(
                Self::named_children(n)
                    .into_iter()
                    .map(|c| self.target(c, depth + 1))
                    .collect(),
            ),
            "parenthesized_expression" => match n.named_child(0) {
                Some(c) => self.target(c, depth + 1),
                None => Target::Other,
            },
            "list_splat_pattern" | "list_splat" => match n.named_child(0) {
                Some(c) => Target::Star(Box::new(self.target(c, depth + 1))),
                None => Target::Other,
            },
            "attribute" => Target::Attr(self.expr(n, depth)),
            "subscript" => Target::Subscript(self.expr(n, depth)),
            _ => Target::Other,
        }
    }

    fn params(&mut self, n: Node<'_>, depth: u32) -> Vec<Param> {
        let mut out = Vec::new();
        for p in Self::named_children(n) {
            let sp = span(p);
            let (name, default, kind) = match p.kind() {
                "identifier" => (Some(self.name(p)), None, ParamKind::Normal),
                "typed_parameter" => {
                    let inner = p.named_child(0);
                    match inner {
                        Some(i) if i.kind() == "identifier" => {
                            (Some(self.name(i)), None, ParamKind::Normal)
                        }
                        Some(i) if i.kind() == "list_splat_pattern" => (
                            i.named_child(0).map(|x| self.name(x)),
                            None,
                            ParamKind::VarArgs,
                        ),
                        Some(i) if i.kind() == "dictionary_splat_pattern" => (
                            i.named_child(0).map(|x| self.name(x)),
                            None,
                            ParamKind::KwArgs,
                        ),
                        _ => (None, None, ParamKind::Normal),
                    }
                }
                "default_parameter" | "typed_default_parameter" => {
                    let name = p
                        .child_by_field_id(field_id("name"))
                        .filter(|x| x.kind() == "identifier")
                        .map(|x| self.name(x));
                    let default = field(p, "value").map(|v| self.expr(v, depth));
                    (name, default, ParamKind::Normal)
                }
                "list_splat_pattern" => (
                    p.named_child(0).map(|x| self.name(x)),
                    None,
                    ParamKind::VarArgs,
                ),
                "dictionary_splat_pattern" => (
                    p.named_child(0).map(|x| self.name(x)),
                    None,
                    ParamKind::KwArgs,
                ),
                _ => (None, None, ParamKind::Normal),
            };
            if let Some(name) = name {
                // `x: Order`, `x: "QuerySet[Order]" = None`: the annotation's source text.
                let annotation = field(p, "type").map(|t| self.name(t));
                out.push(Param {
                    name,
                    span: sp,
                    default,
                    kind,
                    annotation,
                });
            }
        }
        out
    }

    fn function(&mut self, n: Node<'_>, decorators: Vec<ExprId>, depth: u32) -> FuncId {
        let id = u32::try_from(self.m.functions.len()).unwrap_or(u32::MAX);
        let name_node = field(n, "name");
        let params = match field(n, "parameters") {
            Some(p) => self.params(p, depth),
            None => Vec::new(),
        };
        // A method: defined directly in a class body.
        let class = match self.scopes.last() {
            Some(Scope::Class(c)) => Some(*c),
            _ => None,
        };
        let parent = self.scopes.iter().rev().find_map(|s| match s {
            Scope::Func(f) => Some(*f),
            Scope::Class(_) => None,
        });
        self.m.functions.push(FunctionDef {
            name: name_node.map(|x| self.name(x)).unwrap_or_default(),
            span: span(n),
            name_span: name_node.map(span).unwrap_or_default(),
            params,
            decorators,
            body: Vec::new(),
            class,
            parent,
        });
        self.scopes.push(Scope::Func(id));
        let body = self.body_of(n, "body", depth);
        self.scopes.pop();
        self.m.functions[id as usize].body = body;
        id
    }

    fn class(&mut self, n: Node<'_>, decorators: Vec<ExprId>, depth: u32) -> ClassId {
        let id = u32::try_from(self.m.classes.len()).unwrap_or(u32::MAX);
        let name_node = field(n, "name");
        let mut bases = Vec::new();
        let mut keywords = Vec::new();
        if let Some(sc) = field(n, "superclasses") {
            for a in Self::named_children(sc) {
                if a.kind() == "keyword_argument" {
                    if let Some(k) = self.keyword(a, depth) {
                        keywords.push(k);
                    }
                } else {
                    bases.push(self.expr(a, depth));
                }
            }
        }
        let outer = match self.scopes.last() {
            Some(Scope::Class(c)) => Some(*c),
            _ => None,
        };
        self.m.classes.push(ClassDef {
            name: name_node.map(|x| self.name(x)).unwrap_or_default(),
            span: span(n),
            name_span: name_node.map(span).unwrap_or_default(),
            bases,
            keywords,
            decorators,
            body: Vec::new(),
            outer,
        });
        self.scopes.push(Scope::Class(id));
        let body = self.body_of(n, "body", depth);
        self.scopes.pop();
        self.m.classes[id as usize].body = body;
        id
    }

    // ---------------------------------------------------------------- expressions

    fn expr_field(&mut self, n: Node<'_>, fname: &str, depth: u32) -> ExprId {
        match field(n, fname) {
            Some(c) => self.expr(c, depth),
            None => self.push(ExprKind::Other(Box::new([])), span(n)),
        }
    }

    fn keyword(&mut self, a: Node<'_>, depth: u32) -> Option<Keyword> {
        let name = field(a, "name").map(|x| self.name(x))?;
        let value = self.expr_field(a, "value", depth);
        Some(Keyword {
            name: Some(name),
            value,
            span: span(a),
        })
    }

    fn exprs_of(&mut self, n: Node<'_>, depth: u32) -> Box<[ExprId]> {
        Self::named_children(n)
            .into_iter()
            .filter(|c| is_expression_kind(c.kind()))
            .map(|c| self.expr(c, depth + 1))
            .collect()
    }

    fn expr(&mut self, n: Node<'_>, depth: u32) -> ExprId {
        let sp = span(n);
        if depth > MAX_DEPTH {
            self.m.truncated = true;
            return self.push(ExprKind::Other(Box::new([])), sp);
        }
        let d = depth + 1;
        let kind = match n.kind() {
            "identifier" => ExprKind::Name(self.name(n)),
            "attribute" => {
                let value = self.expr_field(n, "object", d);
                let (attr, attr_span) = match field(n, "attribute") {
                    Some(a) => (self.name(a), span(a)),
                    None => ("".into(), sp),
                };
                ExprKind::Attr {
                    value,
                    attr,
                    attr_span,
                }
            }
            "call" => {
                let func = self.expr_field(n, "function", d);
                let mut args = Vec::new();
                let mut kwargs = Vec::new();
                match field(n, "arguments") {
                    Some(a) if a.kind() == "generator_expression" => args.push(self.expr(a, d)),
                    Some(a) => {
                        for c in Self::named_children(a) {
                            match c.kind() {
                                "keyword_argument" => {
                                    if let Some(k) = self.keyword(c, d) {
                                        kwargs.push(k);
                                    }
                                }
                                "dictionary_splat" => {
                                    let inner = match c.named_child(0) {
                                        Some(i) => self.expr(i, d),
                                        None => self.push(ExprKind::Other(Box::new([])), span(c)),
                                    };
                                    kwargs.push(Keyword {
                                        name: None,
                                        value: inner,
                                        span: span(c),
                                    });
                                }
                                k if is_expression_kind(k) => args.push(self.expr(c, d)),
                                _ => {}
                            }
                        }
                    }
                    None => {}
                }
                ExprKind::Call {
                    func,
                    args: args.into(),
                    kwargs: kwargs.into(),
                }
            }
            "string" => self.string(n, d),
            "concatenated_string" => {
                let mut text = String::new();
                let mut interps = Vec::new();
                let mut plain = true;
                for s in Self::named_children(n) {
                    match self.string(s, d) {
                        ExprKind::Str(t) => text.push_str(&t),
                        ExprKind::FString(xs) => {
                            plain = false;
                            interps.extend(xs.iter());
                        }
                        _ => plain = false,
                    }
                }
                if plain {
                    ExprKind::Str(text.into())
                } else {
                    ExprKind::FString(interps.into())
                }
            }
            "integer" | "float" => ExprKind::Num(int_value(self.text(n))),
            "true" => ExprKind::Const(Const::True),
            "false" => ExprKind::Const(Const::False),
            "none" => ExprKind::Const(Const::None),
            "parenthesized_expression" => {
                let kids = Self::named_children(n);
                if kids.len() == 1 {
                    return self.expr(kids[0], d);
                }
                ExprKind::Other(self.exprs_of(n, d))
            }
            "subscript" => {
                let value = self.expr_field(n, "value", d);
                let mut c = n.walk();
                let subs: Vec<Node<'_>> = n
                    .children_by_field_id(field_nz("subscript"), &mut c)
                    .collect();
                let index = if subs.len() == 1 {
                    self.expr(subs[0], d)
                } else {
                    let xs: Box<[ExprId]> = subs.iter().map(|s| self.expr(*s, d)).collect();
                    self.push(
                        ExprKind::Seq {
                            kind: SeqKind::Tuple,
                            elts: xs,
                        },
                        sp,
                    )
                };
                ExprKind::Subscript { value, index }
            }
            "slice" => ExprKind::Slice(self.exprs_of(n, d)),
            "list" => ExprKind::Seq {
                kind: SeqKind::List,
                elts: self.exprs_of(n, d),
            },
            "tuple" | "expression_list" | "pattern_list" => ExprKind::Seq {
                kind: SeqKind::Tuple,
                elts: self.exprs_of(n, d),
            },
            "set" => ExprKind::Seq {
                kind: SeqKind::Set,
                elts: self.exprs_of(n, d),
            },
            "dictionary" => {
                let mut items = Vec::new();
                for c in Self::named_children(n) {
                    match c.kind() {
                        "pair" => {
                            let k = self.expr_field(c, "key", d);
                            let v = self.expr_field(c, "value", d);
                            items.push((Some(k), v));
                        }
                        "dictionary_splat" => {
                            if let Some(i) = c.named_child(0) {
                                let v = self.expr(i, d);
                                items.push((None, v));
                            }
                        }
                        _ => {}
                    }
                }
                ExprKind::Dict(items.into())
            }
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => self.comprehension(n, d),
            "comparison_operator" => {
                let kids = Self::named_children(n);
                let mut ops = Vec::new();
                let mut c = n.walk();
                for op in n.children_by_field_id(field_nz("operators"), &mut c) {
                    ops.push(
                        self.text(op)
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .into(),
                    );
                }
                let mut xs = kids.iter().map(|k| self.expr(*k, d));
                match xs.next() {
                    Some(left) => ExprKind::Compare {
                        left,
                        ops: ops.into(),
                        comparators: xs.collect(),
                    },
                    None => ExprKind::Other(Box::new([])),
                }
            }
            "not_operator" => ExprKind::Not(self.expr_field(n, "argument", d)),
            "boolean_operator" => {
                let and = n
                    .child_by_field_id(field_id("operator"))
                    .is_some_and(|o| self.text(o) == "and");
                let l = self.expr_field(n, "left", d);
                let r = self.expr_field(n, "right", d);
                ExprKind::BoolOp {
                    and,
                    values: Box::new([l, r]),
                }
            }
            "binary_operator" => {
                let left = self.expr_field(n, "left", d);
                let right = self.expr_field(n, "right", d);
                let op = n
                    .child_by_field_id(field_id("operator"))
                    .map_or(BinaryOp::UNKNOWN, |o| BinaryOp::new(self.text(o)));
                ExprKind::BinOp { left, op, right }
            }
            "conditional_expression" => {
                let kids = Self::named_children(n);
                if kids.len() == 3 {
                    let body = self.expr(kids[0], d);
                    let test = self.expr(kids[1], d);
                    let orelse = self.expr(kids[2], d);
                    ExprKind::IfExp { test, body, orelse }
                } else {
                    ExprKind::Other(self.exprs_of(n, d))
                }
            }
            "lambda" => {
                let mut params = Vec::new();
                if let Some(p) = field(n, "parameters") {
                    for prm in self.params(p, d) {
                        params.push(prm.name);
                    }
                }
                let body = self.expr_field(n, "body", d);
                ExprKind::Lambda {
                    params: params.into(),
                    body,
                }
            }
            "list_splat" | "dictionary_splat" => match n.named_child(0) {
                Some(i) => ExprKind::Starred(self.expr(i, d)),
                None => ExprKind::Other(Box::new([])),
            },
            "await" => match n.named_child(0) {
                Some(i) => ExprKind::Await(self.expr(i, d)),
                None => ExprKind::Other(Box::new([])),
            },
            "named_expression" => {
                let target = n
                    .child_by_field_id(field_id("name"))
                    .map(|x| self.name(x))
                    .unwrap_or_default();
                let value = self.expr_field(n, "value", d);
                ExprKind::NamedExpr { target, value }
            }
            _ => ExprKind::Other(self.exprs_of(n, d)),
        };
        self.push(kind, sp)
    }

    fn string(&mut self, n: Node<'_>, d: u32) -> ExprKind {
        let mut text = String::new();
        let mut interps = Vec::new();
        let mut is_f = false;
        for c in Self::named_children(n) {
            match c.kind() {
                "string_start" => {
                    let t = self.text(c);
                    is_f = t
                        .chars()
                        .take_while(|ch| *ch != '"' && *ch != '\'')
                        .any(|ch| ch == 'f' || ch == 'F' || ch == 't' || ch == 'T');
                }
                "string_content" => text.push_str(self.text(c)),
                "escape_sequence" => text.push_str(self.text(c)),
                "interpolation" => {
                    if let Some(e) = field(c, "expression") {
                        interps.push(self.expr(e, d));
                    }
                }
                _ => {}
            }
        }
        if is_f {
            ExprKind::FString(interps.into())
        } else {
            ExprKind::Str(text.into())
        }
    }

    fn comprehension(&mut self, n: Node<'_>, d: u32) -> ExprKind {
        let kind = match n.kind() {
            "list_comprehension" => CompKind::List,
            "set_comprehension" => CompKind::Set,
            "dictionary_comprehension" => CompKind::Dict,
            _ => CompKind::Generator,
        };
        let mut gens: Vec<CompFor> = Vec::new();
        for c in Self::named_children(n) {
            match c.kind() {
                "for_in_clause" => {
                    let target = self.target_field(c, "left", d);
                    let mut cur = c.walk();
                    let rights: Vec<Node<'_>> = c
                        .children_by_field_id(field_nz("right"), &mut cur)
                        .filter(|r| r.is_named())
                        .collect();
                    let iter = if rights.len() == 1 {
                        self.expr(rights[0], d)
                    } else {
                        let xs: Box<[ExprId]> = rights.iter().map(|r| self.expr(*r, d)).collect();
                        self.push(
                            ExprKind::Seq {
                                kind: SeqKind::Tuple,
                                elts: xs,
                            },
                            span(c),
                        )
                    };
                    gens.push(CompFor {
                        target,
                        iter,
                        ifs: Box::new([]),
                    });
                }
                "if_clause" => {
                    if let Some(e) = c.named_child(0) {
                        let cond = self.expr(e, d);
                        if let Some(last) = gens.last_mut() {
                            let mut ifs = std::mem::take(&mut last.ifs).into_vec();
                            ifs.push(cond);
                            last.ifs = ifs.into();
                        }
                    }
                }
                _ => {}
            }
        }
        let (elt, value) = match field(n, "body") {
            Some(b) if b.kind() == "pair" => {
                let k = self.expr_field(b, "key", d);
                let v = self.expr_field(b, "value", d);
                (k, Some(v))
            }
            Some(b) => (self.expr(b, d), None),
            None => (self.push(ExprKind::Other(Box::new([])), span(n)), None),
        };
        ExprKind::Comp {
            kind,
            elt,
            value,
            gens: gens.into(),
        }
    }
}

fn is_statement_kind(k: &str) -> bool {
    k.ends_with("_statement")
        || matches!(
            k,
            "function_definition" | "class_definition" | "decorated_definition" | "block"
        )
}

fn is_expression_kind(k: &str) -> bool {
    !matches!(
        k,
        "comment"
            | "keyword_argument"
            | "block"
            | "else_clause"
            | "elif_clause"
            | "except_clause"
            | "finally_clause"
            | "type"
            | "decorator"
            | "parameters"
            | "string_start"
            | "string_end"
            | "string_content"
            | "escape_sequence"
            | "line_continuation"
            | "format_specifier"
            | "type_conversion"
            | "wildcard_import"
            | "dotted_name"
            | "relative_import"
            | "aliased_import"
            | "import_prefix"
    ) && !k.ends_with("_statement")
}
