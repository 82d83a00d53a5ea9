//! A compact index of the client-facing (API) schema: field types and possible types, which the
//! projection and the executor consult per response field.

use std::collections::{HashMap, HashSet};

use graphql_tools::static_graphql::schema::{Definition, Document, Type, TypeDefinition};

/// A field's type, with list and non-null wrappers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeRef {
    /// A named type.
    Named(String),
    /// `[T]`.
    List(Box<TypeRef>),
    /// `T!`.
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    /// From the parser's type.
    pub fn from_ast(t: &Type) -> Self {
        match t {
            Type::NamedType(n) => Self::Named(n.clone()),
            Type::ListType(inner) => Self::List(Box::new(Self::from_ast(inner))),
            Type::NonNullType(inner) => Self::NonNull(Box::new(Self::from_ast(inner))),
        }
    }

    /// The innermost named type.
    pub fn named(&self) -> &str {
        match self {
            Self::Named(n) => n,
            Self::List(inner) | Self::NonNull(inner) => inner.named(),
        }
    }
}

/// What kind of type a name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeKind {
    /// An object type.
    Object,
    /// An interface.
    Interface,
    /// A union.
    Union,
    /// A scalar (built-in or custom).
    Scalar,
    /// An enum.
    Enum,
    /// An input object.
    InputObject,
}

/// One type of the index.
#[derive(Debug)]
pub struct TypeInfo {
    /// Its kind.
    pub kind: TypeKind,
    /// Output fields by name.
    pub fields: HashMap<String, TypeRef>,
    /// The object types a value of this type can be (itself for an object).
    pub possible_types: HashSet<String>,
}

/// The index.
#[derive(Debug, Default)]
pub struct SchemaIndex {
    types: HashMap<String, TypeInfo>,
    /// The query root's name.
    pub query_type: String,
    /// The mutation root's name.
    pub mutation_type: Option<String>,
    /// The subscription root's name.
    pub subscription_type: Option<String>,
}

impl SchemaIndex {
    /// Builds the index from an SDL document.
    pub fn new(doc: &Document) -> Self {
        let mut index = Self {
            query_type: "Query".into(),
            ..Default::default()
        };
        let mut interface_impls: Vec<(String, String)> = Vec::new();
        let mut seen_schema = false;
        for def in &doc.definitions {
            match def {
                Definition::SchemaDefinition(s) => {
                    seen_schema = true;
                    if let Some(q) = &s.query {
                        index.query_type = q.clone();
                    }
                    index.mutation_type = s.mutation.clone();
                    index.subscription_type = s.subscription.clone();
                }
                Definition::TypeDefinition(t) => {
                    let (name, info) = match t {
                        TypeDefinition::Object(o) => {
                            for i in &o.implements_interfaces {
                                interface_impls.push((i.clone(), o.name.clone()));
                            }
                            let fields = o
                                .fields
                                .iter()
                                .map(|f| (f.name.clone(), TypeRef::from_ast(&f.field_type)))
                                .collect();
                            (o.name.clone(), info(TypeKind::Object, fields, [o.name.clone()].into()))
                        }
                        TypeDefinition::Interface(i) => {
                            let fields = i
                                .fields
                                .iter()
                                .map(|f| (f.name.clone(), TypeRef::from_ast(&f.field_type)))
                                .collect();
                            (i.name.clone(), info(TypeKind::Interface, fields, HashSet::new()))
                        }
                        TypeDefinition::Union(u) => (
                            u.name.clone(),
                            info(TypeKind::Union, HashMap::new(), u.types.iter().cloned().collect()),
                        ),
                        TypeDefinition::Scalar(s) => (s.name.clone(), info(TypeKind::Scalar, HashMap::new(), HashSet::new())),
                        TypeDefinition::Enum(e) => (e.name.clone(), info(TypeKind::Enum, HashMap::new(), HashSet::new())),
                        TypeDefinition::InputObject(i) => (i.name.clone(), info(TypeKind::InputObject, HashMap::new(), HashSet::new())),
                    };
                    index.types.insert(name, info);
                }
                _ => {}
            }
        }
        if !seen_schema {
            index.mutation_type = index.types.contains_key("Mutation").then(|| "Mutation".into());
            index.subscription_type = index.types.contains_key("Subscription").then(|| "Subscription".into());
        }
        for (interface, object) in interface_impls {
            if let Some(t) = index.types.get_mut(&interface) {
                t.possible_types.insert(object);
            }
        }
        for scalar in ["String", "Int", "Float", "Boolean", "ID"] {
            index
                .types
                .entry(scalar.into())
                .or_insert_with(|| info(TypeKind::Scalar, HashMap::new(), HashSet::new()));
        }
        index
    }

    /// A type by name.
    pub fn get(&self, name: &str) -> Option<&TypeInfo> {
        self.types.get(name)
    }

    /// The type of `parent.field`; `__typename` is `String!`.
    pub fn field_type(&self, parent: &str, field: &str) -> Option<&TypeRef> {
        self.types.get(parent)?.fields.get(field)
    }

    /// Whether a fragment on `condition` applies to an object of type `runtime`.
    pub fn applies(&self, condition: &str, runtime: &str) -> bool {
        condition == runtime || self.types.get(condition).is_some_and(|t| t.possible_types.contains(runtime))
    }

    /// Whether values of this type are objects (object, interface, union).
    pub fn is_composite(&self, name: &str) -> bool {
        self.types
            .get(name)
            .is_some_and(|t| matches!(t.kind, TypeKind::Object | TypeKind::Interface | TypeKind::Union))
    }

    /// Whether this type is abstract (interface or union).
    pub fn is_abstract(&self, name: &str) -> bool {
        self.types
            .get(name)
            .is_some_and(|t| matches!(t.kind, TypeKind::Interface | TypeKind::Union))
    }

    /// The root type of an operation kind.
    pub fn root_type(&self, kind: &hive_router_query_planner::state::supergraph_state::OperationKind) -> Option<&str> {
        use hive_router_query_planner::state::supergraph_state::OperationKind as K;
        match kind {
            K::Query => Some(&self.query_type),
            K::Mutation => self.mutation_type.as_deref(),
            K::Subscription => self.subscription_type.as_deref(),
        }
    }
}

fn info(kind: TypeKind, fields: HashMap<String, TypeRef>, possible_types: HashSet<String>) -> TypeInfo {
    TypeInfo {
        kind,
        fields,
        possible_types,
    }
}
