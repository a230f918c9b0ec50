//! A small SMTP relay on loopback that takes its time: it speaks just enough SMTP for
//! lettre (no TLS, no AUTH), keeps the Message-ID of every message it receives, and either
//! waits a while before accepting each message or never answers after its DATA. It counts
//! the connections it accepted, and can hang up on every open one.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the relay does once a message's DATA has arrived.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Waits this long, then accepts the message (250).
    Accept(Duration),
    /// Never answers: the client waits until it gives up.
    Hang,
}

/// A running relay, stopped when dropped.
pub struct SlowRelay {
    pub port: u16,
    /// The Message-ID of each message whose DATA arrived, in order, repeats included.
    received: Arc<Mutex<Vec<String>>>,
    /// The Message-ID of each message the relay accepted (answered 250 to).
    accepted: Arc<Mutex<Vec<String>>>,
    /// How many connections were accepted, and how many are open now.
    connections: Arc<AtomicUsize>,
    open: Arc<AtomicUsize>,
    /// Bumped to make every open session hang up.
    hang_up: tokio::sync::watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl SlowRelay {
    pub async fn start(pace: Pace) -> SlowRelay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
        let port = listener.local_addr().expect("relay address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let open = Arc::new(AtomicUsize::new(0));
        let (hang_up, hang_ups) = tokio::sync::watch::channel(0u64);
        let (r, a, c, o) = (received.clone(), accepted.clone(), connections.clone(), open.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                o.fetch_add(1, Ordering::SeqCst);
                let (r, a, o, mut hang_ups) = (r.clone(), a.clone(), o.clone(), hang_ups.clone());
                hang_ups.mark_unchanged();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = session(stream, pace, r, a) => {}
                        _ = hang_ups.changed() => {}
                    }
                    o.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        SlowRelay {
            port,
            received,
            accepted,
            connections,
            open,
            hang_up,
            task,
        }
    }

    /// How many connections the relay has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Closes every open session, as a server does with idle ones, and waits until they
    /// are closed.
    pub async fn hang_up(&self) {
        self.hang_up.send_modify(|generation| *generation += 1);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while self.open.load(Ordering::SeqCst) > 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the relay's sessions did not close"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Settings (`RELAIS__…` variables) that send mail through this relay, with an SMTP
    /// timeout of `timeout_seconds`.
    pub fn env(&self, timeout_seconds: u64) -> Vec<(&'static str, String)> {
        vec![
            ("RELAIS__MAIL__FROM_ADDRESS", "relais@bi.example".to_string()),
            ("RELAIS__MAIL__OUTBOUND", "smtp".to_string()),
            ("RELAIS__SMTP__HOST", "127.0.0.1".to_string()),
            ("RELAIS__SMTP__PORT", self.port.to_string()),
            ("RELAIS__SMTP__TLS", "none".to_string()),
            ("RELAIS__SMTP__TIMEOUT_SECONDS", timeout_seconds.to_string()),
        ]
    }

    pub fn received(&self) -> Vec<String> {
        self.received.lock().expect("relay log").clone()
    }

    pub fn accepted(&self) -> Vec<String> {
        self.accepted.lock().expect("relay log").clone()
    }

    /// Waits until at least `n` messages have been received, or `within` has passed.
    pub async fn wait_received(&self, n: usize, within: Duration) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SlowRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(stream: TcpStream, pace: Pace, received: Arc<Mutex<Vec<String>>>, accepted: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 slow-relay ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line.trim_end().split(' ').next().unwrap_or("").to_ascii_uppercase();
        let answer: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 slow-relay\r\n",
            "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            "DATA" => {
                if write.write_all(b"354 go ahead\r\n").await.is_err() {
                    return;
                }
                let mut message_id = String::new();
                let mut in_headers = true;
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    if in_headers {
                        if line == "\r\n" {
                            in_headers = false;
                        } else if let Some((name, value)) = line.split_once(':')
                            && name.eq_ignore_ascii_case("message-id")
                        {
                            message_id = value.trim().to_string();
                        }
                    }
                }
                received.lock().expect("relay log").push(message_id.clone());
                match pace {
                    Pace::Accept(delay) => tokio::time::sleep(delay).await,
                    Pace::Hang => std::future::pending::<()>().await,
                }
                accepted.lock().expect("relay log").push(message_id);
                b"250 queued\r\n"
            }
            _ => b"502 not implemented\r\n",
        };
        if write.write_all(answer).await.is_err() {
            return;
        }
    }
}
