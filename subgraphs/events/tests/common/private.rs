//! Private servers a fault test may stop, crash and restart without disturbing the other tests:
//! a RabbitMQ node and a PostgreSQL cluster of the test's own, on free ports, in a temporary
//! directory, removed on drop.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const RABBITMQ_BIN: &str = "/usr/lib/rabbitmq/bin";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A RabbitMQ node of the test's own (`<name>@localhost`), with no plugins.
pub struct PrivateRabbit {
    pub port: u16,
    node: String,
    dir: tempfile::TempDir,
    dist_port: u16,
}

impl PrivateRabbit {
    /// Starts a fresh node and waits until it accepts AMQP connections.
    pub async fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("studiograph-rabbit-").tempdir().unwrap();
        let port = free_port();
        std::fs::write(
            dir.path().join("rabbitmq.conf"),
            format!("listeners.tcp.local = 127.0.0.1:{port}\nloopback_users = none\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("enabled_plugins"), "[].\n").unwrap();
        std::fs::write(dir.path().join("env.conf"), "ERL_EPMD_ADDRESS=127.0.0.1\n").unwrap();
        let node = format!("faults{}@localhost", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let rabbit = Self {
            port,
            node,
            dist_port: free_port(),
            dir,
        };
        rabbit.boot().await;
        rabbit
    }

    /// The AMQP URL of this node.
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    fn command(&self, program: &str) -> Command {
        let d: PathBuf = self.dir.path().to_path_buf();
        let mut cmd = Command::new(format!("{RABBITMQ_BIN}/{program}"));
        cmd.env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_CONF_ENV_FILE", d.join("env.conf"))
            .env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq.conf"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_PID_FILE", d.join("pid"))
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string());
        cmd
    }

    /// Starts the node (again) and waits for its AMQP listener.
    pub async fn boot(&self) {
        let out = run(self.command("rabbitmq-server").arg("-detached"));
        let start = Instant::now();
        loop {
            if listening(self.port) && events::connect_amqp(&self.url(), "probe").await.is_ok() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "RabbitMQ node {} did not start: {out}",
                self.node
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the node (its connections drop, its listener closes) and waits until it is gone.
    pub async fn stop(&self) {
        let out = run(self.command("rabbitmqctl").args(["-n", &self.node, "stop"]));
        let start = Instant::now();
        while listening(self.port) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "RabbitMQ node {} did not stop: {out}",
                self.node
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for PrivateRabbit {
    fn drop(&mut self) {
        let _ = self.command("rabbitmqctl").args(["-n", &self.node, "stop"]).output();
    }
}

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// A PostgreSQL cluster of the test's own (trust auth, user `postgres`), run as the `postgres`
/// system user when the test runs as root.
pub struct PrivatePostgres {
    pub port: u16,
    dir: tempfile::TempDir,
}

impl PrivatePostgres {
    /// Initialises and starts a fresh cluster.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("studiograph-pg-").tempdir().unwrap();
        let _ = Command::new("chown").arg("postgres").arg(dir.path()).output();
        let pg = Self { port: free_port(), dir };
        let out = run(pg
            .as_postgres("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "-D"])
            .arg(pg.data()));
        assert!(pg.data().join("PG_VERSION").exists(), "initdb failed: {out}");
        pg.boot();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn as_postgres(&self, program: &str) -> Command {
        let is_root = run(Command::new("id").arg("-u")).trim() == "0";
        if is_root {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(format!("{PG_BIN}/{program}"));
            cmd
        } else {
            Command::new(format!("{PG_BIN}/{program}"))
        }
    }

    /// The superuser server URL (no database), for `TestDatabase::create_on`.
    pub fn server_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn boot(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let out = run(self
            .as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-o", &options, "-l"])
            .arg(self.dir.path().join("log"))
            .args(["-w", "start"]));
        assert!(listening(self.port), "PostgreSQL did not start: {out}");
    }

    /// Crashes the server (`-m immediate`: no checkpoint, clients cut off), then starts it again
    /// after `down_for`; recovery replays the WAL.
    pub async fn crash_and_restart(&self, down_for: Duration) {
        let out = run(self
            .as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"]));
        assert!(!listening(self.port), "PostgreSQL did not stop: {out}");
        tokio::time::sleep(down_for).await;
        self.boot();
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}
