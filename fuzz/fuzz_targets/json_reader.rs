//! Any bytes as a JSON data file: reading (records, wrapped arrays,
//! duplicate keys, byte order marks) and the table built from it must
//! return a value or an error, never panic.
#![no_main]

use kommunrank::input::{self, IdOptions, LayoutOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = input::json::read_json(data, "fuzz.json", true) else { return };
    let id = raw.header.first().cloned().unwrap_or_default();
    let layout = LayoutOptions {
        id_column: id,
        ids: IdOptions { pad: None },
        year_column: "year".into(),
        year: None,
        indicator_column: "indicator".into(),
        value_column: "value".into(),
    };
    if let Ok(table) = input::to_table(&raw, &layout, &input::ReadOptions::default().missing) {
        for c in &table.columns {
            let _ = c.numeric(&table.ids);
        }
    }
});
