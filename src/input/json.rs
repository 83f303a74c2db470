//! JSON reading: an array of records (objects). Keys become columns in the
//! order they first appear; numbers, strings, booleans and null are accepted.

use super::raw::{PositionKind, RawCell, RawRow, RawTable};
use crate::error::{Error, Location, Result};
use serde_json::Value;

/// Reads a JSON array of records given as bytes.
pub fn read_json(bytes: &[u8], file: &str) -> Result<RawTable> {
    let at = |position: String| Location {
        file: file.to_string(),
        position,
        column: None,
    };
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::data(
            at(format!("line {}, column {}", e.line(), e.column())),
            format!("invalid JSON: {e}"),
        )
    })?;
    let Value::Array(records) = value else {
        return Err(
            Error::data(at(String::new()), "expected an array of records")
                .with_hint("write the data as [{\"kommun\": \"0114\", \"x\": 1.5}, ...]"),
        );
    };
    if records.is_empty() {
        return Err(Error::data(at(String::new()), "the array has no records"));
    }
    let mut header: Vec<String> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let Value::Object(map) = r else {
            return Err(Error::data(
                at(PositionKind::Record.describe(i as u32 + 1)),
                "this record is not an object",
            ));
        };
        for k in map.keys() {
            if !header.iter().any(|h| h == k) {
                header.push(k.clone());
            }
        }
    }
    let mut rows = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let map = r.as_object().expect("checked above");
        let position = i as u32 + 1;
        let mut cells = Vec::with_capacity(header.len());
        for h in &header {
            let cell = match map.get(h) {
                None | Some(Value::Null) => RawCell::Empty,
                Some(Value::Number(n)) => RawCell::Number(n.as_f64().unwrap_or(f64::NAN)),
                Some(Value::String(s)) => RawCell::Text(s.clone()),
                Some(Value::Bool(b)) => RawCell::Text(b.to_string()),
                Some(_) => {
                    return Err(Error::data(
                        Location {
                            column: Some(h.clone()),
                            ..at(PositionKind::Record.describe(position))
                        },
                        "nested arrays/objects are not table cells",
                    ));
                }
            };
            cells.push(cell);
        }
        rows.push(RawRow { position, cells });
    }
    Ok(RawTable {
        file: file.to_string(),
        kind: PositionKind::Record,
        header,
        rows,
        decimal_comma: false,
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_records_with_union_of_keys() {
        let t = read_json(
            br#"[{"id":"0114","x":1.5},{"id":"0115","y":null,"x":"2"}]"#,
            "d.json",
        )
        .unwrap();
        assert_eq!(t.header, vec!["id", "x", "y"]);
        assert_eq!(t.rows[0].cells[1], RawCell::Number(1.5));
        assert_eq!(t.rows[1].cells[1], RawCell::Text("2".into()));
        assert_eq!(t.rows[0].cells[2], RawCell::Empty);
    }

    #[test]
    fn rejects_non_arrays_and_names_line() {
        assert!(read_json(b"{}", "d.json").is_err());
        let e = read_json(b"[{\"a\":1},\n{\"a\":", "d.json").unwrap_err();
        assert!(e.to_string().contains("d.json, line 2"), "{e}");
        let e = read_json(br#"[{"a":[1]}]"#, "d.json").unwrap_err();
        assert!(e.to_string().contains("record 1, column 'a'"), "{e}");
    }
}
