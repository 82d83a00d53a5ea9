//! The render-node agent: registers with the render API, heartbeats in the background, and
//! loops claiming frame-chunk tasks, running them as real subprocesses and reporting the result.
//!
//! On SIGTERM/SIGINT it stops claiming, kills a running command (and waits for it), releases the
//! task back to the queue and returns `Ok(())`. Transient API failures are retried with backoff
//! (see [`client::ApiClient::call_with`]); an HTTP 401 is fatal.

pub mod client;
pub mod config;
pub mod runner;

use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{debug, error, info, warn};

use client::{ApiClient, ApiError, ClaimedTask, ReportStatus, Retry};
pub use config::Config;
use runner::{Chunk, Outcome};

/// During shutdown, how long releasing a task (or delivering a pending report) keeps retrying.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Runs the agent until SIGTERM/SIGINT (then `Ok(())`) or a fatal error (bad token, rejected
/// registration).
pub async fn run(config: Config) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    spawn_signal_listener(Arc::clone(&stop_tx))?;
    let client = ApiClient::new(&config.url, &config.token, stop_rx.clone())?;
    info!(
        url = %config.url,
        pool = %config.pool,
        hostname = %config.hostname,
        cores = config.cores,
        heartbeat_secs = config.heartbeat.as_secs(),
        poll_ms = config.poll.as_millis() as u64,
        "Starting render agent"
    );

    let worker_id = match register(&client, &config).await {
        Ok(id) => id,
        Err(ApiError::Stopped) => {
            info!("Shutdown requested before registration completed");
            return Ok(());
        }
        Err(e) => return Err(fatal("Registration failed", &e)),
    };

    let (worker_tx, worker_rx) = watch::channel(worker_id);
    let heartbeat = tokio::spawn(heartbeat_loop(client.clone(), worker_rx, config.heartbeat, Arc::clone(&stop_tx)));
    let result = work_loop(&config, &client, &worker_tx, stop_rx).await;

    let heartbeat_result = if heartbeat.is_finished() {
        heartbeat.await.unwrap_or(Ok(()))
    } else {
        heartbeat.abort();
        Ok(())
    };
    result?;
    if let Err(e) = heartbeat_result {
        return Err(fatal("Heartbeat failed", &e));
    }
    info!("Render agent stopped");
    Ok(())
}

/// Logs a fatal API error and turns it into the error `run` returns.
fn fatal(context: &str, e: &ApiError) -> anyhow::Error {
    if *e == ApiError::Unauthorized {
        error!(error = %e, "{context}: the render API rejected the token");
    } else {
        error!(error = %e, "{context}");
    }
    anyhow::anyhow!("{context}: {e}")
}

async fn register(client: &ApiClient, config: &Config) -> Result<String, ApiError> {
    let worker = client.register(&config.hostname, &config.pool, config.cores).await?;
    info!(
        worker.id = %worker.id,
        hostname = %worker.hostname,
        pool = %worker.pool,
        cores = worker.cores,
        status = %worker.status,
        "Registered worker"
    );
    Ok(worker.id)
}

/// SIGTERM and SIGINT request shutdown (repeats are logged and otherwise ignored).
fn spawn_signal_listener(stop: Arc<watch::Sender<bool>>) -> anyhow::Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        loop {
            let name = tokio::select! {
                Some(()) = term.recv() => "SIGTERM",
                Some(()) = int.recv() => "SIGINT",
                else => break,
            };
            if stop.send_replace(true) {
                info!(signal = name, "Shutdown already in progress");
            } else {
                info!(signal = name, "Shutdown requested: no new claims");
            }
        }
    });
    Ok(())
}

/// Heartbeats every `every` until aborted; a 401 requests shutdown and is returned.
async fn heartbeat_loop(
    client: ApiClient,
    worker: watch::Receiver<String>,
    every: Duration,
    stop: Arc<watch::Sender<bool>>,
) -> Result<(), ApiError> {
    let mut ticker = tokio::time::interval_at(Instant::now() + every, every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let id = worker.borrow().clone();
        match client.heartbeat(&id).await {
            Ok(status) => debug!(worker.id = %id, status = status.as_deref().unwrap_or("?"), "Heartbeat"),
            Err(ApiError::Stopped) => return Ok(()),
            Err(ApiError::Unauthorized) => {
                error!(worker.id = %id, "Heartbeat: the render API rejected the token; shutting down");
                stop.send_replace(true);
                return Err(ApiError::Unauthorized);
            }
            Err(e) => warn!(worker.id = %id, error = %e, "Heartbeat rejected"),
        }
    }
}

/// Claims and runs tasks until shutdown.
async fn work_loop(
    config: &Config,
    client: &ApiClient,
    worker: &watch::Sender<String>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        let worker_id = worker.borrow().clone();
        let task = match client.claim(&worker_id).await {
            Ok(Some(task)) => task,
            Ok(None) => {
                idle(config.poll, &mut stop).await;
                continue;
            }
            Err(ApiError::Stopped) => return Ok(()),
            Err(ApiError::Unauthorized) => return Err(fatal("Claim failed", &ApiError::Unauthorized)),
            Err(e) if e.code() == Some("NOT_FOUND") => {
                warn!(worker.id = %worker_id, error = %e, "The render API does not know this worker; registering again");
                match register(client, config).await {
                    Ok(id) => {
                        worker.send_replace(id);
                    }
                    Err(ApiError::Stopped) => return Ok(()),
                    Err(ApiError::Unauthorized) => return Err(fatal("Registration failed", &ApiError::Unauthorized)),
                    Err(e) => {
                        warn!(error = %e, "Registering again failed");
                        idle(config.poll, &mut stop).await;
                    }
                }
                continue;
            }
            Err(e) => {
                warn!(worker.id = %worker_id, error = %e, "Claim rejected");
                idle(config.poll, &mut stop).await;
                continue;
            }
        };
        run_task(config, client, &worker_id, task, &mut stop).await?;
    }
}

/// Sleeps for `poll` or until shutdown.
async fn idle(poll: Duration, stop: &mut watch::Receiver<bool>) {
    tokio::select! {
        () = tokio::time::sleep(poll) => {}
        _ = stop.wait_for(|s| *s) => {}
    }
}

/// Runs one claimed task and reports it (or, on shutdown, kills it and releases it).
async fn run_task(
    config: &Config,
    client: &ApiClient,
    worker_id: &str,
    task: ClaimedTask,
    stop: &mut watch::Receiver<bool>,
) -> anyhow::Result<()> {
    info!(
        task.id = %task.id,
        job.id = %task.job.as_ref().map_or("?", |j| j.id.as_str()),
        frames = %format!("{}..={}", task.frame_start, task.frame_end),
        attempt = task.attempts,
        per_frame = task.command.as_deref().is_some_and(runner::is_per_frame),
        "Claimed task"
    );
    // Claimed just as shutdown arrived: hand it straight back.
    let outcome = if *stop.borrow() {
        Outcome::Cancelled { wall: Duration::ZERO }
    } else if let Some(command) = task.command {
        let chunk = Chunk {
            task_id: task.id.clone(),
            frame_start: task.frame_start,
            frame_end: task.frame_end,
            attempt: task.attempts,
            command,
        };
        runner::run_chunk(&chunk, stop).await
    } else {
        let mut tail = runner::LogTail::default();
        tail.note("the claimed task has no command");
        Outcome::Finished(runner::Finished {
            success: false,
            log_tail: tail.to_string_lossy(),
            wall: Duration::ZERO,
            runs: 0,
        })
    };
    match outcome {
        Outcome::Cancelled { wall } => {
            info!(task.id = %task.id, wall_secs = wall.as_secs_f64(), "Shutdown: command stopped; releasing task");
            match client
                .release(&task.id, worker_id, Retry::Until(Instant::now() + SHUTDOWN_GRACE))
                .await
            {
                Ok(status) => info!(task.id = %task.id, status = status.as_deref().unwrap_or("?"), "Released task"),
                Err(ApiError::Unauthorized) => return Err(fatal("Release failed", &ApiError::Unauthorized)),
                Err(e) => {
                    warn!(task.id = %task.id, error = %e, "Could not release task; the server will reclaim it after the heartbeat timeout")
                }
            }
        }
        Outcome::Finished(finished) => {
            let status = if finished.success {
                ReportStatus::Succeeded
            } else {
                ReportStatus::Failed
            };
            let core_seconds = runner::core_seconds(finished.wall, config.cores);
            info!(
                task.id = %task.id,
                status = status.as_str(),
                runs = finished.runs,
                wall_secs = finished.wall.as_secs_f64(),
                core_seconds,
                "Task finished"
            );
            let mut reported = client
                .report(&task.id, worker_id, status, &finished.log_tail, core_seconds, Retry::UntilShutdown)
                .await;
            if reported == Err(ApiError::Stopped) {
                warn!(task.id = %task.id, "Shutdown requested while the report was undeliverable; retrying a little longer");
                reported = client
                    .report(
                        &task.id,
                        worker_id,
                        status,
                        &finished.log_tail,
                        core_seconds,
                        Retry::Until(Instant::now() + SHUTDOWN_GRACE),
                    )
                    .await;
            }
            match reported {
                Ok(new_status) => info!(task.id = %task.id, status = new_status.as_deref().unwrap_or("?"), "Reported task"),
                Err(ApiError::Unauthorized) => return Err(fatal("Report failed", &ApiError::Unauthorized)),
                Err(ApiError::Stopped) => error!(task.id = %task.id, "Report could not be delivered before shutdown"),
                Err(e) => warn!(task.id = %task.id, error = %e, "Report rejected; carrying on"),
            }
        }
    }
    Ok(())
}
