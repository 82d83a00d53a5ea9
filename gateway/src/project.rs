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
