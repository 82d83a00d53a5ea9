//! `gateway serve [--supergraph PATH]`: the federation gateway's binary.

use std::net::SocketAddr;

use anyhow::Context as _;

const USAGE: &str = "usage: gateway serve [--supergraph PATH] | gateway dev-token EMAIL";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => {
            let supergraph = args
                .iter()
                .position(|a| a == "--supergraph")
                .and_then(|i| args.get(i + 1))
                .map(std::path::PathBuf::from);
            serve(gateway::config::GatewayConfig::from_env(supergraph)?).await
        }
        Some("dev-token") => {
            // A client access token (audience `studiograph`) for a demo user, development only.
            let email = args.get(1).context(USAGE)?;
            println!("{}", platform::demo::dev_token(gateway::app::PUBLIC_AUDIENCE, email)?);
            Ok(())
        }
        _ => anyhow::bail!(USAGE),
    }
}

async fn serve(config: gateway::config::GatewayConfig) -> anyhow::Result<()> {
    let sdl = config.read_supergraph()?;
    let keys = config.signing_key()?;
    let gw = gateway::build(&sdl, &config.subgraph_urls, &config, &keys).await?;
    for (name, url) in gw.executor.subgraph_urls() {
        tracing::info!(subgraph = %name, %url, "Subgraph");
    }
    let app = gateway::router(gw.clone(), &config);
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("binding {}", config.listen_addr))?;
    tracing::info!(listen.addr = %config.listen_addr, supergraph = %config.supergraph_path.display(), "Gateway listening");
    let draining = gw.clone();
    let signal = async move {
        platform::server::shutdown_signal().await;
        // Stop accepting (axum), finish in-flight requests, and close subscriptions (1001).
        draining.begin_shutdown();
    };
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(signal)
        .await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while gw.metrics.open_subscriptions.load(std::sync::atomic::Ordering::Relaxed) > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tracing::info!("Gateway drained");
    Ok(())
}
