//! A real SMTP server (aiosmtpd) for the mail tests: `SmtpSink::start()`
//! runs `tests/support/smtp_sink.py` on a free port and reads back what it
//! received. Debian's `python3-aiosmtpd` must be installed (`.ci/run`
//! installs it); without it the tests fail, they do not skip.

use std::{
    io::{BufRead, BufReader},
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use super::unique;

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    out: PathBuf,
}

impl SmtpSink {
    /// A server that accepts every message.
    pub fn start() -> Self {
        Self::spawn(false)
    }

    /// A server that answers every message with 451 (try again later).
    pub fn failing() -> Self {
        Self::spawn(true)
    }

    /// A server that takes `delay` over each message, as a distant one
    /// does: a batch then takes long enough to be interrupted.
    pub fn slow(delay: Duration) -> Self {
        let port = free_port();
        let out = std::env::temp_dir().join(format!("karakana-smtp-{}", unique()));
        std::fs::create_dir_all(&out).expect("the sink's folder");
        let child = Self::launch(port, &out, false, Some(delay));
        Self { child, port, out }
    }

    /// The server goes away: its port refuses connections.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server is back, on the same port, keeping what it received.
    pub fn restart(&mut self) {
        self.stop();
        self.child = Self::launch(self.port, &self.out, false, None);
    }

    fn spawn(fail: bool) -> Self {
        let port = free_port();
        let out = std::env::temp_dir().join(format!("karakana-smtp-{}", unique()));
        std::fs::create_dir_all(&out).expect("the sink's folder");
        let child = Self::launch(port, &out, fail, None);
        Self { child, port, out }
    }

    fn launch(port: u16, out: &std::path::Path, fail: bool, delay: Option<Duration>) -> Child {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let mut command = Command::new("/usr/bin/python3");
        command
            .arg(script)
            .args(["--port", &port.to_string(), "--out"])
            .arg(out)
            .stdout(Stdio::piped());
        if fail {
            command.arg("--fail");
        }
        if let Some(delay) = delay {
            command.args(["--delay", &delay.as_secs_f64().to_string()]);
        }
        let mut child = command.spawn().expect(
            "/usr/bin/python3 runs (apt-get install -y python3-aiosmtpd: the mail tests need a real SMTP server)",
        );
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("its output"))
            .read_line(&mut ready)
            .expect("the SMTP sink starts");
        assert_eq!(
            ready.trim(),
            "ready",
            "the SMTP sink did not start (is python3-aiosmtpd installed?)"
        );
        child
    }

    /// Where each message received is written, as JSON.
    #[must_use]
    pub fn folder(&self) -> &std::path::Path {
        &self.out
    }

    /// `settings.mail` pointing the app at this server.
    #[must_use]
    pub fn settings(&self) -> Value {
        json!({
            "from": "Kamau Motors <service@kamaumotors.co.ke>",
            "delivery": {"kind": "smtp", "host": "127.0.0.1", "port": self.port, "tls": "none"},
        })
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Value> {
        let mut messages = Vec::new();
        for entry in std::fs::read_dir(&self.out).expect("the sink's folder") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".json") && !name.starts_with('.') {
                let raw = std::fs::read_to_string(&path).expect("a message file");
                messages.push(serde_json::from_str(&raw).expect("a message record"));
            }
        }
        messages
    }

    /// The messages once there are `count` of them (mail sent by a worker
    /// in another process arrives when it arrives).
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let messages = self.messages();
            if messages.len() >= count || started.elapsed() > within {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.out);
    }
}
