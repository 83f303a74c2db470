//! Small text helpers every layer uses (kept out of the pipeline modules so
//! that no module cycle forms): "did you mean" suggestions, the stable
//! fingerprint of a file's text and the neutralising of CSV text a
//! spreadsheet would run as a formula.

/// The closest candidate to a misspelt name (edit distance at most 2, or a
/// third of the length), for "did you mean ...?" hints.
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two strings (by characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// FNV-1a 64-bit hash, hex (a stable fingerprint of the spec text).
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("fnv1a64:{h:016x}")
}

/// A text cell that a spreadsheet would take as a formula (starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return, and not a number) gets a
/// leading `'`, as OWASP recommends against CSV injection; numbers and
/// other text are unchanged.
///
/// ```
/// use kommunrank::report::neutralise;
/// assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(neutralise("-12.5"), "-12.5");
/// assert_eq!(neutralise("Täby"), "Täby");
/// ```
pub fn neutralise(field: &str) -> std::borrow::Cow<'_, str> {
    let risky = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && field.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}
