//! Protocol parameters as the web layer hands them over: every `name=value` pair in order, with
//! repeats kept. RFC 6749 §3.1: a parameter without a value counts as absent, and none may
//! appear twice — so a repeat is refused here rather than silently resolved.

/// Read access to one request's parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params<'a> {
    pairs: &'a [(String, String)],
}

/// `name` was sent more than once (with a value each time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Repeated(pub &'static str);

impl<'a> Params<'a> {
    pub(crate) fn new(pairs: &'a [(String, String)]) -> Self {
        Self { pairs }
    }

    /// The one value of `name`, `None` when absent or empty.
    pub(crate) fn get(&self, name: &'static str) -> Result<Option<&'a str>, Repeated> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(Repeated(name));
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn empty_values_are_absent_and_repeats_refused() {
        let list = pairs(&[
            ("a", "1"),
            ("b", ""),
            ("c", "x"),
            ("c", "y"),
            ("d", ""),
            ("d", "z"),
        ]);
        let params = Params::new(&list);
        assert_eq!(params.get("a"), Ok(Some("1")));
        assert_eq!(params.get("b"), Ok(None));
        assert_eq!(params.get("missing"), Ok(None));
        assert_eq!(params.get("c"), Err(Repeated("c")));
        assert_eq!(params.get("d"), Ok(Some("z")));
    }
}
