//! Every credential source boto3 knows, through `uploadkit whoami` and `uploadkit presign`, each
//! against a real HTTP stand-in on 127.0.0.1 that speaks its endpoint's documented protocol:
//! the IAM Identity Center portal (`GetRoleCredentials`) and SSO OIDC (`CreateToken` refresh)
//! with the token cache in `~/.aws/sso/cache`, STS (`AssumeRole` with MFA,
//! `GetCallerIdentity`), instance metadata without IMDSv2; and `credential_process` with real
//! scripts. Misconfigurations get the AWS-style message and the fix.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use uploadkit_tests::fake_metadata::{FakeServer, SeenRequest};

const ACCOUNT: &str = "123456789012";

/// A fresh HOME with `~/.aws`, removed on drop.
struct Home(PathBuf);

impl Home {
    fn new(name: &str) -> Self {
        let p =
            std::env::temp_dir().join(format!("uploadkit-providers-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(p.join(".aws/sso/cache")).unwrap();
        Self(p)
    }
    fn config(&self, text: &str) {
        std::fs::write(self.0.join(".aws/config"), text).unwrap();
    }
    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str], env: &[(&str, &str)], home: &Path, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_uploadkit"))
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The access key a SigV4 `Authorization` header was made with.
fn signing_key(request: &SeenRequest) -> Option<String> {
    let auth = request.header("authorization")?;
    let rest = auth.split("Credential=").nth(1)?;
    Some(rest.split('/').next()?.to_owned())
}

fn form_value(body: &str, name: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace("%2F", "/").replace("%3A", ":"))
    })
}

/// STS: `GetCallerIdentity` answers with an ARN naming the key that signed it; `AssumeRole`
/// hands out `ASIAROLE…` keys (recording what it was sent).
fn sts(seen: Arc<Mutex<Vec<String>>>) -> FakeServer {
    FakeServer::start(move |r| {
        let Some(key) = signing_key(r) else {
            return (403, "<ErrorResponse><Error><Code>MissingAuthenticationToken</Code></Error></ErrorResponse>".into());
        };
        let token = r.header("x-amz-security-token").unwrap_or("-").to_owned();
        seen.lock()
            .unwrap()
            .push(format!("{key} {token} {}", r.body));
        match form_value(&r.body, "Action").as_deref() {
            Some("GetCallerIdentity") => (
                200,
                format!(
                    "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/Test/{key}</Arn><UserId>AROA:{key}</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>"
                ),
            ),
            Some("AssumeRole") => {
                if form_value(&r.body, "TokenCode").is_some_and(|c| c != "123456") {
                    return (403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error></ErrorResponse>".into());
                }
                (200, "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>".into())
            }
            _ => (
                400,
                "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>".into(),
            ),
        }
    })
}

/// The SSO portal and OIDC on one port: the portal accepts `valid_token` only, OIDC turns the
/// refresh token `rt-1` into `fresh-token`.
fn sso(valid_token: &'static str, seen: Arc<Mutex<Vec<String>>>) -> FakeServer {
    FakeServer::start(move |r| {
        seen.lock()
            .unwrap()
            .push(format!("{} {} {}", r.method, r.path, r.body));
        if r.method == "POST" && r.path == "/token" {
            let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
            return if body["grantType"] == "refresh_token"
                && body["refreshToken"] == "rt-1"
                && body["clientId"] == "client-1"
                && body["clientSecret"] == "client-secret"
            {
                (200, r#"{"accessToken":"fresh-token","tokenType":"Bearer","expiresIn":28800,"refreshToken":"rt-2"}"#.into())
            } else {
                (400, r#"{"error":"invalid_grant","error_description":"Invalid refresh token provided"}"#.into())
            };
        }
        let expected = format!("/federation/credentials?account_id={ACCOUNT}&role_name=Developer");
        if r.method != "GET" || r.path != expected {
            return (404, r#"{"message":"not found"}"#.into());
        }
        if r.header("x-amz-sso_bearer_token") != Some(valid_token) {
            return (
                401,
                r#"{"message":"Session token not found or invalid"}"#.into(),
            );
        }
        (200, r#"{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"sso-secret","sessionToken":"sso-token","expiration":4070908800000}}"#.into())
    })
}

fn cache_token(home: &Home, key: &str, token: &str, expires: &str, refreshable: bool) -> PathBuf {
    let name = format!("{}.json", sha1_hex(key));
    let path = home.file(&format!(".aws/sso/cache/{name}"));
    let registration = if refreshable {
        r#","refreshToken":"rt-1","clientId":"client-1","clientSecret":"client-secret","registrationExpiresAt":"2099-01-01T00:00:00Z""#
    } else {
        ""
    };
    std::fs::write(
        &path,
        format!(
            r#"{{"startUrl":"https://d-test.awsapps.com/start","region":"eu-west-1","accessToken":"{token}","expiresAt":"{expires}"{registration}}}"#
        ),
    )
    .unwrap();
    path
}

/// SHA-1 as hex, by Python's hashlib (the peer botocore's cache uses).
fn sha1_hex(text: &str) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys;print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            text,
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn in_minutes(minutes: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

const SSO_CONFIG: &str = "[profile dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Developer
region = eu-west-1

[sso-session corp]
sso_start_url = https://d-test.awsapps.com/start
sso_region = eu-west-1

[profile legacy]
sso_start_url = https://d-test.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Developer

[profile half]
sso_session = corp
sso_account_id = 123456789012

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = dev
";

fn endpoints<'a>(sts: &'a FakeServer, sso: &'a FakeServer) -> Vec<(&'static str, &'a str)> {
    vec![
        ("AWS_ENDPOINT_URL_STS", sts.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO", sso.url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", sso.url.as_str()),
    ]
}

#[test]
fn sso_profiles_use_the_cached_token_refresh_it_and_say_when_to_log_in() {
    let home = Home::new("sso");
    home.config(SSO_CONFIG);
    let (sts_seen, sso_seen) = (Arc::default(), Arc::new(Mutex::new(Vec::new())));
    let (sts, portal) = (
        sts(Arc::clone(&sts_seen)),
        sso("fresh-token", Arc::clone(&sso_seen)),
    );
    let env = endpoints(&sts, &portal);

    // A token good for hours: used as it is, no refresh.
    let cache = cache_token(&home, "corp", "fresh-token", &in_minutes(120), true);
    let o = run(&["whoami", "--profile", "dev"], &env, &home.0, "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("provider:   sso (profile dev)") && out.contains("ASIASSO"),
        "{out}"
    );
    assert!(out.contains(&format!("account:    {ACCOUNT}")), "{out}");
    assert!(
        !sso_seen
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.contains("/token"))
    );
    // GetCallerIdentity was signed with the portal's session credentials.
    assert!(
        sts_seen
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.starts_with("ASIASSO sso-token"))
    );

    // Five minutes left: refreshed through OIDC, written back to the cache, then used.
    cache_token(&home, "corp", "old-token", &in_minutes(5), true);
    let o = run(&["whoami", "--profile", "dev"], &env, &home.0, "");
    assert!(o.status.success(), "{}", text(&o).1);
    let cached: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(cached["accessToken"], "fresh-token");
    assert_eq!(cached["refreshToken"], "rt-2");
    assert_eq!(cached["clientId"], "client-1", "the registration is kept");

    // Expired and not refreshable (the legacy form never refreshes): log in again.
    cache_token(
        &home,
        "https://d-test.awsapps.com/start",
        "fresh-token",
        &in_minutes(-5),
        false,
    );
    let before = sso_seen.lock().unwrap().len();
    let o = run(&["whoami", "--profile", "legacy"], &env, &home.0, "");
    let err = text(&o).1;
    assert!(!o.status.success());
    assert!(
        err.contains("aws sso login --profile legacy") && err.contains("expired"),
        "{err}"
    );
    assert_eq!(
        sso_seen.lock().unwrap().len(),
        before,
        "no call with an expired token"
    );

    // A token the portal does not know: the portal's words and the same fix.
    cache_token(&home, "corp", "revoked-token", &in_minutes(120), true);
    let err = text(&run(&["whoami", "--profile", "dev"], &env, &home.0, "")).1;
    assert!(
        err.contains("Session token not found or invalid")
            && err.contains("aws sso login --profile dev"),
        "{err}"
    );

    // No cached token at all; a profile missing settings; an unknown sso-session.
    std::fs::remove_file(&cache).unwrap();
    let err = text(&run(&["whoami", "--profile", "dev"], &env, &home.0, "")).1;
    assert!(
        err.contains("no usable SSO token") && err.contains("aws sso login --profile dev"),
        "{err}"
    );
    let err = text(&run(&["whoami", "--profile", "half"], &env, &home.0, "")).1;
    assert!(
        err.contains("missing required configuration: sso_role_name"),
        "{err}"
    );
    let err = text(&run(&["whoami", "--profile", "nobody"], &env, &home.0, "")).1;
    assert!(
        err.contains("profile \"nobody\"") && err.contains("dev, half, legacy"),
        "{err}"
    );
}

#[test]
fn a_role_sourced_from_sso_and_a_role_with_mfa_assume_with_the_right_credentials() {
    let home = Home::new("mfa");
    home.config(&format!(
        "{SSO_CONFIG}
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/dev
"
    ));
    std::fs::write(
        home.file(".aws/credentials"),
        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n",
    )
    .unwrap();
    let sts_seen = Arc::new(Mutex::new(Vec::new()));
    let (sts, portal) = (
        sts(Arc::clone(&sts_seen)),
        sso("fresh-token", Arc::default()),
    );
    let env = endpoints(&sts, &portal);
    cache_token(&home, "corp", "fresh-token", &in_minutes(120), true);

    // source_profile = an SSO profile: AssumeRole is signed with the SSO role's credentials.
    let o = run(&["whoami", "--profile", "admin"], &env, &home.0, "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("provider:   assume-role") && out.contains("ASIAROLE"),
        "{out}"
    );
    assert!(
        sts_seen
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.starts_with("ASIASSO sso-token") && r.contains("Action=AssumeRole"))
    );

    // mfa_serial: asked for on the terminal, sent with the device.
    let o = run(&["whoami", "--profile", "mfa"], &env, &home.0, "123456\n");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("Enter MFA code for arn:aws:iam::123456789012:mfa/dev"),
        "{err}"
    );
    assert!(out.contains("ASIAROLE"), "{out}");
    let call = sts_seen
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.starts_with("AKIABASE"))
        .cloned()
        .unwrap();
    assert!(
        call.contains("SerialNumber=arn") && call.contains("TokenCode=123456"),
        "{call}"
    );
    // A wrong code: STS's refusal; no code: said so, nothing sent.
    let err = text(&run(
        &["whoami", "--profile", "mfa"],
        &env,
        &home.0,
        "000000\n",
    ))
    .1;
    assert!(err.contains("invalid MFA one time pass code"), "{err}");
    let calls = sts_seen.lock().unwrap().len();
    let err = text(&run(&["whoami", "--profile", "mfa"], &env, &home.0, "")).1;
    assert!(err.contains("no MFA code given"), "{err}");
    assert_eq!(sts_seen.lock().unwrap().len(), calls);
}

#[test]
fn credential_process_runs_the_program_and_reports_its_failures() {
    let home = Home::new("process");
    let script = |name: &str, body: &str| {
        let path = home.file(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        Command::new("chmod").arg("+x").arg(&path).status().unwrap();
        path.display().to_string()
    };
    let good = script(
        "good creds.sh",
        r#"printf '{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "proc-secret", "SessionToken": "proc-token", "Expiration": "2099-01-01T00:00:00Z"}'"#,
    );
    let bad_json = script("bad.sh", "echo 'not json'");
    let failing = script(
        "fail.sh",
        "echo 'token expired, run corp-login' >&2; exit 3",
    );
    let version = script(
        "v2.sh",
        r#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "S"}'"#,
    );
    home.config(&format!(
        "[profile good]\ncredential_process = \"{good}\" --account dev\n[profile bad]\ncredential_process = {bad_json}\n[profile failing]\ncredential_process = {failing}\n[profile v2]\ncredential_process = {version}\n[profile missing]\ncredential_process = /nonexistent/creds\n"
    ));
    let sts_seen = Arc::new(Mutex::new(Vec::new()));
    let sts = sts(Arc::clone(&sts_seen));
    let env = [("AWS_ENDPOINT_URL_STS", sts.url.as_str())];

    let o = run(&["whoami", "--profile", "good"], &env, &home.0, "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("provider:   custom-process") && out.contains("ASIAPROC"),
        "{out}"
    );
    assert!(out.contains("expires:    2099-01-01T00:00:00Z"), "{out}");
    for (profile, says) in [
        ("bad", "not JSON"),
        ("failing", "token expired, run corp-login"),
        ("v2", "Unsupported version '2'"),
        ("missing", "cannot run /nonexistent/creds"),
    ] {
        let o = run(&["whoami", "--profile", profile], &env, &home.0, "");
        let err = text(&o).1;
        assert!(!o.status.success());
        assert!(
            err.contains(says) && err.contains(&format!("[{profile}]")),
            "{profile}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // presign takes the chain too: the URL carries the process's session.
    let o = run(
        &[
            "presign",
            "url",
            "--bucket",
            "mou",
            "--key",
            "crown.pdf",
            "--profile",
            "good",
        ],
        &[],
        &home.0,
        "",
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("ASIAPROC") && out.contains("X-Amz-Security-Token=proc-token"),
        "{out}"
    );
}

#[test]
fn instance_metadata_falls_back_to_imdsv1_when_the_token_call_is_refused() {
    let home = Home::new("imds");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let imds = FakeServer::start(move |r| {
        log.lock().unwrap().push(format!(
            "{} {} token={}",
            r.method,
            r.path,
            r.header("x-aws-ec2-metadata-token").unwrap_or("none")
        ));
        match (r.method.as_str(), r.path.as_str()) {
            ("PUT", "/latest/api/token") => (405, String::new()),
            ("GET", "/latest/meta-data/iam/security-credentials/") => (200, "web-role".into()),
            ("GET", "/latest/meta-data/iam/security-credentials/web-role") => (
                200,
                uploadkit_tests::fake_metadata::credentials_json(
                    "ASIAIMDS",
                    "imds-secret",
                    "imds-token",
                    "2099-01-01T00:00:00Z",
                ),
            ),
            _ => (404, String::new()),
        }
    });
    let sts = sts(Arc::default());
    let env = [
        ("AWS_EC2_METADATA_DISABLED", "false"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url.as_str()),
        ("AWS_ENDPOINT_URL_STS", sts.url.as_str()),
    ];
    let o = run(&["whoami"], &env, &home.0, "");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("provider:   iam-role") && out.contains("ASIAIMDS"),
        "{out}"
    );
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .skip(1)
            .all(|r| r.ends_with("token=none"))
    );
    // Forbidden by AWS_EC2_METADATA_V1_DISABLED: no IMDSv1 call.
    let calls = seen.lock().unwrap().len();
    let mut env = env.to_vec();
    env.push(("AWS_EC2_METADATA_V1_DISABLED", "true"));
    let o = run(&["whoami"], &env, &home.0, "");
    let err = text(&o).1;
    assert!(
        !o.status.success() && err.contains("AWS_EC2_METADATA_V1_DISABLED"),
        "{err}"
    );
    assert_eq!(seen.lock().unwrap().len(), calls + 1, "only the token call");
}

#[test]
fn endpoints_and_addressing_come_from_the_environment_then_the_profile() {
    let home = Home::new("endpoints");
    home.config(
        "[profile local]
aws_access_key_id = AKIDLOCAL
aws_secret_access_key = local-secret
endpoint_url = http://127.0.0.1:9000
services = local-s3
s3 =
  addressing_style = path

[services local-s3]
s3 =
  endpoint_url = http://127.0.0.1:8333

[profile plain]
aws_access_key_id = AKIDPLAIN
aws_secret_access_key = plain-secret
endpoint_url = http://127.0.0.1:9000
",
    );
    let url = |profile: &str, env: &[(&str, &str)]| {
        let o = run(
            &[
                "presign",
                "url",
                "--bucket",
                "mou",
                "--key",
                "k",
                "--profile",
                profile,
            ],
            env,
            &home.0,
            "",
        );
        let (out, err) = text(&o);
        assert!(o.status.success(), "{err}");
        out.trim().to_owned()
    };
    assert!(url("local", &[]).starts_with("http://127.0.0.1:8333/local-mou/k?"));
    assert!(url("plain", &[]).starts_with("http://127.0.0.1:9000/local-mou/k?"));
    assert!(
        url("local", &[("AWS_ENDPOINT_URL", "http://127.0.0.1:7000")])
            .starts_with("http://127.0.0.1:7000/")
    );
    assert!(
        url(
            "local",
            &[
                ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:7001"),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:7000")
            ]
        )
        .starts_with("http://127.0.0.1:7001/")
    );
    assert!(
        url("local", &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")])
            .starts_with("https://s3.eu-west-1.amazonaws.com/local-mou/k?"),
        "path style from the profile's s3 settings"
    );
}

#[test]
fn serve_fetches_through_the_profiles_own_sts_endpoint() {
    use std::io::BufRead as _;
    let home = Home::new("serve");
    let sts_seen = Arc::new(Mutex::new(Vec::new()));
    let sts = sts(Arc::clone(&sts_seen));
    home.config(&format!(
        "[profile svc]\nrole_arn = arn:aws:iam::123456789012:role/Uploads\nsource_profile = base\nservices = local\n\n[services local]\nsts =\n  endpoint_url = {}\n",
        sts.url
    ));
    std::fs::write(
        home.file(".aws/credentials"),
        "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_uploadkit"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log", "off"])
        .env_clear()
        .env("HOME", &home.0)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PROFILE", "svc")
        .env(
            "UPLOADKIT_GRANT_KEY",
            "providers-test-grant-key-0123456789abcdef",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let api = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches("/v1/uploads")
        .to_owned();
    let ready = reqwest::blocking::get(format!("{api}/readyz")).unwrap();
    let status = ready.status().as_u16();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{}", ready.text().unwrap_or_default());
    assert!(
        sts_seen
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.starts_with("AKIABASE") && r.contains("Action=AssumeRole")),
        "the role was assumed at the profile's STS endpoint"
    );
}
