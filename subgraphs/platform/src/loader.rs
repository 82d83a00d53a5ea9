//! Batch functions for the subgraphs' loaders: rows by id ([`ById`]) and children by parent
//! ([`ByParent`]), each one tenant-scoped query per batch. Wrap them in a
//! [`BatchLoader`](crate::batch::BatchLoader).

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;

use scoped_futures::ScopedFutureExt;
use uuid::Uuid;

use crate::batch::{BatchFn, BatchLoader};
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
pub struct ById<T> {
    db: Db,
    tenant: Uuid,
    _rows: PhantomData<fn() -> T>,
}

impl<T: FetchById> ById<T> {
    /// A request-scoped loader of `T` in `tenant`.
    pub fn loader(db: Db, tenant: Uuid) -> BatchLoader<Self> {
        BatchLoader::new(Self {
            db,
            tenant,
            _rows: PhantomData,
        })
    }
}

impl<T: FetchById> BatchFn for ById<T> {
    type Key = Uuid;
    type Value = T;

    async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, T>, AppError> {
        let rows = self.db.tx(self.tenant, |c| T::fetch(c, keys).scope_boxed()).await?;
        Ok(rows.into_iter().map(|r| (r.id(), r)).collect())
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
pub struct ByParent<G> {
    db: Db,
    tenant: Uuid,
    _group: PhantomData<fn() -> G>,
}

impl<G: Group> ByParent<G> {
    /// A request-scoped loader of `G` in `tenant`.
    pub fn loader(db: Db, tenant: Uuid) -> BatchLoader<Self> {
        BatchLoader::new(Self {
            db,
            tenant,
            _group: PhantomData,
        })
    }
}

impl<G: Group> BatchFn for ByParent<G> {
    type Key = Uuid;
    type Value = Vec<G::Row>;

    async fn load(&self, keys: Vec<Uuid>) -> Result<HashMap<Uuid, Vec<G::Row>>, AppError> {
        let mut out: HashMap<Uuid, Vec<G::Row>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        let rows = self.db.tx(self.tenant, |c| G::fetch(c, keys).scope_boxed()).await?;
        for row in rows {
            out.entry(G::parent(&row)).or_default().push(row);
        }
        Ok(out)
    }
}
