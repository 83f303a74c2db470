//! JSON reading: an array of records (objects), at the top level or as the
//! only array in a top-level object (`{"data": [...]}`, as APIs wrap it).
//! Keys become columns in the order they first appear; numbers, strings,
//! booleans and null are accepted; numbers written as strings may use a
//! decimal comma (`"12,5"`) unless `data.decimal = "point"`.

use super::raw::{PositionKind, RawCell, RawRow, RawTable};
use crate::error::{Error, Location, Result};
use serde_json::Value;

/// Reads a JSON array of records given as bytes; `decimal_comma` lets
/// numbers in strings use a decimal comma.
pub fn read_json(bytes: &[u8], file: &str, decimal_comma: bool) -> Result<RawTable> {
    let at = |position: String| Location {
        file: file.to_string(),
        position,
        column: None,
    };
    // A UTF-8 byte order mark (Windows tools write one) is not JSON text.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Error::data(
            at(String::new()),
            "the file is UTF-16 (it starts with a UTF-16 byte order mark); JSON is read as UTF-8",
        )
        .with_hint("save it as UTF-8"));
    }
    let value: Value = serde_json::from_slice::<StrictValue>(bytes)
        .map(|v| v.0)
        .map_err(|e| {
            Error::data(
                at(format!("line {}, column {}", e.line(), e.column())),
                format!("invalid JSON: {e}"),
            )
            .with_hint(
                "each record must name each key once; a repeated key would silently keep only its last value",
            )
        })?;
    let mut notes = Vec::new();
    let records = match value {
        Value::Array(records) => records,
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let mut arrays: Vec<(String, Vec<Value>)> = map
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Value::Array(a) => Some((k, a)),
                    _ => None,
                })
                .collect();
            if arrays.len() != 1 {
                return Err(Error::data(
                    at(String::new()),
                    format!(
                        "expected an array of records, or an object holding one; this object has {} arrays (keys: {})",
                        arrays.len(),
                        keys.join(", ")
                    ),
                )
                .with_hint("write the data as [{\"kommun\": \"0114\", \"x\": 1.5}, ...]"));
            }
            let (key, records) = arrays.remove(0);
            notes.push(format!("{file}: records read from key '{key}'"));
            records
        }
        _ => {
            return Err(
                Error::data(at(String::new()), "expected an array of records")
                    .with_hint("write the data as [{\"kommun\": \"0114\", \"x\": 1.5}, ...]"),
            );
        }
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
        decimal_comma,
        notes,
        sheets: Vec::new(),
    })
}

/// A JSON value read with duplicate object keys refused (serde_json's own
/// `Value` keeps the last one silently).
struct StrictValue(Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let StrictValue(v) = map.next_value()?;
            if out.contains_key(&key) {
                let shown: String = key.chars().take(60).collect();
                return Err(serde::de::Error::custom(format!("duplicate key '{shown}'")));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_records_with_union_of_keys() {
        let t = read_json(
            br#"[{"id":"0114","x":1.5},{"id":"0115","y":null,"x":"2"}]"#,
            "d.json",
            true,
        )
        .unwrap();
        assert_eq!(t.header, vec!["id", "x", "y"]);
        assert_eq!(t.rows[0].cells[1], RawCell::Number(1.5));
        assert_eq!(t.rows[1].cells[1], RawCell::Text("2".into()));
        assert_eq!(t.rows[0].cells[2], RawCell::Empty);
    }

    #[test]
    fn rejects_non_arrays_and_names_line() {
        assert!(read_json(b"{}", "d.json", true).is_err());
        assert!(read_json(b"3", "d.json", true).is_err());
        let e = read_json(br#"{"a": [], "b": []}"#, "d.json", true).unwrap_err();
        assert!(e.to_string().contains("2 arrays (keys: a, b)"), "{e}");
        let e = read_json(b"[{\"a\":1},\n{\"a\":", "d.json", true).unwrap_err();
        assert!(e.to_string().contains("d.json, line 2"), "{e}");
        let e = read_json(br#"[{"a":[1]}]"#, "d.json", true).unwrap_err();
        assert!(e.to_string().contains("record 1, column 'a'"), "{e}");
    }

    #[test]
    fn records_wrapped_in_an_object_are_read_with_a_note() {
        let t = read_json(
            br#"{"count": 1, "values": [{"id": "0114", "x": "12,5"}]}"#,
            "d.json",
            true,
        )
        .unwrap();
        assert_eq!(t.header, vec!["id", "x"]);
        assert!(t.decimal_comma);
        assert_eq!(t.notes, vec!["d.json: records read from key 'values'"]);
    }
}
