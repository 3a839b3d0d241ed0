//! A small SMTP receiver (RFC 5321 subset) that files every message in the e-mail outbox, so
//! the real mail client of `connectors` is exercised end to end. Plain text, no AUTH: it is
//! meant for loopback only.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::control::{Mode, System};
use crate::state::Sandbox;

const HOSTNAME: &str = "sandbox.dvcid";
/// RFC 5321 §4.5.3.1.4 allows 512 octets for a command line; a little slack for extensions.
const MAX_COMMAND_LINE: usize = 1_024;
const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
const MAX_RECIPIENTS: usize = 100;
const MAX_SESSIONS: usize = 64;
/// Shorter than RFC 5321's five minutes: a stuck test client should not hold a session long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Accepts SMTP sessions on `listener` until the task is dropped. Bind the listener to
/// `127.0.0.1:0` and hand its address to the mail client.
pub async fn serve_smtp(listener: TcpListener, sandbox: Arc<Sandbox>) {
    let sessions = Arc::new(Semaphore::new(MAX_SESSIONS));
    loop {
        match listener.accept().await {
            Ok((mut stream, _peer)) => {
                let Ok(permit) = Arc::clone(&sessions).try_acquire_owned() else {
                    tokio::spawn(async move {
                        let _ = stream.write_all(b"421 4.3.2 too many sessions\r\n").await;
                    });
                    continue;
                };
                let sandbox = Arc::clone(&sandbox);
                tokio::spawn(async move {
                    let _permit = permit;
                    if let Err(error) = session(stream, &sandbox).await {
                        tracing::debug!(%error, "sandbox SMTP session ended with an error");
                    }
                });
            }
            Err(error) => {
                // Typically out of file descriptors: wait instead of spinning.
                tracing::warn!(%error, "sandbox SMTP accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// The mail transaction in progress.
#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

enum Line {
    /// The bytes of the line, without its line end.
    Bytes(Vec<u8>),
    TooLong,
    Eof,
}

/// Reads one line (without its CRLF or LF), refusing to buffer more than `max` bytes of it.
async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(if line.is_empty() && !too_long {
                Line::Eof
            } else if too_long {
                Line::TooLong
            } else {
                Line::Bytes(line)
            });
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (available.get(..=end).unwrap_or(available), true),
            None => (available, false),
        };
        let taken = chunk.len();
        if line.len() + taken > max + 2 {
            too_long = true;
        } else {
            line.extend_from_slice(chunk);
        }
        reader.consume(taken);
        if done {
            if too_long {
                return Ok(Line::TooLong);
            }
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(Line::Bytes(line));
        }
    }
}

async fn timed_line<R: AsyncBufRead + Unpin>(reader: &mut R, max: usize) -> io::Result<Line> {
    tokio::time::timeout(IDLE_TIMEOUT, read_line(reader, max))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "idle SMTP session"))?
}

async fn reply<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) -> io::Result<()> {
    writer.write_all(text.as_bytes()).await?;
    writer.write_all(b"\r\n").await?;
    writer.flush().await
}

/// `<address>` from the argument of MAIL FROM / RCPT TO, after the given keyword; `None` when
/// malformed. Parameters after the path (SIZE=…, BODY=…) are returned too.
fn path_argument<'a>(argument: &'a str, keyword: &str) -> Option<(&'a str, &'a str)> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument.get(keyword.len()..)?.trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some((rest.get(..end)?, rest.get(end + 1..).unwrap_or_default()))
}

fn declared_size(parameters: &str) -> Option<usize> {
    parameters.split_whitespace().find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.eq_ignore_ascii_case("SIZE")
            .then(|| value.parse().ok())
            .flatten()
    })
}

/// One SMTP session, over any byte stream (a TCP connection, or a duplex pipe in tests).
pub(crate) async fn session<S: AsyncRead + AsyncWrite>(
    stream: S,
    sandbox: &Sandbox,
) -> io::Result<()> {
    let (read, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(read);
    match sandbox.controls().admit(System::Email) {
        Mode::Down => {
            return reply(&mut writer, "421 4.3.2 sandbox mail system unavailable").await;
        }
        Mode::Slow(delay) => tokio::time::sleep(delay).await,
        Mode::Up => {}
    }
    reply(&mut writer, &format!("220 {HOSTNAME} ESMTP dvcid sandbox")).await?;
    let mut greeted = false;
    let mut transaction = Transaction::default();
    loop {
        let line = match timed_line(&mut reader, MAX_COMMAND_LINE).await {
            Ok(Line::Bytes(line)) => String::from_utf8_lossy(&line).into_owned(),
            Ok(Line::TooLong) => {
                reply(&mut writer, "500 5.5.2 line too long").await?;
                continue;
            }
            Ok(Line::Eof) => return Ok(()),
            Err(error) if error.kind() == io::ErrorKind::TimedOut => {
                return reply(&mut writer, "421 4.4.2 idle timeout, closing").await;
            }
            Err(error) => return Err(error),
        };
        let (verb, argument) = match line.split_once(' ') {
            Some((verb, argument)) => (verb, argument.trim()),
            None => (line.as_str(), ""),
        };
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" if argument.is_empty() => {
                reply(&mut writer, "501 5.5.4 EHLO needs a domain").await?
            }
            "EHLO" => {
                greeted = true;
                transaction = Transaction::default();
                let text = format!(
                    "250-{HOSTNAME} greets {argument}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE {MAX_MESSAGE_BYTES}"
                );
                reply(&mut writer, &text).await?;
            }
            "HELO" if argument.is_empty() => {
                reply(&mut writer, "501 5.5.4 HELO needs a domain").await?
            }
            "HELO" => {
                greeted = true;
                transaction = Transaction::default();
                reply(&mut writer, &format!("250 {HOSTNAME}")).await?;
            }
            "MAIL" => {
                let answer = if !greeted {
                    "503 5.5.1 EHLO or HELO first"
                } else if transaction.from.is_some() {
                    "503 5.5.1 nested MAIL command"
                } else {
                    match path_argument(argument, "FROM:") {
                        None => "501 5.5.4 syntax: MAIL FROM:<address>",
                        Some((_, parameters))
                            if declared_size(parameters)
                                .is_some_and(|size| size > MAX_MESSAGE_BYTES) =>
                        {
                            "552 5.3.4 message size exceeds the limit"
                        }
                        Some((address, _)) => {
                            transaction.from = Some(address.to_owned());
                            "250 2.1.0 OK"
                        }
                    }
                };
                reply(&mut writer, answer).await?;
            }
            "RCPT" => {
                let answer = if transaction.from.is_none() {
                    "503 5.5.1 MAIL first"
                } else {
                    match path_argument(argument, "TO:") {
                        None | Some(("", _)) => "501 5.5.4 syntax: RCPT TO:<address>",
                        Some(_) if transaction.to.len() >= MAX_RECIPIENTS => {
                            "452 4.5.3 too many recipients"
                        }
                        Some((address, _)) => {
                            transaction.to.push(address.to_owned());
                            "250 2.1.5 OK"
                        }
                    }
                };
                reply(&mut writer, answer).await?;
            }
            "DATA" => {
                if transaction.to.is_empty() {
                    reply(&mut writer, "503 5.5.1 RCPT first").await?;
                    continue;
                }
                reply(&mut writer, "354 End data with <CR><LF>.<CR><LF>").await?;
                let Some(data) = read_data(&mut reader).await? else {
                    transaction = Transaction::default();
                    reply(&mut writer, "552 5.3.4 message size exceeds the limit").await?;
                    continue;
                };
                let done = std::mem::take(&mut transaction);
                let id =
                    crate::email::store(sandbox, done.from.unwrap_or_default(), done.to, &data);
                tracing::info!(message_id = %id, "sandbox e-mail accepted");
                reply(&mut writer, &format!("250 2.0.0 OK queued as {id}")).await?;
            }
            "RSET" => {
                transaction = Transaction::default();
                reply(&mut writer, "250 2.0.0 OK").await?;
            }
            "NOOP" => reply(&mut writer, "250 2.0.0 OK").await?,
            "QUIT" => return reply(&mut writer, &format!("221 2.0.0 {HOSTNAME} closing")).await,
            "VRFY" => reply(&mut writer, "252 2.5.0 cannot verify, will accept").await?,
            _ => reply(&mut writer, "502 5.5.2 command not implemented").await?,
        }
    }
}

/// The message after `354`, dot-unstuffed, with CRLF line ends; `None` when over the size
/// limit (the rest is read and discarded so the session stays in step).
async fn read_data<R: AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut oversize = false;
    loop {
        let line = match timed_line(reader, MAX_MESSAGE_BYTES).await? {
            Line::Bytes(line) => line,
            Line::TooLong => {
                oversize = true;
                continue;
            }
            Line::Eof => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "end of stream in DATA",
                ));
            }
        };
        if line == b"." {
            return Ok((!oversize).then_some(data));
        }
        // RFC 5321 §4.5.2: a leading dot was doubled by the sender.
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + line.len() + 2 > MAX_MESSAGE_BYTES {
            oversize = true;
        }
        if !oversize {
            data.extend_from_slice(line);
            data.extend_from_slice(b"\r\n");
        }
    }
}

#[cfg(test)]
mod tests;
