//! The flow API's request body (`POST /api/flows/{id}`): any bytes decode to an action or to
//! a refusal, never a panic; a decoded action is the one its `action` tag names.
#![no_main]

use flows::Action;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(action) = serde_json::from_slice::<Action>(data) else {
        return;
    };
    let value: serde_json::Value =
        serde_json::from_slice(data).expect("a body that decodes to an action is JSON");
    assert_eq!(
        value.get("action").and_then(serde_json::Value::as_str),
        Some(action.name()),
        "{action:?} decoded from {value}"
    );
});
