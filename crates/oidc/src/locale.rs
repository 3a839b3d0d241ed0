//! The languages dvcid's pages speak, chosen from a request's `ui_locales`.

/// The first tag of the space-separated `ui_locales` list that dvcid speaks (Vietnamese or
/// English), by its primary subtag.
pub(crate) fn first_supported_locale(list: &str) -> Option<&'static str> {
    list.split(' ').find_map(|tag| {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("vi") {
            Some("vi")
        } else if primary.eq_ignore_ascii_case("en") {
            Some("en")
        } else {
            None
        }
    })
}
