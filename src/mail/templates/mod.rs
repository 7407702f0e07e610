//! Mail templates as the team edits them: each template set (subject, text,
//! optional HTML) compiled on its own in a sandbox that can reach nothing
//! but its context, with limits on work and size.

pub mod check;

use minijinja::{AutoEscape, Environment, Value};

/// Instructions a render may run: generous for the longest announcement,
/// small enough that a loop gone wrong ends in well under a second.
const FUEL: u64 = 2_000_000;
/// Largest rendered part, in bytes.
pub const MAX_OUTPUT: usize = 1024 * 1024;
/// Largest source of one part, in bytes.
pub const MAX_SOURCE: usize = 64 * 1024;

/// The filters a template may use; `safe` is not among them, so nothing
/// switches off the HTML part's escaping.
pub const FILTERS: &[&str] = &[
    "escape",
    "e",
    "lower",
    "upper",
    "title",
    "replace",
    "length",
    "count",
    "dictsort",
    "items",
    "reverse",
    "trim",
    "join",
    "split",
    "lines",
    "default",
    "d",
    "round",
    "abs",
    "int",
    "float",
    "attr",
    "first",
    "last",
    "min",
    "max",
    "sort",
    "list",
    "string",
    "bool",
    "batch",
    "slice",
    "sum",
    "indent",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "map",
    "groupby",
    "unique",
    "chain",
    "zip",
    "pprint",
    "format",
    "tojson",
    "urlencode",
    "datetime",
];

/// Names a template may use besides its variables: the engine's own.
pub const BUILTIN_NAMES: &[&str] = &[
    "range",
    "dict",
    "namespace",
    "loop",
    "true",
    "false",
    "none",
];

/// The sources of one version of a mail template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// A rendered mail: subject, text body, optional HTML body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Which part of a template an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Subject,
    Text,
    Html,
}

impl Part {
    pub fn field(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "text",
            Part::Html => "html",
        }
    }
    fn template_name(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "text",
            Part::Html => "body.html",
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{part}: {message}", part = .part.field())]
pub struct RenderError {
    pub part: Part,
    pub message: String,
}

impl RenderError {
    fn from_engine(part: Part, e: &minijinja::Error) -> Self {
        Self {
            part,
            message: describe(e),
        }
    }
}

/// `line 3: unknown filter` and the like, for people who edit templates.
pub fn describe(e: &minijinja::Error) -> String {
    let what = match e.detail() {
        Some(detail) => format!("{}: {detail}", e.kind()),
        None => e.kind().to_string(),
    };
    match e.line() {
        Some(line) => format!("line {line}: {what}"),
        None => what,
    }
}

/// One template set, compiled and ready to render.
pub struct Compiled {
    env: Environment<'static>,
    has_html: bool,
}

impl Compiled {
    pub fn new(sources: &Sources) -> Result<Self, RenderError> {
        let mut env = sandbox();
        let mut add = |part: Part, source: &str| {
            env.add_template_owned(part.template_name(), source.to_owned())
                .map_err(|e| RenderError::from_engine(part, &e))
        };
        add(Part::Subject, &sources.subject)?;
        add(Part::Text, &sources.text)?;
        if let Some(html) = &sources.html {
            add(Part::Html, html)?;
        }
        Ok(Self {
            env,
            has_html: sources.html.is_some(),
        })
    }

    /// Renders every part; the subject comes out as one line.
    pub fn render(&self, ctx: &Value) -> Result<RenderedMail, RenderError> {
        let subject = self.part(Part::Subject, ctx)?;
        let text = self.part(Part::Text, ctx)?;
        let html = match self.has_html {
            true => Some(self.part(Part::Html, ctx)?),
            false => None,
        };
        Ok(RenderedMail {
            // No variable can add a header line.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text,
            html,
        })
    }

    /// The names `part` uses that its template does not set itself.
    pub fn undeclared(&self, part: Part) -> std::collections::HashSet<String> {
        match self.env.get_template(part.template_name()) {
            Ok(t) => t.undeclared_variables(false),
            Err(_) => Default::default(),
        }
    }

    fn part(&self, part: Part, ctx: &Value) -> Result<String, RenderError> {
        let out = self
            .env
            .get_template(part.template_name())
            .and_then(|t| t.render(ctx))
            .map_err(|e| RenderError::from_engine(part, &e))?;
        if out.len() > MAX_OUTPUT {
            return Err(RenderError {
                part,
                message: format!("renders to more than {} KiB", MAX_OUTPUT / 1024),
            });
        }
        Ok(out)
    }
}

/// An environment with no loader, no other templates, no `debug`, no
/// `safe`, and a fuel limit; only the HTML part is escaped.
fn sandbox() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_fuel(Some(FUEL));
    env.remove_global("debug");
    env.remove_filter("safe");
    env.add_filter("datetime", format_datetime);
    env.set_auto_escape_callback(|name| match name {
        "body.html" => AutoEscape::Html,
        _ => AutoEscape::None,
    });
    env
}

/// `{{ at | datetime }}`: microseconds since the epoch as `2026-11-25 15:03 UTC`.
pub fn format_datetime(micros: i64) -> String {
    match jiff::Timestamp::from_microsecond(micros) {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod prop_tests;
#[cfg(test)]
mod tests;
