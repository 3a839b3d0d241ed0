//! The stylesheet and script, compiled into the binary and served as `/static/{stem}.{hash}.{ext}`.
//! The hash of the content is in the address, so browsers may keep a file for a year: a new
//! version has a new address.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::errors::{ErrorKind, ErrorPage};
use crate::i18n::Tr;
use crate::page::Format;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For an address whose hash is not the current one (a page from before a deployment):
/// the current file is served, but must not be kept under the old address.
const REVALIDATE: &str = "no-cache";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: [Asset; 2] = [
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/app.js"),
    },
];

/// `(file name with hash, asset)`, computed once.
static HASHED: LazyLock<Vec<(String, &'static Asset)>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|asset| (hashed_name(asset), asset))
        .collect()
});

fn hashed_name(asset: &Asset) -> String {
    let digest = Sha256::digest(asset.body);
    let hash: String = digest
        .iter()
        .take(5)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    match asset.name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{}.{hash}", asset.name),
    }
}

/// The address of the static file `name` (`app.css`, `app.js`), for templates.
pub fn url(name: &str) -> String {
    HASHED
        .iter()
        .find(|(_, asset)| asset.name == name)
        .map_or_else(
            || format!("/static/{name}"),
            |(hashed, _)| format!("/static/{hashed}"),
        )
}

pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/static/{file}", get(serve))
        .route("/favicon.ico", get(no_icon))
}

/// Pages name no icon (`data:,`), but a browser showing a JSON document (an API answer, the
/// demo relying service's callback) still asks for one: answer with nothing, cacheably.
async fn no_icon() -> Response {
    (
        axum::http::StatusCode::NO_CONTENT,
        [(header::CACHE_CONTROL, "public, max-age=86400")],
    )
        .into_response()
}

async fn serve(Path(file): Path<String>, tr: Tr, format: Format) -> Response {
    if let Some((_, asset)) = HASHED.iter().find(|(hashed, _)| *hashed == file) {
        return respond(asset, IMMUTABLE);
    }
    // `app.0123456789.css` of another version, or `app.css` itself.
    let stale = FILES.iter().find(|asset| {
        let (stem, ext) = asset.name.rsplit_once('.').unwrap_or((asset.name, ""));
        file == asset.name
            || (file.starts_with(&format!("{stem}.")) && file.ends_with(&format!(".{ext}")))
    });
    match stale {
        Some(asset) => respond(asset, REVALIDATE),
        None => ErrorPage::new(ErrorKind::NotFound, &tr).respond(&tr, format),
    }
}

fn respond(asset: &'static Asset, cache: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.body,
    )
        .into_response()
}
