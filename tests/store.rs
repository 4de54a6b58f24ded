//! uploadkit's embedded store as `uploadkit local` runs it: every valid upload lands whole, and
//! what an outsider sends (oversize or unsigned bodies, stray CORS headers, slow headers) is
//! refused without the store holding it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use uploadkit_core::catalogue::{
    Catalogue, FileName, ServiceId, UploadId, UploadKind, UploadPlan, UploadRequest,
};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::Credentials;
use uploadkit_core::local::{LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY};
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};
use uploadkit_core::sigv4::Signer;
use uploadkit_tests::form::post_form;
use uploadkit_tests::local_store::{LocalStore, PAGE_ORIGIN};

fn catalogue() -> Catalogue {
    Catalogue::from_env(|_| None, None).unwrap()
}

fn started() -> LocalStore {
    let catalogue = catalogue();
    let names: Vec<String> = catalogue
        .buckets()
        .map(|(_, n)| n.as_str().to_owned())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    LocalStore::start(&names)
}

fn now() -> SigningTime {
    SigningTime::new(time::OffsetDateTime::now_utc())
}

/// Signs a form for `kind` and `size` against the store.
fn form(
    store: &LocalStore,
    kind: UploadKind,
    size: u64,
) -> (UploadPlan, Vec<(String, String)>, String) {
    let extension = kind.file_types()[0].extension;
    let plan = UploadPlan::new(
        &catalogue(),
        &UploadRequest {
            kind,
            service_id: Some(ServiceId::parse("4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b").unwrap()),
            upload_id: UploadId::from_uuid(uuid::Uuid::new_v4()),
            file_name: FileName::parse(&format!("upload.{extension}")).unwrap(),
            size,
            content_type: None,
        },
    )
    .unwrap();
    let target = S3Target {
        region: "eu-west-1".into(),
        endpoint: Some(CustomEndpoint::parse(&store.endpoint()).unwrap()),
        addressing: AddressingStyle::Path,
    };
    let signer = Signer::new(
        Credentials::new(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, None, None).unwrap(),
    );
    let post = plan.sign(&signer, &target, now(), 600).unwrap();
    (plan, post.fields, post.url)
}

/// xorshift64*: reproducible bytes and sizes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

fn upload_and_read_back(store: &LocalStore, kind: UploadKind, file: &[u8]) {
    let (plan, fields, url) = form(store, kind, file.len() as u64);
    let r = post_form(&url, &fields, "upload", file);
    assert_eq!(r.status, 201, "{kind}, {} bytes: {}", file.len(), r.body);
    let stored = store
        .client()
        .get(plan.bucket.as_str(), plan.key.as_str())
        .expect("stored");
    assert!(
        stored == file,
        "{kind}, {} bytes: the stored object differs",
        file.len()
    );
    // Checked, so gone: the store holds one file at a time, and a soak needs the disk space of
    // its largest file rather than of all of them.
    store
        .client()
        .delete(plan.bucket.as_str(), plan.key.as_str());
    assert_eq!(
        store.client().get(plan.bucket.as_str(), plan.key.as_str()),
        None
    );
}

#[test]
fn a_file_of_carriage_returns_lands_whole() {
    // Every body frame ends in `\r`, the first byte of the form's closing boundary: s3s 0.14.1
    // alone refuses such a file ("failed to read file stream") once frames pass 64 KiB.
    let store = started();
    for size in [70_000, 1024 * 1024, 2 * 1024 * 1024] {
        upload_and_read_back(&store, UploadKind::LetterAttachment, &vec![b'\r'; size]);
    }
    let mut pattern = b"\r\n--".repeat(500_000);
    pattern.truncate(2 * 1024 * 1024);
    upload_and_read_back(&store, UploadKind::Letter, &pattern);
}

#[test]
fn soak_a_thousand_valid_uploads_of_random_bytes_all_land_whole() {
    let store = started();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let uploads = std::env::var("UPLOADKIT_SOAK_UPLOADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let mut bytes = 0u64;
    for i in 0..uploads {
        let kind = UploadKind::ALL[i % UploadKind::ALL.len()];
        // Log-uniform from 1 byte to the kind's limit: every order of magnitude as often, the
        // limit itself included.
        let unit = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
        let size = ((kind.max_size() as f64).powf(unit) as u64).clamp(1, kind.max_size());
        let size = if i % 97 == 0 { kind.max_size() } else { size };
        let file = rng.bytes(size as usize);
        upload_and_read_back(&store, kind, &file);
        bytes += size;
    }
    eprintln!("{uploads} uploads, {bytes} bytes, all stored byte for byte");
}

/// A connection to the store that gives up reading after a minute.
fn connect(store: &LocalStore) -> TcpStream {
    let socket = TcpStream::connect(("127.0.0.1", store.port())).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    socket
}

fn raw(store: &LocalStore, request: &[u8]) -> (String, Duration) {
    let start = Instant::now();
    let mut socket = connect(store);
    socket.write_all(request).unwrap();
    let mut answer = vec![0u8; 4096];
    let n = socket.read(&mut answer).unwrap_or(0);
    (
        String::from_utf8_lossy(&answer[..n]).into_owned(),
        start.elapsed(),
    )
}

#[test]
fn an_oversize_body_is_refused_from_its_length_before_it_is_sent() {
    let store = started();
    // Headers only: a 400 MB anonymous form the client never sends.
    let request = b"POST /local-notifications-csv-upload HTTP/1.1\r\nHost: 127.0.0.1\r\n\
        Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 400000000\r\n\r\n--x\r\n";
    let (answer, _) = raw(&store, request);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("<Code>EntityTooLarge</Code>"), "{answer}");
    assert!(
        answer.contains("10485760 bytes"),
        "the limit is named: {answer}"
    );
}

#[test]
fn an_unsigned_form_without_a_length_is_cut_off_at_the_limit() {
    let store = started();
    let mut socket = connect(&store);
    socket
        .write_all(
            b"POST /local-notifications-csv-upload HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
    let head = b"--x\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nbig.csv\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n";
    socket
        .write_all(format!("{:x}\r\n", head.len()).as_bytes())
        .unwrap();
    socket.write_all(head).unwrap();
    socket.write_all(b"\r\n").unwrap();
    let chunk = vec![b'a'; 1024 * 1024];
    let mut sent = 0;
    // Up to 20 MiB; the store answers (and stops reading) long before.
    for _ in 0..20 {
        let ok = socket
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .and_then(|()| socket.write_all(&chunk))
            .and_then(|()| socket.write_all(b"\r\n"));
        if ok.is_err() {
            break;
        }
        sent += 1;
    }
    let mut answer = vec![0u8; 4096];
    let n = socket.read(&mut answer).unwrap_or(0);
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "refused after {sent} MiB: {answer}"
    );
    assert_eq!(
        store
            .client()
            .get("local-notifications-csv-upload", "big.csv"),
        None
    );
}

fn preflight(store: &LocalStore, origin: &str, headers: &str) -> String {
    let request = format!(
        "OPTIONS /local-notifications-csv-upload HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {origin}\r\n\
         Access-Control-Request-Method: POST\r\n{headers}Connection: close\r\n\r\n"
    );
    raw(store, request.as_bytes()).0
}

#[test]
fn preflights_answer_only_allow_listed_headers() {
    let store = started();
    let ok = preflight(
        &store,
        PAGE_ORIGIN,
        "Access-Control-Request-Headers: content-type,x-amz-checksum-sha256\r\n",
    );
    assert!(ok.starts_with("HTTP/1.1 204"), "{ok}");
    assert!(
        ok.to_ascii_lowercase()
            .contains("access-control-allow-headers: content-type, x-amz-checksum-sha256"),
        "{ok}"
    );
    let stray = preflight(
        &store,
        PAGE_ORIGIN,
        "Access-Control-Request-Headers: content-type, x-evil-header\r\n",
    );
    assert!(stray.starts_with("HTTP/1.1 403"), "{stray}");
    assert!(
        stray.contains("x-evil-header"),
        "the refusal names it: {stray}"
    );
    assert!(
        !stray
            .to_ascii_lowercase()
            .contains("access-control-allow-headers")
    );
    let foreign = preflight(&store, "https://evil.example", "");
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");
    assert!(
        !foreign
            .to_ascii_lowercase()
            .contains("access-control-allow-origin")
    );
}

#[test]
fn a_client_that_never_finishes_its_headers_is_dropped() {
    let store = started();
    let mut socket = connect(&store);
    socket
        .write_all(b"GET /local-notifications-csv-upload HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    let mut buf = [0u8; 512];
    // The store closes it (with or without a 408) instead of waiting for ever.
    let n = socket.read(&mut buf);
    assert!(
        matches!(n, Ok(0)) || String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 408"),
        "{n:?}"
    );
    // And still serves others.
    assert_eq!(
        store
            .client()
            .get("local-notifications-csv-upload", "absent.csv"),
        None
    );
}
