//! Credential providers with real I/O: STS `AssumeRole` against SeaweedFS (refresh across the
//! boundary, one refresh under concurrency, presigns capped by the session), container
//! credentials and IMDSv2 against small servers on 127.0.0.1 — and sources that should be
//! skipped are proven untouched.

use std::sync::Arc;

use time::OffsetDateTime;
use uploadkit_api::{
    ApiConfig, ApiRequest, Context, CorsPolicy, GrantKey, GrantKeys, MintOptions, handle,
};
use uploadkit_core::catalogue::{Catalogue, ServiceId, UploadId, UploadKind};
use uploadkit_core::clock::SigningTime;
use uploadkit_core::credentials::refresh::{Backoff, RefreshPolicy};
use uploadkit_core::credentials::{
    ChainError, ChainInput, CredentialSource, FileContents, ProfileSet, Resolution, resolve_chain,
};
use uploadkit_core::s3::{AddressingStyle, CustomEndpoint, S3Target};
use uploadkit_server::credentials::{CredentialCache, FetchConfig, fetch};
use uploadkit_tests::fake_metadata::{FakeServer, credentials_json};
use uploadkit_tests::s3client::S3Client;
use uploadkit_tests::seaweedfs::{ACCESS_KEY, ROLE_ARN, SECRET_KEY, Seaweed};

fn env_of(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> + Clone {
    move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
}

fn resolve(
    env: impl Fn(&str) -> Option<String>,
    config: &str,
    credentials: &str,
) -> Result<Resolution, ChainError> {
    let profiles = ProfileSet::parse(
        Some(FileContents {
            path: "config",
            text: config,
        }),
        Some(FileContents {
            path: "credentials",
            text: credentials,
        }),
    )
    .unwrap();
    resolve_chain(&ChainInput {
        env,
        explicit_profile: None,
        profiles: &profiles,
    })
}

fn now() -> SigningTime {
    SigningTime::new(OffsetDateTime::now_utc())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn assume_role_through_seaweedfs_sts_refreshes_once_and_caps_presigns() {
    let server = Seaweed::start_with_sts();
    server.client().create_bucket("sts-bucket");
    let env = env_of(vec![
        ("AWS_PROFILE", "uploader".into()),
        ("AWS_ENDPOINT_URL_STS", server.endpoint()),
    ]);
    let config = format!(
        "[profile uploader]\nrole_arn = {ROLE_ARN}\nsource_profile = base\nrole_session_name = uploadkit-test\nduration_seconds = 900\n"
    );
    let creds =
        format!("[base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n");
    let resolution = resolve(env.clone(), &config, &creds).unwrap();
    assert!(matches!(resolution.source, CredentialSource::AssumeRole(_)));
    // Windows scaled to a 900 s session so real time crosses them within seconds: advisory
    // from 890 s left, mandatory from 880 s left.
    let windows = RefreshPolicy {
        advisory: 890,
        mandatory: 880,
        retry: Backoff::DEFAULT,
    };
    let cache = Arc::new(CredentialCache::new(
        resolution.source,
        FetchConfig::new("eu-west-1", env),
        windows,
    ));
    let rt = runtime();
    let left = |s: &uploadkit_core::sigv4::Signer| {
        s.credentials().expires_at().unwrap().unix() - now().unix()
    };

    let first = rt.block_on(cache.signer(now())).unwrap();
    assert!(first.credentials().session_token().is_some());
    assert!(
        (850..=1000).contains(&left(&first)),
        "a 900 s session, {} s left",
        left(&first)
    );
    assert_eq!(cache.fetches(), 1);
    // The session credentials work against the server.
    let put = S3Client::with_credentials(&server.endpoint(), first.credentials().clone()).send(
        "PUT",
        "sts-bucket",
        "one",
        &[],
        &[],
        b"1",
    );
    assert_eq!(
        put.status().as_u16(),
        200,
        "{}",
        put.text().unwrap_or_default()
    );

    // Fresh: the same credentials.
    let same = rt.block_on(cache.signer(now())).unwrap();
    assert!(Arc::ptr_eq(&first, &same));
    assert_eq!(cache.fetches(), 1);

    // Into the advisory window: refreshed, and the new session works too.
    while left(&first) > 888 {
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let second = rt.block_on(cache.signer(now())).unwrap();
    assert_eq!(cache.fetches(), 2);
    assert_ne!(
        second.credentials().access_key_id(),
        first.credentials().access_key_id()
    );
    let put = S3Client::with_credentials(&server.endpoint(), second.credentials().clone()).send(
        "PUT",
        "sts-bucket",
        "two",
        &[],
        &[],
        b"2",
    );
    assert_eq!(put.status().as_u16(), 200);

    // Into the mandatory window: eight concurrent callers, exactly one refresh, one result.
    while left(&second) > 878 {
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let late = now();
    let signers: Vec<_> = rt.block_on(async {
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move { cache.signer(late).await.unwrap() })
            })
            .collect();
        let mut out = Vec::new();
        for call in calls {
            out.push(call.await.unwrap());
        }
        out
    });
    assert_eq!(
        cache.fetches(),
        3,
        "one refresh for eight concurrent callers"
    );
    assert!(signers.iter().all(|s| Arc::ptr_eq(s, &signers[0])));
    assert!(!Arc::ptr_eq(&signers[0], &second));

    // A form asked for an hour is signed only until the session ends.
    let third = &signers[0];
    let session_end = third.credentials().expires_at().unwrap();
    let api = ApiConfig {
        catalogue: Catalogue::from_env(|_| None, None).unwrap(),
        target: S3Target {
            region: "eu-west-1".into(),
            endpoint: Some(CustomEndpoint::parse(&server.endpoint()).unwrap()),
            addressing: AddressingStyle::Path,
        },
        grant_keys: GrantKeys::single(
            GrantKey::new(b"credentials-test-grant-key-0123456789".to_vec()).unwrap(),
        ),
        cors: CorsPolicy::default(),
        upload_ttl: 3600,
        download_ttl: 3600,
    };
    let service = ServiceId::parse("4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b").unwrap();
    // The grant outlives the session, so the session is what caps the form.
    let grant = GrantKey::new(b"credentials-test-grant-key-0123456789".to_vec())
        .unwrap()
        .mint(&MintOptions::new(service, &[UploadKind::Csv]), late, 3600);
    let request = ApiRequest {
        method: "POST".into(),
        path: "/v1/uploads".into(),
        headers: vec![("authorization".into(), format!("Bearer {grant}"))],
        body: br#"{"kind":"csv","file_name":"a.csv","size":10}"#.to_vec(),
    };
    let response = handle(
        &api,
        &request,
        &Context {
            now: late,
            signer: Some(third),
            upload_id: UploadId::from_uuid(uuid::Uuid::new_v4()),
        },
    );
    assert_eq!(response.status, 200);
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(body["expires_at"], session_end.iso8601());
    assert!(session_end.unix() - late.unix() < 3600);
}

#[test]
fn sts_refusals_are_reported() {
    let server = Seaweed::start_with_sts();
    let env = env_of(vec![
        ("AWS_PROFILE", "uploader".into()),
        ("AWS_ENDPOINT_URL_STS", server.endpoint()),
    ]);
    let config = format!("[profile uploader]\nrole_arn = {ROLE_ARN}\nsource_profile = base\n");
    let creds = format!(
        "[base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = not-the-secret\n"
    );
    let resolution = resolve(env.clone(), &config, &creds).unwrap();
    let cache = CredentialCache::new(
        resolution.source,
        FetchConfig::new("eu-west-1", env),
        RefreshPolicy::BOTOCORE,
    );
    let err = runtime()
        .block_on(cache.signer(now()))
        .expect_err("a wrong secret is refused");
    assert!(err.to_string().contains("STS AssumeRole failed"), "{err}");
}

#[test]
fn container_credentials_send_the_token_from_its_file() {
    let fake = FakeServer::start(|req| {
        if req.path == "/creds" && req.header("authorization") == Some("token-from-file") {
            (
                200,
                credentials_json(
                    "ASIACONTAINER",
                    "container-secret",
                    "container-token",
                    "2099-01-01T00:00:00Z",
                ),
            )
        } else {
            (401, String::new())
        }
    });
    let token_file = std::env::temp_dir().join(format!("uploadkit-token-{}", uuid::Uuid::new_v4()));
    std::fs::write(&token_file, "token-from-file\n").unwrap();
    let env = env_of(vec![
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/creds", fake.url),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            token_file.display().to_string(),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "ignored-when-a-file-is-set".into(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]);
    let resolution = resolve(env.clone(), "", "").unwrap();
    let creds = runtime()
        .block_on(fetch(
            &resolution.source,
            &FetchConfig::new("eu-west-1", env),
        ))
        .unwrap();
    assert_eq!(creds.access_key_id(), "ASIACONTAINER");
    assert_eq!(creds.session_token().unwrap().expose(), "container-token");
    assert_eq!(fake.hits(), 1);
    let _ = std::fs::remove_file(token_file);
}

#[test]
fn a_failing_source_is_asked_again_only_once_the_backoff_has_passed() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let down = Arc::new(AtomicBool::new(true));
    let fake = FakeServer::start({
        let down = Arc::clone(&down);
        move |_| {
            if down.load(Ordering::SeqCst) {
                (500, "metadata service unavailable".into())
            } else {
                (
                    200,
                    credentials_json("ASIABACK", "secret", "token", "2099-01-01T00:00:00Z"),
                )
            }
        }
    });
    let env = env_of(vec![
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/creds", fake.url),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]);
    let resolution = resolve(env.clone(), "", "").unwrap();
    let cache = Arc::new(CredentialCache::new(
        resolution.source,
        FetchConfig::new("eu-west-1", env),
        RefreshPolicy::BOTOCORE,
    ));
    let rt = runtime();
    let t0 = now();
    let at = |s: i64| SigningTime::from_unix(t0.unix() + s).unwrap();
    // A burst of sixteen requests while the source is down: one call to it, one failure for all.
    let errors: Vec<String> = rt.block_on(async {
        let calls: Vec<_> = (0..16)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move { cache.signer(t0).await.map(|_| ()).unwrap_err() })
            })
            .collect();
        let mut out = Vec::new();
        for call in calls {
            out.push(call.await.unwrap().to_string());
        }
        out
    });
    assert_eq!(fake.hits(), 1, "one call to the source for the whole burst");
    assert!(errors.iter().all(|e| e == &errors[0]), "{errors:?}");
    assert!(errors[0].contains("container"), "{}", errors[0]);
    // Within the first wait (2 s) nothing is asked; after it, once; the second failure doubles
    // the wait to 4 s.
    assert!(rt.block_on(cache.signer(at(1))).is_err());
    assert_eq!(fake.hits(), 1);
    assert!(rt.block_on(cache.signer(at(2))).is_err());
    assert_eq!(fake.hits(), 2);
    assert!(rt.block_on(cache.signer(at(5))).is_err());
    assert_eq!(fake.hits(), 2, "not within the doubled wait");
    assert_eq!(cache.refresh_failures(), 2);
    // Back up: asked once the wait is over, and the credentials are kept.
    down.store(false, Ordering::SeqCst);
    let signer = rt.block_on(cache.signer(at(6))).unwrap();
    assert_eq!(signer.credentials().access_key_id(), "ASIABACK");
    assert!(rt.block_on(cache.signer(at(6))).is_ok());
    assert_eq!(fake.hits(), 3);
}

#[test]
fn instance_metadata_uses_a_session_token() {
    let fake = FakeServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("PUT", "/latest/api/token")
            if req.header("x-aws-ec2-metadata-token-ttl-seconds").is_some() =>
        {
            (200, "imds-token".into())
        }
        (_, _) if req.header("x-aws-ec2-metadata-token") != Some("imds-token") => {
            (401, String::new())
        }
        ("GET", "/latest/meta-data/iam/security-credentials/") => (200, "uploadkit-role".into()),
        ("GET", "/latest/meta-data/iam/security-credentials/uploadkit-role") => (
            200,
            credentials_json(
                "ASIAIMDS",
                "imds-secret",
                "imds-token-2",
                "2099-01-01T00:00:00Z",
            ),
        ),
        _ => (404, String::new()),
    });
    let env = env_of(vec![(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        fake.url.clone(),
    )]);
    let resolution = resolve(env.clone(), "", "").unwrap();
    let creds = runtime()
        .block_on(fetch(
            &resolution.source,
            &FetchConfig::new("eu-west-1", env),
        ))
        .unwrap();
    assert_eq!(creds.access_key_id(), "ASIAIMDS");
    assert_eq!(fake.hits(), 3, "token, role, credentials");
}

#[test]
fn sources_that_should_be_skipped_are_never_called() {
    let container = FakeServer::start(|_| {
        (
            200,
            credentials_json("ASIAWRONG", "x", "y", "2099-01-01T00:00:00Z"),
        )
    });
    let imds = FakeServer::start(|_| (200, "wrong".into()));
    let env = env_of(vec![
        ("AWS_ACCESS_KEY_ID", "AKIAFROMENV".into()),
        ("AWS_SECRET_ACCESS_KEY", "from-env".into()),
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/creds", container.url),
        ),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.clone()),
    ]);
    let resolution = resolve(env.clone(), "", "").unwrap();
    let creds = runtime()
        .block_on(fetch(
            &resolution.source,
            &FetchConfig::new("eu-west-1", env),
        ))
        .unwrap();
    assert_eq!(creds.access_key_id(), "AKIAFROMENV");
    assert_eq!((container.hits(), imds.hits()), (0, 0));

    // Instance metadata disabled and nothing else: an error listing what was searched, and
    // the metadata server is not asked.
    let env = env_of(vec![
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.clone()),
    ]);
    let err = resolve(env, "", "").unwrap_err();
    assert!(
        err.to_string()
            .contains("disabled by AWS_EC2_METADATA_DISABLED"),
        "{err}"
    );
    assert_eq!(imds.hits(), 0);
}

#[test]
fn web_identity_exchanges_the_token_file_unsigned() {
    let fake = FakeServer::start(|req| {
        let ok = req.method == "POST"
            && req.header("authorization").is_none()
            && req.body.contains("Action=AssumeRoleWithWebIdentity")
            && req.body.contains("WebIdentityToken=oidc-token-value")
            && req
                .body
                .contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fweb")
            && req.body.contains("RoleSessionName=pod-session");
        if ok {
            (200, "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey><SessionToken>web-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>".into())
        } else {
            (400, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad request</Message></Error></ErrorResponse>".into())
        }
    });
    let token_file = std::env::temp_dir().join(format!("uploadkit-oidc-{}", uuid::Uuid::new_v4()));
    std::fs::write(&token_file, "oidc-token-value\n").unwrap();
    let env = env_of(vec![
        (
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            token_file.display().to_string(),
        ),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web".into()),
        ("AWS_ROLE_SESSION_NAME", "pod-session".into()),
        ("AWS_ENDPOINT_URL_STS", fake.url.clone()),
    ]);
    let resolution = resolve(env.clone(), "", "").unwrap();
    assert!(matches!(
        resolution.source,
        CredentialSource::WebIdentity(_)
    ));
    let creds = runtime()
        .block_on(fetch(
            &resolution.source,
            &FetchConfig::new("eu-west-1", env.clone()),
        ))
        .unwrap();
    assert_eq!(
        (
            creds.access_key_id(),
            creds.session_token().unwrap().expose()
        ),
        ("ASIAWEB", "web-token")
    );
    assert_eq!(fake.hits(), 1);

    // STS's refusal is reported with its code.
    std::fs::write(&token_file, "another-token").unwrap();
    let err = runtime()
        .block_on(fetch(
            &resolution.source,
            &FetchConfig::new("eu-west-1", env),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("InvalidIdentityToken"), "{err}");
    let _ = std::fs::remove_file(token_file);
}
