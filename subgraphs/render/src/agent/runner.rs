//! Running a claimed chunk: placeholder substitution, real `sh -c` subprocesses, the log tail,
//! and core-seconds.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tokio::time::Instant;

/// How many bytes of combined stdout+stderr are kept and reported.
pub const LOG_TAIL_BYTES: usize = 4000;
/// After SIGTERM to a cancelled command's process group, how long before SIGKILL.
pub const KILL_GRACE: Duration = Duration::from_secs(3);
/// After a command exits, how long to keep reading output still held open by leftover
/// background processes.
const DRAIN_GRACE: Duration = Duration::from_millis(500);

/// Keeps the last `capacity` bytes written to it.
#[derive(Debug, Clone)]
pub struct LogTail {
    buf: VecDeque<u8>,
    capacity: usize,
}

impl Default for LogTail {
    fn default() -> Self {
        Self::new(LOG_TAIL_BYTES)
    }
}

impl LogTail {
    /// An empty tail keeping at most `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        Self {
            buf: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Appends output, dropping the oldest bytes beyond the capacity.
    pub fn push(&mut self, bytes: &[u8]) {
        let bytes = &bytes[bytes.len().saturating_sub(self.capacity)..];
        let overflow = (self.buf.len() + bytes.len()).saturating_sub(self.capacity);
        self.buf.drain(..overflow);
        self.buf.extend(bytes);
    }

    /// Appends an agent note on its own line (`[render-agent] ...`).
    pub fn note(&mut self, line: &str) {
        let needs_newline = self.buf.back().is_some_and(|b| *b != b'\n');
        let text = format!("{}[render-agent] {line}\n", if needs_newline { "\n" } else { "" });
        self.push(text.as_bytes());
    }

    /// The tail as valid UTF-8 (invalid sequences replaced), never longer than the capacity in
    /// bytes; a character cut in half at the start is dropped.
    pub fn to_string_lossy(&self) -> String {
        let bytes: Vec<u8> = self.buf.iter().copied().collect();
        // Skip continuation bytes of a character whose start fell off the tail.
        let start = bytes.iter().take(3).take_while(|b| (**b & 0xC0) == 0x80).count();
        let mut text = String::from_utf8_lossy(&bytes[start..]).into_owned();
        if text.len() > self.capacity {
            // Replacement characters can grow the text; trim the front at a char boundary.
            let mut cut = text.len() - self.capacity;
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            text.drain(..cut);
        }
        text
    }
}

/// Substitutes `{frame_start}`, `{frame_end}` and, when given, `{frame}` in a command template.
pub fn substitute(template: &str, frame_start: i64, frame_end: i64, frame: Option<i64>) -> String {
    let text = template
        .replace("{frame_start}", &frame_start.to_string())
        .replace("{frame_end}", &frame_end.to_string());
    match frame {
        Some(f) => text.replace("{frame}", &f.to_string()),
        None => text,
    }
}

/// Whether the template runs once per frame (it contains `{frame}`).
pub fn is_per_frame(template: &str) -> bool {
    template.contains("{frame}")
}

/// Core-seconds billed for a run: the wall-clock duration of the whole chunk (every run,
/// back to back) multiplied by the worker's registered cores. The worker is reserved for the
/// task for that long whatever the command actually uses, so this is what the farm spent; it
/// does not measure CPU time.
pub fn core_seconds(wall: Duration, cores: u32) -> f64 {
    wall.as_secs_f64() * f64::from(cores)
}

/// What to run: a claimed chunk.
#[derive(Debug, Clone)]
pub struct Chunk {
    /// The task id (exported as `STUDIOGRAPH_TASK_ID`).
    pub task_id: String,
    /// First frame (`{frame_start}`, `STUDIOGRAPH_FRAME_START`).
    pub frame_start: i64,
    /// Last frame, inclusive (`{frame_end}`, `STUDIOGRAPH_FRAME_END`).
    pub frame_end: i64,
    /// The task's attempt count from the claim (`STUDIOGRAPH_ATTEMPT`).
    pub attempt: i64,
    /// The command template, run with `sh -c`.
    pub command: String,
}

/// A chunk that ran to completion (successfully or not).
#[derive(Debug, Clone)]
pub struct Finished {
    /// Whether every run exited 0.
    pub success: bool,
    /// The last [`LOG_TAIL_BYTES`] bytes of combined output (plus agent notes on failure).
    pub log_tail: String,
    /// Wall-clock time of the whole chunk.
    pub wall: Duration,
    /// How many subprocesses were started.
    pub runs: u64,
}

/// How running a chunk ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// All runs finished, or one failed.
    Finished(Finished),
    /// Shutdown was requested; the running command was killed and reaped.
    Cancelled {
        /// Wall-clock time until the kill.
        wall: Duration,
    },
}

enum RunEnd {
    Exited(ExitStatus),
    Failed(String),
    Cancelled,
}

/// Runs a chunk: once with `{frame_start}`/`{frame_end}` substituted, or — when the command
/// contains `{frame}` — once per frame from `frame_start` to `frame_end` inclusive, stopping at
/// the first failure. Each run is `sh -c <command>` in its own process group with stdin closed;
/// the environment additionally has `STUDIOGRAPH_FRAME_START`, `STUDIOGRAPH_FRAME_END`,
/// `STUDIOGRAPH_TASK_ID`, `STUDIOGRAPH_ATTEMPT` (and `STUDIOGRAPH_FRAME` per frame).
///
/// When `shutdown` turns true, the running command's process group gets SIGTERM, then SIGKILL
/// after [`KILL_GRACE`], and is waited for before returning [`Outcome::Cancelled`].
pub async fn run_chunk(chunk: &Chunk, shutdown: &mut watch::Receiver<bool>) -> Outcome {
    let started = Instant::now();
    let mut tail = LogTail::default();
    let frames: Vec<Option<i64>> = if is_per_frame(&chunk.command) {
        if chunk.frame_start > chunk.frame_end {
            tail.note(&format!("empty frame range {}..={}", chunk.frame_start, chunk.frame_end));
            return Outcome::Finished(Finished {
                success: false,
                log_tail: tail.to_string_lossy(),
                wall: started.elapsed(),
                runs: 0,
            });
        }
        (chunk.frame_start..=chunk.frame_end).map(Some).collect()
    } else {
        vec![None]
    };
    let mut runs = 0;
    let mut success = true;
    for frame in frames {
        let command = substitute(&chunk.command, chunk.frame_start, chunk.frame_end, frame);
        let mut env = vec![
            ("STUDIOGRAPH_FRAME_START", chunk.frame_start.to_string()),
            ("STUDIOGRAPH_FRAME_END", chunk.frame_end.to_string()),
            ("STUDIOGRAPH_TASK_ID", chunk.task_id.clone()),
            ("STUDIOGRAPH_ATTEMPT", chunk.attempt.to_string()),
        ];
        if let Some(f) = frame {
            env.push(("STUDIOGRAPH_FRAME", f.to_string()));
        }
        runs += 1;
        let what = frame.map_or_else(|| "command".to_owned(), |f| format!("frame {f}"));
        match run_once(&command, &env, &mut tail, shutdown).await {
            RunEnd::Exited(status) if status.success() => {}
            RunEnd::Exited(status) => {
                tail.note(&format!("{what} failed: {status}"));
                success = false;
                break;
            }
            RunEnd::Failed(error) => {
                tail.note(&format!("{what} could not run: {error}"));
                success = false;
                break;
            }
            RunEnd::Cancelled => return Outcome::Cancelled { wall: started.elapsed() },
        }
    }
    Outcome::Finished(Finished {
        success,
        log_tail: tail.to_string_lossy(),
        wall: started.elapsed(),
        runs,
    })
}

/// Runs `sh -c command` once, streaming its combined output into `tail`.
async fn run_once(command: &str, env: &[(&str, String)], tail: &mut LogTail, shutdown: &mut watch::Receiver<bool>) -> RunEnd {
    if *shutdown.borrow() {
        return RunEnd::Cancelled;
    }
    // One pipe for both streams keeps stdout and stderr interleaved as written.
    let (reader, writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return RunEnd::Failed(format!("pipe: {e}")),
    };
    let spawned = {
        let stderr = match writer.try_clone() {
            Ok(w) => w,
            Err(e) => return RunEnd::Failed(format!("pipe: {e}")),
        };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(command)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(stderr)
            .process_group(0)
            .kill_on_drop(true);
        cmd.spawn()
        // `cmd` (holding the parent's copies of the write end) drops here so EOF can arrive.
    };
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => return RunEnd::Failed(format!("spawn sh: {e}")),
    };
    let mut output = match pipe::Receiver::from_owned_fd(OwnedFd::from(reader)) {
        Ok(r) => Some(r),
        Err(e) => {
            tail.note(&format!("cannot read output: {e}"));
            None
        }
    };
    let mut buf = vec![0u8; 8192];
    let status = loop {
        tokio::select! {
            read = read_some(&mut output, &mut buf) => match read {
                Some(n) => tail.push(&buf[..n]),
                None => output = None,
            },
            status = child.wait() => break status,
            _ = shutdown.wait_for(|stop| *stop) => {
                kill_group(&mut child).await;
                return RunEnd::Cancelled;
            }
        }
    };
    // Drain what is still buffered; stop early if a background process keeps the pipe open.
    if output.is_some() {
        let deadline = tokio::time::sleep(DRAIN_GRACE);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                read = read_some(&mut output, &mut buf) => match read {
                    Some(n) => tail.push(&buf[..n]),
                    None => break,
                },
                () = &mut deadline => break,
            }
        }
    }
    match status {
        Ok(s) => RunEnd::Exited(s),
        Err(e) => RunEnd::Failed(format!("wait: {e}")),
    }
}

/// Reads once; `None` at EOF or on error; pends forever once the reader is gone.
async fn read_some(output: &mut Option<pipe::Receiver>, buf: &mut [u8]) -> Option<usize> {
    match output {
        Some(r) => match r.read(buf).await {
            Ok(0) | Err(_) => None,
            Ok(n) => Some(n),
        },
        None => std::future::pending().await,
    }
}

/// SIGTERM to the child's process group, SIGKILL after [`KILL_GRACE`], then reap the child.
async fn kill_group(child: &mut Child) {
    let Some(pid) = child.id() else {
        let _ = child.wait().await;
        return;
    };
    signal_group(pid, "TERM").await;
    if tokio::time::timeout(KILL_GRACE, child.wait()).await.is_err() {
        signal_group(pid, "KILL").await;
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
    // Whatever else is left in the group (the leader is reaped, so the group may be empty).
    signal_group(pid, "KILL").await;
}

/// Signals a process group through the shell's `kill` (no libc or unsafe code needed).
async fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -{signal} -{pgid} 2>/dev/null"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    struct TempDir(PathBuf);
    impl TempDir {
        fn new() -> Self {
            let p = std::env::temp_dir().join(format!("render-agent-test-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }
        fn files(&self) -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(&self.0)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn chunk(command: String, start: i64, end: i64) -> Chunk {
        Chunk {
            task_id: "task-1".into(),
            frame_start: start,
            frame_end: end,
            attempt: 2,
            command,
        }
    }

    async fn run(c: &Chunk) -> Finished {
        let (_tx, mut rx) = watch::channel(false);
        match run_chunk(c, &mut rx).await {
            Outcome::Finished(f) => f,
            Outcome::Cancelled { .. } => panic!("cancelled"),
        }
    }

    #[test]
    fn substitution() {
        let t = "render -s {frame_start} -e {frame_end} -f {frame} {frame_start}";
        assert_eq!(substitute(t, 10, 19, None), "render -s 10 -e 19 -f {frame} 10");
        assert_eq!(substitute(t, 10, 19, Some(12)), "render -s 10 -e 19 -f 12 10");
        assert!(is_per_frame(t));
        assert!(!is_per_frame("render {frame_start}-{frame_end}"));
    }

    #[tokio::test]
    async fn whole_chunk_runs_once_with_env() {
        let dir = TempDir::new();
        let d = dir.0.display();
        let c = chunk(
            format!(
                "echo \"$STUDIOGRAPH_TASK_ID $STUDIOGRAPH_ATTEMPT $STUDIOGRAPH_FRAME_START $STUDIOGRAPH_FRAME_END\" > {d}/r_{{frame_start}}_{{frame_end}}.txt; echo out; echo err >&2"
            ),
            3,
            5,
        );
        let f = run(&c).await;
        assert!(f.success);
        assert_eq!(f.runs, 1);
        assert_eq!(dir.files(), vec!["r_3_5.txt"]);
        assert_eq!(std::fs::read_to_string(dir.0.join("r_3_5.txt")).unwrap(), "task-1 2 3 5\n");
        assert_eq!(f.log_tail, "out\nerr\n");
    }

    #[tokio::test]
    async fn per_frame_runs_each_frame() {
        let dir = TempDir::new();
        let d = dir.0.display();
        let f = run(&chunk(format!("touch {d}/f_{{frame}}_{{frame_start}}_{{frame_end}}.txt"), 7, 10)).await;
        assert!(f.success);
        assert_eq!(f.runs, 4);
        assert_eq!(dir.files(), vec!["f_10_7_10.txt", "f_7_7_10.txt", "f_8_7_10.txt", "f_9_7_10.txt"]);
    }

    #[tokio::test]
    async fn per_frame_stops_at_first_failure() {
        let dir = TempDir::new();
        let d = dir.0.display();
        let f = run(&chunk(format!("touch {d}/f_{{frame}}.txt && test {{frame}} -ne 3"), 1, 5)).await;
        assert!(!f.success);
        assert_eq!(f.runs, 3);
        assert_eq!(dir.files(), vec!["f_1.txt", "f_2.txt", "f_3.txt"]);
        assert!(f.log_tail.contains("frame 3 failed"), "{}", f.log_tail);
    }

    #[tokio::test]
    async fn failure_exit_code() {
        let f = run(&chunk("echo bad; exit 4".into(), 1, 1)).await;
        assert!(!f.success);
        assert!(f.log_tail.starts_with("bad\n[render-agent] command failed"), "{}", f.log_tail);
    }

    #[tokio::test]
    async fn log_tail_keeps_last_4000_bytes() {
        let f = run(&chunk(
            "i=0; while [ $i -lt 1000 ]; do printf 'line%05d\\n' $i; i=$((i+1)); done; printf END".into(),
            1,
            1,
        ))
        .await;
        assert!(f.success);
        assert_eq!(f.log_tail.len(), LOG_TAIL_BYTES);
        assert!(f.log_tail.ends_with("line00999\nEND"));
    }

    #[test]
    fn log_tail_is_valid_utf8() {
        let mut t = LogTail::new(10);
        t.push("ééééééé".as_bytes()); // 14 bytes; the cut lands mid-character
        let s = t.to_string_lossy();
        assert_eq!(s, "ééééé");
        let mut t = LogTail::new(4);
        t.push(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert!(t.to_string_lossy().len() <= 4);
        let mut t = LogTail::new(8);
        t.push(b"0123456789");
        t.push(b"ab");
        assert_eq!(t.to_string_lossy(), "456789ab");
    }

    #[tokio::test]
    async fn core_seconds_is_wall_times_cores() {
        let f = run(&chunk("sleep 0.3".into(), 1, 1)).await;
        let cs = core_seconds(f.wall, 4);
        assert!(f.wall >= Duration::from_millis(300));
        assert!((1.2..6.0).contains(&cs), "{cs}");
        assert!((core_seconds(Duration::from_millis(1500), 8) - 12.0).abs() < 1e-9);
    }

    #[tokio::test]
    async fn shutdown_kills_the_process_group() {
        let dir = TempDir::new();
        let d = dir.0.display();
        // The background `sleep` is a grandchild: killing only `sh` would leave it running.
        let c = chunk(format!("sleep 30 & echo $! > {d}/pid; wait; touch {d}/after.txt"), 1, 1);
        let (tx, mut rx) = watch::channel(false);
        let started = Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            tx.send(true).unwrap();
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
        let outcome = run_chunk(&c, &mut rx).await;
        assert!(matches!(outcome, Outcome::Cancelled { .. }));
        // SIGTERM sufficed (no wait for the SIGKILL grace).
        assert!(started.elapsed() < KILL_GRACE, "{:?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(dir.files(), vec!["pid"]);
        let pid = std::fs::read_to_string(dir.0.join("pid")).unwrap();
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        // Gone, or a zombie waiting for init to reap it.
        assert!(stat.is_empty() || stat.contains(") Z "), "grandchild still alive: {stat}");
    }
}
