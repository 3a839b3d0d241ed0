//! Shared pieces of the wire format: dates as `YYYY-MM-DD`, timestamps as RFC 3339.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

time::serde::format_description!(pub(crate) date, Date, "[year]-[month]-[day]");

/// RFC 3339 text of a timestamp; the fallback only happens for years outside 0–9999.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// A timestamp for people: to the second, in UTC.
pub(crate) fn for_people(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    match utc.format(&format) {
        Ok(text) => format!("{text} UTC"),
        Err(_) => rfc3339(at),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Holder {
        #[serde(with = "super::date")]
        d: time::Date,
    }

    #[test]
    fn dates_are_iso_calendar_dates() {
        let json = serde_json::to_string(&Holder {
            d: date!(1990 - 05 - 07),
        })
        .unwrap();
        assert_eq!(json, r#"{"d":"1990-05-07"}"#);
        let back: Holder = serde_json::from_str(&json).unwrap();
        assert_eq!(back.d, date!(1990 - 05 - 07));
        assert!(serde_json::from_str::<Holder>(r#"{"d":"07/05/1990"}"#).is_err());
    }
}
