//! Turning one raw cell into a number, a missing value or text.
//!
//! Rules (documented in docs/spec.md):
//! - missing markers (default: empty, `NA`, `..`, `-`) give a missing value;
//! - numbers are `[+-]digits[.digits][e[+-]digits]`; with a decimal comma
//!   (`;`-separated Swedish Excel files) `1,5` is 1.5 and spaces (also
//!   non-breaking) between digit groups are thousands separators;
//! - `NaN`, `inf` and values that overflow f64 are never numbers: they are
//!   text, so using them as an indicator gives an error naming the cell.

/// One cell as read from a file, before number parsing.
#[derive(Debug, Clone, PartialEq)]
pub enum RawCell {
    /// Nothing in the cell.
    Empty,
    /// Text (CSV cells are always text; numbers are parsed later).
    Text(String),
    /// A typed number (XLSX numeric cell, JSON number).
    Number(f64),
}

/// The missing-value markers used when the spec does not set `data.missing`.
pub const DEFAULT_MISSING: [&str; 4] = ["", "NA", "..", "-"];

/// Which decimal separator a parsed number used (to detect mixed files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    /// No decimal separator (an integer) or a typed number.
    None,
    /// `1.5`
    Point,
    /// `1,5`
    Comma,
}

/// A parsed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<'a> {
    /// A missing marker or an empty cell.
    Missing,
    /// A finite number and the separator it was written with.
    Number(f64, Separator),
    /// Anything else (kept for categorical mappings and error messages).
    Text(&'a str),
}

/// Parses a raw cell with the file's decimal convention and missing markers.
pub fn parse_cell<'a>(cell: &'a RawCell, decimal_comma: bool, missing: &[String]) -> Parsed<'a> {
    match cell {
        RawCell::Empty => Parsed::Missing,
        RawCell::Number(v) if v.is_finite() => Parsed::Number(*v, Separator::None),
        RawCell::Number(_) => Parsed::Text("non-finite number"),
        RawCell::Text(t) => {
            let t = t.trim();
            if t.is_empty() || missing.iter().any(|m| m == t) {
                return Parsed::Missing;
            }
            match parse_number(t, decimal_comma) {
                Some((v, sep)) => Parsed::Number(v, sep),
                None => Parsed::Text(t),
            }
        }
    }
}

/// Parses a number written as text; `None` when it is not a finite number.
pub fn parse_number(text: &str, decimal_comma: bool) -> Option<(f64, Separator)> {
    let t = text.trim();
    // Fast path: plain ASCII numbers need no rewriting.
    if t.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        if !valid_number_syntax(t) {
            return None;
        }
        let v: f64 = t.parse().ok()?;
        let sep = if t.contains('.') {
            Separator::Point
        } else {
            Separator::None
        };
        return v.is_finite().then_some((v, sep));
    }
    let mut cleaned = String::with_capacity(text.len());
    let mut sep = Separator::None;
    let mut prev_digit = false;
    let chars: Vec<char> = text.trim().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '0'..='9' => {
                cleaned.push(c);
                prev_digit = true;
                continue;
            }
            '+' | '-' | 'e' | 'E' => cleaned.push(c),
            '.' => {
                if sep != Separator::None {
                    return None;
                }
                sep = Separator::Point;
                cleaned.push('.');
            }
            ',' if decimal_comma => {
                if sep != Separator::None {
                    return None;
                }
                sep = Separator::Comma;
                cleaned.push('.');
            }
            // Thousands separators in Swedish exports: a space, NBSP or thin
            // space between digits (only with a decimal comma).
            ' ' | '\u{a0}' | '\u{202f}'
                if decimal_comma
                    && prev_digit
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
                    && sep == Separator::None => {}
            _ => return None,
        }
        prev_digit = false;
    }
    if !valid_number_syntax(&cleaned) {
        return None;
    }
    let v: f64 = cleaned.parse().ok()?;
    v.is_finite().then_some((v, sep))
}

/// `[+-]digits[.digits][(e|E)[+-]digits]` with at least one mantissa digit.
fn valid_number_syntax(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s2 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - s2;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s3 = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s3 {
            return false;
        }
    }
    i == b.len()
}

/// The text of a cell for messages and categorical lookups (`2` for 2.0).
pub fn cell_text(cell: &RawCell) -> String {
    match cell {
        RawCell::Empty => String::new(),
        RawCell::Text(t) => t.trim().to_string(),
        RawCell::Number(v) => format!("{v}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str, comma: bool) -> Option<f64> {
        parse_number(s, comma).map(|(v, _)| v)
    }

    #[test]
    fn plain_numbers() {
        assert_eq!(num("12", false), Some(12.0));
        assert_eq!(num("-1.5", false), Some(-1.5));
        assert_eq!(num("+.5", false), Some(0.5));
        assert_eq!(num("1e3", false), Some(1000.0));
        assert_eq!(num("2.5E-2", false), Some(0.025));
        assert_eq!(num("1,5", false), None);
        assert_eq!(num("1 000", false), None);
    }

    #[test]
    fn swedish_numbers() {
        assert_eq!(num("1,5", true), Some(1.5));
        assert_eq!(num("-0,25", true), Some(-0.25));
        assert_eq!(num("1 234,5", true), Some(1234.5));
        assert_eq!(num("1\u{a0}234\u{a0}567", true), Some(1234567.0));
        assert_eq!(num("1,5,5", true), None);
        assert_eq!(num("1.5", true), Some(1.5));
        assert_eq!(parse_number("1,5", true).unwrap().1, Separator::Comma);
        assert_eq!(parse_number("1.5", true).unwrap().1, Separator::Point);
    }

    #[test]
    fn not_numbers() {
        for s in [
            "NaN", "nan", "inf", "-inf", "Infinity", "1e400", "abc", "1.2.3", ".", "-", "e5", "1e",
            "0x10", "12%",
        ] {
            assert_eq!(num(s, false), None, "{s}");
            assert_eq!(num(s, true), None, "{s}");
        }
        assert_eq!(num("1e308", false), Some(1e308));
    }

    #[test]
    fn missing_markers() {
        let m: Vec<String> = DEFAULT_MISSING.iter().map(|s| s.to_string()).collect();
        for s in ["", "  ", "NA", "..", "-"] {
            assert_eq!(
                parse_cell(&RawCell::Text(s.into()), true, &m),
                Parsed::Missing
            );
        }
        assert_eq!(parse_cell(&RawCell::Empty, false, &m), Parsed::Missing);
        assert_eq!(
            parse_cell(&RawCell::Text("ja".into()), false, &m),
            Parsed::Text("ja")
        );
        assert_eq!(
            parse_cell(&RawCell::Number(3.0), false, &m),
            Parsed::Number(3.0, Separator::None)
        );
    }
}
