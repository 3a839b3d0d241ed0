//! The OpenAPI document and the server agree on what a request must hold: every JSON request
//! body the document describes (each alternative of a `oneOf`), sent with only its required
//! fields, is never refused for a missing field.

use reqwest::{Client, Method, StatusCode};
use serde_json::{Map, Value, json};

use super::api::registered_session;
use super::serve;

const DOCUMENT: &str = include_str!("../../src/api/openapi.json");

/// `#/components/schemas/Name` resolved; anything else as it is.
fn resolved<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// A value the schema accepts: its constant, its first enumerated value, its minimum.
fn example(schema: &Value) -> Value {
    if let Some(constant) = schema.get("const") {
        return constant.clone();
    }
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.clone();
    }
    match schema["type"].as_str() {
        Some("integer") => schema.get("minimum").cloned().unwrap_or(json!(0)),
        Some("boolean") => json!(false),
        Some("object") => json!({}),
        Some("array") => json!([]),
        _ => json!("x"),
    }
}

/// The object with only the schema's required properties.
fn only_required(schema: &Value) -> Map<String, Value> {
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    required
        .iter()
        .map(|name| {
            let name = name.as_str().unwrap();
            (name.to_owned(), example(&schema["properties"][name]))
        })
        .collect()
}

/// Every (method, path, body) the document describes, one body per `oneOf` alternative.
fn minimal_requests(document: &Value) -> Vec<(Method, String, Map<String, Value>)> {
    let mut requests = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let Some(schema) = operation
                .pointer("/requestBody/content/application~1json/schema")
                .map(|schema| resolved(document, schema))
            else {
                continue;
            };
            let alternatives = match schema["oneOf"].as_array() {
                Some(alternatives) => alternatives.iter().collect(),
                None => vec![schema],
            };
            for alternative in alternatives {
                let body = only_required(resolved(document, alternative));
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                requests.push((method, path.clone(), body));
            }
        }
    }
    requests
}

/// The flow an action applies to at its first step, so that the engine reads it whole.
fn flow_for(action: &str) -> &'static str {
    match action {
        "identify" => "recovery",
        "register_phone" => "register_phone",
        "register_bhxh" => "register_bhxh",
        "register_vietnam_post" => "register_vietnam_post",
        "add_phone" => "add_phone",
        _ => "login",
    }
}

#[tokio::test]
async fn bodies_with_only_the_required_fields_are_accepted() {
    let db = store::testing::sqlite().await;
    let base = serve(&db, false).await;
    let http = Client::new();
    let session = registered_session(&base, &http).await;
    let document: Value = serde_json::from_str(DOCUMENT).unwrap();
    let mut requests = minimal_requests(&document);
    // Changing the password ends the session the others need.
    requests.sort_by_key(|(_, path, _)| path == "/api/account/password");
    assert!(requests.len() >= 14, "{}", requests.len());

    for (method, path, body) in requests {
        let sent: Vec<&String> = body.keys().collect();
        let what = format!("{method} {path} {}", Value::Object(body.clone()));
        let url = if path == "/api/flows/{id}" {
            let action = body["action"].as_str().unwrap();
            let created: Value = http
                .post(format!("{base}/api/flows"))
                .bearer_auth(&session)
                .json(&json!({ "kind": flow_for(action) }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = created["flow"]["id"].as_str().unwrap();
            let token = created["flow_token"].as_str().unwrap().to_owned();
            (format!("{base}/api/flows/{id}"), Some(token))
        } else {
            (format!("{base}{path}"), None)
        };
        let mut request = http
            .request(method, url.0)
            .bearer_auth(&session)
            .header("accept-language", "en")
            .json(&body);
        if let Some(token) = url.1 {
            request = request.header("x-flow-token", token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert_ne!(status, StatusCode::BAD_REQUEST, "{what}: {answer}");
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            let code = answer["error"].as_str().unwrap_or_default();
            assert!(!code.contains("required"), "{what}: {answer}");
        }
        // A field the document calls optional is not demanded by the flow either.
        for problem in answer["flow"]["problems"].as_array().into_iter().flatten() {
            if problem["code"] == "field.required" {
                let field = problem["field"].as_str().unwrap_or_default().to_owned();
                assert!(sent.contains(&&field), "{what}: {problem}");
            }
        }
    }
}
