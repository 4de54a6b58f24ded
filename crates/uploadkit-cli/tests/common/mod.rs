//! Running the `uploadkit` binary as a long-lived server in tests.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The `uploadkit` under test: this build's, or `UPLOADKIT_BIN` (to run the attack suite against
/// another build and compare).
pub fn binary() -> String {
    std::env::var("UPLOADKIT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_uploadkit").to_owned())
}

/// A running `uploadkit` server, stopped (its process group) on drop.
pub struct Running {
    child: Child,
    /// What it printed up to and including the ready line.
    pub lines: Vec<String>,
}

impl Running {
    /// Starts `uploadkit ARGS` with `env` added (or, with `clear_env`, alone) and waits for a
    /// line containing `ready`.
    pub fn start(args: &[&str], env: &[(&str, String)], clear_env: bool, ready: &str) -> Self {
        let mut cmd = Command::new(binary());
        cmd.args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if clear_env {
            cmd.env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default());
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let (tx, rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut lines = Vec::new();
        while !lines.iter().any(|l: &String| l.contains(ready)) {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => lines.push(line),
                Err(_) => panic!("no {ready:?} line; output:\n{}", lines.join("\n")),
            }
        }
        Self { child, lines }
    }

    /// The first `http://…` on the line starting with `label`, without a trailing `/` or path
    /// template.
    pub fn url(&self, label: &str) -> String {
        let line = self
            .lines
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap();
        let url = url
            .trim_end_matches("/{key}")
            .trim_end_matches("/v1/uploads");
        url.trim_end_matches('/').to_owned()
    }
}

/// A running `uploadkit local` on free ports, keeping its objects in `data`.
#[allow(dead_code)]
pub struct LocalStack {
    /// The process.
    pub running: Running,
    /// The page and the API.
    pub app: String,
    /// The S3 store.
    pub store: String,
    /// The logo route.
    pub cdn: String,
}

#[allow(dead_code)]
impl LocalStack {
    /// Starts it with the repository's page folder.
    pub fn start(data: &std::path::Path) -> Self {
        let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www");
        let (data, www) = (data.display().to_string(), www.display().to_string());
        let args = [
            "local",
            "--store-port",
            "0",
            "--app-port",
            "0",
            "--cdn-port",
            "0",
            "--data-dir",
            &data,
            "--www",
            &www,
        ];
        let running = Running::start(&args, &[], false, "dev grant");
        Self {
            app: running.url("upload page"),
            store: running.url("S3 store"),
            cdn: running.url("logo CDN"),
            running,
        }
    }
}

impl Running {
    /// Sends SIGTERM, as a container runtime stops a service.
    #[allow(dead_code)]
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Its exit status, if it exits within `within`.
    #[allow(dead_code)]
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let start = std::time::Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        uploadkit_tests::stop_process_group(&mut self.child);
    }
}
