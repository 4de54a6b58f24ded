//! Text of an element in AWS's XML responses (STS results, S3 errors). Their shape is fixed and
//! flat, so the first `<Tag>…</Tag>` is the one wanted.

/// The unescaped text of the first `<tag>` element.
///
/// ```
/// assert_eq!(uploadkit_core::xml::text("<E><Code>A&amp;B</Code></E>", "Code").as_deref(), Some("A&B"));
/// ```
pub fn text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&close)?;
    Some(unescape(&xml[start..end]))
}

/// The unescaped text of every `<tag>` element, in order.
///
/// ```
/// let xml = "<R><M>GET</M><M>PUT</M></R>";
/// assert_eq!(uploadkit_core::xml::texts(xml, "M"), ["GET", "PUT"]);
/// ```
pub fn texts(xml: &str, tag: &str) -> Vec<String> {
    elements(xml, tag).into_iter().map(unescape).collect()
}

/// The raw inner XML of every `<tag>` element, in order. The configurations S3 returns never
/// nest an element inside one of the same name, so the first closing tag ends each.
///
/// ```
/// let xml = "<L><Rule><ID>a</ID></Rule><Rule><ID>b</ID></Rule></L>";
/// assert_eq!(uploadkit_core::xml::elements(xml, "Rule"), ["<ID>a</ID>", "<ID>b</ID>"]);
/// ```
pub fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find(&open) {
        let inner = &rest[start + open.len()..];
        let Some(end) = inner.find(&close) else { break };
        out.push(&inner[..end]);
        rest = &inner[end + close.len()..];
    }
    out
}

/// Text escaped for an XML element or attribute.
///
/// ```
/// assert_eq!(uploadkit_core::xml::escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_element_unescaped() {
        let xml = "<A><Code>AccessDenied</Code><Message>a &amp; b &lt;c&gt;</Message></A>";
        assert_eq!(super::text(xml, "Code").as_deref(), Some("AccessDenied"));
        assert_eq!(super::text(xml, "Message").as_deref(), Some("a & b <c>"));
        assert_eq!(super::text(xml, "Missing"), None);
    }
}
