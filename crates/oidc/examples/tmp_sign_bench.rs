use std::sync::Arc;
use std::time::Instant;
use oidc::{KeyRing, OidcConfig, SealingKey};
use serde_json::json;
use store::SigningAlg;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let db = store::testing::sqlite().await;
    let ring = KeyRing::new(Arc::clone(&db.store), SealingKey::derive(b"0123456789abcdef0123456789abcdef"), &OidcConfig::default());
    let now = time::OffsetDateTime::now_utc();
    ring.ensure_keys(now).await.unwrap();
    let claims = json!({"iss":"https://id.dichvucong.gov.vn","sub":"abc","aud":"rp","exp": now.unix_timestamp()+300,"iat":now.unix_timestamp(),"jti":"0123456789abcdef","scope":"openid profile"});
    for alg in [SigningAlg::RS256, SigningAlg::ES256, SigningAlg::EdDSA] {
        let n = 2000;
        let start = Instant::now();
        let mut token = String::new();
        for _ in 0..n { token = ring.sign(alg, "at+jwt", &claims, now).await.unwrap(); }
        let sign = start.elapsed();
        let start = Instant::now();
        for _ in 0..n { let _: serde_json::Value = ring.verify(&token, Some("at+jwt"), true, now).await.unwrap(); }
        let verify = start.elapsed();
        println!("{alg:?}: sign {:.0}/s verify {:.0}/s", n as f64 / sign.as_secs_f64(), n as f64 / verify.as_secs_f64());
    }
}
