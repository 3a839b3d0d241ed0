use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::people::SyntheticPeople;

fn sandbox() -> Sandbox {
    Sandbox::new(SyntheticPeople::generate(1, 10))
}

/// Sends `input` (all at once, as a pipelining client might) and returns every reply line.
async fn converse(sandbox: &Sandbox, input: &str) -> Vec<String> {
    let (client, server) = tokio::io::duplex(1 << 20);
    let (mut from_server, mut to_server) = tokio::io::split(client);
    to_server.write_all(input.as_bytes()).await.unwrap();
    to_server.shutdown().await.unwrap();
    session(server, sandbox).await.unwrap();
    let mut output = String::new();
    from_server.read_to_string(&mut output).await.unwrap();
    output.lines().map(str::to_owned).collect()
}

fn codes(lines: &[String]) -> Vec<&str> {
    lines.iter().map(|line| line.get(..3).unwrap()).collect()
}

#[tokio::test]
async fn a_full_transaction_is_filed_dot_unstuffed() {
    let sandbox = sandbox();
    let lines = converse(
        &sandbox,
        "EHLO client.test\r\nMAIL FROM:<no-reply@dvcid.test> BODY=8BITMIME\r\nRCPT TO:<An@Example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: =?utf-8?b?S8OtY2ggaG/huqF0?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n..starts with a dot\r\nsecond line\r\n.\r\nQUIT\r\n",
    )
    .await;
    assert_eq!(
        codes(&lines),
        [
            "220", "250", "250", "250", "250", "250", "250", "250", "354", "250", "221"
        ]
    );
    assert!(lines.iter().any(|l| l == "250-8BITMIME"));
    let filed = sandbox.email_outbox(Some("an@example.com"));
    assert_eq!(filed.len(), 1);
    let message = &filed[0];
    assert_eq!(message.from, "no-reply@dvcid.test");
    assert_eq!(message.to, ["An@Example.com", "b@example.com"]);
    assert_eq!(message.subject, "Kích hoạt");
    assert!(
        message.text.starts_with(".starts with a dot"),
        "{:?}",
        message.text
    );
    assert!(message.text.contains("second line"));
    assert!(message.html.is_none());
    assert!(lines[9].contains(&message.message_id));
    assert_eq!(sandbox.requests(System::Email), 1);
}

#[tokio::test]
async fn commands_out_of_order_are_refused() {
    let sandbox = sandbox();
    let lines = converse(
        &sandbox,
        "MAIL FROM:<a@x.test>\r\nHELO\r\nHELO c\r\nRCPT TO:<b@x.test>\r\nDATA\r\nMAIL FROM:<a@x.test>\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<>\r\nRCPT TO:<b@x.test>\r\nRSET\r\nDATA\r\nNOOP\r\nSTARTTLS\r\nAUTH PLAIN x\r\nMAIL FROM:x\r\nQUIT\r\n",
    )
    .await;
    assert_eq!(
        codes(&lines),
        [
            "220", "503", "501", "250", "503", "503", "250", "503", "501", "250", "250", "503",
            "250", "502", "502", "501", "221"
        ]
    );
    assert!(sandbox.email_outbox(None).is_empty());
}

#[tokio::test]
async fn a_message_declared_too_big_is_refused_up_front() {
    let sandbox = sandbox();
    let lines = converse(
        &sandbox,
        "EHLO c\r\nMAIL FROM:<a@x.test> SIZE=999999999\r\nMAIL FROM:<a@x.test> SIZE=10\r\nQUIT\r\n",
    )
    .await;
    assert_eq!(
        codes(&lines),
        ["220", "250", "250", "250", "250", "552", "250", "221"]
    );
}

#[tokio::test]
async fn an_overlong_command_line_is_refused_and_the_session_goes_on() {
    let sandbox = sandbox();
    let long = "X".repeat(MAX_COMMAND_LINE * 3);
    let lines = converse(&sandbox, &format!("NOOP {long}\r\nNOOP\r\nQUIT\r\n")).await;
    assert_eq!(codes(&lines), ["220", "500", "250", "221"]);
}

#[tokio::test]
async fn a_down_mail_system_answers_421_and_closes() {
    let sandbox = sandbox();
    sandbox.set_mode(System::Email, Mode::Down);
    let lines = converse(&sandbox, "EHLO c\r\n").await;
    assert_eq!(codes(&lines), ["421"]);
    assert_eq!(sandbox.requests(System::Email), 1);
}

#[tokio::test]
async fn a_session_ending_inside_data_files_nothing() {
    let sandbox = sandbox();
    let (client, server) = tokio::io::duplex(1 << 16);
    let (_from_server, mut to_server) = tokio::io::split(client);
    to_server
        .write_all(
            b"HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\nhalf a message\r\n",
        )
        .await
        .unwrap();
    to_server.shutdown().await.unwrap();
    let result = session(server, &sandbox).await;
    assert_eq!(result.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    assert!(sandbox.email_outbox(None).is_empty());
}

#[test]
fn path_arguments_are_parsed_with_parameters() {
    assert_eq!(
        path_argument("FROM:<a@b.test> SIZE=12", "FROM:"),
        Some(("a@b.test", " SIZE=12"))
    );
    assert_eq!(path_argument("from: <>", "FROM:"), Some(("", "")));
    assert_eq!(path_argument("TO:a@b.test", "TO:"), None);
    assert_eq!(declared_size(" BODY=8BITMIME SIZE=42"), Some(42));
    assert_eq!(declared_size(" BODY=8BITMIME"), None);
}
