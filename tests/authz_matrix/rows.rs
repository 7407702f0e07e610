//! The matrix for reports, accounts, advisories and jobs: public pages,
//! the admins' pages, and the JSON API. Columns as in `mod.rs`.

use axum::http::Method;

use super::Expect::{Hidden, Is, Login};
use super::Row;

#[rustfmt::skip]
pub const PUBLIC: &[Row] = &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    // Public pages and operations.
    (Method::GET,    "/healthz",                                        [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    // Anonymous like /healthz; 503 here because the matrix's app runs no job runner.
    (Method::GET,    "/readyz",                                         [Is(503), Is(503), Is(503), Is(503), Is(503), Is(503), Is(503), Is(503)]),
    // No `[metrics] token` in the matrix's config: nobody, whatever their role, reads metrics on the public port.
    (Method::GET,    "/metrics",                                        [Is(404), Is(404), Is(404), Is(404), Is(404), Is(404), Is(404), Is(404)]),
    (Method::GET,    "/static/style.css",                               [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/static/passkeys.js",                             [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/",                                               [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/report",                                         [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/report",                                         [Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303)]),
    // What is published, for everyone.
    (Method::GET,    "/advisories",                                     [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/advisories/{file}",                              [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/advisories/{file}/patches/{patch}",              [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/feed.atom",                                      [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/security.txt",                       [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/provider-metadata.json",        [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/white/index.txt",               [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/white/changes.csv",             [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/csaf/white/{year}/{file}",           [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    // The list's public key; the Web Key Directory for the security address.
    (Method::GET,    "/list-key.asc",                                   [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/openpgpkey/hu/{hash}",               [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::GET,    "/.well-known/openpgpkey/policy",                  [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    // The reporter's capability link: whoever holds it, and nobody else.
    (Method::GET,    "/track/{token}",                                  [Hidden,  Is(200), Hidden,  Hidden,  Hidden,  Hidden,  Hidden,  Hidden]),
    (Method::POST,   "/track/{token}/messages",                         [Hidden,  Is(303), Hidden,  Hidden,  Hidden,  Hidden,  Hidden,  Hidden]),
    (Method::GET,    "/track/{token}/attachments/{attachment}",         [Hidden,  Is(200), Hidden,  Hidden,  Hidden,  Hidden,  Hidden,  Hidden]),
    // Signing in and setting up: a removed contact's account is disabled.
    (Method::GET,    "/login",                                          [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/login",                                          [Is(303), Is(303), Is(303), Is(303), Is(303), Is(401), Is(303), Is(303)]),
    (Method::POST,   "/logout",                                         [Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303)]),
    // A passkey sign-in's challenge is anyone's; an answer that is none
    // (the matrix has no authenticator) is a refused login for everyone.
    (Method::POST,   "/login/passkey/options",                          [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/login/passkey",                                  [Is(401), Is(401), Is(401), Is(401), Is(401), Is(401), Is(401), Is(401)]),
    (Method::POST,   "/login/second-factor",                            [Is(401), Is(401), Is(401), Is(401), Is(401), Is(401), Is(401), Is(401)]),
    (Method::GET,    "/setup/{token}",                                  [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/setup/{token}",                                  [Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303), Is(303)]),
    (Method::POST,   "/api/v1/setup/{token}",                           [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    // One's own account.
    (Method::GET,    "/account",                                        [Login,   Login,   Is(200), Is(200), Is(200), Login,   Is(200), Is(200)]),
    (Method::POST,   "/account/tokens",                                 [Login,   Login,   Is(200), Is(200), Is(200), Login,   Is(200), Is(200)]),
    (Method::POST,   "/account/language",                               [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(303)]),
    (Method::POST,   "/account/time-zone",                              [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(303)]),
    (Method::POST,   "/account/tokens/{id}/revoke",                     [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(303)]),
    // One's passkeys: adding one without an authenticator's answer is 422.
    (Method::POST,   "/account/passkeys/options",                       [Login,   Login,   Is(200), Is(200), Is(200), Login,   Is(200), Is(200)]),
    (Method::POST,   "/account/passkeys",                               [Login,   Login,   Is(422), Is(422), Is(422), Login,   Is(422), Is(422)]),
    (Method::POST,   "/account/passkeys/{id}/remove",                   [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(303)]),
    // An authenticator app: set up with its current code (the matrix sends
    // none, 422); recovery codes only once one is set up (none is: 409).
    (Method::GET,    "/account/totp",                                   [Login,   Login,   Is(200), Is(200), Is(200), Login,   Is(200), Is(200)]),
    (Method::POST,   "/account/totp",                                   [Login,   Login,   Is(422), Is(422), Is(422), Login,   Is(422), Is(422)]),
    (Method::POST,   "/account/recovery-codes",                         [Login,   Login,   Is(409), Is(409), Is(409), Login,   Is(409), Is(409)]),
    // Every session and token of one's own (an account of the caller's role stands in).
    (Method::POST,   "/account/sign-out-everywhere",                    [Login,   Login,   Is(303), Is(303), Is(303), Login,   Is(303), Is(303)]),
];

#[rustfmt::skip]
pub const ADMIN: &[Row] = &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    // Triage pages: admins only.
    (Method::GET,    "/admin/reports",                                  [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::GET,    "/admin/reports/{id}",                             [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/reports/{id}/reply",                       [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/reports/{id}/status",                      [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/reports/{id}/assign",                      [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/reports/{id}/attachments/{attachment}",    [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::GET,    "/admin/jobs",                                     [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/jobs/{id}/retry",                          [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/advisories",                               [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::GET,    "/admin/advisories/new",                           [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/advisories",                               [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/advisories/{id}",                          [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/advisories/{id}/edit",                     [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/embargo",                  [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/publish",                  [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/withdraw",                 [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/github",                   [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::POST,   "/admin/advisories/{id}/github/cve",               [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    // Announcing to the list: admins only, through a confirmation.
    (Method::POST,   "/admin/advisories/{id}/announcements/confirm",    [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/advisories/{id}/announcements",            [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/announcements/{id}",                       [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    // Patches from the advisory's page, and the team's download in any state.
    (Method::POST,   "/admin/advisories/{id}/patches",                  [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
    (Method::GET,    "/admin/advisories/{id}/patches/{patch}",          [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    // The team's admins: an admin invites another by mail.
    (Method::GET,    "/admin/admins",                                   [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(200)]),
    (Method::POST,   "/admin/admins",                                   [Login,   Login,   Is(403), Is(403), Is(403), Login,   Is(403), Is(303)]),
];

#[rustfmt::skip]
pub const API: &[Row] = &[
    //                                                                   anonymous reporter cleared unaccepted other org removed delegate admin
    // A bearer token that is present but dead is refused on every route
    // that looks at the caller, public ones included.
    (Method::GET,    "/api/openapi.json",                               [Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/reports",                                 [Is(201), Is(201), Is(201), Is(201), Is(201), Is(401), Is(201), Is(201)]),
    (Method::GET,    "/api/v1/reports",                                 [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/reports/{id}",                            [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/reports/{id}/messages",                   [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::POST,   "/api/v1/reports/{id}/status",                     [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/reports/{id}/assignee",                   [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/reports/{id}/attachments/{attachment}",   [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/track/{token}",                           [Hidden,  Is(200), Hidden,  Hidden,  Hidden,  Is(401), Hidden,  Hidden]),
    (Method::POST,   "/api/v1/track/{token}/messages",                  [Hidden,  Is(201), Hidden,  Hidden,  Hidden,  Is(401), Hidden,  Hidden]),
    (Method::GET,    "/api/v1/track/{token}/attachments/{attachment}",  [Hidden,  Is(200), Hidden,  Hidden,  Hidden,  Is(401), Hidden,  Hidden]),
    (Method::GET,    "/api/v1/me",                                      [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::PUT,    "/api/v1/me/language",                             [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::PUT,    "/api/v1/me/time-zone",                            [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::GET,    "/api/v1/tokens",                                  [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/tokens",                                  [Is(401), Is(401), Is(201), Is(201), Is(201), Is(401), Is(201), Is(201)]),
    (Method::GET,    "/api/v1/me/sessions",                             [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/me/sign-out-everywhere",                  [Is(401), Is(401), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::DELETE, "/api/v1/tokens/{id}",                             [Is(401), Is(401), Is(204), Is(204), Is(204), Is(401), Is(204), Is(204)]),
    // Advisories: the admins'; a cleared contact reads what was announced
    // to its organisation (here an embargoed advisory and its patch); to the
    // other organisation's, which it was not announced to, it does not exist.
    (Method::POST,   "/api/v1/advisories",                              [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/advisories",                              [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/advisories/{id}",                         [Is(401), Is(401), Is(200), Is(403), Hidden,  Is(401), Is(403), Is(200)]),
    (Method::PATCH,  "/api/v1/advisories/{id}",                         [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/embargo",                 [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/publish",                 [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/withdraw",                [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/advisories/{id}/history",                 [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::GET,    "/api/v1/advisories/{id}/cve",                     [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    // The GitHub mirror: the admins'. The matrix configures no GitHub, so
    // an admin's CVE request passes the policy and is refused as such (409).
    (Method::GET,    "/api/v1/advisories/{id}/github",                  [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::PUT,    "/api/v1/advisories/{id}/github",                  [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/github/cve",              [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(409)]),
    (Method::POST,   "/api/v1/advisories/{id}/patches",                 [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/advisories/{id}/patches/{patch}",         [Is(401), Is(401), Is(200), Is(403), Hidden,  Is(401), Is(403), Is(200)]),
    (Method::POST,   "/api/v1/advisories/{id}/announcements",           [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(201)]),
    (Method::GET,    "/api/v1/announcements/{id}",                      [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    // Need-to-know shares: made by cleared contacts of a member in the
    // advisory's audience, seen and revoked by their organisation and the
    // admins, accepted by the delegate only.
    (Method::POST,   "/api/v1/advisories/{id}/shares",                  [Is(401), Is(401), Is(201), Is(403), Hidden,  Is(401), Is(403), Is(403)]),
    (Method::GET,    "/api/v1/advisories/{id}/shares",                  [Is(401), Is(401), Is(200), Hidden,  Hidden,  Is(401), Is(403), Is(200)]),
    (Method::DELETE, "/api/v1/shares/{id}",                             [Is(401), Is(401), Is(200), Is(200), Hidden,  Is(401), Hidden,  Is(200)]),
    (Method::POST,   "/api/v1/shares/{id}/accept",                      [Is(401), Is(401), Hidden,  Hidden,  Hidden,  Is(401), Is(200), Hidden]),
    (Method::GET,    "/api/v1/jobs",                                    [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
    // The list's public key, for everyone.
    (Method::GET,    "/api/v1/list-key",                                [Is(200), Is(200), Is(200), Is(200), Is(200), Is(401), Is(200), Is(200)]),
    (Method::POST,   "/api/v1/jobs/{id}/retry",                         [Is(401), Is(401), Is(403), Is(403), Is(403), Is(401), Is(403), Is(200)]),
];
