//! Serving: health routes and graceful shutdown.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::db::Db;

/// `GET /healthz` (process alive), `GET /readyz` (database reachable), `GET /metrics`
/// (Prometheus text: SQL statements, pool size and idle connections).
pub fn health_routes(db: Db) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .with_state(db)
}

async fn metrics(State(db): State<Db>) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    let (size, available) = db.pool_status();
    let body = format!(
        "# HELP studiograph_db_statements_total SQL statements sent to PostgreSQL.\n\
         # TYPE studiograph_db_statements_total counter\n\
         studiograph_db_statements_total {}\n\
         # HELP studiograph_db_pool_connections Open pooled connections.\n\
         # TYPE studiograph_db_pool_connections gauge\n\
         studiograph_db_pool_connections {size}\n\
         # HELP studiograph_db_pool_idle Idle pooled connections.\n\
         # TYPE studiograph_db_pool_idle gauge\n\
         studiograph_db_pool_idle {available}\n",
        db.statements().get()
    );
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

async fn ready(State(db): State<Db>) -> (StatusCode, &'static str) {
    match db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}

/// Serves `router` until SIGINT/SIGTERM, then stops accepting and drains in-flight requests for
/// at most `HTTP_DRAIN_TIMEOUT_MS` (default 30 s; open WebSockets would otherwise hold it forever).
pub async fn serve(listener: TcpListener, router: Router) -> anyhow::Result<()> {
    let drain = std::time::Duration::from_millis(crate::config::parsed("HTTP_DRAIN_TIMEOUT_MS", 30_000)?);
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = signalled.send(());
    });
    let deadline = async move {
        if on_signal.await.is_ok() {
            tokio::time::sleep(drain).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = server => served?,
        () = deadline => {
            tracing::warn!(drain_ms = drain.as_millis() as u64, "Drain timed out; closing the remaining connections");
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("Shutdown signal received; draining");
}
