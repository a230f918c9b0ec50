//! The SMTP relay's connections: messages in a row share one, and one the server closed
//! while idle is replaced, not used for a message that would then fail.

use crate::support;

use lettre::address::{Address, Envelope};
use relais::config::{Smtp, TlsMode};
use relais::outbound::smtp::SmtpRelay;
use std::time::Duration;
use support::slow_relay::{Pace, SlowRelay};

fn message(n: usize) -> (Envelope, Vec<u8>) {
    let from: Address = "relais@bi.example".parse().expect("address");
    let to: Address = "marie@ciusss.example".parse().expect("address");
    let bytes = format!(
        "From: relais@bi.example\r\nTo: marie@ciusss.example\r\nMessage-ID: <m{n}@bi.example>\r\nSubject: =?utf-8?q?Accus=C3=A9_de_r=C3=A9ception?=\r\n\r\nVotre demande est bien arrivee.\r\n"
    );
    (
        Envelope::new(Some(from), vec![to]).expect("envelope"),
        bytes.into_bytes(),
    )
}

#[tokio::test]
async fn messages_in_a_row_share_a_connection_and_one_closed_while_idle_is_replaced() {
    let server = SlowRelay::start(Pace::Accept(Duration::ZERO)).await;
    let relay = SmtpRelay::new(&Smtp {
        host: "127.0.0.1".into(),
        port: server.port,
        tls: TlsMode::None,
        timeout_seconds: 5,
        ..Smtp::default()
    });
    for n in 0..5 {
        let (envelope, bytes) = message(n);
        relay.send(&envelope, &bytes).await.expect("accepted");
    }
    assert_eq!(server.accepted().len(), 5);
    assert_eq!(server.connections(), 1, "five messages in a row, one connection");

    // The server closes the idle session; a while later the next message goes through
    // a new connection rather than failing on the dead one.
    server.hang_up().await;
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (envelope, bytes) = message(5);
    relay.send(&envelope, &bytes).await.expect("sent over a new connection");
    assert_eq!(
        server.accepted(),
        (0..6).map(|n| format!("<m{n}@bi.example>")).collect::<Vec<_>>()
    );
    assert_eq!(server.connections(), 2);
}
