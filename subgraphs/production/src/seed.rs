//! The demo production data of `make dev`: the employee replica of both demo tenants, and at
//! northwind two projects with 20 shots and 10 assets each and 400 tasks (a dependency chain per
//! shot and per asset) assigned to the seeded employees. Ids are deterministic; running it twice
//! changes nothing.

use chrono::{Days, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use platform::auth::Role;
use platform::demo::{self, demo_id, tenant_id};
use platform::journal;
use platform::{AppError, Conn, Db, Principal, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

use crate::SUBGRAPH;
use crate::hierarchy::{ProjectSettings, insert_project_with};
use crate::model::{TaskStatus, TaskType};
use crate::replica::{self, ReplicaEmployee};
use crate::schema::{assets, projects, sequences, shots, task_dependencies, tasks};

/// What the seed created.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// Projects created.
    pub projects: usize,
    /// Tasks created.
    pub tasks: usize,
}

const PROJECTS: &[(&str, &str, bool)] = &[("SKY", "Skyward", true), ("RVR", "River Tales", false)];
const SHOT_TASKS: &[(&str, TaskType)] = &[
    ("Layout", TaskType::Layout),
    ("Animation", TaskType::Animation),
    ("Cloth & Hair", TaskType::Fx),
    ("FX", TaskType::Fx),
    ("Lighting", TaskType::Lighting),
    ("Render", TaskType::Rendering),
    ("Compositing", TaskType::Compositing),
    ("Final Check", TaskType::Other),
];
const ASSET_TASKS: &[(&str, TaskType)] = &[
    ("Modeling", TaskType::Modeling),
    ("Texturing", TaskType::Other),
    ("Rigging", TaskType::Rigging),
    ("Lookdev", TaskType::Lighting),
];
const ASSETS: &[(&str, &str, &str)] = &[
    ("CHR_hero", "Hero", "CHARACTER"),
    ("CHR_sidekick", "Sidekick", "CHARACTER"),
    ("CHR_villain", "Villain", "CHARACTER"),
    ("PRP_lantern", "Lantern", "PROP"),
    ("PRP_map", "Map", "PROP"),
    ("PRP_boat", "Boat", "VEHICLE"),
    ("ENV_harbor", "Harbor", "ENVIRONMENT"),
    ("ENV_forest", "Forest", "ENVIRONMENT"),
    ("ENV_sky", "Sky Dome", "ENVIRONMENT"),
    ("FX_water", "Water", "FX"),
];

fn department_for(t: TaskType) -> &'static str {
    match t {
        TaskType::Layout | TaskType::Animation => "Animation",
        TaskType::Fx => "FX",
        TaskType::Lighting | TaskType::Rendering => "Lighting",
        TaskType::Compositing => "Compositing",
        _ => "Modeling",
    }
}

/// Seeds through the application role (row-level security applies).
pub async fn run(db: &Db) -> anyhow::Result<SeedReport> {
    let mut report = SeedReport::default();
    for &(slug, name, kind) in demo::TENANTS {
        let tid = tenant_id(slug);
        let seeded = db
            .tx(tid, |c| {
                async move {
                    crate::sharing::upsert_tenant(c, tid, slug, name, kind).await?;
                    let people: Vec<ReplicaEmployee> = demo::roster(slug)
                        .into_iter()
                        .map(|e| ReplicaEmployee {
                            id: e.id,
                            tenant_id: tid,
                            display_name: e.display_name(),
                            email: Some(e.email.clone()),
                            status: "ACTIVE".into(),
                        })
                        .collect();
                    replica::upsert(c, &people).await?;
                    if slug != "northwind" {
                        return Ok(SeedReport::default());
                    }
                    seed_projects(c, slug, tid).await
                }
                .scope_boxed()
            })
            .await
            .map_err(|e| anyhow::anyhow!("seeding {slug}: {} ({})", e.message(), e.code().as_str()))?;
        report.projects += seeded.projects;
        report.tasks += seeded.tasks;
    }
    Ok(report)
}

type TaskValues = (
    Uuid,
    Uuid,
    Option<Uuid>,
    Option<Uuid>,
    String,
    TaskType,
    TaskStatus,
    Option<Uuid>,
    NaiveDate,
    f64,
);

async fn seed_projects(c: &mut Conn, slug: &str, tid: Uuid) -> Result<SeedReport, AppError> {
    let mut report = SeedReport::default();
    let system = Principal {
        user_id: Uuid::nil(),
        tenant_id: tid,
        employee_id: None,
        roles: vec![Role::Admin],
        scopes: vec!["*".into()],
        request_id: "seed".into(),
    };
    let roster = demo::roster(slug);
    let mut next_in: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut pick = |dept: &'static str| -> Option<Uuid> {
        let people: Vec<Uuid> = roster
            .iter()
            .filter(|e| e.department == dept && e.user.is_none_or(|u| u.roles.contains(&Role::Artist)))
            .map(|e| e.id)
            .collect();
        let i = next_in.entry(dept).or_default();
        let chosen = people.get(*i % people.len().max(1)).copied();
        *i += 1;
        chosen
    };
    let today = Utc::now().date_naive();
    for &(code, name, auto_render) in PROJECTS {
        let pid = demo_id("project", &format!("{slug}/{code}"));
        let exists: Option<Uuid> = projects::table.find(pid).select(projects::id).first(c).await.optional()?;
        if exists.is_some() {
            continue;
        }
        // The studio's supervisor leads its projects (render hands an offboarded artist's jobs
        // to them); the vendor has no supervisor.
        let supervisor = roster
            .iter()
            .find(|e| e.user.is_some_and(|u| u.roles.contains(&Role::Supervisor)))
            .map(|e| e.id);
        let settings = ProjectSettings {
            auto_render,
            supervisor_id: supervisor,
            ..ProjectSettings::default()
        };
        insert_project_with(c, &system, pid, code, name, settings).await?;
        report.projects += 1;
        let mut task_rows: Vec<TaskValues> = Vec::new();
        let mut deps: Vec<(Uuid, Uuid)> = Vec::new();
        for sq in [10, 20] {
            let seq_code = format!("SQ{sq:03}");
            let seq_id = demo_id("sequence", &format!("{slug}/{code}/{seq_code}"));
            diesel::insert_into(sequences::table)
                .values((
                    sequences::id.eq(seq_id),
                    sequences::tenant_id.eq(tid),
                    sequences::project_id.eq(pid),
                    sequences::code.eq(&seq_code),
                ))
                .execute(c)
                .await?;
            for sh in 1..=10 {
                let shot_code = format!("{seq_code}_SH{:03}", sh * 10);
                let shot_id = demo_id("shot", &format!("{slug}/{code}/{shot_code}"));
                let start = 1001;
                diesel::insert_into(shots::table)
                    .values((
                        shots::id.eq(shot_id),
                        shots::tenant_id.eq(tid),
                        shots::project_id.eq(pid),
                        shots::sequence_id.eq(Some(seq_id)),
                        shots::code.eq(&shot_code),
                        shots::frame_start.eq(start),
                        shots::frame_end.eq(start + 47 + 8 * sh),
                    ))
                    .execute(c)
                    .await?;
                // Announced like createShot's, so render learns which project the shot is in.
                let payload =
                    json!({"shotId": shot_id, "projectId": pid, "code": shot_code, "frameStart": start, "frameEnd": start + 47 + 8 * sh});
                journal::publish(c, SUBGRAPH, tid, Some("seed"), None, "shot", shot_id, "created", payload).await?;
                let layout_done = sh % 2 == 0;
                let mut previous: Option<Uuid> = None;
                for (n, (task_name, t)) in SHOT_TASKS.iter().enumerate() {
                    let id = demo_id("task", &format!("{slug}/{code}/{shot_code}/{task_name}"));
                    let status = match (n, layout_done) {
                        (0, true) => TaskStatus::Approved,
                        (0, false) => TaskStatus::Ready,
                        (1, true) if sh % 4 == 0 => TaskStatus::InProgress,
                        (1, true) => TaskStatus::Ready,
                        _ => TaskStatus::Waiting,
                    };
                    let due = today.checked_add_days(Days::new(7 * (n as u64 + 1) + sh as u64)).unwrap_or(today);
                    task_rows.push((
                        id,
                        pid,
                        Some(shot_id),
                        None,
                        (*task_name).to_owned(),
                        *t,
                        status,
                        pick(department_for(*t)),
                        due,
                        8.0 + 4.0 * n as f64,
                    ));
                    if let Some(up) = previous {
                        deps.push((id, up));
                    }
                    previous = Some(id);
                }
            }
        }
        for &(asset_code, asset_name, asset_type) in ASSETS {
            let asset_id = demo_id("asset", &format!("{slug}/{code}/{asset_code}"));
            diesel::insert_into(assets::table)
                .values((
                    assets::id.eq(asset_id),
                    assets::tenant_id.eq(tid),
                    assets::project_id.eq(pid),
                    assets::code.eq(asset_code),
                    assets::name.eq(asset_name),
                    assets::asset_type.eq(asset_type),
                ))
                .execute(c)
                .await?;
            let mut previous: Option<Uuid> = None;
            for (n, (task_name, t)) in ASSET_TASKS.iter().enumerate() {
                let id = demo_id("task", &format!("{slug}/{code}/{asset_code}/{task_name}"));
                let status = if n == 0 { TaskStatus::InProgress } else { TaskStatus::Waiting };
                let due = today.checked_add_days(Days::new(10 * (n as u64 + 1))).unwrap_or(today);
                task_rows.push((
                    id,
                    pid,
                    None,
                    Some(asset_id),
                    (*task_name).to_owned(),
                    *t,
                    status,
                    pick(department_for(*t)),
                    due,
                    16.0,
                ));
                if let Some(up) = previous {
                    deps.push((id, up));
                }
                previous = Some(id);
            }
        }
        report.tasks += task_rows.len();
        // Increasing creation times keep each shot's tasks in pipeline order.
        let base = Utc::now() - chrono::Duration::days(30);
        let values: Vec<_> = task_rows
            .iter()
            .enumerate()
            .map(|(n, (id, pid, shot, asset, name, t, status, assignee, due, estimate))| {
                (
                    tasks::created_at.eq(base + chrono::Duration::milliseconds(n as i64)),
                    tasks::id.eq(*id),
                    tasks::tenant_id.eq(tid),
                    tasks::project_id.eq(*pid),
                    tasks::shot_id.eq(*shot),
                    tasks::asset_id.eq(*asset),
                    tasks::name.eq(name.clone()),
                    tasks::task_type.eq(t.as_str()),
                    tasks::status.eq(status.as_str()),
                    tasks::assignee_id.eq(*assignee),
                    tasks::due_date.eq(Some(*due)),
                    tasks::estimate_hours.eq(Some(*estimate)),
                )
            })
            .collect();
        diesel::insert_into(tasks::table).values(values).execute(c).await?;
        let dep_values: Vec<_> = deps
            .iter()
            .map(|(task, up)| {
                (
                    task_dependencies::tenant_id.eq(tid),
                    task_dependencies::task_id.eq(*task),
                    task_dependencies::depends_on_id.eq(*up),
                )
            })
            .collect();
        diesel::insert_into(task_dependencies::table).values(dep_values).execute(c).await?;
    }
    Ok(report)
}
