//! Small HTTP servers on 127.0.0.1 standing in for the container credentials endpoint, EC2
//! instance metadata and STS's web-identity exchange. They count requests, so a test can prove a source was never asked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A request as the fake saw it.
pub struct SeenRequest {
    /// Method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Lower-cased header names with values.
    pub headers: Vec<(String, String)>,
    /// The body, as text.
    pub body: String,
}

impl SeenRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A running fake; it stops with the test process.
pub struct FakeServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    hits: Arc<AtomicUsize>,
}

impl FakeServer {
    /// Serves `route(request) -> (status, body)` on a free port.
    pub fn start(route: impl Fn(&SeenRequest) -> (u16, String) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut parts = line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or("").to_owned(),
                    parts.next().unwrap_or("").to_owned(),
                );
                let mut headers = Vec::new();
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        let k = k.trim().to_ascii_lowercase();
                        if k == "content-length" {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        headers.push((k, v.trim().to_owned()));
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                counter.fetch_add(1, Ordering::SeqCst);
                let body = String::from_utf8_lossy(&body).into_owned();
                let (status, body) = route(&SeenRequest {
                    method,
                    path,
                    headers,
                    body,
                });
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self { url, hits }
    }

    /// How many requests it received.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// The metadata services' JSON for a set of credentials.
pub fn credentials_json(key: &str, secret: &str, token: &str, expiration: &str) -> String {
    format!(
        r#"{{"Code":"Success","AccessKeyId":"{key}","SecretAccessKey":"{secret}","Token":"{token}","Expiration":"{expiration}"}}"#
    )
}
