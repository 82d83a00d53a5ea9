//! Document limits, checked before any recursive parser sees a document.
//!
//! The gateway receives untrusted GraphQL documents. The planner parses with `graphql-parser`
//! (through `graphql-tools`), a recursive-descent parser, so every document first goes through
//! [`analyze`]: `apollo-parser` with a token limit and a recursion limit (a deep document of any
//! size is refused after at most `max_tokens` tokens, without deep recursion), then an iterative
//! walk of the selected operation that measures depth, aliases, root fields and directives and
//! compiles a compact cost program. The caller caches the [`DocumentAnalysis`] with the plan
//! (keyed by document hash and operation name) and runs [`DocumentAnalysis::check_cost`] per
//! request, because the cost depends on the variables.
//!
//! What each limit counts (all over the selected operation, fragments expanded):
//! - **tokens**: lexical tokens as `apollo-parser` counts them, including whitespace runs,
//!   comments and commas (so a megabyte of comments is refused cheaply).
//! - **parser recursion**: nesting of selection sets, list and object values and list types.
//! - **depth**: the deepest field nesting; `{ a { b } }` has depth 2. Inline fragments and
//!   fragment spreads add no level, the fields inside them do. `__typename` and introspection
//!   fields are fields like any other.
//! - **aliases**: aliased fields, a fragment's aliases counted each time it is spread (that is
//!   what a client can amplify).
//! - **root fields**: fields of the operation's root selection set, including those reached
//!   through fragments and inline fragments at the root.
//! - **directives**: every directive usage: on the operation, its variable definitions, fields,
//!   inline fragments, spreads and (per spread) fragment definitions.
//! - **cost**: each field costs 1 plus its children's cost; a field with a list-size argument
//!   (`first`, `last`, `limit`, `pageSize`, `take`) multiplies its children's cost by that size
//!   (the largest if several). A size is a literal integer, or a variable's value, else that
//!   variable's default, else [`Limits::default_list_size`]. A field without such an argument
//!   has no multiplier, even when it returns a list. Arithmetic saturates.
//!
//! Documents that are invalid in a way that makes the figures meaningless are refused as
//! [`LimitError::Syntax`] (`BAD_USER_INPUT`), like a parse error: a spread of an undefined
//! fragment, fragment spreads forming a cycle (the spec's "No Fragment Cycles" rule; an infinite
//! expansion is refused before anything is expanded), a fragment or operation defined twice, an
//! anonymous operation beside others, and type-system definitions in an executable document.

use std::collections::{HashMap, HashSet};

use apollo_parser::Parser;
use apollo_parser::cst::{self, CstNode};
use platform::config::parsed;
use serde_json::{Map, Value};

use crate::Refusal;

/// Argument names whose value is the size of the list a field returns.
pub const LIST_SIZE_ARGUMENTS: [&str; 5] = ["first", "last", "limit", "pageSize", "take"];

/// Limits on documents, with defaults, each overridable by an environment variable:
///
/// | variable | default | field |
/// |---|---|---|
/// | `GATEWAY_MAX_TOKENS` | 15,000 | [`Limits::max_tokens`] |
/// | `GATEWAY_MAX_PARSER_RECURSION` | 50 | [`Limits::max_parser_recursion`] |
/// | `GATEWAY_MAX_DEPTH` | 15 | [`Limits::max_depth`] |
/// | `GATEWAY_MAX_ALIASES` | 30 | [`Limits::max_aliases`] |
/// | `GATEWAY_MAX_ROOT_FIELDS` | 20 | [`Limits::max_root_fields`] |
/// | `GATEWAY_MAX_DIRECTIVES` | 50 | [`Limits::max_directives`] |
/// | `GATEWAY_MAX_COST` | 50,000 | [`Limits::max_cost`] |
/// | `GATEWAY_DEFAULT_LIST_SIZE` | 10 | [`Limits::default_list_size`] |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most lexical tokens in a document (whitespace runs, comments and commas included).
    pub max_tokens: usize,
    /// Deepest nesting of selection sets, list/object values and list types while parsing.
    pub max_parser_recursion: usize,
    /// Deepest field nesting of the operation.
    pub max_depth: usize,
    /// Most aliased fields in the operation.
    pub max_aliases: usize,
    /// Most fields in the operation's root selection set.
    pub max_root_fields: usize,
    /// Most directive usages in the operation.
    pub max_directives: usize,
    /// Highest estimated cost of one request.
    pub max_cost: u64,
    /// List size assumed for a list-size argument whose value is unknown.
    pub default_list_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_tokens: 15_000,
            max_parser_recursion: 50,
            max_depth: 15,
            max_aliases: 30,
            max_root_fields: 20,
            max_directives: 50,
            max_cost: 50_000,
            default_list_size: 10,
        }
    }
}

impl Limits {
    /// The defaults, overridden by the `GATEWAY_MAX_*` / `GATEWAY_DEFAULT_LIST_SIZE` variables
    /// (see [`Limits`]); an unparsable value is an error naming the variable.
    pub fn from_env() -> anyhow::Result<Self> {
        let d = Self::default();
        Ok(Self {
            max_tokens: parsed("GATEWAY_MAX_TOKENS", d.max_tokens)?,
            max_parser_recursion: parsed("GATEWAY_MAX_PARSER_RECURSION", d.max_parser_recursion)?,
            max_depth: parsed("GATEWAY_MAX_DEPTH", d.max_depth)?,
            max_aliases: parsed("GATEWAY_MAX_ALIASES", d.max_aliases)?,
            max_root_fields: parsed("GATEWAY_MAX_ROOT_FIELDS", d.max_root_fields)?,
            max_directives: parsed("GATEWAY_MAX_DIRECTIVES", d.max_directives)?,
            max_cost: parsed("GATEWAY_MAX_COST", d.max_cost)?,
            default_list_size: parsed("GATEWAY_DEFAULT_LIST_SIZE", d.default_list_size)?,
        })
    }
}

/// Why a document is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The document does not parse, or is structurally invalid (see the module docs):
    /// `BAD_USER_INPUT`. The message is apollo-parser's first error with its line and column.
    #[error("{0}")]
    Syntax(String),
    /// A limit is exceeded: `QUERY_TOO_COMPLEX`. The message names the limit and the figure.
    #[error("{0}")]
    TooComplex(String),
    /// No operation to run: an unknown name, or several operations and no name. `BAD_USER_INPUT`.
    #[error("{0}")]
    UnknownOperation(String),
}

impl LimitError {
    /// The gateway's answer: `QUERY_TOO_COMPLEX` or `BAD_USER_INPUT`, both 400.
    pub fn to_refusal(&self) -> Refusal {
        match self {
            Self::TooComplex(message) => Refusal::too_complex(message.clone()),
            Self::Syntax(message) | Self::UnknownOperation(message) => Refusal::bad_request(message.clone()),
        }
    }
}

/// The kind of the selected operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationKind {
    /// `query` or the shorthand `{ … }`.
    Query,
    /// `mutation`.
    Mutation,
    /// `subscription`.
    Subscription,
}

/// The static analysis of one (document, operation name): computed once by [`analyze`] and
/// cached by the caller with the plan. Figures are those of the selected operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentAnalysis {
    /// The selected operation's kind (so GET can refuse mutations before planning).
    pub kind: OperationKind,
    /// Lexical tokens of the whole document, as counted against [`Limits::max_tokens`].
    pub tokens: usize,
    /// Deepest field nesting.
    pub depth: usize,
    /// Aliased fields, fragments counted per spread.
    pub aliases: usize,
    /// Fields of the root selection set.
    pub root_fields: usize,
    /// Directive usages.
    pub directives: usize,
    cost: CostProgram,
}

/// Parses `document` with apollo-parser under the token and recursion limits, selects the
/// operation (`operation_name`, or the only one) and checks depth, aliases, root fields and
/// directives against `limits`. Never recurses on the document's nesting, so a document of any
/// size and depth is refused without risk to the stack. The cost is checked per request with
/// [`DocumentAnalysis::check_cost`].
pub fn analyze(document: &str, operation_name: Option<&str>, limits: &Limits) -> Result<DocumentAnalysis, LimitError> {
    let tree = Parser::new(document)
        .recursion_limit(limits.max_parser_recursion)
        .token_limit(limits.max_tokens)
        .parse();
    if let Some(limit) = tree.errors().find(|e| e.is_limit()) {
        return Err(if limit.message().contains("token") {
            LimitError::TooComplex(format!("the document has more tokens than the limit of {}", limits.max_tokens))
        } else {
            LimitError::TooComplex(format!(
                "the document nests deeper than the parser limit of {}",
                limits.max_parser_recursion
            ))
        });
    }
    if let Some(error) = tree.errors().next() {
        let (line, column) = line_column(document, error.index());
        return Err(LimitError::Syntax(format!(
            "syntax error at line {line}, column {column}: {}",
            error.message()
        )));
    }
    let tokens = tree.token_limit().high;

    let doc = tree.document();
    let mut operations = Vec::new();
    let mut fragments = Vec::new();
    let mut fragment_index = HashMap::new();
    for definition in doc.definitions() {
        match definition {
            cst::Definition::OperationDefinition(op) => operations.push(op),
            cst::Definition::FragmentDefinition(fragment) => {
                let name = fragment
                    .fragment_name()
                    .and_then(|n| n.name())
                    .ok_or_else(|| LimitError::Syntax("a fragment definition has no name".into()))?;
                if fragment_index.insert(name.text().to_string(), fragments.len()).is_some() {
                    return Err(LimitError::Syntax(format!("fragment {} is defined more than once", name.text())));
                }
                fragments.push(fragment);
            }
            other => {
                return Err(LimitError::Syntax(format!(
                    "the document contains a type system definition ({}); only operations and fragments are executable",
                    other.kind()
                )));
            }
        }
    }
    let operation = select_operation(&operations, operation_name)?;
    let kind = match operation.operation_type() {
        Some(t) if t.mutation_token().is_some() => OperationKind::Mutation,
        Some(t) if t.subscription_token().is_some() => OperationKind::Subscription,
        _ => OperationKind::Query,
    };
    let selection_set = operation
        .selection_set()
        .ok_or_else(|| LimitError::Syntax("the operation has no selection set".into()))?;

    // Fragments reachable from the operation, each after the fragments it spreads.
    let order = fragment_order(&selection_set, &fragments, &fragment_index)?;

    let mut builder = CostBuilder::new(&operation);
    let mut summaries: Vec<Option<Summary>> = vec![None; fragments.len()];
    for index in order {
        let Some(fragment) = fragments.get(index) else { continue };
        let Some(set) = fragment.selection_set() else {
            return Err(LimitError::Syntax("a fragment definition has no selection set".into()));
        };
        let summary = summarize(
            &set,
            count_directives(fragment.directives()),
            &summaries,
            &fragment_index,
            &mut builder,
        )?;
        if let Some(slot) = summaries.get_mut(index) {
            *slot = Some(summary);
        }
    }
    let own_directives = count_directives(operation.directives()).saturating_add(operation.variable_definitions().map_or(0, |defs| {
        defs.variable_definitions().map(|d| count_directives(d.directives())).sum()
    }));
    let summary = summarize(&selection_set, own_directives, &summaries, &fragment_index, &mut builder)?;

    check("query depth", summary.depth, limits.max_depth)?;
    check("alias count", summary.aliases, limits.max_aliases)?;
    check("root field count", summary.root_fields, limits.max_root_fields)?;
    check("directive count", summary.directives, limits.max_directives)?;

    Ok(DocumentAnalysis {
        kind,
        tokens,
        depth: summary.depth,
        aliases: summary.aliases,
        root_fields: summary.root_fields,
        directives: summary.directives,
        cost: builder.finish(summary.cost),
    })
}

impl DocumentAnalysis {
    /// Estimated cost with these variables (cheap: one pass over a compact program whose
    /// constant parts are folded at analysis; a query without variable list sizes is O(1)).
    pub fn cost(&self, variables: &Map<String, Value>, limits: &Limits) -> u64 {
        self.cost.run(variables, limits.default_list_size)
    }

    /// The estimated cost, or `TooComplex` when it exceeds [`Limits::max_cost`].
    pub fn check_cost(&self, variables: &Map<String, Value>, limits: &Limits) -> Result<u64, LimitError> {
        let cost = self.cost(variables, limits);
        if cost > limits.max_cost {
            return Err(LimitError::TooComplex(format!(
                "estimated query cost {cost} exceeds the limit of {}",
                limits.max_cost
            )));
        }
        Ok(cost)
    }
}

fn check(what: &str, figure: usize, limit: usize) -> Result<(), LimitError> {
    if figure > limit {
        return Err(LimitError::TooComplex(format!("{what} {figure} exceeds the limit of {limit}")));
    }
    Ok(())
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(document: &str, index: usize) -> (usize, usize) {
    let mut end = index.min(document.len());
    while !document.is_char_boundary(end) {
        end -= 1;
    }
    let before = document.get(..end).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// The spec's GetOperation: the named operation, or the only one.
fn select_operation(operations: &[cst::OperationDefinition], name: Option<&str>) -> Result<cst::OperationDefinition, LimitError> {
    let names: Vec<Option<String>> = operations.iter().map(|op| op.name().map(|n| n.text().to_string())).collect();
    if names.len() > 1 && names.iter().any(Option::is_none) {
        return Err(LimitError::Syntax(
            "an anonymous operation must be the only operation in the document".into(),
        ));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = names.iter().flatten().find(|n| !seen.insert(n.as_str())) {
        return Err(LimitError::Syntax(format!("operation {twice} is defined more than once")));
    }
    let found = match name {
        Some(wanted) => names.iter().position(|n| n.as_deref() == Some(wanted)),
        None if operations.len() == 1 => Some(0),
        None if operations.is_empty() => return Err(LimitError::UnknownOperation("the document contains no operation".into())),
        None => {
            return Err(LimitError::UnknownOperation(
                "the document contains several operations; operationName is required".into(),
            ));
        }
    };
    found
        .and_then(|i| operations.get(i).cloned())
        .ok_or_else(|| LimitError::UnknownOperation(format!("unknown operation named {:?}", name.unwrap_or_default())))
}

fn fragment_name(spread: &cst::FragmentSpread) -> Result<String, LimitError> {
    spread
        .fragment_name()
        .and_then(|n| n.name())
        .map(|n| n.text().to_string())
        .ok_or_else(|| LimitError::Syntax("a fragment spread has no name".into()))
}

/// The fragments a node spreads (anywhere inside it), as indexes. `descendants` is iterative.
fn spreads_in(node: &cst::SyntaxNode, fragment_index: &HashMap<String, usize>) -> Result<Vec<usize>, LimitError> {
    node.descendants()
        .filter_map(cst::FragmentSpread::cast)
        .map(|spread| {
            let name = fragment_name(&spread)?;
            fragment_index
                .get(&name)
                .copied()
                .ok_or_else(|| LimitError::Syntax(format!("unknown fragment {name}")))
        })
        .collect()
}

/// The fragments reachable from `root`, in dependency order (each after those it spreads), by an
/// iterative depth-first search; a cycle is a `Syntax` error naming it.
fn fragment_order(
    root: &cst::SelectionSet,
    fragments: &[cst::FragmentDefinition],
    fragment_index: &HashMap<String, usize>,
) -> Result<Vec<usize>, LimitError> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state = vec![State::New; fragments.len()];
    let mut order = Vec::new();
    // (fragment, its spreads, next spread to visit); the root is the operation (usize::MAX).
    let mut stack = vec![(usize::MAX, spreads_in(root.syntax(), fragment_index)?, 0)];
    while let Some((current, deps, next)) = stack.last_mut() {
        let current = *current;
        let Some(&dep) = deps.get(*next) else {
            if let Some(s) = state.get_mut(current) {
                *s = State::Done;
                order.push(current);
            }
            stack.pop();
            continue;
        };
        *next += 1;
        match state.get(dep).copied() {
            Some(State::New) => {
                state[dep] = State::Open;
                let deps = match fragments.get(dep) {
                    Some(fragment) => spreads_in(fragment.syntax(), fragment_index)?,
                    None => Vec::new(),
                };
                stack.push((dep, deps, 0));
            }
            Some(State::Open) => {
                let names: HashMap<usize, &str> = fragment_index.iter().map(|(name, &i)| (i, name.as_str())).collect();
                let start = stack.iter().position(|(f, _, _)| *f == dep).unwrap_or(0);
                let mut cycle: Vec<&str> = stack.iter().skip(start).filter_map(|(f, _, _)| names.get(f).copied()).collect();
                cycle.push(names.get(&dep).copied().unwrap_or_default());
                return Err(LimitError::Syntax(format!("fragment spreads form a cycle: {}", cycle.join(" -> "))));
            }
            _ => {}
        }
    }
    Ok(order)
}

fn count_directives(directives: Option<cst::Directives>) -> usize {
    directives.map_or(0, |d| d.directives().count())
}

/// The figures of one selection set (an operation's or a fragment's), fragments included.
#[derive(Clone, Debug)]
struct Summary {
    depth: usize,
    aliases: usize,
    root_fields: usize,
    directives: usize,
    cost: UnitCost,
}

/// Walks a selection set with an explicit stack (no recursion), using the summaries of the
/// fragments it spreads (already computed: they come first in the dependency order).
fn summarize(
    root: &cst::SelectionSet,
    own_directives: usize,
    fragments: &[Option<Summary>],
    fragment_index: &HashMap<String, usize>,
    builder: &mut CostBuilder,
) -> Result<Summary, LimitError> {
    let mut summary = Summary {
        depth: 0,
        aliases: 0,
        root_fields: 0,
        directives: own_directives,
        cost: UnitCost::Const(0),
    };
    let mut ops = Vec::new();
    // Open selection sets; `Some` when the set is a field's (closing it closes the field).
    let mut stack = vec![(root.selections(), None::<(usize, Factor)>)];
    let mut field_depth = 0usize;
    while let Some((selections, _)) = stack.last_mut() {
        let Some(selection) = selections.next() else {
            if let Some((_, Some((open_at, factor)))) = stack.pop() {
                field_depth -= 1;
                close(&mut ops, open_at, factor);
            }
            continue;
        };
        match selection {
            cst::Selection::Field(field) => {
                if field_depth == 0 {
                    summary.root_fields += 1;
                }
                if field.alias().is_some() {
                    summary.aliases += 1;
                }
                summary.directives += count_directives(field.directives());
                summary.depth = summary.depth.max(field_depth + 1);
                match field.selection_set() {
                    Some(set) => {
                        let factor = builder.factor(field.arguments());
                        ops.push(Op::Open);
                        stack.push((set.selections(), Some((ops.len() - 1, factor))));
                        field_depth += 1;
                    }
                    // A leaf costs 1 whatever its list size: 1 + size × 0.
                    None => push_add(&mut ops, 1),
                }
            }
            cst::Selection::InlineFragment(inline) => {
                summary.directives += count_directives(inline.directives());
                if let Some(set) = inline.selection_set() {
                    stack.push((set.selections(), None));
                }
            }
            cst::Selection::FragmentSpread(spread) => {
                summary.directives += count_directives(spread.directives());
                let name = fragment_name(&spread)?;
                let fragment = fragment_index
                    .get(&name)
                    .and_then(|&i| fragments.get(i))
                    .and_then(Option::as_ref)
                    .ok_or_else(|| LimitError::Syntax(format!("unknown fragment {name}")))?;
                summary.depth = summary.depth.max(field_depth.saturating_add(fragment.depth));
                summary.aliases = summary.aliases.saturating_add(fragment.aliases);
                summary.directives = summary.directives.saturating_add(fragment.directives);
                if field_depth == 0 {
                    summary.root_fields = summary.root_fields.saturating_add(fragment.root_fields);
                }
                match fragment.cost {
                    UnitCost::Const(c) => push_add(&mut ops, c),
                    UnitCost::Program(unit) => ops.push(Op::AddUnit(unit)),
                }
            }
        }
    }
    summary.cost = builder.unit(ops);
    Ok(summary)
}

// ---------------------------------------------------------------------------------------------
// The cost program.
//
// Each unit (a fragment whose cost depends on variables, then the operation) is a flat list of
// operations over an accumulator: `Open` starts a field's children, `Close` turns the children's
// sum `s` into `1 + size × s` in the parent, `Add` adds a constant, `AddUnit` an earlier unit's
// cost. Constant subtrees are folded while building, so only fields whose size comes from a
// variable (or the configured default) remain as `Open … Close`.
// ---------------------------------------------------------------------------------------------

/// A field's list size: the largest of a constant, some variables and (if `default`) the
/// configured default list size. A field without list-size argument has size 1.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Factor {
    constant: u64,
    variables: Box<[u32]>,
    default: bool,
}

impl Factor {
    fn constant(&self) -> Option<u64> {
        (self.variables.is_empty() && !self.default).then_some(self.constant)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Add(u64),
    AddUnit(u32),
    Open,
    Close(Factor),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UnitCost {
    Const(u64),
    Program(u32),
}

/// A variable a list size may come from, with its default when that is an integer literal.
#[derive(Clone, Debug, PartialEq, Eq)]
struct VariableSlot {
    name: String,
    default: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct CostProgram {
    variables: Vec<VariableSlot>,
    /// Units in dependency order; the last is the operation.
    units: Vec<Box<[Op]>>,
}

struct CostBuilder {
    defaults: HashMap<String, Option<u64>>,
    slots: HashMap<String, u32>,
    variables: Vec<VariableSlot>,
    units: Vec<Box<[Op]>>,
}

impl CostBuilder {
    fn new(operation: &cst::OperationDefinition) -> Self {
        let defaults = operation
            .variable_definitions()
            .into_iter()
            .flat_map(|defs| defs.variable_definitions())
            .filter_map(|def| {
                let name = def.variable()?.name()?.text().to_string();
                let default = def.default_value().and_then(|d| d.value()).and_then(|v| literal_size(&v));
                Some((name, default))
            })
            .collect();
        Self {
            defaults,
            slots: HashMap::new(),
            variables: Vec::new(),
            units: Vec::new(),
        }
    }

    fn slot(&mut self, name: &str) -> u32 {
        if let Some(&slot) = self.slots.get(name) {
            return slot;
        }
        let slot = u32::try_from(self.variables.len()).unwrap_or(u32::MAX);
        self.variables.push(VariableSlot {
            name: name.to_string(),
            default: self.defaults.get(name).copied().flatten(),
        });
        self.slots.insert(name.to_string(), slot);
        slot
    }

    fn factor(&mut self, arguments: Option<cst::Arguments>) -> Factor {
        let mut factor = Factor {
            constant: 1,
            variables: Box::default(),
            default: false,
        };
        let mut found = false;
        let mut variables = Vec::new();
        for argument in arguments.iter().flat_map(|a| a.arguments()) {
            let Some(name) = argument.name() else { continue };
            if !LIST_SIZE_ARGUMENTS.contains(&name.text().as_str()) {
                continue;
            }
            if !found {
                found = true;
                factor.constant = 0;
            }
            match argument.value() {
                Some(cst::Value::Variable(var)) => match var.name() {
                    Some(var) => variables.push(self.slot(&var.text())),
                    None => factor.default = true,
                },
                Some(value) => match literal_size(&value) {
                    Some(size) => factor.constant = factor.constant.max(size),
                    None => factor.default = true,
                },
                None => factor.default = true,
            }
        }
        factor.variables = variables.into_boxed_slice();
        factor
    }

    fn unit(&mut self, ops: Vec<Op>) -> UnitCost {
        match ops.as_slice() {
            [] => UnitCost::Const(0),
            [Op::Add(c)] => UnitCost::Const(*c),
            _ => {
                self.units.push(ops.into_boxed_slice());
                UnitCost::Program(u32::try_from(self.units.len() - 1).unwrap_or(u32::MAX))
            }
        }
    }

    fn finish(mut self, operation: UnitCost) -> CostProgram {
        if let UnitCost::Const(c) = operation {
            // Only the operation's unit is needed: fragments are folded into it.
            self.units = vec![Box::new([Op::Add(c)])];
            self.variables.clear();
        }
        CostProgram {
            variables: self.variables,
            units: self.units,
        }
    }
}

/// An integer literal as a list size: negative is 0, too large saturates; other literals `None`.
fn literal_size(value: &cst::Value) -> Option<u64> {
    let cst::Value::IntValue(int) = value else { return None };
    let token = int.int_token()?;
    let text = token.text();
    if text.starts_with('-') {
        return Some(0);
    }
    Some(text.parse::<u64>().unwrap_or(u64::MAX))
}

fn push_add(ops: &mut Vec<Op>, c: u64) {
    if let Some(Op::Add(sum)) = ops.last_mut() {
        *sum = sum.saturating_add(c);
    } else {
        ops.push(Op::Add(c));
    }
}

/// Closes the field opened at `open_at`, folding it into a constant when it is one.
fn close(ops: &mut Vec<Op>, open_at: usize, factor: Factor) {
    if let Some(size) = factor.constant() {
        let children = match ops.get(open_at + 1..) {
            Some([]) => Some(0),
            Some([Op::Add(c)]) => Some(*c),
            _ => None,
        };
        if let Some(children) = children {
            ops.truncate(open_at);
            push_add(ops, size.saturating_mul(children).saturating_add(1));
            return;
        }
    }
    ops.push(Op::Close(factor));
}

impl CostProgram {
    fn run(&self, variables: &Map<String, Value>, default_list_size: u64) -> u64 {
        if let [unit] = self.units.as_slice()
            && let [Op::Add(c)] = unit.as_ref()
        {
            return *c;
        }
        let sizes: Vec<u64> = self
            .variables
            .iter()
            .map(|slot| match variables.get(&slot.name) {
                Some(value) => json_size(value).unwrap_or(default_list_size),
                None => slot.default.unwrap_or(default_list_size),
            })
            .collect();
        let mut costs: Vec<u64> = Vec::with_capacity(self.units.len());
        for unit in &self.units {
            let mut acc = 0u64;
            let mut saved = Vec::new();
            for op in unit.iter() {
                match op {
                    Op::Add(c) => acc = acc.saturating_add(*c),
                    Op::AddUnit(u) => acc = acc.saturating_add(costs.get(*u as usize).copied().unwrap_or(0)),
                    Op::Open => {
                        saved.push(acc);
                        acc = 0;
                    }
                    Op::Close(factor) => {
                        let mut size = factor.constant;
                        if factor.default {
                            size = size.max(default_list_size);
                        }
                        for v in factor.variables.iter() {
                            size = size.max(sizes.get(*v as usize).copied().unwrap_or(default_list_size));
                        }
                        let field = size.saturating_mul(acc).saturating_add(1);
                        acc = saved.pop().unwrap_or(0).saturating_add(field);
                    }
                }
            }
            costs.push(acc);
        }
        costs.last().copied().unwrap_or(0)
    }
}

/// A variable's JSON value as a list size: non-negative integers as they are, negatives 0,
/// floats truncated; anything else (null, strings…) `None`.
fn json_size(value: &Value) -> Option<u64> {
    let Value::Number(n) = value else { return None };
    n.as_u64()
        .or_else(|| n.as_i64().map(|_| 0))
        .or_else(|| n.as_f64().map(|f| if f > 0.0 { f as u64 } else { 0 }))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use platform::ErrorCode;
    use serde_json::json;

    use super::*;

    /// A stack much smaller than a tokio worker's (2 MiB) and than a test thread's.
    const SMALL_STACK: usize = 256 * 1024;

    fn limits() -> Limits {
        Limits::default()
    }

    fn ok(document: &str) -> DocumentAnalysis {
        match analyze(document, None, &limits()) {
            Ok(analysis) => analysis,
            Err(e) => panic!("refused: {e}\n{document}"),
        }
    }

    fn refused(document: &str, limits: &Limits) -> LimitError {
        match analyze(document, None, limits) {
            Ok(a) => panic!("accepted: {a:?}\n{document}"),
            Err(e) => e,
        }
    }

    fn too_complex(document: &str, limits: &Limits) -> String {
        match refused(document, limits) {
            LimitError::TooComplex(message) => message,
            other => panic!("expected TooComplex, got {other:?}"),
        }
    }

    fn syntax(document: &str) -> String {
        match refused(document, &limits()) {
            LimitError::Syntax(message) => message,
            other => panic!("expected Syntax, got {other:?}"),
        }
    }

    fn vars(value: serde_json::Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("variables must be an object"),
        }
    }

    fn no_vars() -> Map<String, Value> {
        Map::new()
    }

    /// `{ a { a { … leaf } } }` with `depth` fields.
    fn nested(depth: usize) -> String {
        format!("{{{}leaf{}}}", "a { ".repeat(depth - 1), " }".repeat(depth - 1))
    }

    /// Runs `f` on a thread with a small stack: a stack overflow would abort the test binary.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let thread = std::thread::Builder::new().stack_size(SMALL_STACK).spawn(f).expect("spawn");
        thread.join().expect("the analysis thread panicked")
    }

    #[test]
    fn a_simple_query_has_the_expected_figures() {
        let a = ok("query Q($n: Int) @cached { shots(first: 5) { id code: name tasks { id } } me { id } }");
        assert_eq!(a.kind, OperationKind::Query);
        assert_eq!((a.depth, a.aliases, a.root_fields, a.directives), (3, 1, 2, 1));
        assert!(a.tokens > 30, "{}", a.tokens);
        // shots: 1 + 5 × (id 1 + code 1 + tasks (1 + id 1)) = 21; me: 1 + 1 = 2.
        assert_eq!(a.cost(&no_vars(), &limits()), 23);
        assert_eq!(ok("mutation { a }").kind, OperationKind::Mutation);
        assert_eq!(ok("subscription S { a }").kind, OperationKind::Subscription);
    }

    #[test]
    fn depth_at_the_limit_passes_and_one_more_is_refused() {
        assert_eq!(ok(&nested(15)).depth, 15);
        assert_eq!(too_complex(&nested(16), &limits()), "query depth 16 exceeds the limit of 15");
        assert_eq!(too_complex(&nested(23), &limits()), "query depth 23 exceeds the limit of 15");
    }

    #[test]
    fn depth_follows_fragments_and_not_inline_fragments() {
        // Inline fragments add no level; the fields inside them do.
        assert_eq!(ok("{ a { ... on T { b { ... { c } } } } }").depth, 3);
        // A spread at depth 2 of a fragment of depth 3: 5.
        let doc = "{ a { b { ...F } } } fragment F on T { x { y { z } } w }";
        assert_eq!(ok(doc).depth, 5);
        // Through a chain of fragments.
        let doc = "{ a { ...F } } fragment F on T { b { ...G } } fragment G on T { c { d } }";
        assert_eq!(ok(doc).depth, 4);
        // 14 levels in the operation + 2 in the fragment: refused.
        let doc = format!("{{{}...F{}}} fragment F on T {{ x {{ y }} }}", "a { ".repeat(14), " }".repeat(14));
        assert_eq!(too_complex(&doc, &limits()), "query depth 16 exceeds the limit of 15");
    }

    #[test]
    fn typename_and_introspection_fields_count_as_fields() {
        assert_eq!(ok("{ __typename }").depth, 1);
        assert_eq!(ok("{ a { __typename } }").depth, 2);
        let a = ok("{ __schema { types { fields { type { ofType { ofType { name } } } } } } }");
        assert_eq!(a.depth, 7);
        let deep = format!("{{ __type(name: \"T\") {{ {}name{} }} }}", "ofType { ".repeat(14), " }".repeat(14));
        assert_eq!(too_complex(&deep, &limits()), "query depth 16 exceeds the limit of 15");
    }

    #[test]
    fn aliases_at_the_limit_pass_and_one_more_is_refused() {
        let aliases = |n: usize| format!("{{ {} }}", (0..n).map(|i| format!("a{i}: a")).collect::<Vec<_>>().join(" "));
        let doc = format!("{{ x {} }}", &aliases(30));
        assert_eq!(ok(&doc).aliases, 30);
        let doc = format!("{{ x {} }}", &aliases(31));
        assert_eq!(too_complex(&doc, &limits()), "alias count 31 exceeds the limit of 30");
    }

    #[test]
    fn aliases_in_a_fragment_count_per_spread() {
        let doc = "{ a { ...F } b { ...F } c { ...F } } fragment F on T { x: id y: id }";
        assert_eq!(ok(doc).aliases, 6);
        // 16 spreads of a fragment with 2 aliases: 32.
        let doc = format!("{{ {} }} fragment F on T {{ x: id y: id }}", "a { ...F } ".repeat(16));
        assert_eq!(too_complex(&doc, &limits()), "alias count 32 exceeds the limit of 30");
    }

    #[test]
    fn a_thousand_aliases_are_refused() {
        let doc = format!(
            "{{ {} }}",
            (0..1000).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" ")
        );
        let lenient = Limits {
            max_root_fields: 10_000,
            ..limits()
        };
        assert_eq!(too_complex(&doc, &lenient), "alias count 1000 exceeds the limit of 30");
    }

    #[test]
    fn root_fields_include_fragments_and_inline_fragments_at_the_root() {
        let doc = "{ a ... on Query { b c } ...F d { e f g } } fragment F on Query { h i { j k } }";
        assert_eq!(ok(doc).root_fields, 6);
        let fields = |n: usize| (0..n).map(|i| format!("f{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(ok(&format!("{{ {} }}", fields(20))).root_fields, 20);
        let doc = format!("{{ {} ...F }} fragment F on Query {{ g }}", fields(20));
        assert_eq!(too_complex(&doc, &limits()), "root field count 21 exceeds the limit of 20");
    }

    #[test]
    fn directives_are_counted_everywhere_and_per_spread() {
        let doc = "query Q($v: Int @d) @d { a @d { ... @d { b } ...F @d } c: d @d @e } fragment F on T @d { x @d }";
        // operation 1, variable 1, field a 1, inline 1, spread 1, c 2, fragment F 1 + x 1.
        assert_eq!(ok(doc).directives, 9);
        let at = |n: usize| format!("{{ a {} }}", "@skip(if: false) ".repeat(n));
        assert_eq!(ok(&at(50)).directives, 50);
        assert_eq!(too_complex(&at(51), &limits()), "directive count 51 exceeds the limit of 50");
        let doc = format!("{{ r {{ {} }} }} fragment F on T {{ a @d }}", "x { ...F @d } ".repeat(26));
        assert_eq!(too_complex(&doc, &limits()), "directive count 52 exceeds the limit of 50");
    }

    #[test]
    fn fragment_cycles_are_refused_without_looping() {
        assert_eq!(
            syntax("{ ...A } fragment A on Query { a ...A }"),
            "fragment spreads form a cycle: A -> A"
        );
        assert_eq!(
            syntax("{ ...A } fragment A on Query { b { ...B } } fragment B on T { c { ...C } } fragment C on T { ...B }"),
            "fragment spreads form a cycle: B -> C -> B"
        );
        // A cycle the operation does not reach is left to validation.
        assert_eq!(ok("{ a } fragment A on Query { ...B } fragment B on Query { ...A }").depth, 1);
    }

    #[test]
    fn unknown_and_duplicate_fragments_are_refused() {
        assert_eq!(syntax("{ a { ...Missing } }"), "unknown fragment Missing");
        assert_eq!(
            syntax("{ ...F } fragment F on Query { a } fragment F on Query { b }"),
            "fragment F is defined more than once"
        );
    }

    #[test]
    fn exponential_fragment_fan_out_is_measured_without_expansion() {
        // F0 spreads F1 twice, F1 spreads F2 twice, …: 2^60 expansions of F60's alias.
        let mut doc = String::from("{ ...F0 }");
        for i in 0..60 {
            doc.push_str(&format!(" fragment F{i} on Query {{ ...F{} ...F{} }}", i + 1, i + 1));
        }
        doc.push_str(" fragment F60 on Query { x: id }");
        let started = Instant::now();
        let message = too_complex(&doc, &limits());
        println!("2^60 fragment expansions analysed in {:?}", started.elapsed());
        assert_eq!(message, format!("alias count {} exceeds the limit of 30", 1usize << 60));
        // Without aliases, the cost saturates instead.
        let lenient = Limits {
            max_root_fields: usize::MAX,
            ..limits()
        };
        let doc = doc.replace("x: id", "a(first: 1000) { b(first: 1000) { c } }");
        let a = analyze(&doc, None, &lenient).expect("analysis");
        assert_eq!(a.cost(&no_vars(), &lenient), u64::MAX);
        assert!(a.check_cost(&no_vars(), &lenient).is_err());
    }

    #[test]
    fn tokens_at_the_limit_pass_and_one_more_is_refused() {
        let doc = "{ a b c }";
        let tokens = ok(doc).tokens;
        let at = Limits {
            max_tokens: tokens,
            ..limits()
        };
        assert_eq!(analyze(doc, None, &at).map(|a| a.tokens), Ok(tokens));
        let below = Limits {
            max_tokens: tokens - 1,
            ..limits()
        };
        assert_eq!(
            too_complex(doc, &below),
            format!("the document has more tokens than the limit of {}", tokens - 1)
        );
        // Whitespace runs, comments and commas are tokens too.
        assert!(ok("{ a, b # c\n c }").tokens > ok("{ a b c }").tokens);
    }

    #[test]
    fn parser_recursion_at_the_limit_passes_and_one_more_is_refused() {
        let lenient = Limits {
            max_parser_recursion: 5,
            max_depth: 100,
            ..limits()
        };
        // Each selection set is one level: 5 fields nest 5 sets.
        assert!(analyze(&nested(5), None, &lenient).is_ok());
        assert_eq!(
            too_complex(&nested(6), &lenient),
            "the document nests deeper than the parser limit of 5"
        );
        // List values: the root selection set plus 4 lists.
        assert!(analyze("{ f(a: [[[[1]]]]) }", None, &lenient).is_ok());
        assert!(matches!(refused("{ f(a: [[[[[1]]]]]) }", &lenient), LimitError::TooComplex(_)));
        // Object values and list types.
        assert!(matches!(
            refused("{ f(a: {b: {c: {d: {e: {f: 1}}}}}) }", &lenient),
            LimitError::TooComplex(_)
        ));
        assert!(matches!(
            refused("query($v: [[[[[[Int]]]]]]) { f }", &lenient),
            LimitError::TooComplex(_)
        ));
    }

    #[test]
    fn syntax_errors_carry_the_parser_message_and_position() {
        let message = syntax("{\n  a {\n    b(x: ) }\n}");
        assert!(message.starts_with("syntax error at line 3, column 10: "), "{message}");
        let message = syntax("{ a ");
        assert!(message.starts_with("syntax error at line 1, column 5: "), "{message}");
        assert!(message.contains("EOF"), "{message}");
        assert!(syntax("").starts_with("syntax error at line 1, column 1: "));
        assert!(syntax("query Q { é }").starts_with("syntax error at line 1, column 11: "));
    }

    #[test]
    fn type_system_definitions_are_refused() {
        let message = syntax("{ a } type Query { a: Int }");
        assert!(message.contains("type system definition"), "{message}");
    }

    #[test]
    fn operation_selection_follows_the_spec() {
        let doc = "query A { a } query B { b { c } }";
        assert_eq!(analyze(doc, Some("B"), &limits()).map(|a| a.depth), Ok(2));
        assert_eq!(analyze(doc, Some("A"), &limits()).map(|a| a.depth), Ok(1));
        assert_eq!(analyze("query A { a }", None, &limits()).map(|a| a.depth), Ok(1));
        assert_eq!(analyze("{ a }", None, &limits()).map(|a| a.depth), Ok(1));
        // Only the selected operation is measured.
        let doc = format!("query Small {{ a }} query Big {}", nested(40));
        assert!(analyze(&doc, Some("Small"), &limits()).is_ok());
        assert!(matches!(analyze(&doc, Some("Big"), &limits()), Err(LimitError::TooComplex(_))));
    }

    #[test]
    fn operation_selection_errors() {
        let unknown = |doc: &str, name: Option<&str>| match analyze(doc, name, &limits()) {
            Err(LimitError::UnknownOperation(message)) => message,
            other => panic!("expected UnknownOperation, got {other:?}"),
        };
        assert_eq!(
            unknown("query A { a } query B { b }", None),
            "the document contains several operations; operationName is required"
        );
        assert_eq!(unknown("query A { a } query B { b }", Some("C")), "unknown operation named \"C\"");
        assert_eq!(unknown("{ a }", Some("A")), "unknown operation named \"A\"");
        assert_eq!(unknown("fragment F on Query { a }", None), "the document contains no operation");
        assert_eq!(
            syntax("{ a } query B { b }"),
            "an anonymous operation must be the only operation in the document"
        );
        assert_eq!(syntax("query A { a } query A { b }"), "operation A is defined more than once");
    }

    #[test]
    fn cost_multiplies_children_by_literal_list_sizes() {
        let a = ok("{ projects(first: 10) { shots(first: 20) { id name } id } }");
        // shots: 1 + 20 × 2 = 41; projects: 1 + 10 × (41 + 1) = 421.
        assert_eq!(a.cost(&no_vars(), &limits()), 421);
        // A list size on a leaf costs 1; other list-size names; the largest of several.
        assert_eq!(ok("{ ids(first: 1000) }").cost(&no_vars(), &limits()), 1);
        for name in LIST_SIZE_ARGUMENTS {
            assert_eq!(ok(&format!("{{ a({name}: 7) {{ b }} }}")).cost(&no_vars(), &limits()), 8, "{name}");
        }
        assert_eq!(ok("{ a(first: 3, last: 9) { b } }").cost(&no_vars(), &limits()), 10);
        // No list-size argument, no multiplier; a negative size is 0; a non-integer literal is the default.
        assert_eq!(ok("{ a(id: 5) { b c } }").cost(&no_vars(), &limits()), 3);
        assert_eq!(ok("{ a(first: -5) { b c } }").cost(&no_vars(), &limits()), 1);
        assert_eq!(ok("{ a(first: null) { b c } }").cost(&no_vars(), &limits()), 21);
    }

    #[test]
    fn cost_uses_variables_then_their_defaults_then_the_default_list_size() {
        let a = ok("query($n: Int = 5, $m: Int) { a(first: $n) { b(first: $m) { c } } }");
        // Defaults: n = 5, m = default list size 10: 1 + 5 × (1 + 10 × 1) = 56.
        assert_eq!(a.cost(&no_vars(), &limits()), 56);
        assert_eq!(a.cost(&vars(json!({"n": 2, "m": 3})), &limits()), 9);
        // Explicit null and non-numbers take the default list size; negatives are 0.
        assert_eq!(a.cost(&vars(json!({"n": null, "m": 1})), &limits()), 21);
        assert_eq!(a.cost(&vars(json!({"n": -3})), &limits()), 1);
        assert_eq!(a.cost(&vars(json!({"n": 1.9, "m": 1})), &limits()), 3);
        let small_default = Limits {
            default_list_size: 2,
            ..limits()
        };
        assert_eq!(a.cost(&no_vars(), &small_default), 16);
        // An undeclared variable takes the default list size.
        assert_eq!(ok("{ a(first: $x) { b } }").cost(&no_vars(), &limits()), 11);
    }

    #[test]
    fn cost_expands_fragments_with_variables() {
        let doc = "query($n: Int = 3) { a(first: 2) { ...F } b { ...F ... on T { ...F } } } \
                   fragment F on T { items(first: $n) { id ...G } } fragment G on T { x y }";
        let a = ok(doc);
        // F = 1 + n × (1 + 2) with G = 2; a = 1 + 2F; b = 1 + 2F.
        let expected = |n: u64| {
            let f = 1 + n * 3;
            (1 + 2 * f) + (1 + 2 * f)
        };
        assert_eq!(a.cost(&no_vars(), &limits()), expected(3));
        assert_eq!(a.cost(&vars(json!({"n": 100})), &limits()), expected(100));
        assert_eq!(a.cost(&vars(json!({"n": 0})), &limits()), expected(0));
    }

    #[test]
    fn check_cost_at_the_limit_passes_and_one_more_is_refused() {
        let a = ok("query($n: Int) { a(first: $n) { b } }");
        let limits = Limits { max_cost: 101, ..limits() };
        assert_eq!(a.check_cost(&vars(json!({"n": 100})), &limits), Ok(101));
        assert_eq!(
            a.check_cost(&vars(json!({"n": 101})), &limits),
            Err(LimitError::TooComplex("estimated query cost 102 exceeds the limit of 101".into()))
        );
        let a = ok("{ a(first: 1000) { b(first: 1000) { c } } }");
        assert_eq!(a.cost(&no_vars(), &Limits::default()), 1_001_001);
        assert!(a.check_cost(&no_vars(), &Limits::default()).is_err());
        // Saturating, never wrapping.
        let a = ok("query($n: Int) { a(first: $n) { b(first: $n) { c(first: $n) { d } } } }");
        assert_eq!(a.cost(&vars(json!({"n": u64::MAX})), &Limits::default()), u64::MAX);
    }

    #[test]
    fn a_static_cost_is_folded_into_a_constant() {
        let a = ok("{ a(first: 3) { ...F } } fragment F on T { b(first: 4) { c d } }");
        assert_eq!(a.cost.units.len(), 1);
        assert_eq!(a.cost.units[0].as_ref(), &[Op::Add(1 + 3 * (1 + 4 * 2))]);
        assert!(a.cost.variables.is_empty());
        // Only the variable part stays a program.
        let a = ok("query($n: Int) { x y a(first: $n) { b(first: 4) { c d } e } }");
        assert_eq!(
            a.cost.units[0].as_ref(),
            &[
                Op::Add(2),
                Op::Open,
                Op::Add(10),
                Op::Close(Factor {
                    constant: 0,
                    variables: Box::new([0]),
                    default: false
                })
            ]
        );
    }

    #[test]
    fn deep_selections_of_any_size_are_refused_on_a_small_stack() {
        for levels in [1_000, 5_000, 100_000] {
            let message = on_small_stack(move || {
                let doc = format!("{}{}", "{a".repeat(levels), "}".repeat(levels));
                let started = Instant::now();
                let result = analyze(&doc, None, &Limits::default());
                println!("{levels}-deep selection ({} bytes) refused in {:?}", doc.len(), started.elapsed());
                result
            });
            assert!(matches!(message, Err(LimitError::TooComplex(_))), "{levels}: {message:?}");
        }
    }

    #[test]
    fn deep_values_and_types_of_any_size_are_refused_on_a_small_stack() {
        for levels in [1_000, 5_000, 100_000] {
            let documents = [
                ("list value", format!("{{ f(a: {}1{}) }}", "[".repeat(levels), "]".repeat(levels))),
                (
                    "object value",
                    format!("{{ f(a: {}1{}) }}", "{b: ".repeat(levels), "}".repeat(levels)),
                ),
                (
                    "list type",
                    format!("query($v: {}Int{}) {{ f }}", "[".repeat(levels), "]".repeat(levels)),
                ),
                ("unclosed lists", format!("{{ f(a: {}", "[".repeat(levels))),
            ];
            for (what, doc) in documents {
                let result = on_small_stack(move || {
                    let started = Instant::now();
                    let result = analyze(&doc, None, &Limits::default());
                    println!("{levels}-deep {what} refused in {:?}", started.elapsed());
                    result
                });
                assert!(matches!(result, Err(LimitError::TooComplex(_))), "{levels} {what}: {result:?}");
            }
        }
    }

    #[test]
    fn a_megabyte_of_whitespace_or_comments_does_not_crash() {
        let result = on_small_stack(|| {
            let spaces = format!("{{ a{} }}", " ".repeat(1 << 20));
            let comments = format!("{{ a\n{} }}", "# a comment line\n".repeat((1 << 20) / 17));
            let commas = format!("{{ a{} }}", ",".repeat(1 << 20));
            let started = Instant::now();
            let results = [spaces, comments, commas].map(|doc| analyze(&doc, None, &Limits::default()));
            println!("three 1 MiB documents analysed in {:?}", started.elapsed());
            results
        });
        // One whitespace run is one token; each comment line is two; commas are tokens.
        assert!(matches!(result[0], Ok(ref a) if a.tokens < 10), "{:?}", result[0]);
        assert!(matches!(result[1], Err(LimitError::TooComplex(_))), "{:?}", result[1]);
        assert!(matches!(result[2], Err(LimitError::TooComplex(_))), "{:?}", result[2]);
    }

    #[test]
    fn documents_within_the_limits_are_safe_for_the_planner_parser() {
        // graphql-tools' parser (the planner's) recurses, with its own limit of 50 nested
        // brackets. Measured in a debug build it needs ~40 KiB of stack per level, so it runs on
        // tokio's default 2 MiB worker stack, not on a small one. Every document `analyze`
        // accepts at the deepest nesting it allows must make it fail or succeed, not crash.
        const TOKIO_WORKER_STACK: usize = 2 * 1024 * 1024;
        let r = Limits::default().max_parser_recursion;
        let deepest_field = format!(
            "{}leaf(a: {}1{}){}",
            "a { ".repeat(14),
            "[".repeat(r - 15),
            "]".repeat(r - 15),
            " }".repeat(14)
        );
        let documents = [
            format!("{{ f(a: {}1{}) }}", "[".repeat(r - 1), "]".repeat(r - 1)),
            format!("{{ f(a: {}1{}) }}", "{b: ".repeat(r - 1), "}".repeat(r - 1)),
            format!("query($v: {}Int{}) {{ f }}", "[".repeat(r - 1), "]".repeat(r - 1)),
            format!("{{{deepest_field}}}"),
            nested(15),
        ];
        for doc in documents {
            let analysis = analyze(&doc, None, &Limits::default());
            assert!(analysis.is_ok(), "{analysis:?}");
            let parsed = std::thread::Builder::new()
                .stack_size(TOKIO_WORKER_STACK)
                .spawn(move || {
                    graphql_tools::parser::parse_query::<String>(&doc)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
                .expect("spawn")
                .join()
                .expect("the planner parser panicked");
            println!("planner parser: {parsed:?}");
        }
        assert!(graphql_tools::parser::parse_query::<String>(&nested(15)).is_ok());
    }

    #[test]
    fn refusals_carry_the_contract_codes() {
        let refusal = LimitError::TooComplex("query depth 16 exceeds the limit of 15".into()).to_refusal();
        assert_eq!(refusal.error.code(), ErrorCode::QueryTooComplex);
        assert_eq!(refusal.error.message(), "query depth 16 exceeds the limit of 15");
        assert_eq!(refusal.status.as_u16(), 400);
        assert_eq!(LimitError::Syntax("x".into()).to_refusal().error.code(), ErrorCode::BadUserInput);
        assert_eq!(
            LimitError::UnknownOperation("x".into()).to_refusal().error.code(),
            ErrorCode::BadUserInput
        );
    }

    #[test]
    fn an_analysis_can_be_cached_and_shared_across_tasks() {
        fn shareable<T: Send + Sync + 'static>(_: &T) {}
        let a = ok("query($n: Int) { a(first: $n) { b } }");
        shareable(&a);
        let shared = std::sync::Arc::new(a);
        let other = std::sync::Arc::clone(&shared);
        let cost = std::thread::spawn(move || other.cost(&vars(json!({"n": 4})), &Limits::default()))
            .join()
            .expect("thread");
        assert_eq!(cost, 5);
    }

    #[test]
    fn limits_from_env_default_when_unset() {
        let names = [
            "GATEWAY_MAX_TOKENS",
            "GATEWAY_MAX_PARSER_RECURSION",
            "GATEWAY_MAX_DEPTH",
            "GATEWAY_MAX_ALIASES",
            "GATEWAY_MAX_ROOT_FIELDS",
            "GATEWAY_MAX_DIRECTIVES",
            "GATEWAY_MAX_COST",
            "GATEWAY_DEFAULT_LIST_SIZE",
        ];
        if names.iter().all(|n| std::env::var_os(n).is_none()) {
            assert_eq!(Limits::from_env().expect("from_env"), Limits::default());
        }
    }
}
