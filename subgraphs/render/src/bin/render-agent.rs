//! `render-agent`: the render-node daemon (see `render::agent` and `render-agent --help`).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    platform::telemetry::init();
    let result = match render::agent::Config::from_args_and_env() {
        Ok(config) => render::agent::run(config).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("render-agent: {e:#}");
            ExitCode::FAILURE
        }
    }
}
