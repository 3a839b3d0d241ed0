//! E-mail (thư điện tử) over SMTP with `lettre`: activation links and notices. STARTTLS with
//! certificate checks for production relays; plain SMTP for the loopback sandbox.

use std::error::Error as _;
use std::time::Duration;

use async_trait::async_trait;
use domain::Email;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tracing::Instrument;

use crate::config::{ConfigError, SmtpEndpoint};
use crate::error::{ConnectorError, System};

/// The mail system.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends a plain-text e-mail. The body may hold a link that works as a credential:
    /// implementations never log it.
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), ConnectorError>;
}

/// [`Mailer`] over SMTP.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Bounds one whole attempt; lettre's own timeout bounds each command.
    attempt_timeout: Duration,
    retries: u32,
    backoff: Duration,
}

/// A send is a handful of commands; give it that many command timeouts before giving up.
const COMMANDS_PER_SEND: u32 = 6;
const MAX_BACKOFF: Duration = Duration::from_secs(2);

fn address(email: &Email) -> Result<Address, String> {
    Address::new(email.local_part(), email.domain()).map_err(|error| error.to_string())
}

impl SmtpMailer {
    pub fn new(endpoint: &SmtpEndpoint) -> Result<Self, ConfigError> {
        endpoint.validate("smtp")?;
        let timeout = Duration::from_millis(endpoint.timeout_ms);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&endpoint.host)
            .port(endpoint.port)
            .timeout(Some(timeout));
        if endpoint.starttls {
            let tls = TlsParameters::new(endpoint.host.clone())
                .map_err(|error| ConfigError::new("smtp.starttls", error.to_string()))?;
            builder = builder.tls(Tls::Required(tls));
        }
        if let (Some(username), Some(password)) = (&endpoint.username, &endpoint.password) {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose().to_owned(),
            ));
        }
        if let Some(name) = &endpoint.helo_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        let from = Mailbox::new(
            endpoint.from_name.clone(),
            address(&endpoint.from).map_err(|reason| ConfigError::new("smtp.from", reason))?,
        );
        Ok(Self {
            transport: builder.build(),
            from,
            attempt_timeout: timeout.saturating_mul(COMMANDS_PER_SEND),
            retries: endpoint.retries,
            backoff: Duration::from_millis(endpoint.backoff_ms),
        })
    }

    fn unavailable(reason: String) -> ConnectorError {
        ConnectorError::Unavailable {
            system: System::Email,
            reason,
        }
    }

    /// One attempt, and whether a failure is safe to retry.
    async fn attempt(&self, message: &Message) -> Result<(), (ConnectorError, bool)> {
        let sent = tokio::time::timeout(self.attempt_timeout, self.transport.send(message.clone()))
            .await
            .map_err(|_| {
                // The message may have been accepted just before the deadline: no retry.
                let reason = format!("no answer within {} ms", self.attempt_timeout.as_millis());
                (Self::unavailable(reason), false)
            })?;
        sent.map(|_| ()).map_err(|error| {
            let reason = describe(&error);
            if error.is_permanent() {
                let rejected = ConnectorError::Rejected {
                    system: System::Email,
                    reason,
                };
                return (rejected, false);
            }
            // A 4xx reply or a refused connection means nothing was accepted, so another
            // attempt cannot deliver twice; a connection lost mid-way might have been.
            let retry = error.is_transient() || connection_refused(&error);
            (Self::unavailable(reason), retry)
        })
    }
}

fn connection_refused(error: &lettre::transport::smtp::Error) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        source = cause.source();
    }
    false
}

fn describe(error: &lettre::transport::smtp::Error) -> String {
    let mut text = error.to_string();
    crate::error::append_causes(&mut text, error);
    text
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, to: &Email, subject: &str, text: &str) -> Result<(), ConnectorError> {
        let span = tracing::info_span!("connector", system = "email", op = "send");
        async {
            let rejected = |reason: String| ConnectorError::Rejected {
                system: System::Email,
                reason,
            };
            let recipient = Mailbox::new(None, address(to).map_err(rejected)?);
            let message = Message::builder()
                .from(self.from.clone())
                .to(recipient)
                .subject(subject)
                .header(ContentType::TEXT_PLAIN)
                .body(text.to_owned())
                .map_err(|error| rejected(error.to_string()))?;
            let mut attempt: u32 = 0;
            loop {
                let (error, retry) = match self.attempt(&message).await {
                    Ok(()) => {
                        tracing::info!(attempt, "e-mail accepted by the relay");
                        return Ok(());
                    }
                    Err(failure) => failure,
                };
                if !retry || attempt >= self.retries {
                    tracing::warn!(attempt, error.kind = error.kind(), %error, "e-mail not sent");
                    return Err(error);
                }
                let pause = self
                    .backoff
                    .saturating_mul(2u32.saturating_pow(attempt))
                    .min(MAX_BACKOFF);
                tracing::info!(attempt, %error, ?pause, "e-mail will be retried");
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
        }
        .instrument(span)
        .await
    }
}
