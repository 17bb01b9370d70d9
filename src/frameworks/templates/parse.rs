//! A small lexer and parser for the Django template language.
//!
//! Only what the relation analysis needs: variables with their lookups and filters, and the
//! tags that bind names or repeat their body (`for`, `with`, `regroup`, `include`, `extends`,
//! `block`, `if`). Other tags are kept flat with the variables in their arguments. Like
//! Django's lexer, a tag never spans lines.

/// One variable lookup chain with filters: `book.author.name|default:"-"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarExpr {
    /// The lookup segments and the byte offset of each in the template.
    pub path: Vec<(String, u32)>,
    pub filters: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// `{{ expr }}` or a variable read by a tag's arguments.
    Var(VarExpr),
    For {
        targets: Vec<String>,
        iter: VarExpr,
        body: Vec<Node>,
        empty: Vec<Node>,
        /// Offset of the `{% for %}` tag.
        at: u32,
    },
    /// `{% if %}`: the variables of every condition, then every branch.
    If {
        conds: Vec<VarExpr>,
        branches: Vec<Vec<Node>>,
    },
    With {
        binds: Vec<(String, VarExpr)>,
        body: Vec<Node>,
    },
    Block {
        name: String,
        /// Shared: a child's overriding body is kept in the block chain while rendering.
        body: std::sync::Arc<Vec<Node>>,
    },
    Extends(String),
    Include {
        name: String,
        binds: Vec<(String, VarExpr)>,
        only: bool,
    },
    Regroup {
        source: VarExpr,
        by: String,
        name: String,
        at: u32,
    },
    /// `{% load lib other %}` (libraries) or `{% load tag from lib %}`.
    Load {
        libs: Vec<String>,
        /// The tags picked with `from`, `None` for whole libraries.
        only: Option<Vec<String>>,
    },
    /// Any other tag: its arguments (a keyword, and the variable unless it is a literal)
    /// and the `as` target.
    Tag {
        name: String,
        args: Vec<(Option<String>, Option<VarExpr>)>,
        target: Option<String>,
        /// Offset of the tag's name.
        at: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok<'a> {
    Text,
    Var(&'a str, u32),
    Tag(&'a str, u32),
}

/// Split a template into tokens. Comments and `verbatim` content become text.
fn lex(src: &str) -> Vec<Tok<'_>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut verbatim: Option<String> = None;
    while i + 1 < b.len() {
        if b[i] != b'{' || !matches!(b[i + 1], b'{' | b'%' | b'#') {
            i += 1;
            continue;
        }
        let close: &[u8] = match b[i + 1] {
            b'{' => b"}}",
            b'%' => b"%}",
            _ => b"#}",
        };
        let Some(end) = find_on_line(b, i + 2, close) else {
            i += 2;
            continue;
        };
        let inner_start = i + 2;
        let inner = &src[inner_start..end];
        let trimmed = inner.trim();
        let lead = inner.len() - inner.trim_start().len();
        let at = u32::try_from(inner_start + lead).unwrap_or(u32::MAX);
        if let Some(v) = &verbatim {
            if b[i + 1] == b'%' && trimmed == v {
                verbatim = None;
            }
            i = end + 2;
            continue;
        }
        match b[i + 1] {
            b'{' => out.push(Tok::Var(trimmed, at)),
            b'%' => {
                if trimmed == "verbatim" || trimmed.starts_with("verbatim ") {
                    verbatim = Some(format!("end{trimmed}"));
                } else {
                    out.push(Tok::Tag(trimmed, at));
                }
            }
            _ => out.push(Tok::Text),
        }
        i = end + 2;
    }
    out
}

fn find_on_line(b: &[u8], from: usize, close: &[u8]) -> Option<usize> {
    let mut j = from;
    while j + 1 < b.len() {
        if b[j] == b'\n' {
            return None;
        }
        if b[j] == close[0] && b[j + 1] == close[1] {
            return Some(j);
        }
        j += 1;
    }
    None
}

/// Split tag arguments on whitespace outside quotes, with each piece's offset.
fn split_args(s: &str, at: u32) -> Vec<(&str, u32)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            None if c.is_whitespace() => {
                if let Some(st) = start.take() {
                    out.push((&s[st..i], at + u32::try_from(st).unwrap_or(0)));
                }
            }
            None => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(st) = start {
        out.push((&s[st..], at + u32::try_from(st).unwrap_or(0)));
    }
    out
}

/// Parse one filter expression; `None` for literals (strings, numbers, translations).
pub fn var_expr(s: &str, at: u32) -> Option<VarExpr> {
    let mut parts = split_filters(s);
    let (base, base_off) = parts.first().copied()?;
    let base = base.trim_end();
    let first = base.chars().next()?;
    if !(first.is_alphabetic() || first == '_') || base.starts_with("_(") {
        return None;
    }
    let mut path = Vec::new();
    let mut off = at + base_off;
    for seg in base.split('.') {
        if seg.is_empty() || !seg.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        path.push((seg.to_owned(), off));
        off += u32::try_from(seg.len() + 1).unwrap_or(0);
    }
    let filters = parts
        .drain(1..)
        .map(|(f, _)| f.split(':').next().unwrap_or("").trim().to_owned())
        .collect();
    Some(VarExpr { path, filters })
}

/// `a|f:"x|y"|g` → pieces split on `|` outside quotes, with offsets.
fn split_filters(s: &str) -> Vec<(&str, u32)> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '|' => {
                out.push((&s[start..i], u32::try_from(start).unwrap_or(0)));
                start = i + 1;
            }
            None => {}
        }
    }
    out.push((&s[start..], u32::try_from(start).unwrap_or(0)));
    out
}

fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        Some(&s[1..s.len() - 1])
    } else {
        None
    }
}

/// Words of `if` conditions that are operators, not variables.
const IF_WORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "==", "!=", "<", ">", "<=", ">=", "True", "False", "None",
];

/// `a=b c=d` (or the legacy `b as a`) bindings.
fn binds(args: &[(&str, u32)]) -> Vec<(String, VarExpr)> {
    if args.len() == 3 && args[1].0 == "as" {
        return var_expr(args[0].0, args[0].1)
            .map(|v| vec![(args[2].0.to_owned(), v)])
            .unwrap_or_default();
    }
    args.iter()
        .filter_map(|(a, off)| {
            let (k, v) = a.split_once('=')?;
            let voff = off + u32::try_from(k.len() + 1).unwrap_or(0);
            Some((k.to_owned(), var_expr(v, voff)?))
        })
        .collect()
}

struct Parser<'a> {
    toks: Vec<Tok<'a>>,
    pos: usize,
}

/// Parse a template into nodes. Unbalanced input never fails: what parses is kept.
pub fn parse(src: &str) -> Vec<Node> {
    let mut p = Parser {
        toks: lex(src),
        pos: 0,
    };
    let (nodes, _) = p.nodes(&[], 0);
    nodes
}

/// Nesting deeper than this is not followed (templates are never this deep).
const MAX_DEPTH: usize = 200;

impl<'a> Parser<'a> {
    /// Nodes up to one of the `ends` tags (returned, consumed) or the end of input.
    fn nodes(&mut self, ends: &[&str], depth: usize) -> (Vec<Node>, Option<&'a str>) {
        let mut out = Vec::new();
        while self.pos < self.toks.len() {
            let tok = self.toks[self.pos].clone();
            self.pos += 1;
            match tok {
                Tok::Text => {}
                Tok::Var(s, at) => out.extend(var_expr(s, at).map(Node::Var)),
                Tok::Tag(s, at) => {
                    let args = split_args(s, at);
                    let Some(&(name, _)) = args.first() else {
                        continue;
                    };
                    if ends.contains(&name) {
                        return (out, Some(name));
                    }
                    if depth >= MAX_DEPTH {
                        continue;
                    }
                    self.tag(name, &args[1..], at, depth, &mut out);
                }
            }
        }
        (out, None)
    }

    fn tag(
        &mut self,
        name: &str,
        args: &[(&'a str, u32)],
        at: u32,
        depth: usize,
        out: &mut Vec<Node>,
    ) {
        match name {
            "comment" => {
                // skip everything up to endcomment
                while self.pos < self.toks.len() {
                    let t = self.toks[self.pos].clone();
                    self.pos += 1;
                    if matches!(t, Tok::Tag(s, _) if s == "endcomment") {
                        break;
                    }
                }
            }
            "for" => {
                let Some(in_pos) = args.iter().position(|a| a.0 == "in") else {
                    return;
                };
                let targets: Vec<String> = args[..in_pos]
                    .iter()
                    .flat_map(|a| a.0.split(','))
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
                let iter = args.get(in_pos + 1).and_then(|a| var_expr(a.0, a.1));
                let (body, end) = self.nodes(&["empty", "endfor"], depth + 1);
                let empty = if end == Some("empty") {
                    self.nodes(&["endfor"], depth + 1).0
                } else {
                    Vec::new()
                };
                match iter {
                    Some(iter) => out.push(Node::For {
                        targets,
                        iter,
                        body,
                        empty,
                        at,
                    }),
                    None => {
                        out.extend(body);
                        out.extend(empty);
                    }
                }
            }
            "if" => {
                let mut conds = cond_vars(args);
                let mut branches = Vec::new();
                loop {
                    let (body, end) = self.nodes(&["elif", "else", "endif"], depth + 1);
                    branches.push(body);
                    match end {
                        Some("elif") => {
                            if let Some(Tok::Tag(s, a)) = self.toks.get(self.pos - 1).cloned() {
                                conds.extend(cond_vars(&split_args(s, a)[1..]));
                            }
                        }
                        Some("else") => {}
                        _ => break,
                    }
                }
                out.push(Node::If { conds, branches });
            }
            "with" => {
                let binds = binds(args);
                let (body, _) = self.nodes(&["endwith"], depth + 1);
                out.push(Node::With { binds, body });
            }
            "block" => {
                let name = args.first().map(|a| a.0.to_owned()).unwrap_or_default();
                let (body, _) = self.nodes(&["endblock"], depth + 1);
                out.push(Node::Block {
                    name,
                    body: std::sync::Arc::new(body),
                });
            }
            "extends" => {
                if let Some(n) = args.first().and_then(|a| unquote(a.0)) {
                    out.push(Node::Extends(n.to_owned()));
                }
            }
            "include" => {
                let Some(n) = args.first().and_then(|a| unquote(a.0)) else {
                    return;
                };
                let only = args.iter().any(|a| a.0 == "only");
                let binds = match args.iter().position(|a| a.0 == "with") {
                    Some(w) => binds(
                        &args[w + 1..]
                            .iter()
                            .copied()
                            .filter(|a| a.0 != "only")
                            .collect::<Vec<_>>(),
                    ),
                    None => Vec::new(),
                };
                out.push(Node::Include {
                    name: n.to_owned(),
                    binds,
                    only,
                });
            }
            "regroup" => {
                // regroup <source> by <attr> as <name>
                if args.len() == 5 && args[1].0 == "by" && args[3].0 == "as" {
                    if let Some(source) = var_expr(args[0].0, args[0].1) {
                        out.push(Node::Regroup {
                            source,
                            by: args[2].0.to_owned(),
                            name: args[4].0.to_owned(),
                            at,
                        });
                    }
                }
            }
            "load" => {
                let words: Vec<&str> = args.iter().map(|a| a.0).collect();
                match words.as_slice() {
                    [tags @ .., "from", lib] if !tags.is_empty() => out.push(Node::Load {
                        libs: vec![(*lib).to_owned()],
                        only: Some(tags.iter().map(|t| (*t).to_owned()).collect()),
                    }),
                    libs => out.push(Node::Load {
                        libs: libs.iter().map(|l| (*l).to_owned()).collect(),
                        only: None,
                    }),
                }
            }
            "csrf_token" | "now" | "templatetag" | "cycle" | "resetcycle" | "spaceless"
            | "endspaceless" | "autoescape" | "endautoescape" => {}
            _ => {
                // Other tags: the variables in their arguments are read (`{% url "x" b.slug %}`).
                let mut tag_args = Vec::new();
                let mut target = None;
                let mut i = 0;
                while i < args.len() {
                    let (a, off) = args[i];
                    i += 1;
                    if a == "as" {
                        target = args.get(i).map(|t| t.0.to_owned());
                        i += 1;
                        continue;
                    }
                    if matches!(a, "with" | "only" | "count" | "context" | "trimmed") {
                        continue;
                    }
                    let (kw, v, voff) = match a.split_once('=') {
                        Some((k, v)) if !k.contains(['"', '\'']) => (
                            Some(k.to_owned()),
                            v,
                            off + u32::try_from(k.len() + 1).unwrap_or(0),
                        ),
                        _ => (None, a, off),
                    };
                    tag_args.push((kw, var_expr(v, voff)));
                }
                // (a tag without arguments hands nothing over: `{% endblocktrans %}`)
                if tag_args.is_empty() && target.is_none() {
                    return;
                }
                out.push(Node::Tag {
                    name: name.to_owned(),
                    args: tag_args,
                    target,
                    at,
                });
            }
        }
    }
}

fn cond_vars(args: &[(&str, u32)]) -> Vec<VarExpr> {
    args.iter()
        .filter(|a| !IF_WORDS.contains(&a.0))
        .filter_map(|(a, off)| var_expr(a, *off))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(v: &VarExpr) -> String {
        v.path
            .iter()
            .map(|p| p.0.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }

    #[test]
    fn variables_with_offsets_and_filters() {
        let src = "<p>{{ book.author.name|default:\"a|b\"|upper }}</p>";
        let nodes = parse(src);
        let [Node::Var(v)] = nodes.as_slice() else {
            panic!("{nodes:?}")
        };
        assert_eq!(path(v), "book.author.name");
        assert_eq!(v.filters, vec!["default", "upper"]);
        let (seg, off) = &v.path[1];
        assert_eq!(seg, "author");
        assert_eq!(&src[*off as usize..*off as usize + 6], "author");
    }

    #[test]
    fn literals_comments_and_verbatim_are_not_variables() {
        let src = "{{ \"x\" }}{{ 3 }}{# {{ a.b }} #}{% comment %}{{ c.d }}{% endcomment %}\
                   {% verbatim %}{{ e.f }}{% endverbatim %}{{ g }}";
        let nodes = parse(src);
        assert_eq!(nodes.len(), 1, "{nodes:?}");
        assert!(matches!(&nodes[0], Node::Var(v) if path(v) == "g"));
    }

    #[test]
    fn a_tag_does_not_span_lines() {
        let nodes = parse("{{ a\n.b }}{{ c }}");
        assert_eq!(nodes.len(), 1);
    }

    #[test]
    fn for_with_empty_and_nested_blocks() {
        let src = "{% extends \"base.html\" %}{% block content %}{% for b in books %}\
                   {% for t in b.tags.all %}{{ t.name }}{% endfor %}{% empty %}{{ none.x }}\
                   {% endfor %}{% endblock %}";
        let nodes = parse(src);
        assert_eq!(nodes[0], Node::Extends("base.html".into()));
        let Node::Block { name, body } = &nodes[1] else {
            panic!()
        };
        assert_eq!(name, "content");
        let Node::For {
            targets,
            iter,
            body,
            empty,
            ..
        } = &body[0]
        else {
            panic!()
        };
        assert_eq!(targets, &["b"]);
        assert_eq!(path(iter), "books");
        assert!(matches!(&body[0], Node::For { iter, .. } if path(iter) == "b.tags.all"));
        assert!(matches!(&empty[0], Node::Var(v) if path(v) == "none.x"));
    }

    #[test]
    fn with_include_regroup_if_and_other_tags() {
        let src = "{% with a=b.c d=e %}{% endwith %}{% with x.y as z %}{% endwith %}\
                   {% include \"row.html\" with item=b only %}\
                   {% regroup books by author as groups %}\
                   {% if b.tags.exists and not c %}1{% elif d.e %}2{% else %}3{% endif %}\
                   {% url \"detail\" b.slug as u %}{% blocktrans with n=b.author.name %}{% endblocktrans %}";
        let nodes = parse(src);
        assert!(
            matches!(&nodes[0], Node::With { binds, .. } if binds.len() == 2 && binds[0].0 == "a" && path(&binds[0].1) == "b.c")
        );
        assert!(
            matches!(&nodes[1], Node::With { binds, .. } if binds.len() == 1 && binds[0].0 == "z")
        );
        assert!(
            matches!(&nodes[2], Node::Include { name, binds, only: true } if name == "row.html" && binds.len() == 1)
        );
        assert!(
            matches!(&nodes[3], Node::Regroup { by, name, .. } if by == "author" && name == "groups")
        );
        let Node::If { conds, branches } = &nodes[4] else {
            panic!()
        };
        let names: Vec<String> = conds.iter().map(path).collect();
        assert_eq!(names, ["b.tags.exists", "c", "d.e"]);
        assert_eq!(branches.len(), 3);
        // `{% url %}`: the slug is read, the `as` target is not
        let Node::Tag {
            name, args, target, ..
        } = &nodes[5]
        else {
            panic!("{nodes:?}")
        };
        assert_eq!((name.as_str(), target.as_deref()), ("url", Some("u")));
        assert!(matches!(args.as_slice(), [(None, None), (None, Some(v))] if path(v) == "b.slug"));
        let Node::Tag { args, .. } = &nodes[6] else {
            panic!("{nodes:?}")
        };
        assert!(
            matches!(args.as_slice(), [(Some(k), Some(v))] if k == "n" && path(v) == "b.author.name")
        );
        assert_eq!(nodes.len(), 7, "{nodes:?}");
    }

    #[test]
    fn load_libraries_and_picked_tags() {
        let nodes = parse("{% load shop_tags i18n %}{% load card badge from shop_tags %}");
        assert_eq!(
            nodes,
            vec![
                Node::Load {
                    libs: vec!["shop_tags".into(), "i18n".into()],
                    only: None
                },
                Node::Load {
                    libs: vec!["shop_tags".into()],
                    only: Some(vec!["card".into(), "badge".into()])
                },
            ]
        );
    }
}
