//! The one module that knows `hive-router-query-planner` and `graphql-tools`: loading a
//! supergraph, parsing, validating against the API schema, normalizing and planning an
//! operation, and caching the result. Replacing the planner means replacing this file.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use graphql_tools::static_graphql::query::{self as q, Definition, OperationDefinition as AstOperation, Selection};
use graphql_tools::validation::rules::default_rules_validation_plan;
use graphql_tools::validation::utils::ValidationError;
use graphql_tools::validation::validate::{ValidationPlan, validate};
use hive_router_query_planner::ast::normalization::normalize_operation;
use hive_router_query_planner::ast::operation::OperationDefinition;
use hive_router_query_planner::ast::value::Value as HiveValue;
use hive_router_query_planner::planner::Planner;
use hive_router_query_planner::planner::plan_nodes::QueryPlan;
use hive_router_query_planner::state::supergraph_state::OperationKind;
use hive_router_query_planner::utils::cancellation::CancellationToken;
use platform::{AppError, ErrorCode};

use crate::Refusal;
use crate::plan_cache::PlanCache;
use crate::schema_index::SchemaIndex;

pub use hive_router_query_planner::ast::selection_item::SelectionItem;
pub use hive_router_query_planner::ast::selection_set::{FieldSelection, InlineFragmentSelection, SelectionSet};
pub use hive_router_query_planner::planner::plan_nodes::{
    BatchFetchNode, FetchNode, FetchNodePathSegment, FetchRewrite, FlattenNodePathSegment, PlanNode,
};
pub use hive_router_query_planner::state::supergraph_state::OperationKind as Kind;

/// A loaded supergraph: the planner, the API schema and the subgraphs' URLs.
pub struct Supergraph {
    planner: Planner,
    /// The client-facing schema (inaccessible parts and federation internals removed).
    pub api_schema: Arc<graphql_tools::static_graphql::schema::Document>,
    /// Field types and possible types of the API schema.
    pub index: SchemaIndex,
    /// Subgraph name -> GraphQL endpoint URL.
    pub subgraphs: BTreeMap<String, String>,
    validation: ValidationPlan,
}

impl Supergraph {
    /// Parses a Federation v2 supergraph; `overrides` replace subgraph URLs by subgraph name.
    pub fn load(sdl: &str, overrides: &HashMap<String, String>) -> anyhow::Result<Self> {
        let document = hive_router_query_planner::utils::parsing::safe_parse_schema(sdl).context("parsing the supergraph")?;
        let planner = Planner::new_from_supergraph(&document, Default::default()).context("building the query planner")?;
        let mut subgraphs: BTreeMap<String, String> = planner.supergraph.subgraph_endpoint_map.clone().into_iter().collect();
        for (name, url) in overrides {
            let entry = subgraphs.get_mut(name).with_context(|| {
                format!(
                    "GATEWAY_SUBGRAPH_{}_URL: the supergraph has no subgraph {name:?}",
                    name.to_uppercase()
                )
            })?;
            *entry = url.clone();
        }
        let api_schema = planner.consumer_schema.document.clone();
        let index = SchemaIndex::new(&api_schema);
        Ok(Self {
            planner,
            api_schema,
            index,
            subgraphs,
            validation: default_rules_validation_plan(),
        })
    }
}

/// A variable the operation declares.
#[derive(Debug, Clone)]
pub struct VariableSpec {
    /// Name without `$`.
    pub name: String,
    /// Declared non-null (`!`).
    pub non_null: bool,
    /// The default value, as JSON.
    pub default: Option<serde_json::Value>,
}

/// A parsed, validated, normalized and planned operation, cached and shared by requests.
pub struct PreparedOperation {
    /// Query, mutation or subscription.
    pub kind: OperationKind,
    /// The operation's name, if any.
    pub name: Option<String>,
    /// The normalized operation (fragments inlined): what the response is projected onto.
    pub operation: OperationDefinition,
    /// The root type's name.
    pub root_type: String,
    /// The plan; `None` when no subgraph needs to be asked (introspection, `__typename`).
    pub plan: Option<QueryPlan>,
    /// The original document, when the operation asks for `__schema` or `__type`.
    pub introspection: Option<Arc<q::Document>>,
    /// Declared variables.
    pub variables: Vec<VariableSpec>,
    /// Depth, aliases, cost program… of the document (its cost is checked per request).
    pub analysis: crate::limits::DocumentAnalysis,
}

impl PreparedOperation {
    /// Fills defaults and checks required variables; `BAD_USER_INPUT` when one is missing.
    pub fn coerce_variables(&self, provided: &mut serde_json::Map<String, serde_json::Value>) -> Result<(), AppError> {
        for v in &self.variables {
            let missing = provided.get(&v.name).is_none_or(|x| x.is_null());
            if !missing {
                continue;
            }
            if let Some(default) = &v.default {
                if !provided.contains_key(&v.name) {
                    provided.insert(v.name.clone(), default.clone());
                }
            } else if v.non_null {
                return Err(AppError::bad_input(format!(
                    "variable ${} of a non-null type was not provided",
                    v.name
                )));
            }
        }
        Ok(())
    }
}

/// Prepares operations and caches them by (document hash, operation name).
pub struct Planning {
    supergraph: Arc<Supergraph>,
    limits: crate::limits::Limits,
    cache: PlanCache<Arc<PreparedOperation>>,
    timeout: Duration,
    introspection: bool,
    /// Plans computed (cache misses that reached the planner).
    pub plans_computed: AtomicU64,
}

impl Planning {
    /// A planning service over a supergraph.
    pub fn new(
        supergraph: Arc<Supergraph>,
        limits: crate::limits::Limits,
        cache_size: usize,
        timeout: Duration,
        introspection: bool,
    ) -> Self {
        Self {
            supergraph,
            limits,
            cache: PlanCache::new(cache_size),
            timeout,
            introspection,
            plans_computed: AtomicU64::new(0),
        }
    }

    /// The supergraph.
    pub fn supergraph(&self) -> &Arc<Supergraph> {
        &self.supergraph
    }

    /// Cache hits and misses so far.
    pub fn cache_stats(&self) -> (u64, u64) {
        self.cache.stats()
    }

    /// The document limits in force.
    pub fn limits(&self) -> &crate::limits::Limits {
        &self.limits
    }

    /// The cache key of a document and operation name.
    pub fn key(document: &str, operation_name: Option<&str>) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(document.as_bytes());
        h.update(&[0xff]);
        h.update(operation_name.unwrap_or("").as_bytes());
        h.digest()
    }

    /// The prepared operation from the cache, or checks the document's limits (before any
    /// recursive parser sees it), then parses, validates, normalizes and plans it.
    pub fn prepare(&self, document: &str, operation_name: Option<&str>) -> Result<Arc<PreparedOperation>, Refusal> {
        let key = Self::key(document, operation_name);
        if let Some(hit) = self.cache.get(key) {
            return Ok(hit);
        }
        let prepared = Arc::new(self.prepare_uncached(document, operation_name)?);
        self.cache.insert(key, prepared.clone());
        Ok(prepared)
    }

    fn prepare_uncached(&self, document: &str, operation_name: Option<&str>) -> Result<PreparedOperation, Refusal> {
        let analysis = crate::limits::analyze(document, operation_name, &self.limits).map_err(|e| e.to_refusal())?;
        let sg = &self.supergraph;
        let parsed = hive_router_query_planner::utils::parsing::safe_parse_operation(document)
            .map_err(|e| Refusal::bad_request(format!("syntax error: {}", first_line(&e.to_string()))))?;
        let errors = validate(&sg.api_schema, &parsed, &sg.validation);
        if !errors.is_empty() {
            return Err(validation_refusal(errors));
        }
        let selected = select_operation(&parsed, operation_name)?;
        let (kind, selection, defs) = match selected {
            AstOperation::Query(op) => (OperationKind::Query, &op.selection_set, &op.variable_definitions),
            AstOperation::SelectionSet(s) => (OperationKind::Query, s, &Vec::new()),
            AstOperation::Mutation(op) => (OperationKind::Mutation, &op.selection_set, &op.variable_definitions),
            AstOperation::Subscription(op) => (OperationKind::Subscription, &op.selection_set, &op.variable_definitions),
        };
        let asks_introspection = selection
            .items
            .iter()
            .any(|s| matches!(s, Selection::Field(f) if is_introspection_root(&f.name)));
        if asks_introspection && !self.introspection {
            return Err(Refusal::new(ErrorCode::Forbidden, "introspection is disabled"));
        }
        let variables = defs
            .iter()
            .map(|d| VariableSpec {
                name: d.name.clone(),
                non_null: matches!(d.var_type, q::Type::NonNullType(_)),
                default: d.default_value.as_ref().map(|v| ast_value_to_json(&HiveValue::from(v))),
            })
            .collect();

        // The planner sees the operation without the introspection fields the gateway answers.
        let mut for_planner = parsed.clone();
        strip_introspection(&mut for_planner, operation_name);
        let normalized =
            normalize_operation(&sg.planner.supergraph, &for_planner, operation_name).map_err(|e| Refusal::bad_request(e.to_string()))?;
        let operation = normalized.operation;
        let needs_plan = operation.selection_set.items.iter().any(|item| match item {
            SelectionItem::Field(f) => f.name != "__typename",
            _ => true,
        });
        let plan = if needs_plan {
            let token = CancellationToken::with_timeout(self.timeout);
            let plan = sg
                .planner
                .plan_from_normalized_operation(&operation, Default::default(), &token)
                .map_err(|e| match e {
                    hive_router_query_planner::planner::PlannerError::CancellationError(_) => {
                        Refusal::too_complex("planning the operation took too long")
                    }
                    other => {
                        tracing::warn!(error = %other, "query planning failed");
                        Refusal::new(ErrorCode::BadUserInput, "the operation cannot be planned over this supergraph")
                    }
                })?;
            self.plans_computed.fetch_add(1, Ordering::Relaxed);
            Some(plan)
        } else {
            None
        };
        let root_type = sg
            .index
            .root_type(&kind)
            .ok_or_else(|| Refusal::bad_request(format!("the schema has no {} type", kind.as_str())))?
            .to_owned();
        Ok(PreparedOperation {
            kind,
            name: normalized.operation_name,
            operation,
            root_type,
            plan,
            introspection: asks_introspection.then(|| Arc::new(parsed)),
            variables,
            analysis,
        })
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

fn validation_refusal(errors: Vec<ValidationError>) -> Refusal {
    let mut all = errors.into_iter().map(|e| {
        let locations: Vec<_> = e
            .locations
            .iter()
            .map(|p| serde_json::json!({"line": p.line, "column": p.column}))
            .collect();
        AppError::new(ErrorCode::BadUserInput, e.message).with_details(serde_json::json!({ "locations": locations }))
    });
    let first = all.next().unwrap_or_else(|| AppError::bad_input("invalid document"));
    let mut refusal = Refusal::from_error(first);
    refusal.others = all.take(20).collect();
    refusal
}

/// `__schema` and `__type` are answered by the gateway itself.
pub fn is_introspection_root(name: &str) -> bool {
    name == "__schema" || name == "__type"
}

/// Picks the operation to run: by name, or the only one.
pub fn select_operation<'d>(doc: &'d q::Document, name: Option<&str>) -> Result<&'d AstOperation, Refusal> {
    let mut ops = doc.definitions.iter().filter_map(|d| match d {
        Definition::Operation(op) => Some(op),
        Definition::Fragment(_) => None,
    });
    match name {
        Some(wanted) => ops
            .find(|op| operation_name(op) == Some(wanted))
            .ok_or_else(|| Refusal::bad_request(format!("unknown operation name {wanted:?}"))),
        None => {
            let first = ops.next().ok_or_else(|| Refusal::bad_request("the document has no operation"))?;
            if ops.next().is_some() {
                return Err(Refusal::bad_request(
                    "the document has several operations: operationName is required",
                ));
            }
            Ok(first)
        }
    }
}

fn operation_name(op: &AstOperation) -> Option<&str> {
    match op {
        AstOperation::Query(o) => o.name.as_deref(),
        AstOperation::Mutation(o) => o.name.as_deref(),
        AstOperation::Subscription(o) => o.name.as_deref(),
        AstOperation::SelectionSet(_) => None,
    }
}

fn strip_introspection(doc: &mut q::Document, name: Option<&str>) {
    let single = doc.definitions.iter().filter(|d| matches!(d, Definition::Operation(_))).count() == 1;
    for def in &mut doc.definitions {
        if let Definition::Operation(op) = def {
            if !single && operation_name(op) != name {
                continue;
            }
            let set = match op {
                AstOperation::Query(o) => &mut o.selection_set,
                AstOperation::Mutation(o) => &mut o.selection_set,
                AstOperation::Subscription(o) => &mut o.selection_set,
                AstOperation::SelectionSet(s) => s,
            };
            let had = set.items.len();
            set.items
                .retain(|s| !matches!(s, Selection::Field(f) if is_introspection_root(&f.name)));
            if set.items.is_empty() && had > 0 {
                // Keep the operation valid for the normalizer; `__typename` needs no subgraph.
                set.items.push(Selection::Field(q::Field {
                    position: Default::default(),
                    alias: Some("__gateway_typename".into()),
                    name: "__typename".into(),
                    arguments: vec![],
                    directives: vec![],
                    selection_set: q::SelectionSet {
                        span: Default::default(),
                        items: vec![],
                    },
                }));
            }
        }
    }
}

/// A planner value as JSON (variables inside default values cannot occur).
pub fn ast_value_to_json(v: &HiveValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        HiveValue::Variable(_) | HiveValue::Null => J::Null,
        HiveValue::Int(i) => J::from(*i),
        HiveValue::Float(f) => serde_json::Number::from_f64(*f).map(J::Number).unwrap_or(J::Null),
        HiveValue::String(s) | HiveValue::Enum(s) => J::String(s.clone()),
        HiveValue::Boolean(b) => J::Bool(*b),
        HiveValue::List(items) => J::Array(items.iter().map(ast_value_to_json).collect()),
        HiveValue::Object(map) => J::Object(map.iter().map(|(k, v)| (k.clone(), ast_value_to_json(v))).collect()),
    }
}
