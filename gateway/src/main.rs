//! `gateway serve [--supergraph PATH]`: the federation gateway's binary.

const USAGE: &str = "usage: gateway serve [--supergraph PATH]";

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
            let config = gateway::config::GatewayConfig::from_env(supergraph)?;
            anyhow::bail!("serving is not wired yet ({})", config.listen_addr)
        }
        _ => anyhow::bail!(USAGE),
    }
}
