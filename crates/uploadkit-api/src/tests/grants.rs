//! Grant lifetimes, forms capped by their grant, key rotation by `kid`, weak keys.

use crate::config::grant_keys;
use crate::grant::WeakKey;

use super::*;

fn claims(iat: Option<i64>, exp: i64) -> String {
    let iat = iat.map(|t| format!(r#","iat":{t}"#)).unwrap_or_default();
    format!(r#"{{"service_id":"{SERVICE}","kinds":["csv"],"exp":{exp}{iat}}}"#)
}

const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[test]
fn grants_longer_than_the_maximum_are_refused_with_the_reason() {
    let t = now().unix();
    for (iat, exp, ok) in [
        (Some(t), t + 3600, true),
        (Some(t), t + 3601, false),
        (Some(t - 3000), t + 601, false),
        // No `iat`: measured from now.
        (None, t + 3600, true),
        (None, t + 86_400 * 365, false),
        // An `iat` in the past cannot hide a far `exp`.
        (Some(t - 10), t + 7200, false),
    ] {
        let (status, json, _) = call(
            "POST",
            "/v1/uploads",
            Some(&sign_raw(HS256, &claims(iat, exp))),
            CSV,
            None,
        );
        if ok {
            assert_eq!(status, 200, "{iat:?} {exp}: {json}");
        } else {
            assert_eq!(status, 401, "{iat:?} {exp}: {json}");
            let message = json["message"].as_str().unwrap();
            assert!(message.contains("at most 3600"), "{message}");
        }
    }
}

#[test]
fn forms_and_urls_never_outlive_their_grant() {
    // The API would sign for 300 s (uploads) and 60 s (downloads); a grant with 42 s left caps both.
    let token = mint(&key(), &[UploadKind::Csv], true, now(), 42);
    let (status, json, _) = call("POST", "/v1/uploads", Some(&token), CSV, None);
    assert_eq!(status, 200, "{json}");
    let expiry = SigningTime::from_unix(now().unix() + 42).unwrap().iso8601();
    assert_eq!(json["expires_at"], expiry.as_str());
    let (status, json, _) = call(
        "POST",
        "/v1/downloads",
        Some(&mint(&key(), &[], true, now(), 20)),
        r#"{"download":"crown-mou"}"#,
        None,
    );
    assert_eq!(status, 200, "{json}");
    assert!(json["url"].as_str().unwrap().contains("X-Amz-Expires=20&"));
}

fn rotated_config(env: &[(&str, &str)]) -> ApiConfig {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let lookup = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    ApiConfig {
        grant_keys: grant_keys(&lookup).unwrap(),
        ..config()
    }
}

fn status_with(config: &ApiConfig, token: &str) -> (u16, String) {
    let signer = Signer::new(Credentials::new("AKID", "SECRET", None, None).unwrap());
    let req = ApiRequest {
        method: "POST".into(),
        path: "/v1/uploads".into(),
        headers: vec![("authorization".into(), format!("Bearer {token}"))],
        body: CSV.as_bytes().to_vec(),
    };
    let ctx = Context {
        now: now(),
        signer: Some(&signer),
        upload_id: UploadId::parse("0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29").unwrap(),
    };
    let response = handle(config, &req, &ctx);
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    (
        response.status,
        json["message"].as_str().unwrap_or("").to_owned(),
    )
}

#[test]
fn keys_rotate_by_kid_without_downtime() {
    const OLD: &str = "old-grant-key-k3Jv9nT0xLw2ZcR8bY5eKp1H";
    const NEW: &str = "new-grant-key-Zq81mVb0RtY5sLp3Xn7Cw2Kd";
    let signed = |secret: &str, kid: &str| {
        let options = MintOptions {
            kid: Some(kid),
            ..MintOptions::new(service(), &[UploadKind::Csv])
        };
        GrantKey::new(secret.as_bytes().to_vec())
            .unwrap()
            .mint(&options, now(), 600)
    };
    let old_grant = signed(OLD, "2026-11");
    let new_grant = signed(NEW, "2026-12");
    // Both keys configured: grants of either are accepted.
    let both = rotated_config(&[(
        "UPLOADKIT_GRANT_KEYS",
        &format!(r#"{{"2026-11":"{OLD}","2026-12":"{NEW}"}}"#),
    )]);
    assert_eq!(status_with(&both, &old_grant).0, 200);
    assert_eq!(status_with(&both, &new_grant).0, 200);
    // A grant signed with the new key but naming the old id does not verify.
    assert_eq!(status_with(&both, &signed(NEW, "2026-11")).0, 401);
    // The old key retired by configuration alone.
    let retired = rotated_config(&[("UPLOADKIT_GRANT_KEYS", &format!(r#"{{"2026-12":"{NEW}"}}"#))]);
    let (status, message) = status_with(&retired, &old_grant);
    assert_eq!(status, 401);
    assert!(
        message.contains("\"2026-11\" is not one this service accepts"),
        "{message}"
    );
    assert_eq!(status_with(&retired, &new_grant).0, 200);
    // Without a kid, only an unnamed key can verify.
    let (status, message) = status_with(&retired, &grant(&[UploadKind::Csv]));
    assert_eq!(status, 401);
    assert!(message.contains("no key id"), "{message}");
}

#[test]
fn weak_keys_are_refused_unless_insecure_is_named() {
    for (secret, why) in [
        ("short", "at least 32"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "repeated"),
        ("abcabcabcabcabcabcabcabcabcabcabcabcab", "repeated"),
        ("0123456789abcdef0123456789abcdef", "repeated"),
        (uploadkit_core::local::LOCAL_GRANT_KEY, "published"),
    ] {
        let env = |name: &str| (name == "UPLOADKIT_GRANT_KEY").then(|| secret.to_owned());
        let error = grant_keys(&env).unwrap_err().to_string();
        assert!(error.contains(why), "{secret}: {error}");
        assert!(
            !error.contains(secret),
            "the secret is never shown: {error}"
        );
        let insecure = |name: &str| match name {
            "UPLOADKIT_GRANT_KEY" => Some(secret.to_owned()),
            "UPLOADKIT_INSECURE_GRANT_KEY" => Some("1".to_owned()),
            _ => None,
        };
        // The flag admits a weak key but never one too short for HS256.
        assert_eq!(
            grant_keys(&insecure).is_ok(),
            secret.len() >= 32,
            "{secret}"
        );
    }
    assert_eq!(WeakKey::check(KEY_SECRET), None);
    let bad_json = |name: &str| (name == "UPLOADKIT_GRANT_KEYS").then(|| "not json".to_owned());
    assert!(
        grant_keys(&bad_json)
            .unwrap_err()
            .to_string()
            .contains("JSON object")
    );
}
