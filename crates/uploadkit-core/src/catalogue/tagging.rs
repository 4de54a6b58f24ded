//! The XML form of object tags, as the POST `tagging` field carries them.

/// Tags as a `<Tagging>` document, with XML special characters escaped.
///
/// ```
/// assert_eq!(
///     uploadkit_core::catalogue::tagging_xml(&[("delete-after-7-days", "True")]),
///     "<Tagging><TagSet><Tag><Key>delete-after-7-days</Key><Value>True</Value></Tag></TagSet></Tagging>"
/// );
/// ```
pub fn tagging_xml(tags: &[(&str, &str)]) -> String {
    let mut out = String::from("<Tagging><TagSet>");
    for (key, value) in tags {
        out.push_str("<Tag><Key>");
        escape_into(&mut out, key);
        out.push_str("</Key><Value>");
        escape_into(&mut out, value);
        out.push_str("</Value></Tag>");
    }
    out.push_str("</TagSet></Tagging>");
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}
