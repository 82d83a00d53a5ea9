//! The plan executor: runs sequence, parallel, condition, flatten, fetch and batch-fetch nodes
//! against the subgraphs, merging every answer into one response tree.
//!
//! Entity fetches collect the objects at their path, project each onto the fetch's `requires`
//! selection to build its representation, de-duplicate representations, and send them in one
//! `_entities` request per fetch node; answers are merged back into every object that shared a
//! representation, and subgraph errors are re-pathed into the client's response.

pub mod subgraph;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, FutureExt, join_all};
use serde_json::{Map, Value};

use crate::metrics::Metrics;
use crate::planning::{
    BatchFetchNode, FetchNode, FetchNodePathSegment, FetchRewrite, FlattenNodePathSegment, PlanNode, SelectionItem, SelectionSet,
};
use crate::schema_index::SchemaIndex;
use subgraph::{FetchFailure, SubgraphClient};

/// Mints the internal token for one subgraph (`None`: send no token).
pub type TokenSource<'a> = dyn Fn(&str) -> Option<String> + Send + Sync + 'a;

/// What one request brings to execution.
pub struct RequestContext<'a> {
    /// Coerced variables.
    pub variables: &'a Map<String, Value>,
    /// The request id forwarded to subgraphs.
    pub request_id: &'a str,
    /// Internal tokens per subgraph.
    pub tokens: &'a TokenSource<'a>,
}

/// One element of a response path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathElem {
    /// An object key.
    Key(String),
    /// A list index.
    Index(usize),
}

impl PathElem {
    fn to_json(&self) -> Value {
        match self {
            Self::Key(k) => Value::String(k.clone()),
            Self::Index(i) => Value::from(*i),
        }
    }
}

/// Runs plans.
pub struct Executor {
    client: SubgraphClient,
    urls: BTreeMap<String, String>,
    index: Arc<crate::planning::Supergraph>,
    metrics: Arc<Metrics>,
}

/// The merged data and the errors of one execution.
pub struct Execution {
    /// The response tree (not yet projected onto the client's selection).
    pub data: Value,
    /// GraphQL errors, already in the client's paths.
    pub errors: Vec<Value>,
}

impl Executor {
    /// An executor over the subgraphs of `supergraph`.
    pub fn new(client: SubgraphClient, supergraph: Arc<crate::planning::Supergraph>, metrics: Arc<Metrics>) -> Self {
        Self {
            client,
            urls: supergraph.subgraphs.clone(),
            index: supergraph,
            metrics,
        }
    }

    /// The subgraphs' URLs by name.
    pub fn subgraph_urls(&self) -> &BTreeMap<String, String> {
        &self.urls
    }

    /// The shared HTTP client.
    pub fn client(&self) -> &SubgraphClient {
        &self.client
    }

    /// Runs a plan's root node.
    pub async fn execute(&self, node: Option<&PlanNode>, ctx: &RequestContext<'_>) -> Execution {
        self.run(node, Value::Object(Map::new()), false, ctx).await
    }

    /// Runs a subscription plan for one event: `event_data` is what the owning subgraph sent
    /// for the primary fetch; the rest of the plan resolves fields of other subgraphs.
    pub async fn execute_event(&self, node: Option<&PlanNode>, event_data: Value, ctx: &RequestContext<'_>) -> Execution {
        self.run(node, event_data, true, ctx).await
    }

    async fn run(&self, node: Option<&PlanNode>, initial: Value, event: bool, ctx: &RequestContext<'_>) -> Execution {
        let run = Run {
            exec: self,
            ctx,
            data: Mutex::new(initial),
            errors: Mutex::new(Vec::new()),
            event,
        };
        if let Some(node) = node {
            run.node(node).await;
        }
        Execution {
            data: run.data.into_inner().unwrap_or_else(|p| p.into_inner()),
            errors: run.errors.into_inner().unwrap_or_else(|p| p.into_inner()),
        }
    }

    fn index(&self) -> &SchemaIndex {
        &self.index.index
    }
}

/// The state of one execution. Data and errors sit behind uncontended mutexes that are never
/// held across an await: parallel branches run as futures of one task.
struct Run<'a> {
    exec: &'a Executor,
    ctx: &'a RequestContext<'a>,
    data: Mutex<Value>,
    errors: Mutex<Vec<Value>>,
    /// Running for a subscription event: the primary fetch already happened upstream.
    event: bool,
}

/// The entity objects of one `_entities` list: unique representations and, for each, the
/// locations of the objects that share it.
#[derive(Default)]
struct EntityBatch {
    representations: Vec<Value>,
    locations: Vec<Vec<Vec<PathElem>>>,
}

impl<'a> Run<'a> {
    fn node(&'a self, node: &'a PlanNode) -> BoxFuture<'a, ()> {
        async move {
            match node {
                PlanNode::Sequence(s) => {
                    for n in &s.nodes {
                        self.node(n).await;
                    }
                }
                PlanNode::Parallel(p) => {
                    join_all(p.nodes.iter().map(|n| self.node(n))).await;
                }
                PlanNode::Condition(c) => {
                    let on = self.ctx.variables.get(&c.condition).and_then(Value::as_bool).unwrap_or(false);
                    let branch = if on { c.if_clause.as_deref() } else { c.else_clause.as_deref() };
                    if let Some(branch) = branch {
                        self.node(branch).await;
                    }
                }
                PlanNode::Fetch(f) => self.root_fetch(f).await,
                PlanNode::Flatten(flatten) => match flatten.node.as_ref() {
                    PlanNode::Fetch(f) => self.entity_fetch(f, flatten.path.as_slice()).await,
                    other => self.unsupported(other),
                },
                PlanNode::BatchFetch(b) => self.batch_fetch(b).await,
                PlanNode::Subscription(_) if self.event => {}
                other => self.unsupported(other),
            }
        }
        .boxed()
    }

    fn unsupported(&self, node: &PlanNode) {
        let kind = match node {
            PlanNode::Defer(_) => "@defer",
            PlanNode::Subscription(_) => "a subscription inside a query",
            _ => "this plan node",
        };
        self.push_error(serde_json::json!({
            "message": format!("{kind} is not supported by this gateway"),
            "extensions": { "code": "BAD_USER_INPUT" }
        }));
    }

    fn push_error(&self, e: Value) {
        self.errors.lock().unwrap_or_else(|p| p.into_inner()).push(e);
    }

    fn variables_for(&self, usages: Option<&std::collections::BTreeSet<String>>) -> Map<String, Value> {
        let mut vars = Map::new();
        for name in usages.into_iter().flatten() {
            if let Some(v) = self.ctx.variables.get(name) {
                vars.insert(name.clone(), v.clone());
            }
        }
        vars
    }

    /// Sends one request; on failure records an error at `error_paths[0]` and returns None.
    async fn send(
        &self,
        service: &str,
        document: &str,
        variables: Map<String, Value>,
        error_path: Option<Vec<PathElem>>,
    ) -> Option<subgraph::SubgraphResponse> {
        let Some(url) = self.exec.urls.get(service) else {
            self.push_error(failure_error(service, "the supergraph has no such subgraph", error_path.as_deref()));
            return None;
        };
        let body = serde_json::to_vec(&serde_json::json!({ "query": document, "variables": variables })).unwrap_or_default();
        let token = (self.ctx.tokens)(service);
        match self.exec.client.post(url, body, token.as_deref(), self.ctx.request_id).await {
            Ok((response, took)) => {
                self.exec.metrics.subgraph_fetch(service, took, response.errors.is_empty());
                Some(response)
            }
            Err(failure) => {
                self.exec.metrics.subgraph_failure(service);
                tracing::warn!(subgraph = service, error = %failure, "subgraph request failed");
                let reason = match failure {
                    FetchFailure::Timeout(_) => "did not answer in time",
                    _ => "is unavailable",
                };
                self.push_error(failure_error(service, reason, error_path.as_deref()));
                None
            }
        }
    }

    async fn root_fetch(&self, f: &FetchNode) {
        let first_key = f.operation.document.operation.selection_set.items.iter().find_map(|i| match i {
            SelectionItem::Field(field) => Some(vec![PathElem::Key(field.alias.clone().unwrap_or_else(|| field.name.clone()))]),
            _ => None,
        });
        let variables = self.variables_for(f.variable_usages.as_ref());
        let Some(response) = self.send(&f.service_name, &f.operation.document_str, variables, first_key).await else {
            return;
        };
        for e in response.errors {
            self.push_error(e);
        }
        if let Some(mut data) = response.data {
            if let Some(rewrites) = &f.output_rewrites {
                for r in rewrites {
                    apply_rewrite(&mut data, r);
                }
            }
            let mut root = self.data.lock().unwrap_or_else(|p| p.into_inner());
            deep_merge(&mut root, data);
        }
    }

    fn collect_batch(
        &self,
        paths: &[&[FlattenNodePathSegment]],
        requires: &SelectionSet,
        input_rewrites: Option<&Vec<FetchRewrite>>,
    ) -> EntityBatch {
        let data = self.data.lock().unwrap_or_else(|p| p.into_inner());
        let index = self.exec.index();
        let mut batch = EntityBatch::default();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for path in paths {
            let mut found = Vec::new();
            collect_objects(&data, path, &mut Vec::new(), &mut found);
            for (location, object) in found {
                let mut rep = Map::new();
                if !project_requires(object, requires, index, &mut rep) || rep.is_empty() {
                    continue;
                }
                let mut rep = Value::Object(rep);
                for r in input_rewrites.into_iter().flatten() {
                    apply_rewrite(&mut rep, r);
                }
                let key = rep.to_string();
                let at = *seen.entry(key).or_insert_with(|| {
                    batch.representations.push(rep);
                    batch.locations.push(Vec::new());
                    batch.representations.len() - 1
                });
                batch.locations[at].push(location);
            }
        }
        batch
    }

    fn merge_entities(&self, batch: &EntityBatch, results: Option<Value>, output_rewrites: Option<&Vec<FetchRewrite>>) {
        let Some(Value::Array(results)) = results else {
            return;
        };
        let mut data = self.data.lock().unwrap_or_else(|p| p.into_inner());
        for (i, mut entity) in results.into_iter().enumerate() {
            let Some(locations) = batch.locations.get(i) else { break };
            if entity.is_null() {
                continue;
            }
            for r in output_rewrites.into_iter().flatten() {
                apply_rewrite(&mut entity, r);
            }
            let last = locations.len().saturating_sub(1);
            for (n, location) in locations.iter().enumerate() {
                if let Some(target) = get_mut(&mut data, location) {
                    // The last location takes the value itself; the others get copies.
                    if n == last {
                        deep_merge(target, std::mem::take(&mut entity));
                    } else {
                        deep_merge(target, entity.clone());
                    }
                }
            }
        }
    }

    /// Re-paths `[alias, i, rest…]` errors onto the first object of representation `i`.
    ///
    /// Some subgraphs (async-graphql 7) omit the index: `[alias, field, …]`. Each such error is
    /// paired, in order, with the next entity whose result lacks that field (they resolve entities
    /// in order and leave an errored field out or null).
    fn repath_entity_errors(&self, errors: Vec<Value>, alias: &str, batch: &EntityBatch, results: Option<&Value>) {
        let mut cursors: HashMap<String, usize> = HashMap::new();
        for mut e in errors {
            let path = e.get("path").and_then(Value::as_array).cloned();
            if let Some(path) = path
                && path.first().and_then(Value::as_str) == Some(alias)
            {
                let (index, rest_from) = match path.get(1) {
                    Some(Value::Number(n)) => (n.as_u64().map(|i| i as usize), 2),
                    Some(Value::String(field)) => (next_entity_missing(results, field, &mut cursors), 1),
                    _ => (None, 1),
                };
                match index.and_then(|i| batch.locations.get(i)).and_then(|l| l.first()) {
                    Some(location) => {
                        let mut new_path: Vec<Value> = location.iter().map(PathElem::to_json).collect();
                        new_path.extend(path.into_iter().skip(rest_from));
                        e["path"] = Value::Array(new_path);
                    }
                    None => {
                        if let Some(obj) = e.as_object_mut() {
                            obj.remove("path");
                        }
                    }
                }
            }
            self.push_error(e);
        }
    }

    async fn entity_fetch(&self, f: &FetchNode, path: &[FlattenNodePathSegment]) {
        let Some(requires) = &f.requires else {
            self.push_error(serde_json::json!({"message": "an entity fetch without requirements", "extensions": {"code": "INTERNAL"}}));
            return;
        };
        let batch = self.collect_batch(&[path], requires, f.input_rewrites.as_ref());
        if batch.representations.is_empty() {
            return;
        }
        let mut variables = self.variables_for(f.variable_usages.as_ref());
        variables.insert("representations".into(), Value::Array(batch.representations.clone()));
        let first = batch.locations.first().and_then(|l| l.first()).cloned();
        let Some(mut response) = self.send(&f.service_name, &f.operation.document_str, variables, first).await else {
            return;
        };
        let results = response.data.as_mut().and_then(|d| d.get_mut("_entities")).map(Value::take);
        self.repath_entity_errors(std::mem::take(&mut response.errors), "_entities", &batch, results.as_ref());
        self.merge_entities(&batch, results, f.output_rewrites.as_ref());
    }

    async fn batch_fetch(&self, b: &BatchFetchNode) {
        let mut variables = self.variables_for(b.variable_usages.as_ref());
        let mut batches = Vec::with_capacity(b.entity_batch.aliases.len());
        for alias in &b.entity_batch.aliases {
            let paths: Vec<&[FlattenNodePathSegment]> = alias.merge_paths.iter().map(|p| p.as_slice()).collect();
            let batch = self.collect_batch(&paths, &alias.requires, alias.input_rewrites.as_ref());
            variables.insert(
                alias.representations_variable_name.clone(),
                Value::Array(batch.representations.clone()),
            );
            batches.push(batch);
        }
        if batches.iter().all(|b| b.representations.is_empty()) {
            return;
        }
        let first = batches.iter().find_map(|b| b.locations.first().and_then(|l| l.first()).cloned());
        let Some(mut response) = self.send(&b.service_name, &b.operation.document_str, variables, first).await else {
            return;
        };
        let mut errors_by_alias: Vec<Vec<Value>> = vec![Vec::new(); b.entity_batch.aliases.len()];
        for e in std::mem::take(&mut response.errors) {
            let alias = e.get("path").and_then(|p| p.get(0)).and_then(Value::as_str).map(str::to_owned);
            match alias.and_then(|a| b.entity_batch.aliases.iter().position(|x| x.alias == a)) {
                Some(i) => errors_by_alias[i].push(e),
                None => self.push_error(e),
            }
        }
        for ((alias, batch), errors) in b.entity_batch.aliases.iter().zip(&batches).zip(errors_by_alias) {
            let results = response.data.as_mut().and_then(|d| d.get_mut(&alias.alias)).map(Value::take);
            self.repath_entity_errors(errors, &alias.alias, batch, results.as_ref());
            self.merge_entities(batch, results, alias.output_rewrites.as_ref());
        }
    }
}

/// The next entity (from the cursor for `field`) whose result lacks `field` or holds null.
fn next_entity_missing(results: Option<&Value>, field: &str, cursors: &mut HashMap<String, usize>) -> Option<usize> {
    let items = results?.as_array()?;
    let cursor = cursors.entry(field.to_owned()).or_insert(0);
    while *cursor < items.len() {
        let i = *cursor;
        *cursor += 1;
        if items[i].get(field).is_none_or(Value::is_null) {
            return Some(i);
        }
    }
    None
}

fn failure_error(service: &str, reason: &str, path: Option<&[PathElem]>) -> Value {
    let mut e = serde_json::json!({
        "message": format!("subgraph {service} {reason}"),
        "extensions": { "code": "SUBGRAPH_UNAVAILABLE", "serviceName": service }
    });
    if let Some(path) = path {
        e["path"] = Value::Array(path.iter().map(PathElem::to_json).collect());
    }
    e
}

/// The objects at a flatten path, with their locations.
fn collect_objects<'v>(
    value: &'v Value,
    segs: &[FlattenNodePathSegment],
    location: &mut Vec<PathElem>,
    out: &mut Vec<(Vec<PathElem>, &'v Map<String, Value>)>,
) {
    let Some((first, rest)) = segs.split_first() else {
        if let Value::Object(m) = value {
            out.push((location.clone(), m));
        }
        return;
    };
    match (first, value) {
        (FlattenNodePathSegment::Field(name), Value::Object(m)) => {
            if let Some(child) = m.get(name) {
                location.push(PathElem::Key(name.clone()));
                collect_objects(child, rest, location, out);
                location.pop();
            }
        }
        (FlattenNodePathSegment::List, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                location.push(PathElem::Index(i));
                collect_objects(item, rest, location, out);
                location.pop();
            }
        }
        (FlattenNodePathSegment::TypeCondition(names), Value::Object(m))
            if m.get("__typename").and_then(Value::as_str).is_some_and(|t| names.contains(t)) =>
        {
            collect_objects(value, rest, location, out);
        }
        _ => {}
    }
}

/// Projects an object onto a `requires` selection; false when a required field is missing.
fn project_requires(object: &Map<String, Value>, selection: &SelectionSet, index: &SchemaIndex, out: &mut Map<String, Value>) -> bool {
    let typename = object.get("__typename").and_then(Value::as_str);
    for item in &selection.items {
        match item {
            SelectionItem::Field(f) => {
                let key = f.alias.as_deref().unwrap_or(&f.name);
                let Some(value) = object.get(key) else { return false };
                let projected = if f.selections.is_empty() {
                    value.clone()
                } else {
                    match project_requires_value(value, &f.selections, index) {
                        Some(v) => v,
                        None => return false,
                    }
                };
                out.insert(f.name.clone(), projected);
            }
            SelectionItem::InlineFragment(frag) => {
                if typename.is_some_and(|t| index.applies(&frag.type_condition, t))
                    && !project_requires(object, &frag.selections, index, out)
                {
                    return false;
                }
            }
            SelectionItem::FragmentSpread(_) => return false,
        }
    }
    true
}

fn project_requires_value(value: &Value, selection: &SelectionSet, index: &SchemaIndex) -> Option<Value> {
    match value {
        Value::Null => Some(Value::Null),
        Value::Array(items) => items
            .iter()
            .map(|v| project_requires_value(v, selection, index))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Value::Object(m) => {
            let mut out = Map::new();
            project_requires(m, selection, index, &mut out).then_some(Value::Object(out))
        }
        _ => None,
    }
}

fn get_mut<'v>(mut value: &'v mut Value, location: &[PathElem]) -> Option<&'v mut Value> {
    for elem in location {
        value = match (elem, value) {
            (PathElem::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (PathElem::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Merges `source` into `target`: objects key by key, lists element by element; a null never
/// erases data already there.
pub fn deep_merge(target: &mut Value, source: Value) {
    match (target, source) {
        (Value::Object(t), Value::Object(s)) => {
            for (k, v) in s {
                match t.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        t.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(s)) if t.len() == s.len() => {
            for (a, b) in t.iter_mut().zip(s) {
                deep_merge(a, b);
            }
        }
        (_, Value::Null) => {}
        (t, s) => *t = s,
    }
}

/// Applies a planner rewrite (a key renamed, a value set) wherever its path matches.
fn apply_rewrite(value: &mut Value, rewrite: &FetchRewrite) {
    match rewrite {
        FetchRewrite::ValueSetter(setter) => set_value(value, &setter.path, &setter.set_value_to),
        FetchRewrite::KeyRenamer(renamer) => rename_key(value, &renamer.path, &renamer.rename_key_to),
    }
}

fn set_value(value: &mut Value, path: &[FetchNodePathSegment], to: &str) {
    if let Value::Array(items) = value {
        for item in items {
            set_value(item, path, to);
        }
        return;
    }
    let Some((first, rest)) = path.split_first() else {
        *value = Value::String(to.to_owned());
        return;
    };
    match first {
        FetchNodePathSegment::Key(k) => {
            if let Some(child) = value.as_object_mut().and_then(|m| m.get_mut(k)) {
                set_value(child, rest, to);
            }
        }
        FetchNodePathSegment::TypenameEquals(names) => {
            if value.get("__typename").and_then(Value::as_str).is_some_and(|t| names.contains(t)) {
                set_value(value, rest, to);
            }
        }
    }
}

fn rename_key(value: &mut Value, path: &[FetchNodePathSegment], to: &str) {
    if let Value::Array(items) = value {
        for item in items {
            rename_key(item, path, to);
        }
        return;
    }
    match path {
        [] => {}
        [FetchNodePathSegment::Key(last)] => {
            if let Some(m) = value.as_object_mut()
                && let Some(v) = m.shift_remove(last)
            {
                m.insert(to.to_owned(), v);
            }
        }
        [FetchNodePathSegment::Key(k), rest @ ..] => {
            if let Some(child) = value.as_object_mut().and_then(|m| m.get_mut(k)) {
                rename_key(child, rest, to);
            }
        }
        [FetchNodePathSegment::TypenameEquals(names), rest @ ..] => {
            if value.get("__typename").and_then(Value::as_str).is_some_and(|t| names.contains(t)) {
                rename_key(value, rest, to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_merge_combines_objects_and_lists_and_keeps_data_over_null() {
        let mut a = json!({"a": {"x": 1}, "l": [{"id": 1}, {"id": 2}], "k": 5});
        deep_merge(&mut a, json!({"a": {"y": 2}, "l": [{"n": "a"}, {"n": "b"}], "k": null}));
        assert_eq!(
            a,
            json!({"a": {"x": 1, "y": 2}, "l": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}], "k": 5})
        );
    }

    #[test]
    fn collects_objects_through_lists_and_type_conditions() {
        let data = json!({"tasks": [
            {"__typename": "Task", "id": "1", "assignee": {"__typename": "Employee", "id": "e1"}},
            {"__typename": "Task", "id": "2", "assignee": null},
            {"__typename": "Task", "id": "3", "assignee": {"__typename": "Employee", "id": "e1"}}
        ]});
        let path = vec![
            FlattenNodePathSegment::Field("tasks".into()),
            FlattenNodePathSegment::List,
            FlattenNodePathSegment::Field("assignee".into()),
            FlattenNodePathSegment::TypeCondition(["Employee".to_owned()].into()),
        ];
        let mut out = Vec::new();
        collect_objects(&data, &path, &mut Vec::new(), &mut out);
        let locations: Vec<_> = out.iter().map(|(l, _)| l.clone()).collect();
        assert_eq!(
            locations,
            vec![
                vec![PathElem::Key("tasks".into()), PathElem::Index(0), PathElem::Key("assignee".into())],
                vec![PathElem::Key("tasks".into()), PathElem::Index(2), PathElem::Key("assignee".into())],
            ]
        );
    }

    #[test]
    fn rewrites_rename_keys_and_set_values() {
        let mut v = json!([{"__typename": "A", "_internal_x": 1}, {"__typename": "B", "_internal_x": 2}]);
        rename_key(
            &mut v,
            &[
                FetchNodePathSegment::TypenameEquals(["A".to_owned()].into()),
                FetchNodePathSegment::Key("_internal_x".into()),
            ],
            "x",
        );
        assert_eq!(v, json!([{"__typename": "A", "x": 1}, {"__typename": "B", "_internal_x": 2}]));
        let mut rep = json!({"__typename": "Node", "id": "1"});
        set_value(&mut rep, &[FetchNodePathSegment::Key("__typename".into())], "Task");
        assert_eq!(rep["__typename"], "Task");
    }
}
