//! Answers `__schema` and `__type` from the API schema, in the gateway, for the root fields the
//! planner never sees. Works on the original document (fragments, aliases, `@skip`/`@include`).

use std::collections::HashMap;

use graphql_tools::static_graphql::query::{self as q, Definition, Selection};
use graphql_tools::static_graphql::schema::{self as s, TypeDefinition};
use serde_json::{Map, Value, json};

use crate::planning::{is_introspection_root, select_operation};

/// The API schema, indexed for introspection.
pub struct Introspection<'a> {
    types: Vec<&'a TypeDefinition>,
    by_name: HashMap<&'a str, &'a TypeDefinition>,
    directives: Vec<&'a s::DirectiveDefinition>,
    implementations: HashMap<&'a str, Vec<&'a str>>,
    query: String,
    mutation: Option<String>,
    subscription: Option<String>,
}

#[derive(Clone)]
enum TypeRef<'a> {
    Named(&'a TypeDefinition),
    List(Box<TypeRef<'a>>),
    NonNull(Box<TypeRef<'a>>),
}

#[derive(Clone)]
enum Node<'a> {
    Schema,
    Type(TypeRef<'a>),
    Field(&'a s::Field),
    InputValue(&'a s::InputValue),
    EnumValue(&'a s::EnumValue),
    Directive(&'a s::DirectiveDefinition),
}

struct Request<'d> {
    fragments: HashMap<&'d str, &'d q::FragmentDefinition>,
    variables: &'d Map<String, Value>,
}

impl<'a> Introspection<'a> {
    /// Indexes a schema document.
    pub fn new(doc: &'a s::Document, index: &crate::schema_index::SchemaIndex) -> Self {
        let mut types = Vec::new();
        let mut directives = Vec::new();
        let mut implementations: HashMap<&str, Vec<&str>> = HashMap::new();
        for def in &doc.definitions {
            match def {
                s::Definition::TypeDefinition(t) => {
                    if let TypeDefinition::Object(o) = t {
                        for i in &o.implements_interfaces {
                            implementations.entry(i.as_str()).or_default().push(o.name.as_str());
                        }
                    }
                    types.push(t);
                }
                s::Definition::DirectiveDefinition(d) => directives.push(d),
                _ => {}
            }
        }
        let by_name = types.iter().map(|t| (type_name(t), *t)).collect();
        Self {
            types,
            by_name,
            directives,
            implementations,
            query: index.query_type.clone(),
            mutation: index.mutation_type.clone(),
            subscription: index.subscription_type.clone(),
        }
    }

    /// Resolves the operation's root `__schema` / `__type` fields into a map keyed by response key.
    pub fn resolve(&self, document: &q::Document, operation_name: Option<&str>, variables: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        let Ok(op) = select_operation(document, operation_name) else {
            return out;
        };
        let selection = match op {
            q::OperationDefinition::Query(o) => &o.selection_set,
            q::OperationDefinition::SelectionSet(s) => s,
            q::OperationDefinition::Mutation(o) => &o.selection_set,
            q::OperationDefinition::Subscription(o) => &o.selection_set,
        };
        let req = Request {
            fragments: document
                .definitions
                .iter()
                .filter_map(|d| match d {
                    Definition::Fragment(f) => Some((f.name.as_str(), f)),
                    Definition::Operation(_) => None,
                })
                .collect(),
            variables,
        };
        for item in &selection.items {
            let Selection::Field(f) = item else { continue };
            if !is_introspection_root(&f.name) || skipped(&f.directives, variables) {
                continue;
            }
            let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
            let value = if f.name == "__schema" {
                self.object(&Node::Schema, &f.selection_set, &req)
            } else {
                match arg(f, "name", variables).and_then(|v| v.as_str().map(str::to_owned)) {
                    Some(name) => match self.by_name.get(name.as_str()) {
                        Some(t) => self.object(&Node::Type(TypeRef::Named(t)), &f.selection_set, &req),
                        None => Value::Null,
                    },
                    None => Value::Null,
                }
            };
            out.insert(key, value);
        }
        out
    }

    fn object(&self, node: &Node<'a>, selection: &q::SelectionSet, req: &Request<'_>) -> Value {
        let mut out = Map::new();
        self.fill(node, selection, req, &mut out);
        Value::Object(out)
    }

    fn fill(&self, node: &Node<'a>, selection: &q::SelectionSet, req: &Request<'_>, out: &mut Map<String, Value>) {
        for item in &selection.items {
            match item {
                Selection::Field(f) => {
                    if skipped(&f.directives, req.variables) {
                        continue;
                    }
                    let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                    let value = self.field(node, f, req);
                    out.insert(key, value);
                }
                Selection::InlineFragment(frag) => {
                    if !skipped(&frag.directives, req.variables) {
                        self.fill(node, &frag.selection_set, req, out);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if skipped(&spread.directives, req.variables) {
                        continue;
                    }
                    if let Some(frag) = req.fragments.get(spread.fragment_name.as_str()) {
                        self.fill(node, &frag.selection_set, req, out);
                    }
                }
            }
        }
    }

    fn list<I: IntoIterator<Item = Node<'a>>>(&self, nodes: I, selection: &q::SelectionSet, req: &Request<'_>) -> Value {
        Value::Array(nodes.into_iter().map(|n| self.object(&n, selection, req)).collect())
    }

    fn type_ref(&self, t: &'a s::Type) -> Option<TypeRef<'a>> {
        Some(match t {
            s::Type::NamedType(n) => TypeRef::Named(self.by_name.get(n.as_str())?),
            s::Type::ListType(inner) => TypeRef::List(Box::new(self.type_ref(inner)?)),
            s::Type::NonNullType(inner) => TypeRef::NonNull(Box::new(self.type_ref(inner)?)),
        })
    }

    fn named(&self, name: Option<&String>, selection: &q::SelectionSet, req: &Request<'_>) -> Value {
        match name.and_then(|n| self.by_name.get(n.as_str())) {
            Some(t) => self.object(&Node::Type(TypeRef::Named(t)), selection, req),
            None => Value::Null,
        }
    }

    fn field(&self, node: &Node<'a>, f: &q::Field, req: &Request<'_>) -> Value {
        let sel = &f.selection_set;
        let include_deprecated = arg(f, "includeDeprecated", req.variables)
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let keep = |directives: &[s::Directive]| include_deprecated || deprecation(directives).is_none();
        match (node, f.name.as_str()) {
            (Node::Schema, "__typename") => json!("__Schema"),
            (Node::Schema, "description") => Value::Null,
            (Node::Schema, "types") => self.list(self.types.iter().map(|t| Node::Type(TypeRef::Named(t))), sel, req),
            (Node::Schema, "queryType") => self.named(Some(&self.query), sel, req),
            (Node::Schema, "mutationType") => self.named(self.mutation.as_ref(), sel, req),
            (Node::Schema, "subscriptionType") => self.named(self.subscription.as_ref(), sel, req),
            (Node::Schema, "directives") => self.list(self.directives.iter().map(|d| Node::Directive(d)), sel, req),

            (Node::Type(_), "__typename") => json!("__Type"),
            (Node::Type(TypeRef::List(_)), "kind") => json!("LIST"),
            (Node::Type(TypeRef::NonNull(_)), "kind") => json!("NON_NULL"),
            (Node::Type(TypeRef::List(inner) | TypeRef::NonNull(inner)), "ofType") => self.object(&Node::Type((**inner).clone()), sel, req),
            (Node::Type(TypeRef::List(_) | TypeRef::NonNull(_)), _) => Value::Null,
            (Node::Type(TypeRef::Named(t)), name) => self.named_type_field(t, name, sel, req, &keep),

            (Node::Field(_), "__typename") => json!("__Field"),
            (Node::Field(fd), "name") => json!(fd.name),
            (Node::Field(fd), "description") => json!(fd.description),
            (Node::Field(fd), "args") => self.list(fd.arguments.iter().filter(|a| keep(&a.directives)).map(Node::InputValue), sel, req),
            (Node::Field(fd), "type") => self.type_object(&fd.field_type, sel, req),
            (Node::Field(fd), "isDeprecated") => json!(deprecation(&fd.directives).is_some()),
            (Node::Field(fd), "deprecationReason") => json!(deprecation(&fd.directives)),

            (Node::InputValue(_), "__typename") => json!("__InputValue"),
            (Node::InputValue(iv), "name") => json!(iv.name),
            (Node::InputValue(iv), "description") => json!(iv.description),
            (Node::InputValue(iv), "type") => self.type_object(&iv.value_type, sel, req),
            (Node::InputValue(iv), "defaultValue") => iv.default_value.as_ref().map_or(Value::Null, |v| json!(v.to_string())),
            (Node::InputValue(iv), "isDeprecated") => json!(deprecation(&iv.directives).is_some()),
            (Node::InputValue(iv), "deprecationReason") => json!(deprecation(&iv.directives)),

            (Node::EnumValue(_), "__typename") => json!("__EnumValue"),
            (Node::EnumValue(ev), "name") => json!(ev.name),
            (Node::EnumValue(ev), "description") => json!(ev.description),
            (Node::EnumValue(ev), "isDeprecated") => json!(deprecation(&ev.directives).is_some()),
            (Node::EnumValue(ev), "deprecationReason") => json!(deprecation(&ev.directives)),

            (Node::Directive(_), "__typename") => json!("__Directive"),
            (Node::Directive(d), "name") => json!(d.name),
            (Node::Directive(d), "description") => json!(d.description),
            (Node::Directive(d), "locations") => Value::Array(d.locations.iter().map(|l| json!(l.as_str())).collect()),
            (Node::Directive(d), "args") => self.list(d.arguments.iter().filter(|a| keep(&a.directives)).map(Node::InputValue), sel, req),
            (Node::Directive(d), "isRepeatable") => json!(d.repeatable),
            _ => Value::Null,
        }
    }

    fn type_object(&self, t: &'a s::Type, sel: &q::SelectionSet, req: &Request<'_>) -> Value {
        match self.type_ref(t) {
            Some(r) => self.object(&Node::Type(r), sel, req),
            None => Value::Null,
        }
    }

    fn named_type_field(
        &self,
        t: &'a TypeDefinition,
        name: &str,
        sel: &q::SelectionSet,
        req: &Request<'_>,
        keep: &dyn Fn(&[s::Directive]) -> bool,
    ) -> Value {
        let visible_fields = |fields: &'a [s::Field]| {
            fields
                .iter()
                .filter(|f| !f.name.starts_with("__") && keep(&f.directives))
                .map(Node::Field)
        };
        match (t, name) {
            (_, "kind") => json!(match t {
                TypeDefinition::Scalar(_) => "SCALAR",
                TypeDefinition::Object(_) => "OBJECT",
                TypeDefinition::Interface(_) => "INTERFACE",
                TypeDefinition::Union(_) => "UNION",
                TypeDefinition::Enum(_) => "ENUM",
                TypeDefinition::InputObject(_) => "INPUT_OBJECT",
            }),
            (_, "name") => json!(type_name(t)),
            (_, "description") => json!(type_description(t)),
            (TypeDefinition::Object(o), "fields") => self.list(visible_fields(&o.fields), sel, req),
            (TypeDefinition::Interface(i), "fields") => self.list(visible_fields(&i.fields), sel, req),
            (TypeDefinition::Object(o), "interfaces") => self.list(self.named_types(&o.implements_interfaces), sel, req),
            (TypeDefinition::Interface(i), "interfaces") => self.list(self.named_types(&i.implements_interfaces), sel, req),
            (TypeDefinition::Object(_), "possibleTypes") => Value::Null,
            (TypeDefinition::Union(u), "possibleTypes") => self.list(self.named_types(&u.types), sel, req),
            (TypeDefinition::Interface(i), "possibleTypes") => {
                let names: Vec<String> = self
                    .implementations
                    .get(i.name.as_str())
                    .into_iter()
                    .flatten()
                    .map(|s| (*s).to_owned())
                    .collect();
                self.list(self.named_types(&names), sel, req)
            }
            (TypeDefinition::Enum(e), "enumValues") => {
                self.list(e.values.iter().filter(|v| keep(&v.directives)).map(Node::EnumValue), sel, req)
            }
            (TypeDefinition::InputObject(i), "inputFields") => {
                self.list(i.fields.iter().filter(|f| keep(&f.directives)).map(Node::InputValue), sel, req)
            }
            (TypeDefinition::InputObject(_), "isOneOf") => json!(false),
            (TypeDefinition::Scalar(sc), "specifiedByURL") => sc
                .directives
                .iter()
                .find(|d| d.name == "specifiedBy")
                .and_then(|d| d.arguments.iter().find(|(n, _)| n == "url"))
                .map_or(Value::Null, |(_, v)| match v {
                    s::Value::String(url) => json!(url),
                    _ => Value::Null,
                }),
            _ => Value::Null,
        }
    }

    fn named_types<'n>(&'n self, names: &'n [String]) -> impl Iterator<Item = Node<'a>> + 'n {
        names
            .iter()
            .filter_map(|n| self.by_name.get(n.as_str()).map(|t| Node::Type(TypeRef::Named(t))))
    }
}

fn type_name(t: &TypeDefinition) -> &str {
    match t {
        TypeDefinition::Scalar(x) => &x.name,
        TypeDefinition::Object(x) => &x.name,
        TypeDefinition::Interface(x) => &x.name,
        TypeDefinition::Union(x) => &x.name,
        TypeDefinition::Enum(x) => &x.name,
        TypeDefinition::InputObject(x) => &x.name,
    }
}

fn type_description(t: &TypeDefinition) -> Option<&String> {
    match t {
        TypeDefinition::Scalar(x) => x.description.as_ref(),
        TypeDefinition::Object(x) => x.description.as_ref(),
        TypeDefinition::Interface(x) => x.description.as_ref(),
        TypeDefinition::Union(x) => x.description.as_ref(),
        TypeDefinition::Enum(x) => x.description.as_ref(),
        TypeDefinition::InputObject(x) => x.description.as_ref(),
    }
}

fn deprecation(directives: &[s::Directive]) -> Option<String> {
    let d = directives.iter().find(|d| d.name == "deprecated")?;
    Some(
        d.arguments
            .iter()
            .find(|(n, _)| n == "reason")
            .and_then(|(_, v)| match v {
                s::Value::String(r) => Some(r.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "No longer supported".into()),
    )
}

fn query_value_to_json(v: &q::Value, variables: &Map<String, Value>) -> Value {
    match v {
        q::Value::Variable(name) => variables.get(name).cloned().unwrap_or(Value::Null),
        q::Value::Int(i) => i.as_i64().map_or(Value::Null, Value::from),
        q::Value::Float(f) => json!(f),
        q::Value::String(s) => json!(s),
        q::Value::Boolean(b) => json!(b),
        q::Value::Null => Value::Null,
        q::Value::Enum(e) => json!(e),
        q::Value::List(items) => Value::Array(items.iter().map(|i| query_value_to_json(i, variables)).collect()),
        q::Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), query_value_to_json(v, variables))).collect()),
    }
}

fn arg(f: &q::Field, name: &str, variables: &Map<String, Value>) -> Option<Value> {
    f.arguments
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| query_value_to_json(v, variables))
}

fn skipped(directives: &[q::Directive], variables: &Map<String, Value>) -> bool {
    directives.iter().any(|d| {
        let cond = d
            .arguments
            .iter()
            .find(|(n, _)| n == "if")
            .map(|(_, v)| query_value_to_json(v, variables).as_bool().unwrap_or(false));
        matches!((d.name.as_str(), cond), ("skip", Some(true)) | ("include", Some(false)))
    })
}
