//! By-id DataLoaders and `_entities` batches shared by the subgraphs.
//!
//! [`ByIdLoader`] loads rows of one type by id in one tenant-scoped query per batch.
//! [`EntityBatch`] makes `_entities` cost one query per type however async-graphql schedules the
//! representations: it reads the representations from the request's variables up front and loads
//! them all on first use (async-graphql resolves representations with `try_join_all`, and a
//! DataLoader's batching window alone splits a large batch in slow builds).

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::marker::PhantomData;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Value, Variables};
use scoped_futures::ScopedFutureExt;
use uuid::Uuid;

use crate::db::{Conn, Db};
use crate::error::AppError;

/// A row that can be fetched by id.
pub trait FetchById: Sized + Clone + Send + Sync + 'static {
    /// The row's id.
    fn id(&self) -> Uuid;
    /// Loads the rows with these ids (missing ones are simply absent).
    fn fetch(conn: &mut Conn, ids: Vec<Uuid>) -> impl Future<Output = Result<Vec<Self>, AppError>> + Send + '_;
}

/// Loads `T` by id within one tenant.
pub struct ByIdLoader<T> {
    db: Db,
    tenant: Uuid,
    _rows: PhantomData<fn() -> T>,
}

impl<T: FetchById> ByIdLoader<T> {
    /// A DataLoader for `T` in `tenant`: up to 1,000 keys per batch.
    pub fn data_loader(db: Db, tenant: Uuid) -> DataLoader<Self> {
        DataLoader::new(
            Self {
                db,
                tenant,
                _rows: PhantomData,
            },
            tokio::spawn,
        )
        .max_batch_size(1000)
    }
}

impl<T: FetchById> Loader<Uuid> for ByIdLoader<T> {
    type Value = T;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, T>, AppError> {
        let keys = keys.to_vec();
        let rows = self.db.tx(self.tenant, |c| T::fetch(c, keys).scope_boxed()).await?;
        Ok(rows.into_iter().map(|r| (r.id(), r)).collect())
    }
}

/// The ids of one entity type named by `_entities` representations in a request's variables.
pub struct EntityBatch<T> {
    ids: Vec<Uuid>,
    set: HashSet<Uuid>,
    rows: tokio::sync::OnceCell<HashMap<Uuid, T>>,
}

impl<T: FetchById> EntityBatch<T> {
    /// Collects `{"__typename": typename, "id": …}` objects from list-valued variables.
    pub fn from_variables(variables: &Variables, typename: &str) -> Self {
        let mut batch = Self {
            ids: Vec::new(),
            set: HashSet::new(),
            rows: tokio::sync::OnceCell::new(),
        };
        for value in variables.values() {
            let Value::List(items) = value else { continue };
            for item in items {
                let Value::Object(obj) = item else { continue };
                let matches = matches!(obj.get("__typename"), Some(Value::String(t)) if t == typename);
                if let (true, Some(Value::String(id))) = (matches, obj.get("id"))
                    && let Ok(id) = Uuid::parse_str(id)
                    && batch.set.insert(id)
                {
                    batch.ids.push(id);
                }
            }
        }
        batch
    }

    /// The entity: from the request-wide batch when announced, else through `loader`.
    pub async fn get(&self, loader: &DataLoader<ByIdLoader<T>>, id: Uuid) -> Result<Option<T>, AppError> {
        if self.set.contains(&id) {
            let all = self.rows.get_or_try_init(|| Loader::load(loader.loader(), &self.ids)).await?;
            return Ok(all.get(&id).cloned());
        }
        loader.load_one(id).await
    }
}

/// A one-to-many relation loaded for many parents at once (e.g. tasks by shot).
pub trait Group: Send + Sync + 'static {
    /// The child row.
    type Row: Clone + Send + Sync + 'static;
    /// The parent id of a child.
    fn parent(row: &Self::Row) -> Uuid;
    /// Loads the children of these parents, in display order.
    fn fetch(conn: &mut Conn, parents: Vec<Uuid>) -> impl Future<Output = Result<Vec<Self::Row>, AppError>> + Send + '_;
}

/// Loads the children of `G` for a batch of parents in one tenant-scoped query.
pub struct GroupLoader<G> {
    db: Db,
    tenant: Uuid,
    _group: PhantomData<fn() -> G>,
}

impl<G: Group> GroupLoader<G> {
    /// A DataLoader for `G` in `tenant`.
    pub fn data_loader(db: Db, tenant: Uuid) -> DataLoader<Self> {
        DataLoader::new(
            Self {
                db,
                tenant,
                _group: PhantomData,
            },
            tokio::spawn,
        )
        .max_batch_size(1000)
    }
}

impl<G: Group> Loader<Uuid> for GroupLoader<G> {
    type Value = Vec<G::Row>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<G::Row>>, AppError> {
        let parents = keys.to_vec();
        let rows = self.db.tx(self.tenant, |c| G::fetch(c, parents).scope_boxed()).await?;
        let mut out: HashMap<Uuid, Vec<G::Row>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            out.entry(G::parent(&row)).or_default().push(row);
        }
        Ok(out)
    }
}
