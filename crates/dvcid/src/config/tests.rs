use super::*;

const MINIMAL: &str = r#"
database_url = "sqlite:///var/lib/dvcid/dvcid.sqlite3"
public_base_url = "https://id.dichvucong.gov.vn"

[secrets]
otp_key = "0123456789abcdef0123456789abcdef"
key_encryption_key = "fedcba9876543210fedcba9876543210"

[connectors.population]
base_url = "https://dancu.example.gov.vn/api/"
[connectors.subscribers]
base_url = "https://thuebao.example.gov.vn/api/"
[connectors.bhxh]
base_url = "https://bhxh.example.gov.vn/api/"
[connectors.sms]
base_url = "https://sms.example.gov.vn/api/"
[connectors.smtp]
host = "smtp.example.gov.vn"
from = "no-reply@dichvucong.gov.vn"
"#;

fn load_text(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("dvcid.toml");
    std::fs::write(&path, text).unwrap();
    let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    load(&path, env)
}

fn setting_of(error: ConfigError) -> String {
    match error {
        ConfigError::Setting { setting, .. } => setting,
        other => panic!("expected a setting error, got {other}"),
    }
}

#[test]
fn a_minimal_file_gets_the_defaults() {
    let config = load_text(MINIMAL, &[]).unwrap();
    assert_eq!(config.listen, default_listen());
    assert_eq!(config.log.format, logging::Format::Json);
    assert_eq!(config.database.max_connections, 16);
    assert_eq!(config.audit.checkpoint_minutes, 10);
    assert_eq!(config.password, PasswordPolicy::default());
    assert_eq!(config.connectors.population.timeout_ms, 3000);
}

#[test]
fn the_environment_overrides_the_file_at_any_depth() {
    let config = load_text(
        MINIMAL,
        &[
            ("DVCID_LISTEN", "127.0.0.1:9000"),
            ("DVCID_DATABASE__MAX_CONNECTIONS", "40"),
            (
                "DVCID_CONNECTORS__SMS__BASE_URL",
                "https://sms2.example.gov.vn/",
            ),
            ("DVCID_CONNECTORS__SMS__RETRIES", "0"),
            ("DVCID_LOG__FORMAT", "human"),
            ("DVCID_TEST_POSTGRES_URL", "postgres://ignored"),
            ("DVCID_CONFIG", "/etc/dvcid.toml"),
            ("PATH", "/usr/bin"),
        ],
    )
    .unwrap();
    assert_eq!(config.listen.port(), 9000);
    assert_eq!(config.database.max_connections, 40);
    assert_eq!(
        config.connectors.sms.base_url.as_str(),
        "https://sms2.example.gov.vn/"
    );
    assert_eq!(config.connectors.sms.retries, 0);
    assert_eq!(config.log.format, logging::Format::Human);
}

#[test]
fn a_whole_configuration_can_come_from_the_environment() {
    let env: Vec<(String, String)> = [
        ("DVCID_DATABASE_URL", "postgres://dvcid@db/dvcid"),
        ("DVCID_PUBLIC_BASE_URL", "https://id.dichvucong.gov.vn"),
        ("DVCID_SECRETS__OTP_KEY", "0123456789abcdef0123456789abcdef"),
        (
            "DVCID_SECRETS__KEY_ENCRYPTION_KEY",
            "fedcba9876543210fedcba9876543210",
        ),
        (
            "DVCID_CONNECTORS__POPULATION__BASE_URL",
            "https://a.example/",
        ),
        (
            "DVCID_CONNECTORS__SUBSCRIBERS__BASE_URL",
            "https://b.example/",
        ),
        ("DVCID_CONNECTORS__BHXH__BASE_URL", "https://c.example/"),
        ("DVCID_CONNECTORS__SMS__BASE_URL", "https://d.example/"),
        ("DVCID_CONNECTORS__SMTP__HOST", "smtp.example"),
        ("DVCID_CONNECTORS__SMTP__FROM", "no-reply@dichvucong.gov.vn"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("empty.toml");
    std::fs::write(&path, "").unwrap();
    let config = load(&path, env).unwrap();
    assert_eq!(config.database_url.expose(), "postgres://dvcid@db/dvcid");
}

#[test]
fn each_refusal_names_its_setting() {
    type Env = &'static [(&'static str, &'static str)];
    let cases: [(&str, &str, Env); 12] = [
        ("missing otp key", "secrets.otp_key", &[]),
        (
            "unknown key",
            "listen_address",
            &[("DVCID_LISTEN_ADDRESS", "x")],
        ),
        ("bad listen", "listen", &[("DVCID_LISTEN", "everywhere")]),
        (
            "http base URL",
            "public_base_url",
            &[("DVCID_PUBLIC_BASE_URL", "http://id.example.vn")],
        ),
        (
            "short key",
            "secrets.otp_key",
            &[("DVCID_SECRETS__OTP_KEY", "short")],
        ),
        (
            "short key-encryption key",
            "secrets.key_encryption_key",
            &[("DVCID_SECRETS__KEY_ENCRYPTION_KEY", "short")],
        ),
        (
            "missing key-encryption key",
            "secrets.key_encryption_key",
            &[],
        ),
        (
            "bad database",
            "database_url",
            &[("DVCID_DATABASE_URL", "mysql://x")],
        ),
        (
            "zero pool",
            "database.max_connections",
            &[("DVCID_DATABASE__MAX_CONNECTIONS", "0")],
        ),
        (
            "no audit checkpoints",
            "audit.checkpoint_minutes",
            &[("DVCID_AUDIT__CHECKPOINT_MINUTES", "0")],
        ),
        (
            "long refresh retry grace",
            "oidc.refresh_token_retry_grace_secs",
            &[("DVCID_OIDC__REFRESH_TOKEN_RETRY_GRACE_SECS", "61")],
        ),
        (
            "bad sms url",
            "connectors.sms.base_url",
            &[("DVCID_CONNECTORS__SMS__BASE_URL", "not a url")],
        ),
    ];
    for (case, setting, env) in cases {
        let text = if case == "missing otp key" {
            MINIMAL.replace("otp_key = \"0123456789abcdef0123456789abcdef\"", "")
        } else if case == "missing key-encryption key" {
            MINIMAL.replace(
                "key_encryption_key = \"fedcba9876543210fedcba9876543210\"",
                "",
            )
        } else {
            MINIMAL.to_owned()
        };
        let error = load_text(&text, env).expect_err(case);
        let message = error.to_string();
        assert_eq!(setting_of(error), setting, "{case}: {message}");
    }
}

#[test]
fn loopback_may_use_plain_http() {
    let config = load_text(
        MINIMAL,
        &[("DVCID_PUBLIC_BASE_URL", "http://127.0.0.1:8080")],
    )
    .unwrap();
    assert_eq!(config.public_base_url.scheme(), "http");
}

#[test]
fn a_malformed_file_or_variable_is_reported_as_such() {
    let error = load_text("database_url = ", &[]).unwrap_err();
    assert!(matches!(error, ConfigError::Syntax { .. }), "{error}");
    let error = load_text(
        MINIMAL,
        &[("DVCID_SECRETS", "x"), ("DVCID_SECRETS__OTP_KEY", "y")],
    );
    assert!(error.is_err());
    let error = load_text(MINIMAL, &[("DVCID_CONNECTORS____SMS", "x")]).unwrap_err();
    assert!(matches!(error, ConfigError::Environment { .. }), "{error}");
}

#[test]
fn secrets_do_not_print() {
    let config = load_text(MINIMAL, &[]).unwrap();
    let printed = format!("{config:?}");
    assert!(!printed.contains("0123456789abcdef"), "{printed}");
    assert!(!printed.contains("fedcba9876543210"), "{printed}");
}

#[test]
fn trusted_proxies_are_networks_from_the_file_or_the_environment() {
    let config = load_text(MINIMAL, &[]).unwrap();
    assert!(config.http.trusted_proxies.is_empty());

    let text = format!(
        "{MINIMAL}\n[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1/128\", \"192.0.2.10\"]\n"
    );
    let config = load_text(&text, &[]).unwrap();
    let networks: Vec<String> = config
        .http
        .trusted_proxies
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(networks, ["10.0.0.0/8", "::1/128", "192.0.2.10/32"]);

    let config = load_text(
        MINIMAL,
        &[("DVCID_HTTP__TRUSTED_PROXIES", "172.16.0.0/12, fd00::/8")],
    )
    .unwrap();
    assert_eq!(config.http.trusted_proxies.len(), 2);
}

#[test]
fn a_malformed_trusted_proxy_names_its_setting() {
    let error = load_text(
        MINIMAL,
        &[("DVCID_HTTP__TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")],
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("proxy.internal"), "{message}");
    assert_eq!(setting_of(error), "http.trusted_proxies");
}
