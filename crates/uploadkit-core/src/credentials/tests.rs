use super::*;

fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |k| {
        pairs
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn profiles(config: &str, creds: &str) -> ProfileSet {
    ProfileSet::parse(
        Some(FileContents {
            path: "/home/u/.aws/config",
            text: config,
        }),
        Some(FileContents {
            path: "/home/u/.aws/credentials",
            text: creds,
        }),
    )
    .unwrap()
}

fn resolve(
    env: &'static [(&'static str, &'static str)],
    explicit: Option<&str>,
    set: &ProfileSet,
) -> Result<Resolution, ChainError> {
    resolve_chain(&ChainInput {
        env: env_of(env),
        explicit_profile: explicit,
        profiles: set,
    })
}

const NO_IMDS: (&str, &str) = ("AWS_EC2_METADATA_DISABLED", "true");
const CONFIG: &str = "[default]\nregion = eu-west-2\n\n[profile dev]\nregion = us-east-1\naws_access_key_id = CFGKEY\naws_secret_access_key = CFGSECRET\n\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = dev\nrole_session_name = ops\nduration_seconds = 1800\n\n[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/deep\nsource_profile = admin\n\n[profile loop-a]\nrole_arn = arn:a\nsource_profile = loop-b\n\n[profile loop-b]\nrole_arn = arn:b\nsource_profile = loop-a\n\n[profile from-env]\nrole_arn = arn:e\ncredential_source = Environment\n\n[profile both]\nrole_arn = arn:x\nsource_profile = dev\ncredential_source = Environment\n\n[profile web]\nrole_arn = arn:w\nweb_identity_token_file = /var/token\n\n[sso-session corp]\nsso_region = eu-west-1\n";
const CREDS: &str = "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n\n[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\naws_session_token = DEVTOKEN\n";

#[test]
fn environment_comes_first_and_carries_token_and_expiry() {
    let set = profiles(CONFIG, CREDS);
    let r = resolve(
        &[
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
            ("AWS_SECURITY_TOKEN", "LEGACY"),
            ("AWS_CREDENTIAL_EXPIRATION", "2026-11-22T10:00:00Z"),
        ],
        None,
        &set,
    )
    .unwrap();
    let CredentialSource::Static(c, Origin::Environment) = r.source else {
        panic!("{:?}", r.source)
    };
    assert_eq!(c.access_key_id(), "ENVKEY");
    assert_eq!(c.session_token().unwrap().expose(), "LEGACY");
    assert_eq!(c.expires_at().unwrap().iso8601(), "2026-11-22T10:00:00Z");
    assert_eq!(r.region.as_deref(), Some("eu-west-2"));
}

#[test]
fn aws_profile_keeps_env_keys_but_an_explicit_profile_skips_them() {
    let set = profiles(CONFIG, CREDS);
    let env: &[(&str, &str)] = &[
        ("AWS_ACCESS_KEY_ID", "ENVKEY"),
        ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        ("AWS_PROFILE", "dev"),
    ];
    let r = resolve(env, None, &set).unwrap();
    assert!(matches!(
        r.source,
        CredentialSource::Static(_, Origin::Environment)
    ));
    assert_eq!(r.profile, "dev");
    let r = resolve(env, Some("dev"), &set).unwrap();
    let CredentialSource::Static(c, Origin::SharedCredentialsFile(p)) = r.source else {
        panic!()
    };
    // The credentials file wins over the config file's keys for the same profile.
    assert_eq!((c.access_key_id(), p.as_str()), ("DEVKEY", "dev"));
    assert_eq!(c.session_token().unwrap().expose(), "DEVTOKEN");
    assert_eq!(r.region.as_deref(), Some("us-east-1"));
}

#[test]
fn region_precedence() {
    let set = profiles(CONFIG, CREDS);
    let r = resolve(
        &[
            ("AWS_DEFAULT_REGION", "ap-south-1"),
            ("AWS_REGION", "ca-central-1"),
        ],
        None,
        &set,
    )
    .unwrap();
    assert_eq!(r.region.as_deref(), Some("ca-central-1"));
    let r = resolve(&[("AWS_DEFAULT_REGION", "ap-south-1")], None, &set).unwrap();
    assert_eq!(r.region.as_deref(), Some("ap-south-1"));
}

#[test]
fn config_file_keys_when_the_credentials_file_has_none() {
    let set = profiles(CONFIG, "");
    let r = resolve(&[("AWS_PROFILE", "dev")], None, &set).unwrap();
    let CredentialSource::Static(c, Origin::ConfigFile(_)) = r.source else {
        panic!()
    };
    assert_eq!(c.access_key_id(), "CFGKEY");
}

#[test]
fn partial_and_missing() {
    let set = profiles(CONFIG, CREDS);
    let err = resolve(&[("AWS_ACCESS_KEY_ID", "K")], None, &set).unwrap_err();
    assert_eq!(
        err.to_string(),
        "partial credentials in the environment: AWS_SECRET_ACCESS_KEY is missing"
    );
    let err = resolve(&[("AWS_PROFILE", "nope")], None, &set).unwrap_err();
    assert!(err.to_string().starts_with("profile \"nope\" is not in the config or shared credentials file (profiles found: admin, both, chained, default, dev"), "{err}");
    let err = resolve(&[NO_IMDS], None, &ProfileSet::default()).unwrap_err();
    let text = err.to_string();
    for place in [
        "AWS_ACCESS_KEY_ID",
        "shared credentials file",
        "config file",
        "container credentials",
        "disabled by AWS_EC2_METADATA_DISABLED",
    ] {
        assert!(text.contains(place), "{text}");
    }
}

#[test]
fn assume_role_from_source_profile_and_chains() {
    let set = profiles(CONFIG, CREDS);
    let r = resolve(&[("AWS_PROFILE", "admin")], None, &set).unwrap();
    let CredentialSource::AssumeRole(role) = r.source else {
        panic!()
    };
    assert_eq!(role.role_arn, "arn:aws:iam::123456789012:role/admin");
    assert_eq!(
        (role.session_name.as_deref(), role.duration_seconds),
        (Some("ops"), Some(1800))
    );
    let RoleSource::Source(src) = role.source else {
        panic!()
    };
    assert!(matches!(*src, CredentialSource::Static(ref c, _) if c.access_key_id() == "DEVKEY"));

    let r = resolve(&[("AWS_PROFILE", "chained")], None, &set).unwrap();
    let CredentialSource::AssumeRole(outer) = r.source else {
        panic!()
    };
    let RoleSource::Source(inner) = outer.source else {
        panic!()
    };
    assert!(matches!(*inner, CredentialSource::AssumeRole(ref r) if r.profile == "admin"));
}

#[test]
fn assume_role_misconfigurations_are_named() {
    let set = profiles(CONFIG, CREDS);
    let err = resolve(&[("AWS_PROFILE", "loop-a")], None, &set)
        .unwrap_err()
        .to_string();
    assert!(err.contains("source_profile loop"), "{err}");
    let err = resolve(&[("AWS_PROFILE", "both")], None, &set)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not both"), "{err}");
    let err = resolve(&[("AWS_PROFILE", "from-env")], None, &set)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("credential_source = Environment but AWS_ACCESS_KEY_ID"),
        "{err}"
    );
    let ok = resolve(
        &[
            ("AWS_PROFILE", "from-env"),
            ("AWS_ACCESS_KEY_ID", "A"),
            ("AWS_SECRET_ACCESS_KEY", "B"),
        ],
        Some("from-env"),
        &set,
    )
    .unwrap();
    assert!(matches!(ok.source, CredentialSource::AssumeRole(_)));
}

#[test]
fn web_identity_from_env_or_profile() {
    let set = profiles(CONFIG, CREDS);
    let r = resolve(
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
            ("AWS_ROLE_ARN", "arn:r"),
            ("AWS_ROLE_SESSION_NAME", "s"),
        ],
        None,
        &ProfileSet::default(),
    )
    .unwrap();
    assert_eq!(
        r.source,
        CredentialSource::WebIdentity(WebIdentity {
            role_arn: "arn:r".into(),
            token_file: "/t".into(),
            session_name: Some("s".into()),
            duration_seconds: None
        })
    );
    let r = resolve(&[("AWS_PROFILE", "web")], None, &set).unwrap();
    assert!(
        matches!(r.source, CredentialSource::WebIdentity(ref w) if w.token_file == "/var/token")
    );
    // Web identity comes before the shared credentials file's default keys.
    let r = resolve(
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
            ("AWS_ROLE_ARN", "arn:r"),
        ],
        None,
        &set,
    )
    .unwrap();
    assert!(matches!(r.source, CredentialSource::WebIdentity(_)));
}

#[test]
fn container_then_instance_metadata() {
    let r = resolve(
        &[
            ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"),
        ],
        None,
        &ProfileSet::default(),
    )
    .unwrap();
    let CredentialSource::Remote(list) = r.source else {
        panic!()
    };
    assert_eq!(list.len(), 2);
    assert!(
        matches!(&list[0], RemoteSource::Container(c) if c.uri == "http://169.254.170.2/v2/creds" && c.token.is_some())
    );
    assert_eq!(
        list[1],
        RemoteSource::InstanceMetadata {
            endpoint: "http://169.254.169.254".into()
        }
    );

    let r = resolve(
        &[
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:9911/c",
            ),
            NO_IMDS,
        ],
        None,
        &ProfileSet::default(),
    )
    .unwrap();
    assert!(matches!(r.source, CredentialSource::Remote(ref l) if l.len() == 1));
    let err = resolve(
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://10.0.0.5/c")],
        None,
        &ProfileSet::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("is not allowed"), "{err}");

    let r = resolve(
        &[(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            "http://127.0.0.1:1338/",
        )],
        None,
        &ProfileSet::default(),
    )
    .unwrap();
    assert_eq!(
        r.source,
        CredentialSource::Remote(vec![RemoteSource::InstanceMetadata {
            endpoint: "http://127.0.0.1:1338".into()
        }])
    );
}

#[test]
fn container_hosts() {
    for ok in [
        "https://example.com/x",
        "http://127.0.0.2:80/x",
        "http://localhost/x",
        "http://169.254.170.23/v1",
        "http://[fd00:ec2::23]/c",
        "http://[::1]:8080/",
    ] {
        assert!(container_host_allowed(ok), "{ok}");
    }
    for bad in [
        "http://169.254.169.254/",
        "http://example.com/",
        "ftp://127.0.0.1/",
        "http://127.0.0.1.evil.com/",
    ] {
        assert!(!container_host_allowed(bad), "{bad}");
    }
}

#[test]
fn malformed_files_name_file_and_line() {
    let err = ProfileSet::parse(
        None,
        Some(FileContents {
            path: "/c",
            text: "[default]\naws_access_key_id AK\n",
        }),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed shared credentials file /c: line 2: expected `key = value`, found \"aws_access_key_id AK\""
    );
}

#[test]
fn secrets_never_reach_debug_output() {
    let set = profiles(CONFIG, CREDS);
    let r = resolve(&[("AWS_PROFILE", "dev")], Some("dev"), &set).unwrap();
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("DEVSECRET") && !shown.contains("DEVTOKEN"),
        "{shown}"
    );
}

#[test]
fn sso_and_credential_process_take_botocores_places_in_the_order() {
    let config = "[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Dev\n\n[sso-session corp]\nsso_start_url = https://d.awsapps.com/start\nsso_region = eu-west-1\n\n[profile proc]\ncredential_process = /bin/creds\naws_access_key_id = CFG\naws_secret_access_key = CFGS\n\n[profile proc-creds]\ncredential_process = /bin/creds\n\n[profile legacy]\nsso_start_url = https://d.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 2\nsso_role_name = Ops\n\n[profile clash]\nsso_session = corp\nsso_start_url = https://other.awsapps.com/start\nsso_account_id = 1\nsso_role_name = Dev\n";
    let creds = "[sso]\naws_access_key_id = K\naws_secret_access_key = S\n\n[proc-creds]\naws_access_key_id = K2\naws_secret_access_key = S2\n";
    let set = profiles(config, creds);
    // SSO comes before the shared credentials file.
    let r = resolve(&[NO_IMDS], Some("sso"), &set).unwrap();
    let CredentialSource::Sso(sso) = r.source else {
        panic!("{:?}", r.source)
    };
    assert_eq!(
        (
            sso.session.as_deref(),
            sso.region.as_str(),
            sso.role_name.as_str()
        ),
        (Some("corp"), "eu-west-1", "Dev")
    );
    let r = resolve(&[NO_IMDS], Some("legacy"), &set).unwrap();
    assert!(
        matches!(r.source, CredentialSource::Sso(ref s) if s.session.is_none() && s.region == "us-east-1")
    );
    // The process comes after the credentials file's keys and before the config file's.
    let r = resolve(&[NO_IMDS], Some("proc"), &set).unwrap();
    assert!(matches!(r.source, CredentialSource::Process(ref p) if p.command == "/bin/creds"));
    let r = resolve(&[NO_IMDS], Some("proc-creds"), &set).unwrap();
    assert!(matches!(
        r.source,
        CredentialSource::Static(_, Origin::SharedCredentialsFile(_))
    ));
    // A profile that contradicts its sso-session is refused, naming the setting.
    let e = resolve(&[NO_IMDS], Some("clash"), &set).unwrap_err();
    assert!(e.to_string().contains("sso_start_url differs"), "{e}");
}
