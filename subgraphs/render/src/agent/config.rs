//! Agent configuration: command-line flags with environment-variable fallbacks.
//!
//! A tiny hand-rolled parser (flags take `--name value` or `--name=value`); a flag always wins
//! over its environment variable.

use std::time::Duration;

use anyhow::{Context, bail};

/// The usage text printed by `--help` and appended to argument errors.
pub const USAGE: &str = "\
usage: render-agent --url URL --token TOKEN [--pool POOL] [--cores N] [--hostname NAME]
                    [--heartbeat-secs SECS] [--poll-ms MS]

  --url URL             render API base URL, plain http (env RENDER_AGENT_URL); the agent POSTs to URL/graphql
  --token TOKEN         bearer token (env RENDER_AGENT_TOKEN)
  --pool POOL           render pool to join (env RENDER_AGENT_POOL, default cpu)
  --cores N             cores this worker offers (env RENDER_AGENT_CORES, default: available parallelism)
  --hostname NAME       worker hostname (env RENDER_AGENT_HOSTNAME, default: $HOSTNAME, else render-node)
  --heartbeat-secs SECS heartbeat interval (env RENDER_AGENT_HEARTBEAT_SECS, default 5)
  --poll-ms MS          idle poll interval (env RENDER_AGENT_POLL_MS, default 500)";

/// Default heartbeat interval in seconds.
pub const DEFAULT_HEARTBEAT_SECS: u64 = 5;
/// Default idle poll interval in milliseconds.
pub const DEFAULT_POLL_MS: u64 = 500;

/// The render agent's configuration.
///
/// `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Base URL of the render API (plain `http://`, no trailing slash); requests go to `{url}/graphql`.
    pub url: String,
    /// Bearer token sent on every request. Never logged.
    pub token: String,
    /// Render pool the worker registers into.
    pub pool: String,
    /// Cores the worker offers (also the multiplier for core-seconds).
    pub cores: u32,
    /// Hostname the worker registers as (re-registering the same hostname and pool reuses the worker).
    pub hostname: String,
    /// Interval between heartbeats.
    pub heartbeat: Duration,
    /// How long to sleep when there is nothing to claim.
    pub poll: Duration,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("url", &self.url)
            .field("token", &"<redacted>")
            .field("pool", &self.pool)
            .field("cores", &self.cores)
            .field("hostname", &self.hostname)
            .field("heartbeat", &self.heartbeat)
            .field("poll", &self.poll)
            .finish()
    }
}

/// Flag name, environment variable.
const URL: (&str, &str) = ("--url", "RENDER_AGENT_URL");
const TOKEN: (&str, &str) = ("--token", "RENDER_AGENT_TOKEN");
const POOL: (&str, &str) = ("--pool", "RENDER_AGENT_POOL");
const CORES: (&str, &str) = ("--cores", "RENDER_AGENT_CORES");
const HOSTNAME: (&str, &str) = ("--hostname", "RENDER_AGENT_HOSTNAME");
const HEARTBEAT: (&str, &str) = ("--heartbeat-secs", "RENDER_AGENT_HEARTBEAT_SECS");
const POLL: (&str, &str) = ("--poll-ms", "RENDER_AGENT_POLL_MS");
const FLAGS: [(&str, &str); 7] = [URL, TOKEN, POOL, CORES, HOSTNAME, HEARTBEAT, POLL];

impl Config {
    /// Reads the process's arguments and environment; prints the usage and exits 0 on `--help`.
    pub fn from_args_and_env() -> anyhow::Result<Self> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "--help" || a == "-h") {
            println!("{USAGE}");
            std::process::exit(0);
        }
        Self::parse(args, |name| std::env::var(name).ok())
    }

    /// Parses `args` (without the program name), falling back to `env` for anything not given.
    pub fn parse<I, E>(args: I, env: E) -> anyhow::Result<Self>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut given: Vec<(&'static str, String)> = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            let Some((flag, _)) = FLAGS.iter().find(|(f, _)| *f == name) else {
                bail!("unknown argument `{arg}`\n{USAGE}");
            };
            let value = match inline {
                Some(v) => v,
                None => args.next().with_context(|| format!("`{flag}` needs a value\n{USAGE}"))?,
            };
            given.retain(|(f, _)| f != flag);
            given.push((flag, value));
        }
        // A flag wins; an empty environment variable counts as unset.
        let lookup = |(flag, var): (&str, &str)| -> Option<String> {
            given
                .iter()
                .find(|(f, _)| *f == flag)
                .map(|(_, v)| v.clone())
                .or_else(|| env(var).filter(|v| !v.trim().is_empty()))
        };
        let require = |key: (&str, &str)| {
            lookup(key)
                .filter(|v| !v.trim().is_empty())
                .with_context(|| format!("missing {} (or the {} environment variable)", key.0, key.1))
        };
        let number = |key: (&str, &str), default: u64| -> anyhow::Result<u64> {
            match lookup(key) {
                None => Ok(default),
                Some(v) => {
                    let n: u64 = v
                        .trim()
                        .parse()
                        .with_context(|| format!("{} / {}: `{v}` is not a whole number", key.0, key.1))?;
                    if n == 0 {
                        bail!("{} / {} must be at least 1", key.0, key.1);
                    }
                    Ok(n)
                }
            }
        };

        let url = require(URL)?.trim().trim_end_matches('/').to_owned();
        if !url.starts_with("http://") {
            bail!(
                "{} / {} must be a plain http:// URL (the agent does not speak TLS), got `{url}`",
                URL.0,
                URL.1
            );
        }
        let token = require(TOKEN)?.trim().to_owned();
        let pool = lookup(POOL).unwrap_or_else(|| "cpu".to_owned());
        let default_cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
        let cores = u32::try_from(number(CORES, default_cores)?).with_context(|| format!("{} / {} is too large", CORES.0, CORES.1))?;
        let hostname = lookup(HOSTNAME)
            .or_else(|| env("HOSTNAME").filter(|h| !h.trim().is_empty()))
            .unwrap_or_else(|| "render-node".to_owned());
        let heartbeat = Duration::from_secs(number(HEARTBEAT, DEFAULT_HEARTBEAT_SECS)?);
        let poll = Duration::from_millis(number(POLL, DEFAULT_POLL_MS)?);
        Ok(Self {
            url,
            token,
            pool,
            cores,
            hostname,
            heartbeat,
            poll,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env: HashMap<String, String> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::parse(args.iter().map(|a| (*a).to_owned()), |k| env.get(k).cloned())
    }

    #[test]
    fn flags_override_env() {
        let c = parse(
            &[
                "--url",
                "http://flag:1/",
                "--pool=gpu",
                "--cores",
                "8",
                "--heartbeat-secs",
                "2",
                "--poll-ms=50",
            ],
            &[
                ("RENDER_AGENT_URL", "http://env:2"),
                ("RENDER_AGENT_TOKEN", "secret"),
                ("RENDER_AGENT_POOL", "cpu"),
                ("RENDER_AGENT_CORES", "4"),
                ("RENDER_AGENT_HOSTNAME", "env-host"),
                ("RENDER_AGENT_POLL_MS", "900"),
            ],
        )
        .unwrap();
        assert_eq!(c.url, "http://flag:1");
        assert_eq!(c.token, "secret");
        assert_eq!(c.pool, "gpu");
        assert_eq!(c.cores, 8);
        assert_eq!(c.hostname, "env-host");
        assert_eq!(c.heartbeat, Duration::from_secs(2));
        assert_eq!(c.poll, Duration::from_millis(50));
        assert!(!format!("{c:?}").contains("secret"));
    }

    #[test]
    fn env_and_defaults() {
        let c = parse(
            &[],
            &[
                ("RENDER_AGENT_URL", "http://127.0.0.1:4003"),
                ("RENDER_AGENT_TOKEN", "t"),
                ("HOSTNAME", "box1"),
            ],
        )
        .unwrap();
        assert_eq!(c.url, "http://127.0.0.1:4003");
        assert_eq!(c.pool, "cpu");
        assert!(c.cores >= 1);
        assert_eq!(c.hostname, "box1");
        assert_eq!(c.heartbeat, Duration::from_secs(DEFAULT_HEARTBEAT_SECS));
        assert_eq!(c.poll, Duration::from_millis(DEFAULT_POLL_MS));
        let c = parse(&["--url", "http://h", "--token", "t"], &[]).unwrap();
        assert_eq!(c.hostname, "render-node");
    }

    #[test]
    fn missing_url_and_token_name_the_variable() {
        let e = parse(&["--token", "t"], &[]).unwrap_err().to_string();
        assert!(e.contains("--url") && e.contains("RENDER_AGENT_URL"), "{e}");
        let e = parse(&[], &[("RENDER_AGENT_URL", "http://h")]).unwrap_err().to_string();
        assert!(e.contains("--token") && e.contains("RENDER_AGENT_TOKEN"), "{e}");
    }

    #[test]
    fn rejects_bad_input() {
        let base = [("RENDER_AGENT_URL", "http://h"), ("RENDER_AGENT_TOKEN", "t")];
        assert!(parse(&["--bogus", "1"], &base).is_err());
        assert!(parse(&["--cores"], &base).is_err());
        assert!(parse(&["--cores", "zero"], &base).is_err());
        assert!(parse(&["--cores", "0"], &base).is_err());
        assert!(parse(&["--url", "https://h"], &base).is_err());
    }
}
