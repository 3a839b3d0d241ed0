use time::macros::datetime;

use super::*;
use crate::web_eid::Algorithm;

fn origin(s: &str) -> Origin {
    Origin::parse(s).unwrap()
}

fn nonce() -> Nonce {
    Nonce::parse(&"n".repeat(44)).unwrap()
}

const T0: OffsetDateTime = datetime!(2026-12-01 08:00 UTC);

#[test]
fn ids_and_csrf_tokens_are_unguessable_and_distinct() {
    let requests = Requests::default();
    let a = requests
        .create(origin("https://a.example"), nonce(), Lang::Vi, T0)
        .unwrap();
    let b = requests
        .create(origin("https://b.example"), nonce(), Lang::Vi, T0)
        .unwrap();
    assert_ne!(a, b);
    // 32 random bytes, base64url without padding.
    assert_eq!(a.len(), 43);
    let csrf = requests.pending(&a, T0).unwrap().csrf;
    assert_eq!(csrf.len(), 43);
    assert_ne!(csrf, a);
}

#[test]
fn expires_after_five_minutes() {
    let requests = Requests::default();
    let o = origin("https://a.example");
    let id = requests.create(o.clone(), nonce(), Lang::En, T0).unwrap();
    let almost = T0 + LIFETIME - Duration::seconds(1);
    assert!(requests.pending(&id, almost).is_some());
    assert_eq!(requests.poll(&id, &o, almost), Poll::Pending);
    assert!(requests.pending(&id, T0 + LIFETIME).is_none());
    let csrf = requests.pending(&id, T0).unwrap().csrf;
    assert_eq!(
        requests.claim(&id, &csrf, T0 + LIFETIME).unwrap_err(),
        ClaimError::Gone
    );
    assert_eq!(requests.poll(&id, &o, T0 + LIFETIME), Poll::Gone);
}

#[test]
fn a_new_request_replaces_the_origins_earlier_one() {
    let requests = Requests::default();
    let o = origin("https://a.example");
    let first = requests.create(o.clone(), nonce(), Lang::Vi, T0).unwrap();
    let other = requests
        .create(origin("https://b.example"), nonce(), Lang::Vi, T0)
        .unwrap();
    let second = requests.create(o.clone(), nonce(), Lang::Vi, T0).unwrap();
    assert_eq!(requests.poll(&first, &o, T0), Poll::Gone);
    assert_eq!(requests.poll(&second, &o, T0), Poll::Pending);
    assert!(requests.pending(&other, T0).is_some());
}

#[test]
fn only_the_creating_origin_reads_the_result_and_only_once() {
    let requests = Requests::default();
    let o = origin("https://a.example");
    let id = requests.create(o.clone(), nonce(), Lang::Vi, T0).unwrap();
    let csrf = requests.pending(&id, T0).unwrap().csrf;
    requests.claim(&id, &csrf, T0).unwrap();
    let token = AuthToken::new(b"cert", Algorithm::Es256, b"sig");
    requests.signed(&id, token.clone());
    assert_eq!(
        requests.poll(&id, &origin("https://b.example"), T0),
        Poll::OtherOrigin
    );
    assert_eq!(requests.poll(&id, &o, T0), Poll::Signed(Box::new(token)));
    assert_eq!(requests.poll(&id, &o, T0), Poll::Gone);
}

#[test]
fn claim_needs_the_csrf_token_and_happens_once() {
    let requests = Requests::default();
    let o = origin("https://a.example");
    let id = requests.create(o.clone(), nonce(), Lang::Vi, T0).unwrap();
    let csrf = requests.pending(&id, T0).unwrap().csrf;
    assert_eq!(
        requests.claim(&id, "guess", T0).unwrap_err(),
        ClaimError::BadCsrf
    );
    requests.claim(&id, &csrf, T0).unwrap();
    assert_eq!(
        requests.claim(&id, &csrf, T0).unwrap_err(),
        ClaimError::NotAwaiting
    );
    assert!(requests.pending(&id, T0).is_none());
    // A wrong PIN gives the request back to the person.
    requests.release(&id);
    requests.claim(&id, &csrf, T0).unwrap();
    requests.failed(&id, Failure::PinLocked);
    assert_eq!(requests.poll(&id, &o, T0), Poll::Failed(Failure::PinLocked));
}
