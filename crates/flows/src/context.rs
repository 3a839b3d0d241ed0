//! What the web layer tells the flows about the request: transport facts, already parsed.

/// The person's device as the request shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// The client address (from the connection, or the trusted proxy's header).
    pub address: Option<String>,
    pub user_agent: Option<String>,
    /// The id in the device cookie (signed by the web layer), when the browser or app has one:
    /// a device that signed in to an account before is exempt from limits strangers can spend.
    pub device: Option<String>,
}
