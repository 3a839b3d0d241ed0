//! What a page tells its form components: the values to show again, what was wrong with them,
//! notices and tabs. Handlers fill these from a flow's state; `templates/ui.html` draws them.
//! Every text here is already translated.

/// A problem with one field, shown beside the field and, as a link to it, in the error summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's `name`; its input has the id `f-{field}`.
    pub field: &'static str,
    pub message: String,
}

/// A problem with the form as a whole, and where the person can go from it ("Đăng nhập",
/// "Quên mật khẩu" under "this ID number already has an account").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    pub message: String,
    pub links: Vec<Link>,
}

/// A link offered with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub label: String,
}

impl Link {
    pub fn new(href: impl Into<String>, label: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            label: label.into(),
        }
    }
}

/// The state of one form as the page shows it.
#[derive(Debug, Clone, Default)]
pub struct Form {
    values: Vec<(&'static str, String)>,
    errors: Vec<FieldError>,
    problems: Vec<FormProblem>,
}

impl Form {
    pub fn new() -> Form {
        Form::default()
    }

    /// Shows `value` again in `field`. Never call it for passwords or one-time codes.
    pub fn with_value(mut self, field: &'static str, value: impl Into<String>) -> Form {
        self.set_value(field, value);
        self
    }

    pub fn set_value(&mut self, field: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.values.iter_mut().find(|(name, _)| *name == field) {
            Some((_, old)) => *old = value,
            None => self.values.push((field, value)),
        }
    }

    /// Marks `field` as wrong; the first message for a field is the one shown beside it.
    pub fn add_error(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// A problem with the form as a whole ("wrong ID number or password"), listed in the
    /// summary without a link.
    pub fn add_problem(&mut self, message: impl Into<String>) {
        self.add_problem_with_links(message, Vec::new());
    }

    /// A problem with the form as a whole and the links that lead on from it.
    pub fn add_problem_with_links(&mut self, message: impl Into<String>, links: Vec<Link>) {
        self.problems.push(FormProblem {
            message: message.into(),
            links,
        });
    }

    pub fn value(&self, field: &str) -> &str {
        self.values
            .iter()
            .find(|(name, _)| *name == field)
            .map_or("", |(_, value)| value.as_str())
    }

    /// Whether `field` holds `value`: which radio button or checkbox to show checked.
    pub fn holds(&self, field: &str, value: &str) -> bool {
        self.value(field) == value
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn problems(&self) -> &[FormProblem] {
        &self.problems
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || !self.problems.is_empty()
    }
}

/// How a notice looks and is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Success,
    Error,
}

impl NoticeKind {
    /// The CSS modifier (`notice-info` …).
    pub fn class(self) -> &'static str {
        match self {
            NoticeKind::Info => "notice-info",
            NoticeKind::Success => "notice-success",
            NoticeKind::Error => "notice-error",
        }
    }

    /// The translation key of the word read out before the text ("Lỗi:"), which colour alone
    /// would not tell.
    pub fn label_key(self) -> &'static str {
        match self {
            NoticeKind::Info => "notice-info",
            NoticeKind::Success => "notice-success",
            NoticeKind::Error => "notice-error",
        }
    }

    /// Errors interrupt a screen reader (`role="alert"`); the others wait (`role="status"`).
    pub fn role(self) -> &'static str {
        match self {
            NoticeKind::Error => "alert",
            NoticeKind::Info | NoticeKind::Success => "status",
        }
    }
}

/// A box of information above the content: "OTP sent to 09…78", "Password changed".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: Option<String>,
    pub text: String,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Notice {
        Notice::of(NoticeKind::Info, text)
    }

    pub fn success(text: impl Into<String>) -> Notice {
        Notice::of(NoticeKind::Success, text)
    }

    pub fn error(text: impl Into<String>) -> Notice {
        Notice::of(NoticeKind::Error, text)
    }

    pub fn with_title(mut self, title: impl Into<String>) -> Notice {
        self.title = Some(title.into());
        self
    }

    fn of(kind: NoticeKind, text: impl Into<String>) -> Notice {
        Notice {
            kind,
            title: None,
            text: text.into(),
        }
    }
}

/// One tab of a row of tabs. Tabs are plain links to their own pages, so they work without
/// script and each has an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
    /// A sign-in method of the flow at `href`: the tab is a button that switches to it.
    pub method: Option<&'static str>,
}

impl Tab {
    pub fn new(href: impl Into<String>, label: impl Into<String>, current: bool) -> Tab {
        Tab {
            href: href.into(),
            label: label.into(),
            current,
            method: None,
        }
    }

    /// A tab that switches the sign-in flow posted to `action` to `method`.
    pub fn method(action: &str, method: &'static str, label: String, current: bool) -> Tab {
        Tab {
            method: Some(method),
            ..Tab::new(action, label, current)
        }
    }
}
