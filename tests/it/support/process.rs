//! `relais serve` as a process of its own, the way an operator runs it: it listens on a port
//! the system picks (`127.0.0.1:0`) and the tests read that port back from its log, so no
//! two tests ever race for one.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct RelaisProcess {
    pub child: Child,
    log: PathBuf,
    port: Option<u16>,
}

impl RelaisProcess {
    /// `relais serve` in `dir` with the default configuration and `env` on top (which may
    /// set `RELAIS__WEB__BIND` to a port of its own); its log goes to `dir/relais.log`.
    pub fn spawn(dir: &Path, env: &[(&str, String)]) -> RelaisProcess {
        let log = dir.join("relais.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_relais"));
        cmd.current_dir(dir)
            .arg("--config")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.toml"))
            .arg("serve")
            .env("RELAIS__WEB__BIND", "127.0.0.1:0")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start relais serve");
        RelaisProcess { child, log, port: None }
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The port it listens on, from its "relais is listening" line (plain or JSON). Fails
    /// the test if it exits first or says nothing within 30 seconds.
    pub fn port(&mut self) -> u16 {
        if let Some(port) = self.port {
            return port;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let log = self.log();
            if let Some(port) = listening_port(&log) {
                self.port = Some(port);
                return port;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("relais serve exited with {status} before listening:\n{log}");
            }
            assert!(
                Instant::now() < deadline,
                "relais serve did not listen within 30 s:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` (`-TERM`, `-KILL`…) to the process.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args([signal, &pid]).status().unwrap().success());
    }

    /// Its exit status, waiting at most `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then an orderly exit (status 0, "stopped" in the log) within `within`;
    /// returns the log.
    pub fn terminate(mut self, within: Duration) -> String {
        self.signal("-TERM");
        let status = self.wait_exit(within);
        let log = self.log();
        match status {
            Some(status) => assert!(status.success(), "relais serve did not stop cleanly: {status}\n{log}"),
            None => panic!("relais serve did not stop within {within:?} of SIGTERM:\n{log}"),
        }
        assert!(log.contains("stopped"), "no orderly stop in the log:\n{log}");
        log
    }
}

impl Drop for RelaisProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The port of the first "relais is listening" line of `log`.
fn listening_port(log: &str) -> Option<u16> {
    let line = log.lines().find(|l| l.contains("relais is listening"))?;
    let address = regex::Regex::new(r#"address\W+([0-9a-fA-F.:\[\]]+)"#).unwrap();
    let found = address.captures(line)?;
    found[1].rsplit(':').next()?.parse().ok()
}

#[test]
fn the_port_is_read_from_plain_and_json_logs() {
    let plain = "2026-12-06T10:00:00Z  INFO relais::app: relais is listening address=127.0.0.1:41234\n";
    assert_eq!(listening_port(plain), Some(41234));
    let json =
        r#"{"timestamp":"…","level":"INFO","fields":{"message":"relais is listening","address":"127.0.0.1:5012"}}"#;
    assert_eq!(listening_port(json), Some(5012));
    assert_eq!(listening_port("relais starting\n"), None);
}
