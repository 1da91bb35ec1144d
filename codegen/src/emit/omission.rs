//! What a generation leaves out of the Rust it makes, under named policies: the IR reads these
//! pages (`cargo xtask ir` shows them) but they have no typed call or field to generate. Every
//! omission is reported ([`super::Generated::omissions`]), never silently dropped.

use std::fmt;

use crate::diag::Diagnostic;

/// Why something read from a page has no generated Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    /// A v2 page documenting a browser redirect (a `fragment` such as `#wechat_redirect`, or a
    /// `GET` that answers nothing): the merchant sends a user's browser to the URL, the SDK
    /// makes no call. The whole operation is left out.
    BrowserRedirect,
    /// A v2 page with no answer rows (nor a download): nothing to decode. The whole operation
    /// is left out.
    NoAnswer,
    /// A v2 XML request that also has query parameters: a v2 call carries one set of signed
    /// elements. The whole operation is left out.
    QueryBesideXml,
    /// A nested XML element (an object or list inside a v2 document that is no numbered
    /// group, and no nested list of flat items directly under the root, such as `gethbinfo`'s
    /// `hblist`): the v2 element model cannot carry it. The element is left out of its
    /// struct; reading ignores elements a struct does not name.
    NestedXmlElement,
    /// A documented v2 request header (the sandbox's `Wechatpay-Negative-Test`): v2 calls send
    /// no caller headers. The header is left out.
    RequestHeader,
}

impl Policy {
    /// The policy's stable name, as reports print it.
    pub fn name(self) -> &'static str {
        match self {
            Policy::BrowserRedirect => "browser-redirect",
            Policy::NoAnswer => "no-answer",
            Policy::QueryBesideXml => "query-beside-xml",
            Policy::NestedXmlElement => "nested-xml-element",
            Policy::RequestHeader => "request-header",
        }
    }

    /// Whether the policy leaves out a whole operation (else one field of it).
    pub fn skips_operation(self) -> bool {
        matches!(
            self,
            Policy::BrowserRedirect | Policy::NoAnswer | Policy::QueryBesideXml
        )
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One thing left out, where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omission {
    pub policy: Policy,
    /// The page and line of what was left out, and what it was.
    pub diagnostic: Diagnostic,
}

impl Omission {
    pub fn new(policy: Policy, source: &str, line: u32, message: impl Into<String>) -> Omission {
        Omission {
            policy,
            diagnostic: Diagnostic::new(source, line, message),
        }
    }
}

impl fmt::Display for Omission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (left out: {})", self.diagnostic, self.policy)
    }
}
