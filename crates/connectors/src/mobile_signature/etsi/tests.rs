use super::*;
use domain::PhoneNumber;

fn client() -> EtsiMobileSignature {
    let config = MobileSignatureConfig::new(
        "http://127.0.0.1:9/soap/services/MSS_SignaturePort"
            .parse()
            .unwrap(),
        "http://ap.example/dvcid",
        Secret::new("ap-secret".to_owned()),
        "http://mssp.example",
    );
    EtsiMobileSignature::new(&config).unwrap()
}

#[test]
fn the_signature_request_carries_every_field() {
    let request = MobileSignatureRequest {
        phone: PhoneNumber::parse("0912345678").unwrap(),
        hash: [7; 32],
        display_text: "Đăng nhập Cổng DVC — mã 1234 <&>".to_owned(),
        transaction_id: "tx-1".to_owned(),
    };
    let xml = client().signature_request(&request).unwrap();
    assert!(
        xml.contains("<mss:MSISDN>84912345678</mss:MSISDN>"),
        "{xml}"
    );
    assert!(xml.contains("AP_TransID=\"tx-1\""));
    assert!(xml.contains("MessagingMode=\"asynchClientServer\""));
    assert!(xml.contains("Đăng nhập Cổng DVC — mã 1234 &lt;&amp;&gt;"));
    let data = STANDARD.encode(sha256_digest_info(&[7; 32]));
    assert!(xml.contains(&data));
}
