//! Projects the merged response tree onto the client's (normalized) selection: response keys in
//! selection order, `__typename`, `@skip`/`@include`, type conditions on abstract types, and the
//! spec's null propagation (a null in a non-null position nulls the nearest nullable parent).

use serde_json::{Map, Value};

use crate::planning::{SelectionItem, SelectionSet};
use crate::schema_index::{SchemaIndex, TypeRef};

/// The alias the planning module gives a placeholder `__typename` (never shown to clients).
pub const PLACEHOLDER_ALIAS: &str = "__gateway_typename";

/// A non-null violation travelling up to the nearest nullable position.
struct Propagate;

/// The projection of one response.
pub struct Projection<'a> {
    index: &'a SchemaIndex,
    variables: &'a Map<String, Value>,
    path: Vec<Value>,
    /// Non-null violations found (path and type), reported when no subgraph error explains them.
    pub violations: Vec<(Vec<Value>, String)>,
}

impl<'a> Projection<'a> {
    /// A projection over the API schema with the request's variables.
    pub fn new(index: &'a SchemaIndex, variables: &'a Map<String, Value>) -> Self {
        Self {
            index,
            variables,
            path: Vec::new(),
            violations: Vec::new(),
        }
    }

    /// The client's `data`: an object, or null when a root non-null field is null.
    pub fn root(&mut self, selection: &SelectionSet, root_type: &str, data: &Value) -> Value {
        let empty = Map::new();
        let object = data.as_object().unwrap_or(&empty);
        let mut out = Map::new();
        match self.selection(selection, root_type, object, &mut out) {
            Ok(()) => Value::Object(out),
            Err(Propagate) => Value::Null,
        }
    }

    fn skipped(&self, skip_if: Option<&String>, include_if: Option<&String>) -> bool {
        let var = |name: &String| self.variables.get(name).and_then(Value::as_bool).unwrap_or(false);
        skip_if.is_some_and(var) || include_if.is_some_and(|n| !var(n))
    }

    fn selection(
        &mut self,
        selection: &SelectionSet,
        type_name: &str,
        object: &Map<String, Value>,
        out: &mut Map<String, Value>,
    ) -> Result<(), Propagate> {
        for item in &selection.items {
            match item {
                SelectionItem::Field(f) => {
                    if f.omit_from_response || self.skipped(f.skip_if.as_ref(), f.include_if.as_ref()) {
                        continue;
                    }
                    let key = f.alias.as_deref().unwrap_or(&f.name);
                    if key == PLACEHOLDER_ALIAS {
                        continue;
                    }
                    if f.name == "__typename" {
                        let runtime = object.get("__typename").and_then(Value::as_str).unwrap_or(type_name);
                        out.insert(key.to_owned(), Value::String(runtime.to_owned()));
                        continue;
                    }
                    let Some(field_type) = self.index.field_type(type_name, &f.name) else {
                        // Introspection fields and anything the API schema does not know pass through.
                        if let Some(v) = object.get(key) {
                            out.insert(key.to_owned(), v.clone());
                        }
                        continue;
                    };
                    self.path.push(Value::String(key.to_owned()));
                    let completed = self.complete(object.get(key), field_type, &f.selections);
                    self.path.pop();
                    let value = completed?;
                    match out.get_mut(key) {
                        Some(existing @ Value::Object(_)) if value.is_object() => crate::execute::deep_merge(existing, value),
                        _ => {
                            out.insert(key.to_owned(), value);
                        }
                    }
                }
                SelectionItem::InlineFragment(frag) => {
                    if self.skipped(frag.skip_if.as_ref(), frag.include_if.as_ref()) {
                        continue;
                    }
                    let runtime = object.get("__typename").and_then(Value::as_str).unwrap_or(type_name);
                    if self.index.applies(&frag.type_condition, runtime) || frag.type_condition == type_name {
                        self.selection(&frag.selections, type_name, object, out)?;
                    }
                }
                SelectionItem::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }

    fn complete(&mut self, value: Option<&Value>, t: &TypeRef, selection: &SelectionSet) -> Result<Value, Propagate> {
        match t {
            TypeRef::NonNull(inner) => {
                let v = self.complete(value, inner, selection)?;
                if v.is_null() {
                    self.violations.push((self.path.clone(), inner.named().to_owned()));
                    return Err(Propagate);
                }
                Ok(v)
            }
            TypeRef::List(inner) => match value {
                Some(Value::Array(items)) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(Value::from(i));
                        let r = self.complete(Some(item), inner, selection);
                        self.path.pop();
                        match r {
                            Ok(v) => out.push(v),
                            Err(Propagate) => return Ok(Value::Null),
                        }
                    }
                    Ok(Value::Array(out))
                }
                _ => Ok(Value::Null),
            },
            TypeRef::Named(name) => match value {
                None | Some(Value::Null) => Ok(Value::Null),
                Some(v) if !self.index.is_composite(name) => Ok(v.clone()),
                Some(Value::Object(object)) => {
                    let runtime = object.get("__typename").and_then(Value::as_str).unwrap_or(name);
                    let runtime = if self.index.is_abstract(runtime) { name } else { runtime };
                    let runtime = runtime.to_owned();
                    let mut out = Map::new();
                    match self.selection(selection, &runtime, object, &mut out) {
                        Ok(()) => Ok(Value::Object(out)),
                        Err(Propagate) => Ok(Value::Null),
                    }
                }
                Some(_) => Ok(Value::Null),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planning::{FieldSelection, InlineFragmentSelection};
    use serde_json::json;

    const SDL: &str = "type Query { node: Node search: [Result!]! tags: [String] }
        interface Node { id: ID! }
        type User implements Node { id: ID! name: String! }
        type Post implements Node { id: ID! title: String }
        union Result = User | Post";

    fn index() -> SchemaIndex {
        SchemaIndex::new(&graphql_tools::parser::parse_schema::<String>(SDL).expect("sdl").into_static())
    }

    fn field(name: &str, items: Vec<SelectionItem>) -> SelectionItem {
        SelectionItem::Field(FieldSelection {
            name: name.into(),
            selections: SelectionSet { items },
            ..Default::default()
        })
    }

    fn on(type_condition: &str, items: Vec<SelectionItem>) -> SelectionItem {
        SelectionItem::InlineFragment(InlineFragmentSelection {
            type_condition: type_condition.into(),
            selections: SelectionSet { items },
            skip_if: None,
            include_if: None,
        })
    }

    fn selection() -> SelectionSet {
        SelectionSet {
            items: vec![
                field(
                    "node",
                    vec![
                        field("__typename", vec![]),
                        field("id", vec![]),
                        on("Post", vec![field("title", vec![])]),
                        on("User", vec![field("name", vec![])]),
                    ],
                ),
                field(
                    "search",
                    vec![on("User", vec![field("name", vec![])]), on("Post", vec![field("title", vec![])])],
                ),
            ],
        }
    }

    #[test]
    fn interfaces_and_unions_project_by_runtime_type() {
        let data = json!({
            "node": {"__typename": "Post", "id": "p1", "title": "T", "internal": 1},
            "search": [{"__typename": "User", "id": "u", "name": "N"}, {"__typename": "Post", "id": "p", "title": null}]
        });
        let vars = Map::new();
        let index = index();
        let out = Projection::new(&index, &vars).root(&selection(), "Query", &data);
        assert_eq!(
            out,
            json!({"node": {"__typename": "Post", "id": "p1", "title": "T"}, "search": [{"name": "N"}, {"title": null}]})
        );
        let keys: Vec<&String> = out["node"].as_object().expect("object").keys().collect();
        assert_eq!(keys, ["__typename", "id", "title"], "selection order");
    }

    #[test]
    fn a_null_in_a_non_null_position_propagates_to_the_nearest_nullable_parent() {
        // A User without its non-null name: the list item is non-null, the list is non-null,
        // so the whole data becomes null.
        let data = json!({"node": null, "search": [{"__typename": "User", "id": "u", "name": null}]});
        let vars = Map::new();
        let index = index();
        let mut projection = Projection::new(&index, &vars);
        assert_eq!(projection.root(&selection(), "Query", &data), Value::Null);
        assert_eq!(projection.violations[0].0, vec![json!("search"), json!(0), json!("name")]);

        // A nullable parent stops the propagation: node.id is non-null, node is nullable.
        let data = json!({"node": {"__typename": "User", "id": null, "name": "N"}, "search": []});
        let out = Projection::new(&index, &vars).root(&selection(), "Query", &data);
        assert_eq!(out, json!({"node": null, "search": []}));
    }

    #[test]
    fn skip_and_include_follow_variables() {
        let sel = SelectionSet {
            items: vec![
                SelectionItem::Field(FieldSelection {
                    name: "tags".into(),
                    skip_if: Some("hide".into()),
                    ..Default::default()
                }),
                SelectionItem::Field(FieldSelection {
                    name: "tags".into(),
                    alias: Some("t2".into()),
                    include_if: Some("show".into()),
                    ..Default::default()
                }),
            ],
        };
        let data = json!({"tags": ["a"], "t2": ["a"]});
        let index = index();
        let vars: Map<String, Value> = json!({"hide": true, "show": true}).as_object().cloned().unwrap_or_default();
        assert_eq!(Projection::new(&index, &vars).root(&sel, "Query", &data), json!({"t2": ["a"]}));
        let vars: Map<String, Value> = json!({"hide": false, "show": false}).as_object().cloned().unwrap_or_default();
        assert_eq!(Projection::new(&index, &vars).root(&sel, "Query", &data), json!({"tags": ["a"]}));
    }
}
