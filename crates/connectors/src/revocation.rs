//! OCSP responses and CRLs over HTTP for `pki`: a POST of `application/ocsp-request`
//! (RFC 6960 appendix A) and a GET of the CRL, each with a timeout and a bounded body. What is
//! fetched is signed by the CA and checked by `pki`, so nothing here judges the content.

use std::time::Duration;

use async_trait::async_trait;
use pki::{FetchError, RevocationFetcher};
use reqwest::header::{ACCEPT, CONTENT_TYPE};

/// An OCSP response is a few kilobytes, even with the responder's certificate.
const MAX_OCSP_BYTES: usize = 256 * 1024;
/// The CRLs of large CAs reach tens of megabytes.
const MAX_CRL_BYTES: usize = 32 * 1024 * 1024;

/// Fetches over HTTP with reqwest.
pub struct HttpRevocationFetcher {
    http: reqwest::Client,
    timeout: Duration,
}

impl HttpRevocationFetcher {
    /// Web eID's choice: a responder that needs more than 5 s is treated as down.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

    /// A fetcher whose every request, body included, ends within `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, FetchError> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            // CAs move CRLs behind CDNs; what comes back is signed, so following is safe.
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("dvcid-connectors/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| FetchError::Connect(describe(&error)))?;
        Ok(Self { http, timeout })
    }

    async fn read(
        &self,
        request: reqwest::RequestBuilder,
        limit: usize,
    ) -> Result<Vec<u8>, FetchError> {
        let mut response = request
            .timeout(self.timeout)
            .send()
            .await
            .map_err(|error| failure(&error))?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| failure(&error))? {
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

#[async_trait]
impl RevocationFetcher for HttpRevocationFetcher {
    async fn ocsp(&self, url: &str, request_der: Vec<u8>) -> Result<Vec<u8>, FetchError> {
        let request = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/ocsp-request")
            .header(ACCEPT, "application/ocsp-response")
            .body(request_der);
        let outcome = self.read(request, MAX_OCSP_BYTES).await;
        if let Err(error) = &outcome {
            tracing::warn!(url, %error, "OCSP responder not reached");
        }
        outcome
    }

    async fn crl(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let outcome = self.read(self.http.get(url), MAX_CRL_BYTES).await;
        if let Err(error) = &outcome {
            tracing::warn!(url, %error, "CRL not fetched");
        }
        outcome
    }
}

fn failure(error: &reqwest::Error) -> FetchError {
    if error.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Connect(describe(error))
    }
}

/// The error and its causes on one line.
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::{get, post};

    async fn serve(app: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn posts_the_request_and_gets_the_crl() {
        let app = Router::new()
            .route(
                "/ocsp",
                post(|headers: HeaderMap, body: axum::body::Bytes| async move {
                    assert_eq!(headers[CONTENT_TYPE.as_str()], "application/ocsp-request");
                    // Echo the request so the test sees it arrived whole.
                    body.to_vec()
                }),
            )
            .route("/ca.crl", get(|| async { vec![0x30u8, 0x00] }))
            .route("/gone.crl", get(|| async { StatusCode::NOT_FOUND }))
            .route("/big.crl", get(|| async { vec![0u8; MAX_CRL_BYTES + 1] }))
            .route("/stuck", post(std::future::pending::<Vec<u8>>));
        let base = serve(app).await;
        let fetcher = HttpRevocationFetcher::new(Duration::from_millis(300)).unwrap();

        let request = vec![0x30, 0x03, 0x02, 0x01, 0x07];
        assert_eq!(
            fetcher.ocsp(&format!("{base}/ocsp"), request.clone()).await,
            Ok(request)
        );
        assert_eq!(
            fetcher.crl(&format!("{base}/ca.crl")).await,
            Ok(vec![0x30, 0x00])
        );
        assert_eq!(
            fetcher.crl(&format!("{base}/gone.crl")).await,
            Err(FetchError::Status(404))
        );
        assert_eq!(
            fetcher.crl(&format!("{base}/big.crl")).await,
            Err(FetchError::TooLarge)
        );
        assert_eq!(
            fetcher.ocsp(&format!("{base}/stuck"), vec![]).await,
            Err(FetchError::Timeout)
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connection_failure() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let fetcher = HttpRevocationFetcher::new(HttpRevocationFetcher::DEFAULT_TIMEOUT).unwrap();
        let outcome = fetcher
            .crl(&format!("http://127.0.0.1:{port}/ca.crl"))
            .await;
        assert!(
            matches!(outcome, Err(FetchError::Connect(_))),
            "{outcome:?}"
        );
    }
}
