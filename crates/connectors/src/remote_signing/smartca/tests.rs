//! The client's reading of recorded example messages, in the published shapes.

use super::*;

fn gateway() -> SmartCaGateway {
    let config = RemoteSigningConfig::new(
        "https://gwsca.example.vn/".parse().unwrap(),
        "dvcid",
        Secret::new("s3cret".to_owned()),
    );
    SmartCaGateway::new(&config).unwrap()
}

fn tran(text: &str) -> Result<RemoteSignatureStatus, ConnectorError> {
    let envelope: Envelope = serde_json::from_str(text).unwrap();
    status_of(envelope.into_content().unwrap())
}

#[test]
fn the_authorization_url_has_the_published_parameters() {
    let url = gateway().authorization_url("st&ate", "chal-lenge", "https://dvc.example/cb?x=1");
    assert_eq!(url.path(), "/auth/authorize");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let expected = [
        ("response_type", "code"),
        ("client_id", "dvcid"),
        ("redirect_uri", "https://dvc.example/cb?x=1"),
        ("scope", "sign offline_access"),
        ("state", "st&ate"),
        ("code_challenge", "chal-lenge"),
        ("code_challenge_method", "S256"),
    ];
    assert_eq!(
        pairs,
        expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_nested_base_keeps_its_path() {
    let config = RemoteSigningConfig::new(
        "http://127.0.0.1:9/sandbox/smartca/".parse().unwrap(),
        "dvcid",
        Secret::new("s".to_owned()),
    );
    let url =
        SmartCaGateway::new(&config)
            .unwrap()
            .authorization_url("s", "c", "http://127.0.0.1/cb");
    assert_eq!(url.path(), "/sandbox/smartca/auth/authorize");
}

#[test]
fn transaction_statuses_follow_the_published_codes() {
    let signed = tran(
        r#"{"code":0,"codeDesc":"SUCCESS","message":"","content":{"refTranId":"r1","tranId":"t1",
        "tranStatus":1,"documents":[{"name":"r1","hash":"AAAA","sig":"MEUCIQ=="}]}}"#,
    );
    assert_eq!(
        signed,
        Ok(RemoteSignatureStatus::Signed {
            signature: vec![0x30, 0x45, 0x02, 0x21]
        })
    );
    let status = |code: i64| {
        tran(&format!(
            r#"{{"code":0,"content":{{"tranId":"t1","tranStatus":{code}}}}}"#
        ))
    };
    assert_eq!(status(4000), Ok(RemoteSignatureStatus::Waiting));
    assert_eq!(status(4001), Ok(RemoteSignatureStatus::Expired));
    assert_eq!(status(4002), Ok(RemoteSignatureStatus::Refused));
    assert_eq!(status(4003), Ok(RemoteSignatureStatus::Failed(4003)));
    assert_eq!(status(4004), Ok(RemoteSignatureStatus::Failed(4004)));
    assert_eq!(status(7).unwrap_err().kind(), "invalid_response");
    // Signed, but nothing to show for it.
    assert_eq!(status(1).unwrap_err().kind(), "invalid_response");
    let not_base64 =
        tran(r#"{"code":0,"content":{"tranId":"t1","tranStatus":1,"documents":[{"sig":"%%"}]}}"#);
    assert_eq!(not_base64.unwrap_err().kind(), "invalid_response");
}

#[test]
fn the_signhash_body_has_the_published_shape() {
    let body = SignHashRequest {
        credential_id: "c1",
        ref_tran_id: "r1",
        description: "Đăng nhập — mã 1234",
        datas: [HashToSign {
            name: "r1",
            hash: STANDARD.encode([0u8; 32]),
        }],
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        serde_json::json!({
            "credentialId": "c1", "refTranId": "r1", "description": "Đăng nhập — mã 1234",
            "datas": [{"name": "r1", "hash": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]
        })
    );
}
