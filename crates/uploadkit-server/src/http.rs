//! What every outgoing request of the native adapters shares: a bound on how long it may wait,
//! and network errors told without their URL, since a presigned URL carries a signature and,
//! with session credentials, the session token.

use std::time::Duration;

/// How long a connection to S3 may take to open.
pub const S3_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long S3 may stay silent in the middle of an answer: a stalled server becomes an error
/// instead of a command or request that never ends. Far longer than any of the kit's requests
/// takes (the largest, a logo's copy, is a few megabytes at most).
pub const S3_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// How long an idle connection is kept for reuse: short, so a request is not sent on one the
/// server has stopped serving (Ceph's gateway left such a request unanswered).
pub const S3_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The client for S3 operations (provisioning, the doctor's checks, promotion, revalidation).
///
/// ```
/// let client = uploadkit_server::http::s3_client();
/// # drop(client);
/// ```
pub fn s3_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(S3_CONNECT_TIMEOUT)
        .read_timeout(S3_READ_TIMEOUT)
        .pool_idle_timeout(S3_IDLE_TIMEOUT)
        .build()
        .expect("a client with timeouts only")
}

/// Headers as the core reads them: (name, value) pairs, names lower-case as `http` keeps them.
/// A value that is not visible ASCII is left out (no header the kit reads has one).
///
/// ```
/// let mut map = reqwest::header::HeaderMap::new();
/// map.insert("ETag", "\"abc\"".parse().unwrap());
/// assert_eq!(uploadkit_server::http::header_pairs(&map), [("etag".to_owned(), "\"abc\"".to_owned())]);
/// ```
pub fn header_pairs(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

/// A request's failure with its causes (`tcp connect error: Connection refused`), without the
/// URL reqwest puts in its message.
///
/// ```
/// # async fn demo() {
/// let client = uploadkit_server::http::s3_client();
/// if let Err(e) = client.get("http://127.0.0.1:9/?X-Amz-Signature=abc").send().await {
///     assert!(!uploadkit_server::http::describe(e).contains("X-Amz-Signature"));
/// }
/// # }
/// ```
pub fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        e.to_string()
    };
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let part = c.to_string();
        // hyper repeats its inner error's words in its own message.
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_request_is_described_without_its_url() {
        // A port nothing listens on: refused at once.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = s3_client()
            .get(format!(
                "http://127.0.0.1:{port}/b/k?X-Amz-Security-Token=SECRETTOKEN&X-Amz-Signature=feed"
            ))
            .send()
            .await
            .unwrap_err();
        let text = describe(e);
        assert!(
            !text.contains("SECRETTOKEN") && !text.contains("feed"),
            "{text}"
        );
        assert!(!text.contains("127.0.0.1"), "{text}");
        assert!(text.to_lowercase().contains("refused"), "{text}");
    }
}
