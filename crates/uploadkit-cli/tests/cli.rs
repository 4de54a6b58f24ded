//! The CLI as a user runs it: output, exit status and error messages.

use std::path::Path;
use std::process::{Command, Output};

const AT: &str = "2026-11-22T09:00:00Z";

/// Runs the CLI with a clean environment: no AWS variables, a HOME without `~/.aws`.
fn run(args: &[&str], env: &[(&str, &str)], home: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_uploadkit"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn home() -> tempdir::Dir {
    tempdir::Dir::new()
}

mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    static N: AtomicUsize = AtomicUsize::new(0);

    /// A fresh directory under the target dir, removed on drop.
    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new() -> Self {
            let n = N.fetch_add(1, Ordering::SeqCst);
            let p = std::env::temp_dir().join(format!("uploadkit-cli-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const KEYS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
];

#[test]
fn presign_url_is_reproducible_with_at() {
    let h = home();
    let args = [
        "presign",
        "url",
        "--bucket",
        "mou",
        "--key",
        "crown.pdf",
        "--at",
        AT,
        "--expires",
        "600",
    ];
    let a = run(&args, KEYS, h.path());
    let b = run(&args, KEYS, h.path());
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(stdout(&a), stdout(&b));
    let url = stdout(&a);
    // The local default bucket, virtual-hosted on the global host as botocore's `auto` does.
    assert!(
        url.starts_with("https://local-mou.s3.amazonaws.com/crown.pdf?"),
        "{url}"
    );
    assert!(url.contains(
        "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261122%2Feu-west-1%2Fs3%2Faws4_request"
    ));
    assert!(url.contains("X-Amz-Expires=600&"));
}

#[test]
fn development_defaults_and_dotted_bucket_go_path_style() {
    let h = home();
    let mut env = KEYS.to_vec();
    env.push(("UPLOADKIT_ENVIRONMENT", "development"));
    let o = run(
        &[
            "presign",
            "url",
            "--bucket",
            "mou",
            "--key",
            "crown.pdf",
            "--at",
            AT,
        ],
        &env,
        h.path(),
    );
    assert!(
        stdout(&o).starts_with("https://s3.eu-west-1.amazonaws.com/notify.tools-mou/crown.pdf?"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn post_fields_become_conditions() {
    let h = home();
    let o = run(
        &[
            "presign",
            "post",
            "--bucket",
            "csv-upload",
            "--key",
            "a.csv",
            "--field",
            "Content-Type=text/csv",
            "--condition",
            "[\"content-length-range\", 1, 100]",
            "--at",
            AT,
            "--endpoint",
            "http://127.0.0.1:9000",
        ],
        KEYS,
        h.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["url"],
        "http://127.0.0.1:9000/local-notifications-csv-upload"
    );
    use base64::Engine as _;
    let policy = base64::engine::general_purpose::STANDARD
        .decode(v["fields"]["policy"].as_str().unwrap())
        .unwrap();
    let policy: serde_json::Value = serde_json::from_slice(&policy).unwrap();
    let conditions = policy["conditions"].as_array().unwrap();
    assert!(conditions.contains(&serde_json::json!({"Content-Type": "text/csv"})));
    assert!(conditions.contains(&serde_json::json!(["content-length-range", 1, 100])));
    assert_eq!(policy["expiration"], "2026-11-22T10:00:00Z");
}

#[test]
fn upload_kind_prints_the_form_and_the_limit() {
    let h = home();
    let o = run(
        &[
            "presign",
            "upload",
            "--local",
            "--kind",
            "csv",
            "--service-id",
            "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b",
            "--file-name",
            "people.csv",
            "--size",
            "2048",
            "--at",
            AT,
        ],
        &[],
        h.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["max_size"], 2048);
    assert!(
        v["key"]
            .as_str()
            .unwrap()
            .starts_with("service-4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b-notify/")
    );
    assert_eq!(v["fields"]["x-amz-server-side-encryption"], "AES256");
    assert_eq!(v["fields"]["x-amz-meta-original_file_name"], "people.csv");
}

#[test]
fn profiles_from_files_and_session_expiry_caps_validity() {
    let h = home();
    std::fs::create_dir_all(h.path().join(".aws")).unwrap();
    std::fs::write(
        h.path().join(".aws/credentials"),
        "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n",
    )
    .unwrap();
    std::fs::write(
        h.path().join(".aws/config"),
        "[profile dev]\nregion = eu-west-2\n",
    )
    .unwrap();
    let o = run(
        &[
            "presign", "url", "--bucket", "mou", "--key", "k", "--at", AT,
        ],
        &[("AWS_PROFILE", "dev")],
        h.path(),
    );
    assert!(
        stdout(&o).contains("DEVKEY%2F20261122%2Feu-west-2%2Fs3"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );

    let mut env = KEYS.to_vec();
    env.push(("AWS_SESSION_TOKEN", "TOKEN"));
    env.push(("AWS_CREDENTIAL_EXPIRATION", "2026-11-22T09:10:00Z"));
    let o = run(
        &[
            "presign",
            "url",
            "--bucket",
            "mou",
            "--key",
            "k",
            "--at",
            AT,
            "--expires",
            "3600",
        ],
        &env,
        h.path(),
    );
    assert!(stdout(&o).contains("X-Amz-Expires=600&"), "{}", stdout(&o));
    assert!(stdout(&o).contains("X-Amz-Security-Token=TOKEN"));
    assert!(
        stderr(&o).contains("valid for 600 s only"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &[
            "presign",
            "url",
            "--bucket",
            "mou",
            "--key",
            "k",
            "--at",
            "2026-11-22T09:10:00Z",
        ],
        &env,
        h.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("the credentials expired at 2026-11-22T09:10:00Z"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_input_gets_a_specific_error_and_a_failing_status() {
    let h = home();
    let cases: &[(&[&str], &str)] = &[
        (
            &["presign", "url", "--bucket", "nope", "--key", "k"],
            "unknown bucket \"nope\"",
        ),
        (
            &[
                "presign",
                "url",
                "--bucket",
                "mou",
                "--key",
                "k",
                "--expires",
                "0",
            ],
            "expiry of 0 s is out of range",
        ),
        (
            &[
                "presign",
                "url",
                "--bucket",
                "mou",
                "--key",
                "k",
                "--expires",
                "604801",
            ],
            "expiry of 604801 s is out of range",
        ),
        (
            &["presign", "url", "--bucket", "mou", "--key", "a/../b"],
            "'..' segment",
        ),
        (
            &["presign", "url", "--bucket", "mou", "--key", "a\u{7}b"],
            "control characters",
        ),
        (
            &[
                "presign",
                "url",
                "--bucket",
                "mou",
                "--key",
                "k",
                "--at",
                "yesterday",
            ],
            "not an RFC 3339 time",
        ),
        (
            &[
                "presign", "post", "--bucket", "mou", "--key", "k", "--field", "policy=x",
            ],
            "set by uploadkit itself",
        ),
        (
            &[
                "presign",
                "post",
                "--bucket",
                "mou",
                "--key",
                "k",
                "--condition",
                "[1,2]",
            ],
            "invalid policy condition",
        ),
        (
            &[
                "presign",
                "upload",
                "--kind",
                "csv",
                "--file-name",
                "a.csv",
                "--size",
                "5",
            ],
            "needs a service id",
        ),
        (
            &[
                "presign",
                "upload",
                "--kind",
                "email-logo",
                "--file-name",
                "a.png",
                "--size",
                "3000000",
            ],
            "The file must be smaller than 2MB",
        ),
    ];
    for (args, want) in cases {
        let o = run(args, KEYS, h.path());
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
    }
}

#[test]
fn missing_or_malformed_credentials_say_where_to_look() {
    let h = home();
    let o = run(
        &["presign", "url", "--bucket", "mou", "--key", "k"],
        &[],
        h.path(),
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    for place in [
        "no AWS credentials",
        "AWS_ACCESS_KEY_ID",
        "shared credentials file",
        "config file",
        "container credentials",
        "--local",
    ] {
        assert!(err.contains(place), "{err}");
    }
    std::fs::create_dir_all(h.path().join(".aws")).unwrap();
    std::fs::write(
        h.path().join(".aws/credentials"),
        "[default]\naws_access_key_id\n",
    )
    .unwrap();
    let o = run(
        &["presign", "url", "--bucket", "mou", "--key", "k"],
        &[],
        h.path(),
    );
    assert!(
        stderr(&o).contains("malformed shared credentials file") && stderr(&o).contains("line 2"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(h.path().join(".aws/credentials")).unwrap();
    let o = run(
        &["presign", "url", "--bucket", "mou", "--key", "k"],
        &[("AWS_ACCESS_KEY_ID", "A")],
        h.path(),
    );
    assert!(
        stderr(&o).contains("AWS_SECRET_ACCESS_KEY is missing"),
        "{}",
        stderr(&o)
    );
    // The secret never appears in any message.
    let o = run(
        &["presign", "url", "--bucket", "nope", "--key", "k"],
        KEYS,
        h.path(),
    );
    assert!(!stderr(&o).contains("EXAMPLEKEY"));
}

#[test]
fn grant_mints_a_token_the_api_accepts() {
    let h = home();
    let o = run(
        &[
            "grant",
            "--service-id",
            "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b",
            "--kind",
            "csv",
            "--kind",
            "email-logo",
            "--ttl",
            "600",
        ],
        &[(
            "UPLOADKIT_GRANT_KEY",
            "cli-grant-test-key-0123456789abcdefgh",
        )],
        h.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let token = stdout(&o).trim().to_owned();
    let key =
        uploadkit_api::GrantKey::new(b"cli-grant-test-key-0123456789abcdefgh".to_vec()).unwrap();
    let now = uploadkit_core::clock::SigningTime::new(time::OffsetDateTime::now_utc());
    let grant = uploadkit_api::GrantKeys::single(key)
        .verify(&token, now)
        .unwrap();
    assert_eq!(
        grant.kinds,
        vec![
            uploadkit_core::catalogue::UploadKind::Csv,
            uploadkit_core::catalogue::UploadKind::EmailLogo
        ]
    );
    assert!(!grant.downloads);
    let weak = run(
        &[
            "grant",
            "--service-id",
            "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b",
        ],
        &[("UPLOADKIT_GRANT_KEY", "short")],
        h.path(),
    );
    assert!(!weak.status.success() && stderr(&weak).contains("at least 32 bytes"));
}

#[test]
fn small_faults_get_clear_answers() {
    let h = home();
    // A grant that would allow nothing is not minted.
    let empty = run(
        &[
            "grant",
            "--service-id",
            "4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b",
        ],
        &[],
        h.path(),
    );
    assert!(!empty.status.success());
    assert!(
        stderr(&empty).contains("would allow nothing"),
        "{}",
        stderr(&empty)
    );
    // A permanent logo is never presigned for deletion; a temporary one may be.
    let delete = |key: &str| {
        run(
            &[
                "presign", "url", "--local", "--bucket", "logo", "--key", key, "--method",
                "DELETE", "--at", AT,
            ],
            &[],
            h.path(),
        )
    };
    let permanent = delete("hmrc.png");
    assert!(!permanent.status.success());
    assert!(
        stderr(&permanent).contains("never deleted"),
        "{}",
        stderr(&permanent)
    );
    assert!(
        delete("temp-0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29.png")
            .status
            .success()
    );
    assert!(
        delete("letters/static/images/letter-template/crest.svg")
            .status
            .code()
            == Some(1)
    );
    // A reader that goes away early (`uploadkit buckets | head -1`) is no panic.
    let mut child = Command::new(env!("CARGO_BIN_EXE_uploadkit"))
        .arg("buckets")
        .env("HOME", h.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
