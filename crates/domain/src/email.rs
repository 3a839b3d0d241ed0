//! Địa chỉ email, checked pragmatically: the shapes mail systems deliver to, without quoted
//! local parts, comments or IP-literal domains, which no citizen types and which hide typos.

use crate::identifier::string_identifier;
use crate::{IdentifierKind, Invalid};

/// An e-mail address (địa chỉ email). Normalised form: the local part as typed (mail servers
/// may treat its case as significant) + `@` + the domain in lower case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email {
    text: String,
    at: usize,
}

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;
const MAX_LABEL_LEN: usize = 63;
/// The characters RFC 5322 allows unquoted in a local part besides letters, digits and dots.
const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

impl Email {
    /// Parses an address: exactly one `@`; a local part of 1–64 ASCII characters (letters,
    /// digits, `.` and ``!#$%&'*+/=?^_`{|}~-``, no leading, trailing or doubled dot); a domain
    /// of at least two dot-separated labels of letters, digits and inner hyphens (IDNs in
    /// their `xn--` form), the last not all digits; at most 254 characters in all.
    pub fn parse(input: &str) -> Result<Self, Invalid> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(Invalid::Empty {
                kind: IdentifierKind::Email,
            });
        }
        if let Some(found) = trimmed
            .chars()
            .find(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Invalid::Character {
                kind: IdentifierKind::Email,
                found,
            });
        }
        let length = trimmed.chars().count();
        if length > MAX_LEN {
            return Err(Invalid::EmailTooLong { found: length });
        }
        let at_signs = trimmed.matches('@').count();
        let (local, domain) = match trimmed.split_once('@') {
            Some(parts) if at_signs == 1 => parts,
            _ => return Err(Invalid::EmailAtSign { found: at_signs }),
        };
        check_local(local)?;
        let domain = domain.to_ascii_lowercase();
        check_domain(&domain)?;
        Ok(Self {
            text: format!("{local}@{domain}"),
            at: local.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The part before `@`, as typed.
    pub fn local_part(&self) -> &str {
        self.text.get(..self.at).unwrap_or_default()
    }

    /// The part after `@`, in lower case.
    pub fn domain(&self) -> &str {
        self.text.get(self.at + 1..).unwrap_or_default()
    }
}

string_identifier!(Email);

fn check_local(local: &str) -> Result<(), Invalid> {
    if local.is_empty() {
        return Err(Invalid::EmailLocalEmpty);
    }
    let length = local.chars().count();
    if length > MAX_LOCAL_LEN {
        return Err(Invalid::EmailLocalTooLong { found: length });
    }
    if let Some(found) = local
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || LOCAL_SPECIALS.contains(*c)))
    {
        return Err(Invalid::Character {
            kind: IdentifierKind::Email,
            found,
        });
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(Invalid::EmailLocalDots);
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), Invalid> {
    if !domain.contains('.') {
        return Err(Invalid::EmailDomainNoDot {
            domain: domain.to_owned(),
        });
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        let well_formed = (1..=MAX_LABEL_LEN).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !well_formed {
            return Err(Invalid::EmailDomainLabel {
                label: (*label).to_owned(),
            });
        }
    }
    // A numeric top-level label means an IP address or a typo, never a mail domain.
    if let Some(top) = labels
        .last()
        .filter(|top| top.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(Invalid::EmailDomainLabel {
            label: (*top).to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let email = Email::parse("  Nguyen.Van.An+dvc@Gmail.COM ").unwrap();
        assert_eq!(email.as_str(), "Nguyen.Van.An+dvc@gmail.com");
        assert_eq!(email.local_part(), "Nguyen.Van.An+dvc");
        assert_eq!(email.domain(), "gmail.com");
        for ok in [
            "a@b.vn",
            "hotro@dichvucong.gov.vn",
            "o'brien@example.co.uk",
            "x_y-z@sub-domain.example.com",
            "user@xn--tnminn-dxa.vn",
            "1@2.com",
        ] {
            assert_eq!(Email::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refusals_name_their_rule() {
        let long_local = "a".repeat(65);
        let long_total = format!("{}@{}.com", "a".repeat(64), "b".repeat(190));
        let long_label = format!("a@{}.com", "b".repeat(64));
        let cases = [
            ("", "email.empty"),
            ("an.example.com", "email.at_sign"),
            ("an@@example.com", "email.at_sign"),
            ("an@b@example.com", "email.at_sign"),
            ("@example.com", "email.local_empty"),
            (long_local.as_str(), "email.at_sign"),
            ("an van@example.com", "email.character"),
            ("nguyễn@example.com", "email.character"),
            ("\"an\"@example.com", "email.character"),
            ("an,b@example.com", "email.character"),
            (".an@example.com", "email.local_dots"),
            ("an.@example.com", "email.local_dots"),
            ("an..b@example.com", "email.local_dots"),
            ("an@localhost", "email.domain_no_dot"),
            ("an@", "email.domain_no_dot"),
            ("an@example..com", "email.domain_label"),
            ("an@.example.com", "email.domain_label"),
            ("an@example.com.", "email.domain_label"),
            ("an@-example.com", "email.domain_label"),
            ("an@example-.com", "email.domain_label"),
            ("an@exa_mple.com", "email.domain_label"),
            ("an@ví-dụ.vn", "email.domain_label"),
            ("an@10.0.0.1", "email.domain_label"),
            (long_label.as_str(), "email.domain_label"),
            (long_total.as_str(), "email.too_long"),
        ];
        for (input, rule) in cases {
            assert_eq!(Email::parse(input).unwrap_err().rule(), rule, "{input:?}");
        }
        let too_long_local = format!("{long_local}@example.com");
        assert_eq!(
            Email::parse(&too_long_local).unwrap_err(),
            Invalid::EmailLocalTooLong { found: 65 }
        );
    }

    #[test]
    fn messages_name_the_problem() {
        let err = Email::parse("an@localhost").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the domain \"localhost\" of the e-mail address has no dot"
        );
        let err = Email::parse("an@@x.vn").unwrap_err();
        assert_eq!(
            err.to_string(),
            "an e-mail address has exactly one '@'; this has 2"
        );
        assert_eq!(
            err.message_vi(),
            "địa chỉ email có đúng một ký tự '@'; địa chỉ này có 2"
        );
    }

    #[test]
    fn serde_round_trips() {
        let email: Email = serde_json::from_str("\"An@Example.VN\"").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"An@example.vn\"");
    }
}
