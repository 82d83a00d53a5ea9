//! `totalCount` for every connection, counted only when a client asks for it.

use async_graphql::{Context, Object};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::principal;
use platform::{AppError, Db, ScopedFutureExt};
use uuid::Uuid;

use crate::schema::{assets, projects, shots};
use crate::tasks::TaskScope;

/// What a connection counts.
#[derive(Clone)]
pub enum CountScope {
    /// All projects of the tenant.
    Projects,
    /// Shots of a project.
    Shots(Uuid),
    /// Assets of a project.
    Assets(Uuid),
    /// Tasks matching a filter.
    Tasks(TaskScope),
}

/// The additional fields of our connections.
pub struct Total(pub CountScope);

#[Object]
impl Total {
    /// Items across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64, AppError> {
        let p = principal(ctx)?;
        let scope = self.0.clone();
        ctx.data_unchecked::<Db>()
            .tx(p.tenant_id, |c| {
                async move {
                    Ok(match scope {
                        CountScope::Projects => projects::table.count().get_result(c).await?,
                        CountScope::Shots(project) => shots::table.filter(shots::project_id.eq(project)).count().get_result(c).await?,
                        CountScope::Assets(project) => assets::table.filter(assets::project_id.eq(project)).count().get_result(c).await?,
                        CountScope::Tasks(scope) => scope.query().count().get_result(c).await?,
                    })
                }
                .scope_boxed()
            })
            .await
    }
}
