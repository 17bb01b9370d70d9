//! Reading relations on instances: forward and reverse foreign keys, one-to-ones, generic
//! relations, many-to-many managers and `Prefetch(to_attr=)` lists.

use super::*;

impl<'a> Analyzer<'a> {
    pub(super) fn attr(&mut self, base: Value, attr: &str, span: Loc) -> Value {
        match base {
            Value::ModelClass(model) => match self.manager_of(model, attr) {
                Some((eff, classes)) => Value::QuerySet(Qs {
                    ordered: eff.ordering.unwrap_or(self.ix.model(model).ordered),
                    model,
                    loads: eff.loads,
                    values: eff.values,
                    classes: classes.into(),
                    span,
                    single: false,
                    cached: false,
                    is_manager: true,
                    is_list: false,
                    related: None,
                    bypass: None,
                    narrowed: None,
                    iterator: false,
                    filters: Arc::from([]),
                    through: Arc::from([span]),
                    fix_at: Arc::from([]),
                    locks: false,
                    empty: false,
                    open: false,
                }),
                None => Value::Unknown,
            },
            Value::Instance(inst) => self.instance_attr(&inst, attr, span),
            Value::Arg(s) => Value::Arg(s.then(value::Step::Attr(attr.into()))),
            _ => Value::Unknown,
        }
    }

    pub(super) fn instance_attr(&mut self, inst: &Inst, attr: &str, span: Loc) -> Value {
        let ix = self.ix;
        // A `Prefetch(..., to_attr=attr)` list.
        if let Some(node) = inst.loads.nodes.get(attr) {
            if let Some(rel) = &node.to_attr_of {
                if let Some(r) = &inst.row {
                    self.note_path_read(r, attr);
                }
                let target = ix
                    .member(inst.model, rel)
                    .and_then(|mb| ix.member_target(&mb));
                let Some(target) = target else {
                    return Value::Unknown;
                };
                let parent = Inst {
                    loads: {
                        let mut l = LoadSet::default();
                        l.nodes.insert(rel.clone(), node.clone());
                        l
                    },
                    ..inst.clone()
                };
                return Value::QuerySet(Qs {
                    model: target,
                    loads: node.children.clone(),
                    values: false,
                    classes: Arc::from(Vec::new()),
                    span,
                    single: false,
                    cached: true,
                    is_manager: false,
                    is_list: true,
                    related: Some(Arc::new(RelInfo {
                        parent,
                        rel: rel.clone(),
                        prefetched: true,
                        list_attr: Some(attr.to_owned()),
                        parent_fk: None,
                    })),
                    bypass: None,
                    narrowed: None,
                    iterator: false,
                    ordered: node.ordered || ix.default_ordered(target),
                    filters: Arc::from([]),
                    through: Arc::from([span]),
                    fix_at: Arc::from([]),
                    locks: false,
                    empty: false,
                    open: false,
                });
            }
        }
        let Some(member) = ix.member(inst.model, attr) else {
            if let Some(f) = self.member_summary(inst.model, attr) {
                if f.kind == FnKind::Property {
                    let recv = Value::Instance(inst.clone());
                    self.apply_fn_at(f, Some(&recv), &[], &[], span);
                    let v = self.ret_value(f, Some(&recv), &[], &[], span);
                    return prefetched_through_property(inst, attr, v);
                }
            }
            return Value::Unknown;
        };
        match member {
            // A multi-table child's parent link: Django builds the parent object from the
            // child's own columns (`ForwardOneToOneDescriptor.get_object`), no query. What is
            // read through it is not claimed: that object shares none of the child's caches,
            // and no `select_related()` of the child fills it.
            Member::Forward(f)
                if f.kind == FieldKind::OneToOne
                    && f.target
                        .is_some_and(|t| ix.model(inst.model).parents.contains(&t)) =>
            {
                Value::Unknown
            }
            Member::Forward(f) => {
                let Some(target) = f.target else {
                    if let Some(r) = &inst.row {
                        self.note_path_unfollowed(r, attr);
                    }
                    return Value::Unknown;
                };
                self.single_relation(inst, attr, target, f.null, false, span)
            }
            Member::GenericForeignKey(_) => {
                self.single_relation(inst, attr, u32::MAX, true, true, span)
            }
            Member::Reverse(r) if r.kind == ReverseKind::OneToOne => {
                self.single_relation(inst, attr, r.from_model, true, false, span)
            }
            Member::Reverse(r) => {
                let known_parent = (r.kind == ReverseKind::ForeignKey).then(|| r.field.clone());
                self.many_relation(inst, attr, r.from_model, known_parent, span)
            }
            Member::ManyToMany(f) | Member::GenericRelation(f) => {
                let Some(target) = f.target else {
                    if let Some(r) = &inst.row {
                        self.note_path_unfollowed(r, attr);
                    }
                    return Value::Unknown;
                };
                self.many_relation(inst, attr, target, None, span)
            }
            Member::ForeignKeyId(f) | Member::Plain(f) => {
                self.note_field_read(inst, &f.name, span);
                Value::Unknown
            }
        }
    }

    /// Reading a single related object (`book.author`).
    pub(super) fn single_relation(
        &mut self,
        inst: &Inst,
        attr: &str,
        target: ModelId,
        nullable: bool,
        generic: bool,
        span: Loc,
    ) -> Value {
        let node = inst.loads.nodes.get(attr);
        let via_select_all = node.is_none()
            && inst.loads.select_all
            && !nullable
            && !generic
            && self
                .ix
                .member(inst.model, attr)
                .is_some_and(|m| matches!(m, Member::Forward(f) if f.kind == FieldKind::ForeignKey || f.kind == FieldKind::OneToOne));
        // `__init__` may fill it on every instance (`self.source_unit = self`).
        let init_set = node.is_none() && self.ix.init_sets(inst.model, attr);
        let loaded = node.is_some()
            || via_select_all
            || inst.loads.opaque
            || init_set
            || inst
                .row
                .as_ref()
                .is_some_and(|r| self.loaded_under_active_condition(r, attr));
        self.note_relation(inst, attr, span, loaded || generic);
        if let Some(r) = &inst.row {
            self.note_path_read(r, attr);
        }
        if init_set {
            // what `__init__` put there (maybe the instance itself) is not known
            return Value::Unknown;
        }
        let child_loads = match node {
            // what an unknown lookup loaded may lie below a known one (`*extra` beside
            // `"component__project"` may hold `"component__category"`)
            Some(n) => {
                let mut c = n.children.clone();
                c.opaque |= inst.loads.opaque;
                c
            }
            None if via_select_all => LoadSet {
                select_all: true,
                ..LoadSet::default()
            },
            None if inst.loads.opaque => LoadSet {
                opaque: true,
                ..LoadSet::default()
            },
            None => LoadSet::default(),
        };
        // A function applied again inside itself on the row a relation leads to, reading
        // that relation again (`self.parent.label()` in `label`): one level further down
        // than the rows load, how deep it goes is the data's (a chain of links, or none),
        // and no lookup path covers every level. Reported only while the path above is not
        // loaded either; the levels below count as reached.
        let deeper_recursion = !loaded
            && self.recursion > 0
            && inst.row.as_ref().is_some_and(|p| {
                p.first_missing.is_none() && p.path.last().is_some_and(|l| l == attr)
            });
        let row = inst.row.as_ref().map(|r| {
            let mut path = r.path.clone();
            path.push(attr.to_owned());
            let first_missing = if loaded || deeper_recursion {
                r.first_missing
            } else {
                r.first_missing.or(Some(path.len() - 1))
            };
            Arc::new(Row {
                loop_id: r.loop_id,
                root_span: r.root_span,
                fix_at: r.fix_at.clone(),
                locks: r.locks,
                root_model: r.root_model,
                path,
                first_missing,
                // a relation the rows prefetch (a `Prefetch` with its own queryset among
                // them) is extended by a prefetch below it, not by a join from the root
                many: r.many || node.is_some_and(|n| n.prefetched),
            })
        });
        if let (Some(r), false, false) = (&row, loaded, deeper_recursion) {
            let parent_row = inst.row.as_ref().map(|x| (**x).clone());
            if !inst.open
                && parent_row.as_ref().is_some_and(|p| self.per_row(p))
                && self.seen_fk.insert((r.loop_id, r.path.clone()))
            {
                self.events.push(Event::FkAccess {
                    span,
                    root_span: r.root_span,
                    fix_at: r.fix_at.to_vec(),
                    locks: r.locks,
                    root_model: r.root_model,
                    path: r.path.clone(),
                    missing_from: r.first_missing.unwrap_or(r.path.len() - 1),
                    model: inst.model,
                    attr: attr.to_owned(),
                    generic,
                    skipped_by_bare_select: nullable && inst.loads.select_all,
                    many: r.many,
                    via: self.via,
                });
            }
        }
        if generic {
            return Value::Unknown;
        }
        Value::Instance(Inst {
            model: target,
            loads: child_loads,
            row,
            created_in_loop: None,
            open: inst.open,
            from_caller: inst.from_caller,
            item_of: None,
        })
    }

    /// Reading a related manager (`book.tags`, `author.book_set`).
    pub(super) fn many_relation(
        &mut self,
        inst: &Inst,
        attr: &str,
        target: ModelId,
        known_parent: Option<String>,
        span: Loc,
    ) -> Value {
        let node = inst
            .loads
            .nodes
            .get(attr)
            .filter(|n| n.to_attr_of.is_none());
        // prefetched when a condition held that the current path also holds
        let cond_prefetched = node.is_none()
            && inst
                .row
                .as_ref()
                .is_some_and(|r| self.loaded_under_active_condition(r, attr));
        // What an opaque queryset loads is not known: the relation may be in a prefetch cache
        // (its own methods are not claimed to query), but no prefetch is known that a
        // narrowed queryset bypasses.
        let cond_loaded = cond_prefetched || (node.is_none() && inst.loads.opaque);
        if let Some(r) = &inst.row {
            self.note_path_read(r, attr);
        }
        let mut loads = node.map(|n| n.children.clone()).unwrap_or_default();
        // what an opaque queryset loads is not known below it either
        loads.opaque |= inst.loads.opaque;
        // A related manager is a subclass of the target's default manager: its custom
        // methods are there.
        let classes = self
            .ix
            .manager(target, "_default_manager")
            .map(|(_, c)| c)
            .unwrap_or_default();
        if let Some(fk) = known_parent.clone() {
            // Django sets the parent on rows fetched through its reverse manager: one object
            // shared by every row, so what is read through it is read once, not per row.
            loads.nodes.entry(fk).or_default().children.opaque = true;
        }
        Value::QuerySet(Qs {
            model: target,
            loads,
            values: false,
            classes: classes.into(),
            span,
            single: false,
            cached: node.is_some() || cond_loaded,
            is_manager: true,
            is_list: false,
            related: Some(Arc::new(RelInfo {
                parent: inst.clone(),
                rel: attr.to_owned(),
                prefetched: node.is_some() || cond_prefetched,
                list_attr: None,
                parent_fk: known_parent,
            })),
            bypass: None,
            narrowed: None,
            iterator: false,
            ordered: node.is_some_and(|n| n.ordered) || self.ix.default_ordered(target),
            filters: Arc::from([]),
            through: Arc::from([span]),
            fix_at: Arc::from([]),
            locks: false,
            empty: false,
            open: false,
        })
    }

    /// `inst.rel(manager="name")`: the related manager `rel` of `inst` (a reverse foreign
    /// key or a many-to-many) built from the target's manager `name`, whose methods it has
    /// and whose `get_queryset()` it applies. `Unknown` for another relation or manager.
    pub(super) fn named_related_manager(
        &mut self,
        inst: &Inst,
        rel: &str,
        manager: &str,
        span: Loc,
    ) -> Value {
        let is_many = matches!(
            self.ix.member(inst.model, rel),
            Some(Member::Reverse(r)) if r.kind != ReverseKind::OneToOne
        ) || matches!(
            self.ix.member(inst.model, rel),
            Some(Member::ManyToMany(_) | Member::GenericRelation(_))
        );
        if !is_many {
            return Value::Unknown;
        }
        let Value::QuerySet(mut q) = self.instance_attr(inst, rel, span) else {
            return Value::Unknown;
        };
        let Some((eff, classes)) = self.ix.manager(q.model, manager) else {
            return Value::Unknown;
        };
        // A plain prefetch of `rel` fills the cache this manager reads with the default
        // manager's rows: unless the named manager is that one, only a
        // `Prefetch(queryset=...)` of its rows serves it without changing them. An instance
        // from a caller may come with a prefetch through a property returning this manager
        // (`prefetch_related("positions")`), which does serve it: not claimed narrowed.
        let default = self.ix.manager(q.model, "_default_manager").map(|(_, c)| c);
        if !q.cached
            && !inst.open
            && !inst.from_caller
            && default.as_ref() != Some(&classes)
            && q.narrowed.is_none()
        {
            q.narrowed = Some(format!("{rel}(manager=\"{manager}\")").into());
        }
        q.classes = classes.into();
        q.loads.merge(&eff.loads);
        Value::QuerySet(q)
    }
}

/// `prefetch_related("positions")` names a property returning a related manager
/// (`self.all_positions(manager="objects")`): Django prefetches through the manager the
/// property returns and caches the rows where that manager reads them, so the rows the
/// property's manager yields are the prefetched ones.
fn prefetched_through_property(inst: &Inst, attr: &str, v: Value) -> Value {
    let Some(node) = inst
        .loads
        .nodes
        .get(attr)
        .filter(|n| n.to_attr_of.is_none())
    else {
        return v;
    };
    match v {
        Value::QuerySet(mut q) if q.is_manager && q.related.is_some() => {
            q.cached = true;
            q.narrowed = None;
            // what the manager's own `get_queryset()` loads, and the lookups below the prefetch
            q.loads.merge(&node.children);
            if let Some(rel) = q.related.as_mut() {
                Arc::make_mut(rel).prefetched = true;
            }
            Value::QuerySet(q)
        }
        v => v,
    }
}
