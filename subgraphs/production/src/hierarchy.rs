//! Projects, shots and assets: queries, connections, entities and creation.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::{RoleGuard, ScopeGuard, principal};
use platform::idempotency::Idempotent;
use platform::journal::{self, Change};
use platform::pagination::{decode_cursor, encode_cursor, page, page_size};
use platform::scalars::parse_id;
use platform::{AppError, Db, ScopedFutureExt};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::connections::{CountScope, Total};
use crate::loaders::Loaders;
use crate::model::*;
use crate::objects::{Asset, Project, Shot};
use crate::schema::{assets, employee_replica, projects, sequences, shots};
use crate::{MANAGERS, SUBGRAPH};

/// Projects, by code.
pub type ProjectConnection = Connection<String, Project, Total>;
/// Shots of a project, by code.
pub type ShotConnection = Connection<String, Shot, Total>;
/// Assets of a project, by code.
pub type AssetConnection = Connection<String, Asset, Total>;

fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

/// A page of a project's shots.
pub async fn shot_connection(
    ctx: &Context<'_>,
    project: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<ShotConnection, AppError> {
    let p = principal(ctx)?;
    let limit = page_size(first)?;
    let cursor: Option<(String, Uuid)> = after.as_deref().map(decode_cursor).transpose()?;
    let rows: Vec<ShotRow> = db(ctx)
        .tx(p.tenant_id, |c| {
            async move {
                let mut q = shots::table.filter(shots::project_id.eq(project)).into_boxed();
                if let Some((code, id)) = cursor {
                    q = q.filter(shots::code.gt(code.clone()).or(shots::code.eq(code).and(shots::id.gt(id))));
                }
                Ok(q.order((shots::code, shots::id))
                    .limit(limit + 1)
                    .select(ShotRow::as_select())
                    .load(c)
                    .await?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(page(
        rows,
        limit,
        after.is_some(),
        Total(CountScope::Shots(project)),
        |r| encode_cursor(&(&r.code, r.id)),
        Shot,
    ))
}

/// A page of a project's assets.
pub async fn asset_connection(
    ctx: &Context<'_>,
    project: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> Result<AssetConnection, AppError> {
    let p = principal(ctx)?;
    let limit = page_size(first)?;
    let cursor: Option<(String, Uuid)> = after.as_deref().map(decode_cursor).transpose()?;
    let rows: Vec<AssetRow> = db(ctx)
        .tx(p.tenant_id, |c| {
            async move {
                let mut q = assets::table.filter(assets::project_id.eq(project)).into_boxed();
                if let Some((code, id)) = cursor {
                    q = q.filter(assets::code.gt(code.clone()).or(assets::code.eq(code).and(assets::id.gt(id))));
                }
                Ok(q.order((assets::code, assets::id))
                    .limit(limit + 1)
                    .select(AssetRow::as_select())
                    .load(c)
                    .await?)
            }
            .scope_boxed()
        })
        .await?;
    Ok(page(
        rows,
        limit,
        after.is_some(),
        Total(CountScope::Assets(project)),
        |r| encode_cursor(&(&r.code, r.id)),
        Asset,
    ))
}

/// Hierarchy queries.
#[derive(Default)]
pub struct HierarchyQuery;

#[Object]
impl HierarchyQuery {
    /// Projects by code.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn projects(&self, ctx: &Context<'_>, first: Option<i32>, after: Option<String>) -> Result<ProjectConnection, AppError> {
        let p = principal(ctx)?;
        let limit = page_size(first)?;
        let cursor: Option<(String, Uuid)> = after.as_deref().map(decode_cursor).transpose()?;
        let rows: Vec<ProjectRow> = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let mut q = projects::table.into_boxed();
                    if let Some((code, id)) = cursor {
                        q = q.filter(projects::code.gt(code.clone()).or(projects::code.eq(code).and(projects::id.gt(id))));
                    }
                    Ok(q.order((projects::code, projects::id))
                        .limit(limit + 1)
                        .select(ProjectRow::as_select())
                        .load(c)
                        .await?)
                }
                .scope_boxed()
            })
            .await?;
        Ok(page(
            rows,
            limit,
            after.is_some(),
            Total(CountScope::Projects),
            |r| encode_cursor(&(&r.code, r.id)),
            Project,
        ))
    }

    /// One project, or null.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn project(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Project>, AppError> {
        Ok(Loaders::of(ctx)?.projects.load_one(parse_id(&id)?).await?.map(Project))
    }

    /// One shot, or null.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn shot(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Shot>, AppError> {
        Ok(Loaders::of(ctx)?.shots.load_one(parse_id(&id)?).await?.map(Shot))
    }

    /// One asset, or null.
    #[graphql(guard = "ScopeGuard(\"production:read\")")]
    async fn asset(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Asset>, AppError> {
        Ok(Loaders::of(ctx)?.assets.load_one(parse_id(&id)?).await?.map(Asset))
    }

    /// Federation: `Project` by id.
    #[graphql(entity)]
    async fn find_project_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Project>, AppError> {
        let Ok(id) = parse_id(&id) else { return Ok(None) };
        Ok(Loaders::of(ctx)?.projects.load_one(id).await?.map(Project))
    }

    /// Federation: `Shot` by id.
    #[graphql(entity)]
    async fn find_shot_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Shot>, AppError> {
        let Ok(id) = parse_id(&id) else { return Ok(None) };
        Ok(Loaders::of(ctx)?.shots.load_one(id).await?.map(Shot))
    }

    /// Federation: `Asset` by id.
    #[graphql(entity)]
    async fn find_asset_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Asset>, AppError> {
        let Ok(id) = parse_id(&id) else { return Ok(None) };
        Ok(Loaders::of(ctx)?.assets.load_one(id).await?.map(Asset))
    }
}

/// Input of `createProject`.
#[derive(InputObject, Serialize)]
pub struct CreateProjectInput {
    /// Short code, e.g. `SKY`.
    pub code: String,
    /// Title.
    pub name: String,
    /// Submit renders automatically when LIGHTING or RENDERING tasks publish.
    #[graphql(default)]
    pub auto_render: bool,
    /// The project's supervisor (an active employee): re-owns an offboarded person's render jobs.
    pub supervisor_id: Option<ID>,
    /// What becomes of an offboarded person's unfinished render jobs (default
    /// REASSIGN_TO_SUPERVISOR).
    pub offboard_render_jobs: Option<OffboardRenderJobs>,
    /// Replays within 24 h return the first result.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// Input of `createShot`.
#[derive(InputObject, Serialize)]
pub struct CreateShotInput {
    /// Project.
    pub project_id: ID,
    /// Code, unique in the project, e.g. `SQ010_SH020`.
    pub code: String,
    /// Optional sequence code; created on first use.
    pub sequence: Option<String>,
    /// First frame.
    pub frame_start: i32,
    /// Last frame.
    pub frame_end: i32,
    /// Description.
    pub description: Option<String>,
    /// Replays within 24 h return the first result.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

/// Input of `createAsset`.
#[derive(InputObject, Serialize)]
pub struct CreateAssetInput {
    /// Project.
    pub project_id: ID,
    /// Code, unique in the project.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    #[graphql(name = "type")]
    pub asset_type: AssetType,
    /// Replays within 24 h return the first result.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

fn code_ok(code: &str, max: usize) -> Result<String, AppError> {
    let c = code.trim();
    if c.is_empty() || c.len() > max || !c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(AppError::bad_input(format!(
            "code {code:?} must be 1 to {max} letters, digits, '_' or '-'"
        )));
    }
    Ok(c.to_owned())
}

/// Input of `updateProject`; omitted fields are unchanged.
#[derive(InputObject)]
pub struct UpdateProjectInput {
    /// Title.
    pub name: Option<String>,
    /// Status.
    pub status: Option<ProjectStatus>,
    /// Auto-render setting.
    pub auto_render: Option<bool>,
    /// The supervisor (an active employee); null clears it.
    pub supervisor_id: MaybeUndefined<ID>,
    /// What becomes of an offboarded person's unfinished render jobs.
    pub offboard_render_jobs: Option<OffboardRenderJobs>,
}

/// The settings part of a project (what render replicates), checked and ready to write.
#[derive(Clone, Copy, Debug)]
pub struct ProjectSettings {
    /// Auto-render.
    pub auto_render: bool,
    /// Supervisor.
    pub supervisor_id: Option<Uuid>,
    /// Offboarding policy for render jobs.
    pub offboard_render_jobs: OffboardRenderJobs,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        Self {
            auto_render: false,
            supervisor_id: None,
            offboard_render_jobs: OffboardRenderJobs::ReassignToSupervisor,
        }
    }
}

/// The payload of `production.project.created/updated`: render replicates the settings
/// (`supervisorId`, `offboardRenderJobs`, `autoRender`) from it.
pub fn project_payload(row: &ProjectRow) -> serde_json::Value {
    json!({
        "projectId": row.id, "code": row.code, "name": row.name, "status": row.status, "autoRender": row.auto_render,
        "supervisorId": row.supervisor_id, "offboardRenderJobs": row.offboard_render_jobs,
    })
}

/// BAD_USER_INPUT unless `id` is an employee of the tenant who is not offboarded (per the local
/// replica of HR).
async fn check_supervisor(c: &mut platform::Conn, id: Uuid) -> Result<(), AppError> {
    let status: Option<String> = employee_replica::table
        .find(id)
        .select(employee_replica::status)
        .first(c)
        .await
        .optional()?;
    match status.as_deref() {
        None => Err(AppError::bad_input("supervisorId is not an employee")),
        Some("OFFBOARDED") => Err(AppError::bad_input("supervisorId is offboarded")),
        Some(_) => Ok(()),
    }
}

/// Hierarchy mutations (SUPERVISOR / ADMIN).
#[derive(Default)]
pub struct HierarchyMutation;

#[Object]
impl HierarchyMutation {
    /// Creates a project with the default workflow.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn create_project(&self, ctx: &Context<'_>, input: CreateProjectInput) -> Result<Project, AppError> {
        let p = principal(ctx)?.clone();
        let code = code_ok(&input.code, 32)?;
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.len() > 200 {
            return Err(AppError::bad_input("name must be 1 to 200 characters"));
        }
        let settings = ProjectSettings {
            auto_render: input.auto_render,
            supervisor_id: input.supervisor_id.as_ref().map(parse_id).transpose()?,
            offboard_render_jobs: input.offboard_render_jobs.unwrap_or(OffboardRenderJobs::ReassignToSupervisor),
        };
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) =
                        Idempotent::begin(c, p.tenant_id, "createProject", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(projects::table.find(id).select(ProjectRow::as_select()).first(c).await?);
                    }
                    if let Some(s) = settings.supervisor_id {
                        check_supervisor(c, s).await?;
                    }
                    let row = insert_project_with(c, &p, Uuid::new_v4(), &code, &name, settings).await?;
                    idem.finish(c, row.id).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Project(row))
    }

    /// Changes a project's name, status or settings.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn update_project(&self, ctx: &Context<'_>, id: ID, input: UpdateProjectInput) -> Result<Project, AppError> {
        let p = principal(ctx)?.clone();
        let id = parse_id(&id)?;
        if input.name.as_deref().is_some_and(|n| n.trim().is_empty() || n.len() > 200) {
            return Err(AppError::bad_input("name must be 1 to 200 characters"));
        }
        let supervisor: MaybeUndefined<Uuid> = match &input.supervisor_id {
            MaybeUndefined::Undefined => MaybeUndefined::Undefined,
            MaybeUndefined::Null => MaybeUndefined::Null,
            MaybeUndefined::Value(id) => MaybeUndefined::Value(parse_id(id)?),
        };
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let before: ProjectRow = projects::table
                        .find(id)
                        .for_update()
                        .select(ProjectRow::as_select())
                        .first(c)
                        .await
                        .optional()?
                        .ok_or_else(|| AppError::not_found("project"))?;
                    let supervisor_id = match supervisor {
                        MaybeUndefined::Undefined => before.supervisor_id,
                        MaybeUndefined::Null => None,
                        MaybeUndefined::Value(s) => {
                            if before.supervisor_id != Some(s) {
                                check_supervisor(c, s).await?;
                            }
                            Some(s)
                        }
                    };
                    let policy = input
                        .offboard_render_jobs
                        .map_or(before.offboard_render_jobs.clone(), |o| o.as_str().to_owned());
                    let after: ProjectRow = diesel::update(projects::table.find(id))
                        .set((
                            projects::name.eq(input.name.as_deref().map_or(before.name.clone(), |n| n.trim().to_owned())),
                            projects::status.eq(input.status.map_or(before.status.clone(), |s| s.as_str().to_owned())),
                            projects::auto_render.eq(input.auto_render.unwrap_or(before.auto_render)),
                            projects::supervisor_id.eq(supervisor_id),
                            projects::offboard_render_jobs.eq(policy),
                            projects::updated_at.eq(diesel::dsl::now),
                        ))
                        .returning(ProjectRow::as_returning())
                        .get_result(c)
                        .await?;
                    let payload = project_payload(&after);
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "project",
                            aggregate_id: id,
                            event: "updated",
                            before: Some(json!(before)),
                            after: Some(json!(after)),
                            payload,
                        },
                    )
                    .await?;
                    Ok(after)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Project(row))
    }

    /// Creates a shot.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn create_shot(&self, ctx: &Context<'_>, input: CreateShotInput) -> Result<Shot, AppError> {
        let p = principal(ctx)?.clone();
        let project = parse_id(&input.project_id)?;
        let code = code_ok(&input.code, 64)?;
        let sequence = input.sequence.as_deref().map(|s| code_ok(s, 32)).transpose()?;
        if input.frame_end < input.frame_start {
            return Err(AppError::bad_input("frameEnd is before frameStart"));
        }
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) = Idempotent::begin(c, p.tenant_id, "createShot", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(shots::table.find(id).select(ShotRow::as_select()).first(c).await?);
                    }
                    let owner: Option<Uuid> = projects::table.find(project).select(projects::tenant_id).first(c).await.optional()?;
                    crate::sharing::ensure_own(&p, owner.ok_or_else(|| AppError::not_found("project"))?, "project")?;
                    let sequence_id = match &sequence {
                        Some(s) => Some(ensure_sequence(c, p.tenant_id, project, s).await?),
                        None => None,
                    };
                    let row: ShotRow = diesel::insert_into(shots::table)
                        .values((
                            shots::id.eq(Uuid::new_v4()),
                            shots::tenant_id.eq(p.tenant_id),
                            shots::project_id.eq(project),
                            shots::sequence_id.eq(sequence_id),
                            shots::code.eq(&code),
                            shots::description.eq(&input.description),
                            shots::frame_start.eq(input.frame_start),
                            shots::frame_end.eq(input.frame_end),
                        ))
                        .returning(ShotRow::as_returning())
                        .get_result(c)
                        .await?;
                    let payload = json!({"shotId": row.id, "projectId": project, "code": row.code, "frameStart": row.frame_start, "frameEnd": row.frame_end});
                    journal::record(c, SUBGRAPH, &p, Change { aggregate: "shot", aggregate_id: row.id, event: "created", before: None, after: Some(json!(row)), payload }).await?;
                    idem.finish(c, row.id).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Shot(row))
    }

    /// Creates an asset.
    #[graphql(guard = "RoleGuard(MANAGERS).and(ScopeGuard(\"production:write\"))")]
    async fn create_asset(&self, ctx: &Context<'_>, input: CreateAssetInput) -> Result<Asset, AppError> {
        let p = principal(ctx)?.clone();
        let project = parse_id(&input.project_id)?;
        let code = code_ok(&input.code, 64)?;
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.len() > 200 {
            return Err(AppError::bad_input("name must be 1 to 200 characters"));
        }
        let row = db(ctx)
            .tx(p.tenant_id, |c| {
                async move {
                    let (idem, replayed) =
                        Idempotent::begin(c, p.tenant_id, "createAsset", input.idempotency_key.as_deref(), &input).await?;
                    if let Some(id) = replayed {
                        return Ok(assets::table.find(id).select(AssetRow::as_select()).first(c).await?);
                    }
                    let owner: Option<Uuid> = projects::table
                        .find(project)
                        .select(projects::tenant_id)
                        .first(c)
                        .await
                        .optional()?;
                    crate::sharing::ensure_own(&p, owner.ok_or_else(|| AppError::not_found("project"))?, "project")?;
                    let row: AssetRow = diesel::insert_into(assets::table)
                        .values((
                            assets::id.eq(Uuid::new_v4()),
                            assets::tenant_id.eq(p.tenant_id),
                            assets::project_id.eq(project),
                            assets::code.eq(&code),
                            assets::name.eq(&name),
                            assets::asset_type.eq(input.asset_type.as_str()),
                        ))
                        .returning(AssetRow::as_returning())
                        .get_result(c)
                        .await?;
                    let payload = json!({"assetId": row.id, "projectId": project, "code": row.code, "type": row.asset_type});
                    journal::record(
                        c,
                        SUBGRAPH,
                        &p,
                        Change {
                            aggregate: "asset",
                            aggregate_id: row.id,
                            event: "created",
                            before: None,
                            after: Some(json!(row)),
                            payload,
                        },
                    )
                    .await?;
                    idem.finish(c, row.id).await?;
                    Ok(row)
                }
                .scope_boxed()
            })
            .await?;
        Ok(Asset(row))
    }
}

/// Inserts a project with the default workflow and default settings but `auto_render` (the seed).
pub async fn insert_project(
    c: &mut platform::Conn,
    p: &platform::Principal,
    id: Uuid,
    code: &str,
    name: &str,
    auto_render: bool,
) -> Result<ProjectRow, AppError> {
    let settings = ProjectSettings {
        auto_render,
        ..ProjectSettings::default()
    };
    insert_project_with(c, p, id, code, name, settings).await
}

/// Inserts a project with the default workflow and the given settings; the supervisor, when
/// any, was checked by the caller.
pub async fn insert_project_with(
    c: &mut platform::Conn,
    p: &platform::Principal,
    id: Uuid,
    code: &str,
    name: &str,
    settings: ProjectSettings,
) -> Result<ProjectRow, AppError> {
    let row: ProjectRow = diesel::insert_into(projects::table)
        .values((
            projects::id.eq(id),
            projects::tenant_id.eq(p.tenant_id),
            projects::code.eq(code),
            projects::name.eq(name),
            projects::auto_render.eq(settings.auto_render),
            projects::supervisor_id.eq(settings.supervisor_id),
            projects::offboard_render_jobs.eq(settings.offboard_render_jobs.as_str()),
        ))
        .returning(ProjectRow::as_returning())
        .get_result(c)
        .await?;
    crate::workflow::install_default(c, p.tenant_id, row.id).await?;
    let payload = project_payload(&row);
    journal::record(
        c,
        SUBGRAPH,
        p,
        Change {
            aggregate: "project",
            aggregate_id: row.id,
            event: "created",
            before: None,
            after: Some(json!(row)),
            payload,
        },
    )
    .await?;
    Ok(row)
}

async fn ensure_sequence(c: &mut platform::Conn, tenant: Uuid, project: Uuid, code: &str) -> Result<Uuid, AppError> {
    let existing: Option<Uuid> = sequences::table
        .filter(sequences::project_id.eq(project).and(sequences::code.eq(code)))
        .select(sequences::id)
        .first(c)
        .await
        .optional()?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = Uuid::new_v4();
    diesel::insert_into(sequences::table)
        .values((
            sequences::id.eq(id),
            sequences::tenant_id.eq(tenant),
            sequences::project_id.eq(project),
            sequences::code.eq(code),
        ))
        .execute(c)
        .await?;
    Ok(id)
}
