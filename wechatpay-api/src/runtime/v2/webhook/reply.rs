//! The XML answer to a v2 notification.

use super::super::params::Params;
use super::super::xml;

/// The longest failure message sent back (characters).
const MAX_MESSAGE_CHARS: usize = 128;

/// The answer WeChat Pay expects from a v2 notify URL: an XML document whose `return_code`
/// says whether the notification was received. Anything but `SUCCESS` (or no answer) and the
/// notification is sent again (15s/15s/30s/3m/10m/20m/30m/…, about 24 h in all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Reply {
    /// The HTTP status to answer with.
    pub status: u16,
    /// The XML body (send it as [`V2Reply::CONTENT_TYPE`]).
    pub body: String,
}

impl V2Reply {
    /// The `Content-Type` of the reply.
    pub const CONTENT_TYPE: &'static str = "text/xml";

    /// `200`, `<xml><return_code>SUCCESS</return_code><return_msg>OK</return_msg></xml>`
    /// (every value in CDATA): received and handled.
    pub fn success() -> V2Reply {
        V2Reply::document(200, "SUCCESS", "OK")
    }

    /// `200` with `return_code` `FAIL` and `message` as `return_msg`: the documented v2 way
    /// of saying "not handled, send it again". `message` is the caller's text: characters XML
    /// cannot carry become U+FFFD, it is cut at 128 characters and a `]]>` inside cannot end
    /// its CDATA section. Never put notification content in it.
    pub fn fail(message: &str) -> V2Reply {
        V2Reply::document(200, "FAIL", message)
    }

    /// [`fail`](Self::fail) with an HTTP status as well (4XX or 5XX; anything else becomes
    /// 500), for logs and proxies that look at statuses.
    pub fn fail_with_status(status: u16, message: &str) -> V2Reply {
        let status = if (400..600).contains(&status) {
            status
        } else {
            500
        };
        V2Reply::document(status, "FAIL", message)
    }

    /// Whether this reply tells WeChat Pay the notification was received.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
            && self
                .body
                .starts_with("<xml><return_code><![CDATA[SUCCESS]]></return_code>")
    }

    fn document(status: u16, code: &str, message: &str) -> V2Reply {
        let message: String = message
            .chars()
            .take(MAX_MESSAGE_CHARS)
            .map(|c| if xml::is_xml_char(c) { c } else { '\u{FFFD}' })
            .collect();
        let mut params = Params::new();
        params.insert("return_code", code);
        params.insert("return_msg", message);
        // Both names are element names and every character is one XML carries: writing
        // cannot fail; an empty document would still be an answer WeChat Pay retries.
        let body = xml::write(&params).unwrap_or_default();
        V2Reply { status, body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_bytes_are_exact() {
        let reply = V2Reply::success();
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.body,
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        );
        assert!(reply.is_success());
        assert_eq!(V2Reply::CONTENT_TYPE, "text/xml");
    }

    #[test]
    fn fail_messages_cannot_break_the_document() {
        let reply = V2Reply::fail("bad ]]></return_msg><return_code>SUCCESS\u{0}");
        assert_eq!(reply.status, 200);
        assert!(!reply.is_success());
        let read = xml::parse(reply.body.as_bytes()).unwrap();
        assert_eq!(read.get("return_code"), Some("FAIL"));
        assert_eq!(
            read.get("return_msg"),
            Some("bad ]]></return_msg><return_code>SUCCESS\u{FFFD}")
        );
        let long = V2Reply::fail(&"x".repeat(1000));
        let read = xml::parse(long.body.as_bytes()).unwrap();
        assert_eq!(read.get("return_msg").map(str::len), Some(128));
        assert_eq!(V2Reply::fail_with_status(302, "x").status, 500);
        assert_eq!(V2Reply::fail_with_status(401, "x").status, 401);
    }
}
