//! Column names compared as the app compares them: ignoring case, spaces, `_` and `-` (other
//! whitespace, a tab or a non-breaking space, counts).

/// The comparison key of a column name.
///
/// ```
/// use uploadkit_validators::csv::column_key;
/// assert_eq!(column_key(" Phone_Number "), column_key("phone-number"));
/// ```
pub fn column_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The placeholders of a template body, `((name))` and `((name??text))`, in order, once each.
///
/// ```
/// use uploadkit_validators::csv::placeholders;
/// assert_eq!(placeholders("Hi ((name)), ((show??yes)) ((Name))"), vec!["name", "show"]);
/// ```
pub fn placeholders(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("((") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("))") else { break };
        let inner = &after[..end];
        if !inner.is_empty() && !inner.contains(['(', ')']) {
            let name = inner.split("??").next().unwrap_or(inner).trim().to_owned();
            if !name.is_empty() && !out.iter().any(|n| column_key(n) == column_key(&name)) {
                out.push(name);
            }
            rest = &after[end + 2..];
        } else {
            rest = &rest[start + 1..];
        }
    }
    out
}
