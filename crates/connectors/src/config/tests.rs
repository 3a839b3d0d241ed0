use super::*;

const FULL: &str = r#"
[population]
base_url = "https://dancu.example.gov.vn/api/"
api_key = "pop-key-123"
timeout_ms = 2000
retries = 1

[subscribers]
base_url = "https://thuebao.example.vn/"

[bhxh]
base_url = "https://bhxh.example.gov.vn/"

[sms]
base_url = "https://sms.example.vn/"
api_key = "sms-key-456"

[smtp]
host = "smtp.example.gov.vn"
from = "no-reply@dichvucong.example"
from_name = "Cổng Dịch vụ công quốc gia"
username = "mailer"
password = "smtp-pass-789"
"#;

#[test]
fn a_full_file_parses_with_defaults_filled_in() {
    let config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    assert_eq!(config.population.timeout_ms, 2000);
    assert_eq!(config.population.retries, 1);
    assert_eq!(config.subscribers.timeout_ms, 3000);
    assert_eq!(config.subscribers.connect_timeout_ms, 1000);
    assert_eq!(config.subscribers.retries, 2);
    assert_eq!(
        config
            .population
            .api_key
            .as_ref()
            .map(|key| key.expose().as_str()),
        Some("pop-key-123")
    );
    assert_eq!(config.smtp.port, 587);
    assert!(config.smtp.starttls);
    assert_eq!(config.smtp.from.as_str(), "no-reply@dichvucong.example");
    config.validate().unwrap();
}

#[test]
fn debug_never_prints_a_secret() {
    let config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    let printed = format!("{config:?}");
    for secret in ["pop-key-123", "sms-key-456", "smtp-pass-789"] {
        assert!(!printed.contains(secret), "{secret} leaked in {printed}");
    }
    assert!(printed.contains("[redacted]"));
    assert_eq!(Secret::new("x".to_owned()).to_string(), "[redacted]");
}

#[test]
fn unknown_keys_are_refused() {
    let text = FULL.replace("retries = 1", "retries = 1\nretry = 3");
    let error = toml::from_str::<ConnectorsConfig>(&text).unwrap_err();
    assert!(error.to_string().contains("retry"), "{error}");
}

#[test]
fn a_malformed_sender_is_refused_at_parse_time() {
    let text = FULL.replace("no-reply@dichvucong.example", "not an address");
    assert!(toml::from_str::<ConnectorsConfig>(&text).is_err());
}

#[test]
fn validation_names_the_key_at_fault() {
    let mut config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    config.bhxh.timeout_ms = 0;
    assert_eq!(config.validate().unwrap_err().key, "bhxh.timeout_ms");

    let mut config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    config.sms.base_url = "http://sms.example.vn/".parse().unwrap();
    assert_eq!(config.validate().unwrap_err().key, "sms.api_key");

    let mut config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    config.population.base_url = "ftp://dancu.example/".parse().unwrap();
    assert_eq!(config.validate().unwrap_err().key, "population.base_url");

    let mut config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    config.subscribers.retries = 50;
    assert_eq!(config.validate().unwrap_err().key, "subscribers.retries");

    let mut config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    config.smtp.starttls = false;
    assert_eq!(config.validate().unwrap_err().key, "smtp.starttls");

    let mut config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    config.smtp.password = None;
    assert_eq!(config.validate().unwrap_err().key, "smtp.password");
}

#[test]
fn an_api_key_may_travel_in_clear_only_on_loopback() {
    let mut endpoint = HttpEndpoint::new("http://127.0.0.1:8080/sandbox/sms/".parse().unwrap());
    endpoint.api_key = Some(Secret::new("k".to_owned()));
    endpoint.validate("sms").unwrap();
    endpoint.base_url = "http://localhost:8080/".parse().unwrap();
    endpoint.validate("sms").unwrap();
    endpoint.base_url = "http://10.0.0.5:8080/".parse().unwrap();
    assert!(endpoint.validate("sms").is_err());
}

#[test]
fn the_sandbox_config_points_every_system_at_the_sandbox() {
    let smtp: SocketAddr = "127.0.0.1:2525".parse().unwrap();
    for base in ["http://127.0.0.1:8080", "http://127.0.0.1:8080/"] {
        let config = ConnectorsConfig::sandbox(&base.parse().unwrap(), smtp).unwrap();
        assert_eq!(
            config.population.base_url.as_str(),
            "http://127.0.0.1:8080/sandbox/population/"
        );
        assert_eq!(
            config.subscribers.base_url.as_str(),
            "http://127.0.0.1:8080/sandbox/subscribers/"
        );
        assert_eq!(
            config.bhxh.base_url.as_str(),
            "http://127.0.0.1:8080/sandbox/bhxh/"
        );
        assert_eq!(
            config.sms.base_url.as_str(),
            "http://127.0.0.1:8080/sandbox/sms/"
        );
        assert_eq!(config.smtp.host, "127.0.0.1");
        assert_eq!(config.smtp.port, 2525);
        assert!(!config.smtp.starttls);
        config.validate().unwrap();
    }
    let nested = ConnectorsConfig::sandbox(&"http://h:1/app/".parse().unwrap(), smtp).unwrap();
    assert_eq!(nested.sms.base_url.as_str(), "http://h:1/app/sandbox/sms/");
}

const REMOTE_SIGNING: &str = r#"
[remote_signing]
base_url = "https://gwsca.example.vn/"
client_id = "dvcid"
client_secret = "smartca-secret-321"
timeout_ms = 5000
"#;

#[test]
fn the_remote_signing_section_is_optional_and_parsed_whole() {
    let config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    assert_eq!(config.remote_signing, None);

    let config: ConnectorsConfig = toml::from_str(&format!("{FULL}{REMOTE_SIGNING}")).unwrap();
    let remote = config.remote_signing.as_ref().unwrap();
    assert_eq!(remote.client_id, "dvcid");
    assert_eq!(remote.timeout_ms, 5000);
    assert_eq!(remote.retries, 2);
    config.validate().unwrap();
    let printed = format!("{config:?}");
    assert!(!printed.contains("smartca-secret-321"), "{printed}");

    let text = format!("{FULL}{REMOTE_SIGNING}").replace("timeout_ms = 5000", "scope = \"x\"");
    assert!(toml::from_str::<ConnectorsConfig>(&text).is_err());
}

#[test]
fn remote_signing_validation_names_the_key_at_fault() {
    let valid: ConnectorsConfig = toml::from_str(&format!("{FULL}{REMOTE_SIGNING}")).unwrap();
    let broken = |change: fn(&mut RemoteSigningConfig)| {
        let mut config = valid.clone();
        change(config.remote_signing.as_mut().unwrap());
        config.validate().unwrap_err().key
    };
    assert_eq!(
        broken(|remote| remote.client_id = " ".into()),
        "remote_signing.client_id"
    );
    assert_eq!(
        broken(|remote| remote.client_secret = Secret::new(String::new())),
        "remote_signing.client_secret"
    );
    assert_eq!(
        broken(|remote| remote.base_url = "http://gwsca.example.vn/".parse().unwrap()),
        "remote_signing.base_url"
    );
    assert_eq!(
        broken(|remote| remote.timeout_ms = 0),
        "remote_signing.timeout_ms"
    );
}

#[test]
fn the_sandbox_config_points_remote_signing_at_the_sandbox_smartca() {
    let smtp: SocketAddr = "127.0.0.1:2525".parse().unwrap();
    let config =
        ConnectorsConfig::sandbox(&"http://127.0.0.1:8080".parse().unwrap(), smtp).unwrap();
    let remote = config.remote_signing.unwrap();
    assert_eq!(
        remote.base_url.as_str(),
        "http://127.0.0.1:8080/sandbox/smartca/"
    );
    assert_eq!(remote.client_id, "dvcid-sandbox");
}

const MSSP: &str = r#"
[mobile_signature]
endpoint = "https://mpki.example.vn:18083/soap/services/MSS_SignaturePort"
ap_id = "http://ap.mobile-id.vn/dvcqg"
ap_password = "ap-pass-321"
mssp_id = "http://hmssp.mobile-id.vn"
signature_profile = "http://mobile-id.vn/digitalSignature"
signing_certificate_service = "http://mobile-id.vn/MSSP/v1.0.0#signingCertificate"
status_codes = "mobile-id-vn"
client_certificate = "/etc/dvcid/mssp-client.pem"
client_key = "/etc/dvcid/mssp-client.key"
"#;

fn with_mssp() -> ConnectorsConfig {
    toml::from_str(&format!("{FULL}{MSSP}")).unwrap()
}

#[test]
fn the_mobile_signature_section_parses_with_defaults() {
    let config = with_mssp();
    let mssp = config.mobile_signature.as_ref().unwrap();
    assert_eq!(mssp.status_codes, StatusCodeTable::MobileIdVn);
    assert_eq!(mssp.timeout_secs, 120);
    assert_eq!(mssp.status_retries, 2);
    assert_eq!(mssp.status_url(), &mssp.endpoint);
    assert!(!format!("{config:?}").contains("ap-pass-321"));
    config.validate().unwrap();
    // Absent: the method is not offered.
    let config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    assert!(config.mobile_signature.is_none());
}

#[test]
fn mobile_signature_errors_name_the_key() {
    let mut config = with_mssp();
    let mssp = config.mobile_signature.as_mut().unwrap();
    mssp.endpoint = "http://mpki.example.vn/soap/services/MSS_SignaturePort"
        .parse()
        .unwrap();
    assert_eq!(
        config.validate().unwrap_err().key,
        "mobile_signature.endpoint"
    );

    let mut config = with_mssp();
    config.mobile_signature.as_mut().unwrap().client_key = None;
    assert_eq!(
        config.validate().unwrap_err().key,
        "mobile_signature.client_key"
    );

    let mut config = with_mssp();
    config.mobile_signature.as_mut().unwrap().timeout_secs = 0;
    assert_eq!(
        config.validate().unwrap_err().key,
        "mobile_signature.timeout_secs"
    );

    let mut config = with_mssp();
    config.mobile_signature.as_mut().unwrap().ap_id = " ".to_owned();
    assert_eq!(config.validate().unwrap_err().key, "mobile_signature.ap_id");

    let text = format!("{FULL}{MSSP}").replace("\"mobile-id-vn\"", "\"klingon\"");
    assert!(toml::from_str::<ConnectorsConfig>(&text).is_err());
}

#[test]
fn the_sandbox_mssp_is_reached_on_this_host_only_in_clear() {
    let smtp: SocketAddr = "127.0.0.1:2525".parse().unwrap();
    for base in ["http://127.0.0.1:8080/", "http://0.0.0.0:8080/"] {
        let config = ConnectorsConfig::sandbox(&base.parse().unwrap(), smtp).unwrap();
        let mssp = config.mobile_signature.as_ref().unwrap();
        assert_eq!(
            mssp.endpoint.as_str(),
            format!("{base}sandbox/mssp/soap/services/MSS_SignaturePort")
        );
        config.validate().unwrap();
    }
}

const VNEID: &str = r#"
[vneid]
issuer = "https://sso.vneid.example.gov.vn"
client_id = "dvcqg"
client_secret = "vneid-secret-654"
"#;

fn with_vneid() -> ConnectorsConfig {
    toml::from_str(&format!("{FULL}{VNEID}")).unwrap()
}

#[test]
fn the_vneid_section_is_optional_and_parsed_with_defaults() {
    let config: ConnectorsConfig = toml::from_str(FULL).unwrap();
    assert_eq!(config.vneid, None);

    let config = with_vneid();
    let vneid = config.vneid.as_ref().unwrap();
    // Kept as written: no trailing slash is added.
    assert_eq!(vneid.issuer, "https://sso.vneid.example.gov.vn");
    assert_eq!(vneid.scopes, ["openid", "profile"]);
    assert_eq!(vneid.timeout_ms, 3000);
    assert_eq!(vneid.connect_timeout_ms, 1000);
    config.validate().unwrap();
    assert!(!format!("{config:?}").contains("vneid-secret-654"));

    let text = format!(
        "{FULL}{VNEID}scopes = [\"openid\", \"profile\", \"citizen\"]\ntimeout_ms = 5000\n"
    );
    let config: ConnectorsConfig = toml::from_str(&text).unwrap();
    let vneid = config.vneid.unwrap();
    assert_eq!(vneid.scopes, ["openid", "profile", "citizen"]);
    assert_eq!(vneid.timeout_ms, 5000);

    let text = format!("{FULL}{VNEID}retries = 2\n");
    assert!(toml::from_str::<ConnectorsConfig>(&text).is_err());
}

#[test]
fn vneid_validation_names_the_key_at_fault() {
    let valid = with_vneid();
    let broken = |change: &dyn Fn(&mut VneidConfig)| {
        let mut config = valid.clone();
        change(config.vneid.as_mut().unwrap());
        config.validate().unwrap_err().key
    };
    for issuer in [
        // The client secret would cross the network in clear.
        "http://sso.vneid.example.gov.vn",
        "http://10.0.0.5:8443",
        "ftp://sso.vneid.example.gov.vn",
        "https://sso.vneid.example.gov.vn?tenant=1",
        "https://sso.vneid.example.gov.vn#x",
        " https://sso.vneid.example.gov.vn",
        "not a url",
    ] {
        assert_eq!(
            broken(&|vneid| vneid.issuer = issuer.to_owned()),
            "vneid.issuer",
            "{issuer}"
        );
    }
    assert_eq!(
        broken(&|vneid| vneid.client_id = " dvcqg".into()),
        "vneid.client_id"
    );
    assert_eq!(
        broken(&|vneid| vneid.client_secret = Secret::new(String::new())),
        "vneid.client_secret"
    );
    assert_eq!(
        broken(&|vneid| vneid.scopes = vec!["profile".into()]),
        "vneid.scopes"
    );
    assert_eq!(
        broken(&|vneid| vneid.scopes = vec!["openid profile".into()]),
        "vneid.scopes"
    );
    assert_eq!(broken(&|vneid| vneid.timeout_ms = 0), "vneid.timeout_ms");
    assert_eq!(
        broken(&|vneid| vneid.connect_timeout_ms = 500_000),
        "vneid.connect_timeout_ms"
    );
}

#[test]
fn a_vneid_issuer_may_be_plain_http_on_this_host_only() {
    for issuer in [
        "http://127.0.0.1:9443",
        "http://localhost:9443/vneid",
        "http://[::1]:9443",
    ] {
        let config = VneidConfig::new(issuer, "dvcqg", Secret::new("s".to_owned()));
        config.validate("vneid").unwrap();
    }
}

#[test]
fn the_sandbox_config_has_no_vneid() {
    let smtp: SocketAddr = "127.0.0.1:2525".parse().unwrap();
    let config =
        ConnectorsConfig::sandbox(&"http://127.0.0.1:8080".parse().unwrap(), smtp).unwrap();
    assert_eq!(config.vneid, None);
}
