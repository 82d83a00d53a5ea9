//! Cheap nesting pre-scan that runs before the GraphQL parser.
//!
//! async-graphql 7.2's (pest-based) parser recurses once per nested list,
//! object, selection set or argument list and has no depth limit of its own,
//! so a few kilobytes of `[[[[...]]]]` are enough to overflow the stack and
//! abort the whole process. [`check_document_nesting`] walks the raw document
//! once, without recursion, and refuses it as soon as brackets nest deeper
//! than a configured limit, so the parser never sees such input.
//! [`check_json_nesting`] does the same for already-parsed JSON (for example
//! the `variables` of a request).

use std::fmt;

/// Capacity reserved up front for the stack of open brackets.
const INITIAL_STACK_CAPACITY: usize = 64;

/// Why a document was refused by the pre-scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NestingError {
    /// Brackets/braces/parentheses nest deeper than allowed.
    TooDeep {
        /// The maximum depth that was exceeded.
        limit: usize,
    },
    /// A closing bracket without its opener, or a mismatched pair, or unclosed at end, or an unterminated string.
    Unbalanced,
}

impl fmt::Display for NestingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooDeep { limit } => write!(f, "document nests deeper than {limit} levels"),
            Self::Unbalanced => f.write_str("document has unbalanced brackets, braces or parentheses, or an unterminated string"),
        }
    }
}

impl std::error::Error for NestingError {}

/// Scans a GraphQL document and fails if `{`/`[`/`(` nest deeper than `max_depth` (counting all three kinds together on one stack).
///
/// Brackets inside strings (`"..."`, `"""..."""`) and `#` comments are ignored.
/// A depth of exactly `max_depth` is accepted. Scanning stops at the first
/// opener beyond the limit, so very deep input is rejected cheaply. A regular
/// string that reaches a line break or the end of the document is unterminated
/// (as in the GraphQL grammar) and yields [`NestingError::Unbalanced`].
pub fn check_document_nesting(document: &str, max_depth: usize) -> Result<(), NestingError> {
    let bytes = document.as_bytes();
    // Expected closers of the currently open brackets; never longer than `max_depth`.
    let mut stack: Vec<u8> = Vec::with_capacity(max_depth.min(INITIAL_STACK_CAPACITY));
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'#' => i = skip_comment(bytes, i + 1),
            b'"' => i = skip_string(bytes, i)?,
            b'{' | b'[' | b'(' => {
                if stack.len() >= max_depth {
                    return Err(NestingError::TooDeep { limit: max_depth });
                }
                stack.push(match byte {
                    b'{' => b'}',
                    b'[' => b']',
                    _ => b')',
                });
                i += 1;
            }
            b'}' | b']' | b')' => {
                if stack.pop() != Some(byte) {
                    return Err(NestingError::Unbalanced);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    if stack.is_empty() { Ok(()) } else { Err(NestingError::Unbalanced) }
}

/// Returns the index of the line terminator ending the comment whose body starts at `start`
/// (or the document length if the comment runs to the end).
fn skip_comment(bytes: &[u8], start: usize) -> usize {
    bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n' || b == b'\r'))
        .map_or(bytes.len(), |offset| start + offset)
}

/// Given the index of an opening `"`, returns the index just past the closing quote(s).
fn skip_string(bytes: &[u8], start: usize) -> Result<usize, NestingError> {
    let after_quote = start + 1;
    if bytes.get(after_quote..).is_some_and(|rest| rest.starts_with(b"\"\"")) {
        return skip_block_string(bytes, start + 3);
    }
    let mut i = after_quote;
    loop {
        match bytes.get(i) {
            None | Some(b'\n' | b'\r') => return Err(NestingError::Unbalanced),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match bytes.get(i + 1) {
                // An escape cannot swallow a line break or the end of input.
                None | Some(b'\n' | b'\r') => return Err(NestingError::Unbalanced),
                Some(_) => i += 2,
            },
            Some(_) => i += 1,
        }
    }
}

/// Given the index just past an opening `"""`, returns the index just past the closing `"""`.
/// `\"""` is an escaped triple quote and does not end the block string.
fn skip_block_string(bytes: &[u8], content_start: usize) -> Result<usize, NestingError> {
    let mut i = content_start;
    while let Some(rest) = bytes.get(i..) {
        if rest.starts_with(b"\\\"\"\"") {
            i += 4;
        } else if rest.starts_with(b"\"\"\"") {
            return Ok(i + 3);
        } else if rest.is_empty() {
            break;
        } else {
            i += 1;
        }
    }
    Err(NestingError::Unbalanced)
}

/// Iterator over the direct children of a JSON array or object.
enum Children<'a> {
    Array(std::slice::Iter<'a, serde_json::Value>),
    Object(serde_json::map::Values<'a>),
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a serde_json::Value;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Array(items) => items.next(),
            Self::Object(values) => values.next(),
        }
    }
}

/// Returns an iterator over `value`'s children if it is an array or object.
fn children(value: &serde_json::Value) -> Option<Children<'_>> {
    match value {
        serde_json::Value::Array(items) => Some(Children::Array(items.iter())),
        serde_json::Value::Object(map) => Some(Children::Object(map.values())),
        _ => None,
    }
}

/// Fails if a JSON value (already parsed) nests arrays/objects deeper than `max_depth`. Must be iterative (explicit stack), never recursive.
///
/// A top-level array or object is depth 1; scalars add no depth. A depth of
/// exactly `max_depth` is accepted.
pub fn check_json_nesting(value: &serde_json::Value, max_depth: usize) -> Result<(), NestingError> {
    let Some(root) = children(value) else {
        return Ok(());
    };
    if max_depth == 0 {
        return Err(NestingError::TooDeep { limit: max_depth });
    }
    // One iterator per open container; never longer than `max_depth`.
    let mut stack: Vec<Children<'_>> = Vec::with_capacity(max_depth.min(INITIAL_STACK_CAPACITY));
    stack.push(root);
    while let Some(top) = stack.last_mut() {
        match top.next() {
            None => {
                stack.pop();
            }
            Some(child) => {
                if let Some(grandchildren) = children(child) {
                    if stack.len() >= max_depth {
                        return Err(NestingError::TooDeep { limit: max_depth });
                    }
                    stack.push(grandchildren);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const LIMIT: usize = 64;

    const INTROSPECTION_QUERY: &str = r#"
    query IntrospectionQuery {
      __schema {
        queryType { name }
        mutationType { name }
        subscriptionType { name }
        types {
          ...FullType
        }
        directives {
          name
          description
          locations
          args {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                  ofType {
                    kind
                    name
                    ofType {
                      kind
                      name
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    "#;

    /// `{f(a:` + `open`×depth + `close`×depth + `)}`: nesting inside an argument.
    fn nested_argument(open: char, close: char, depth: usize) -> String {
        let mut doc = String::with_capacity(2 * depth + 8);
        doc.push_str("{f(a:");
        doc.extend(std::iter::repeat_n(open, depth));
        doc.extend(std::iter::repeat_n(close, depth));
        doc.push_str(")}");
        doc
    }

    /// Builds arrays/objects nested `depth` levels deep without recursion.
    fn deep_json(depth: usize) -> Value {
        let mut value = Value::Null;
        for level in 0..depth {
            value = if level % 2 == 0 {
                Value::Array(vec![value])
            } else {
                let mut map = serde_json::Map::new();
                map.insert("k".to_owned(), value);
                Value::Object(map)
            };
        }
        value
    }

    /// Drops a value without recursion; serde_json's own `Drop` recurses per level.
    fn drop_iteratively(value: Value) {
        let mut pending = vec![value];
        while let Some(mut current) = pending.pop() {
            match &mut current {
                Value::Array(items) => pending.append(items),
                Value::Object(map) => pending.extend(std::mem::take(map).into_iter().map(|(_, v)| v)),
                _ => {}
            }
            // `current` is now shallow and drops trivially.
        }
    }

    #[test]
    fn normal_query_passes() {
        let doc = r#"
            query Employees($first: Int = 10, $filter: EmployeeFilter!, $ids: [[ID!]!]) {
              employees(first: $first, filter: $filter, ids: $ids, sort: [{field: NAME, dir: ASC}]) {
                edges { node { ...EmployeeFields manager { ...EmployeeFields } } }
                pageInfo { hasNextPage endCursor }
              }
            }
            mutation Hire($input: HireInput!) @audit(tags: ["a", "b"]) {
              hire(input: $input) { employee { id } errors { field message } }
            }
            fragment EmployeeFields on Employee {
              id
              name
              ... on Manager { reports(first: 5) { id } }
            }
        "#;
        assert_eq!(check_document_nesting(doc, LIMIT), Ok(()));
    }

    #[test]
    fn introspection_query_passes() {
        assert_eq!(check_document_nesting(INTROSPECTION_QUERY, LIMIT), Ok(()));
    }

    #[test]
    fn empty_document_passes() {
        assert_eq!(check_document_nesting("", LIMIT), Ok(()));
        assert_eq!(check_document_nesting("", 0), Ok(()));
    }

    #[test]
    fn depth_equal_to_limit_passes_and_one_more_fails() {
        let brackets = format!("{}{}", "[".repeat(LIMIT), "]".repeat(LIMIT));
        assert_eq!(check_document_nesting(&brackets, LIMIT), Ok(()));
        let at_limit = format!("{}{}", "(".repeat(LIMIT), ")".repeat(LIMIT));
        assert_eq!(check_document_nesting(&at_limit, LIMIT), Ok(()));
        let over = format!("{}{}", "(".repeat(LIMIT + 1), ")".repeat(LIMIT + 1));
        assert_eq!(check_document_nesting(&over, LIMIT), Err(NestingError::TooDeep { limit: LIMIT }));
        assert_eq!(check_document_nesting("{}", 0), Err(NestingError::TooDeep { limit: 0 }));
        assert_eq!(check_document_nesting("query", 0), Ok(()));
    }

    #[test]
    fn mixed_kinds_share_one_stack() {
        // 3 levels using three different bracket kinds.
        assert_eq!(check_document_nesting("{f(a:[1])}", 3), Ok(()));
        assert_eq!(check_document_nesting("{f(a:[1])}", 2), Err(NestingError::TooDeep { limit: 2 }));
    }

    #[test]
    fn brackets_in_strings_are_ignored() {
        let deep = "[".repeat(10_000);
        let doc = format!(r#"{{f(a: "{deep}}}}}))]]", b: "esc \" [[[ \\", c: "")}}"#);
        assert_eq!(check_document_nesting(&doc, LIMIT), Ok(()));
        // An escaped backslash before the closing quote ends the string.
        assert_eq!(check_document_nesting(r#"{f(a: "x\\")}"#, LIMIT), Ok(()));
        // Unicode content is skipped byte-wise without trouble.
        assert_eq!(check_document_nesting(r#"{f(a: "ünï[cödé}")}"#, LIMIT), Ok(()));
    }

    #[test]
    fn brackets_in_block_strings_are_ignored() {
        let deep = "{[(".repeat(10_000);
        let doc = format!("{{f(a: \"\"\"\n  {deep}\n  \"quoted\" \"\" ]]}})\n\"\"\")}}");
        assert_eq!(check_document_nesting(&doc, LIMIT), Ok(()));
        // `\"""` does not end the block string, so the `]]]` after it stays inside.
        let escaped = r#"{f(a: """ before \""" ]]] still inside """)}"#;
        assert_eq!(check_document_nesting(escaped, LIMIT), Ok(()));
        // Escaped triple quote right before the real terminator.
        assert_eq!(check_document_nesting(r#"{f(a: """x\"""""")}"#, LIMIT), Ok(()));
        // Empty block string and empty regular string.
        assert_eq!(check_document_nesting(r#"{f(a: """""", b: "")}"#, LIMIT), Ok(()));
    }

    #[test]
    fn brackets_in_comments_are_ignored() {
        let deep = "[{(".repeat(10_000);
        let doc = format!("# {deep}\n{{ a # }}}}]]) \"\r b # {deep}\n c }}\n# trailing {deep}");
        assert_eq!(check_document_nesting(&doc, LIMIT), Ok(()));
        // `#` inside a string is not a comment.
        assert_eq!(check_document_nesting("{f(a: \"#\")}", LIMIT), Ok(()));
        assert_eq!(check_document_nesting("{f(a: \"#\") { [ }", LIMIT), Err(NestingError::Unbalanced));
    }

    #[test]
    fn deep_nesting_in_arguments_is_too_deep() {
        for depth in [1_000, 2_000, 5_000, 100_000] {
            for (open, close) in [('[', ']'), ('{', '}'), ('(', ')')] {
                let doc = nested_argument(open, close, depth);
                assert_eq!(
                    check_document_nesting(&doc, LIMIT),
                    Err(NestingError::TooDeep { limit: LIMIT }),
                    "depth {depth} of {open}{close}"
                );
            }
        }
    }

    #[test]
    fn deep_unclosed_nesting_is_too_deep() {
        // The attack does not need to be balanced; depth is reported first.
        let doc = format!("{{f(a:{}", "[".repeat(100_000));
        assert_eq!(check_document_nesting(&doc, LIMIT), Err(NestingError::TooDeep { limit: LIMIT }));
    }

    #[test]
    fn mismatched_and_unclosed_are_unbalanced() {
        assert_eq!(check_document_nesting("[}", LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("{f(a:[1})}", LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("{", LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("{ a { b }", LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("}", LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("{ a })", LIMIT), Err(NestingError::Unbalanced));
    }

    #[test]
    fn unterminated_strings_are_unbalanced() {
        assert_eq!(check_document_nesting(r#"{f(a: "abc)}"#, LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting(r#"{f(a: "abc\")}"#, LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("{f(a: \"abc\\", LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("\"", LIMIT), Err(NestingError::Unbalanced));
        // Regular strings cannot span lines.
        assert_eq!(check_document_nesting("{f(a: \"abc\n\")}", LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(check_document_nesting("{f(a: \"abc\\\r\")}", LIMIT), Err(NestingError::Unbalanced));
        // Unterminated block strings, including one whose only `"""` is escaped.
        assert_eq!(check_document_nesting(r#"{f(a: """abc)}"#, LIMIT), Err(NestingError::Unbalanced));
        assert_eq!(
            check_document_nesting(r#"{f(a: """abc\""")}"#, LIMIT),
            Err(NestingError::Unbalanced)
        );
        assert_eq!(check_document_nesting(r#"{f(a: """abc"")}"#, LIMIT), Err(NestingError::Unbalanced));
    }

    #[test]
    fn display_is_human_readable() {
        assert_eq!(
            NestingError::TooDeep { limit: 64 }.to_string(),
            "document nests deeper than 64 levels"
        );
        assert!(NestingError::Unbalanced.to_string().contains("unbalanced"));
        let boxed: Box<dyn std::error::Error> = Box::new(NestingError::Unbalanced);
        assert!(!boxed.to_string().is_empty());
    }

    #[test]
    fn shallow_json_passes() {
        let value = json!({
            "first": 10,
            "filter": { "name": "x", "tags": ["a", "b", { "nested": [1, 2, [3]] }] },
            "empty": [],
            "obj": {}
        });
        assert_eq!(check_json_nesting(&value, LIMIT), Ok(()));
        assert_eq!(check_json_nesting(&json!(null), 0), Ok(()));
        assert_eq!(check_json_nesting(&json!("[[[["), 0), Ok(()));
        assert_eq!(check_json_nesting(&json!([]), 0), Err(NestingError::TooDeep { limit: 0 }));
        // Wide but shallow: outer array, inner arrays, objects = 3 levels.
        let wide = Value::Array((0..10_000).map(|i| json!([i, {"i": i}])).collect());
        assert_eq!(check_json_nesting(&wide, 3), Ok(()));
        assert_eq!(check_json_nesting(&wide, 2), Err(NestingError::TooDeep { limit: 2 }));
    }

    #[test]
    fn json_depth_equal_to_limit_passes_and_one_more_fails() {
        let at_limit = deep_json(LIMIT);
        assert_eq!(check_json_nesting(&at_limit, LIMIT), Ok(()));
        let over = deep_json(LIMIT + 1);
        assert_eq!(check_json_nesting(&over, LIMIT), Err(NestingError::TooDeep { limit: LIMIT }));
    }

    #[test]
    fn deep_json_is_too_deep() {
        let value = deep_json(1_000);
        assert_eq!(check_json_nesting(&value, LIMIT), Err(NestingError::TooDeep { limit: LIMIT }));
        // The check itself is iterative: a huge limit walks all 1,000 levels without recursion.
        assert_eq!(check_json_nesting(&value, 1_000), Ok(()));
        drop_iteratively(value);
    }

    #[test]
    fn very_deep_json_is_too_deep_and_torn_down_iteratively() {
        let value = deep_json(100_000);
        assert_eq!(check_json_nesting(&value, LIMIT), Err(NestingError::TooDeep { limit: LIMIT }));
        // Walking the whole 100k-deep value proves the check never recurses.
        assert_eq!(check_json_nesting(&value, 100_000), Ok(()));
        assert_eq!(check_json_nesting(&value, 99_999), Err(NestingError::TooDeep { limit: 99_999 }));
        // serde_json's recursive Drop could overflow the stack at this depth.
        drop_iteratively(value);
    }
}
