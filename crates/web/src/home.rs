//! The landing page: what this server is and where to go from here.

use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home(State(state): State<AppState>) -> Html<String> {
    let sandbox = if state.settings.sandbox_links {
        r#"<h2>Hộp thư thử nghiệm · Sandbox outboxes</h2>
<ul>
<li><a href="/sandbox/sms/page">Tin nhắn SMS đã gửi · SMS sent</a></li>
<li><a href="/sandbox/email/page">Thư điện tử đã gửi · E-mail sent</a></li>
<li><a href="/sandbox/people">Công dân giả lập (JSON) · Synthetic people (JSON)</a></li>
</ul>"#
    } else {
        ""
    };
    Html(format!(
        r#"<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>dvcid — Tài khoản Cổng Dịch vụ công quốc gia</title></head>
<body>
<main>
<h1>Hệ thống tài khoản Cổng Dịch vụ công quốc gia</h1>
<p lang="en">Account and sign-in system of the National Public Service Portal.</p>
{sandbox}
<h2>Vận hành · Operations</h2>
<ul>
<li><a href="/healthz">/healthz</a></li>
<li><a href="/readyz">/readyz</a></li>
<li><a href="/metrics">/metrics</a></li>
</ul>
</main>
</body>
</html>"#
    ))
}
