//! What the headers of a received mail say about who sent it, read without trusting the
//! sender: the `Authentication-Results` a receiving server we run wrote, and the client
//! address our own last hop saw.
//!
//! A receiving server puts its results on top of the header (RFC 8601 §5) and removes any
//! that claim its name on arrival; only those above the first `Received:` line can be its
//! own. Anything lower was in the mail when it arrived, so anyone could have written it.

use std::net::IpAddr;

/// What the trusted server concluded about the `From:` domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerVerdict {
    /// DMARC passed for the `From:` domain (aligned).
    Pass,
    /// DMARC failed: the domain says it did not send this.
    Fail,
    /// No result from that server, or nothing conclusive.
    Unknown,
}

/// The verdict of the server named `authserv_id`, from the results it wrote on top of the
/// header, for a mail whose `From:` is at `from_domain`. `headers` are in order, names
/// lower-cased.
pub fn server_verdict(headers: &[(String, String)], authserv_id: &str, from_domain: &str) -> ServerVerdict {
    let mut verdict = ServerVerdict::Unknown;
    for (name, value) in headers {
        if name == "received" {
            break;
        }
        if name != "authentication-results" {
            continue;
        }
        let value = value.to_ascii_lowercase();
        let mut parts = value.split(';');
        let server = parts.next().unwrap_or("").split_whitespace().next().unwrap_or("");
        if !server.eq_ignore_ascii_case(authserv_id) {
            continue;
        }
        for part in parts {
            let mut words = part.split_whitespace();
            match words.next() {
                Some("dmarc=pass") => {
                    let aligned = words.filter_map(|w| w.strip_prefix("header.from=")).any(|d| {
                        d.trim_matches(|c| c == '"' || c == ';')
                            .eq_ignore_ascii_case(from_domain)
                    });
                    if aligned && verdict != ServerVerdict::Fail {
                        verdict = ServerVerdict::Pass;
                    }
                }
                Some(w) if w.starts_with("dmarc=fail") => verdict = ServerVerdict::Fail,
                _ => {}
            }
        }
    }
    verdict
}

/// What our own receiving server saw of the client that handed it the mail: the
/// `hop`-th `Received:` line from the top (1: the last hop, written by the server that
/// delivered to Relais).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientHop {
    pub ip: IpAddr,
    /// The name the client gave in HELO/EHLO.
    pub helo: String,
}

pub fn client_hop(headers: &[(String, String)], hop: usize) -> Option<ClientHop> {
    let received = headers
        .iter()
        .filter(|(n, _)| n == "received")
        .nth(hop.checked_sub(1)?)?;
    let value = received.1.split_whitespace().collect::<Vec<_>>().join(" ");
    let from = value.strip_prefix("from ")?;
    // "from HELO (RDNS [IP]) by …", "from HELO ([IP]) by …", "from HELO (IP) by …"
    let before_by = from.split(" by ").next()?;
    let helo = before_by.split_whitespace().next()?.to_string();
    let ip = before_by
        .split(['[', ']', '(', ')', ' '])
        .filter_map(|t| t.strip_prefix("IPv6:").unwrap_or(t).parse::<IpAddr>().ok())
        .next()?;
    Some(ClientHop { ip, helo })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[(&str, &str)]) -> Vec<(String, String)> {
        lines.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn only_the_trusted_servers_results_on_top_count() {
        let pass = "mx.bi.example; dkim=pass header.d=ciusss.example; spf=pass smtp.mailfrom=ciusss.example; dmarc=pass (p=reject) header.from=ciusss.example";
        let on_top = headers(&[
            ("authentication-results", pass),
            ("received", "from mail.ciusss.example by mx.bi.example"),
        ]);
        assert_eq!(
            server_verdict(&on_top, "mx.bi.example", "ciusss.example"),
            ServerVerdict::Pass
        );
        assert_eq!(
            server_verdict(&on_top, "MX.BI.EXAMPLE", "CIUSSS.example"),
            ServerVerdict::Pass
        );
        // Another domain in From: not aligned.
        assert_eq!(
            server_verdict(&on_top, "mx.bi.example", "chu.example"),
            ServerVerdict::Unknown
        );
        // Another server's results.
        assert_eq!(
            server_verdict(&on_top, "mx.other.example", "ciusss.example"),
            ServerVerdict::Unknown
        );
        // The same results below the first Received were in the mail as it arrived: forged.
        let below = headers(&[
            ("received", "from attacker.example by mx.bi.example"),
            ("authentication-results", pass),
        ]);
        assert_eq!(
            server_verdict(&below, "mx.bi.example", "ciusss.example"),
            ServerVerdict::Unknown
        );
        let fail = headers(&[(
            "authentication-results",
            "mx.bi.example; dmarc=fail (p=reject) header.from=ciusss.example",
        )]);
        assert_eq!(
            server_verdict(&fail, "mx.bi.example", "ciusss.example"),
            ServerVerdict::Fail
        );
        let none = headers(&[(
            "authentication-results",
            "mx.bi.example; dmarc=none header.from=ciusss.example",
        )]);
        assert_eq!(
            server_verdict(&none, "mx.bi.example", "ciusss.example"),
            ServerVerdict::Unknown
        );
        // A pass without header.from says nothing about the From domain.
        let bare = headers(&[("authentication-results", "mx.bi.example; dmarc=pass")]);
        assert_eq!(
            server_verdict(&bare, "mx.bi.example", "ciusss.example"),
            ServerVerdict::Unknown
        );
    }

    #[test]
    fn the_client_address_comes_from_our_own_hop() {
        let h = headers(&[
            (
                "received",
                "from mail.ciusss.example (mail.ciusss.example [203.0.113.5])\r\n\tby mx.bi.example (OpenSMTPD) with ESMTP id 1a2b3c4d\r\n\tfor <relais@bi.example>; Sun, 6 Dec 2026 09:00:00 -0500 (EST)",
            ),
            (
                "received",
                "from forged.example ([198.51.100.9]) by mail.ciusss.example",
            ),
        ]);
        let hop = client_hop(&h, 1).unwrap();
        assert_eq!(hop.ip.to_string(), "203.0.113.5");
        assert_eq!(hop.helo, "mail.ciusss.example");
        assert_eq!(client_hop(&h, 2).unwrap().ip.to_string(), "198.51.100.9");
        assert_eq!(client_hop(&h, 3), None);
        assert_eq!(client_hop(&h, 0), None);
        let v6 = headers(&[("received", "from a.example (a.example [IPv6:2001:db8::1]) by mx")]);
        assert_eq!(client_hop(&v6, 1).unwrap().ip.to_string(), "2001:db8::1");
        let local = headers(&[("received", "from localhost (localhost [127.0.0.1]) by mx (OpenSMTPD)")]);
        assert_eq!(client_hop(&local, 1).unwrap().ip.to_string(), "127.0.0.1");
    }
}
