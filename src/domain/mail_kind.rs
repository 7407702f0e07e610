//! Every mail embargo can send, and what its template may use: the
//! catalogue the template editor validates against and previews with.

/// Who a mail goes to; groups the template list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Reporter,
    Admins,
    Applicants,
    Members,
    Public,
}

impl Audience {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reporter => "reporter",
            Self::Admins => "admins",
            Self::Applicants => "applicants",
            Self::Members => "members",
            Self::Public => "public",
        }
    }
}

/// One variable a template may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variable {
    pub name: &'static str,
    pub description: &'static str,
    /// Example value as JSON text, for previews.
    pub example: &'static str,
}

/// What the catalogue says about one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub audience: Audience,
    /// One sentence: when the mail is sent and to whom.
    pub purpose: &'static str,
    /// The variables of this mail (the globals come on top).
    pub variables: &'static [Variable],
    /// Variables the text must use: the link or fact the mail exists for.
    pub required: &'static [&'static str],
}

/// Variables every mail template may use.
pub const GLOBALS: &[Variable] = &[
    Variable {
        name: "org",
        description: "the organisation's name (`organization`)",
        example: r#""Example Project""#,
    },
    Variable {
        name: "base_url",
        description: "where embargo is served, without a trailing slash",
        example: r#""https://security.example.org""#,
    },
    Variable {
        name: "security_address",
        description: "the security team's address",
        example: r#""security@example.org""#,
    },
];

macro_rules! kinds {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A mail embargo can send; its name is the template's name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MailKind { $($variant),* }

        impl MailKind {
            /// Every mail the code can queue.
            pub const ALL: &'static [MailKind] = &[$(MailKind::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(MailKind::$variant => $name),* }
            }

            pub fn parse(name: &str) -> Option<Self> {
                match name { $($name => Some(MailKind::$variant),)* _ => None }
            }
        }
    };
}

kinds! {
    ReportReceived => "report_received",
    Announcement => "announcement",
}

impl MailKind {
    /// What the catalogue says about this mail.
    pub fn entry(self) -> Entry {
        match self {
            Self::ReportReceived => Entry {
                audience: Audience::Reporter,
                purpose: "Acknowledges a new report to its reporter, with the private tracking link.",
                variables: &[
                    Variable {
                        name: "report_id",
                        description: "the report's id",
                        example: r#""rep_01jd3k8v2x""#,
                    },
                    Variable {
                        name: "title",
                        description: "the report's title as the reporter wrote it",
                        example: r#""Path traversal in the archive extractor""#,
                    },
                    Variable {
                        name: "reporter_name",
                        description: "the reporter's name, if given (else empty)",
                        example: r#""Alice Example""#,
                    },
                    Variable {
                        name: "tracking_url",
                        description: "the reporter's private tracking page",
                        example: r#""https://security.example.org/track/tok_example""#,
                    },
                    Variable {
                        name: "first_response_days",
                        description: "days within which the team aims to answer",
                        example: "3",
                    },
                ],
                required: &["tracking_url"],
            },
            Self::Announcement => Entry {
                audience: Audience::Members,
                purpose: "The embargoed advisory, one encrypted and signed copy per cleared contact.",
                variables: &[],
                required: &["link"],
            },
        }
    }

    /// Every variable this mail's template may use, globals included.
    pub fn all_variables(self) -> impl Iterator<Item = &'static Variable> {
        self.entry().variables.iter().chain(GLOBALS)
    }
}
