//! Any bytes as a CSV file: reading, layout detection and numeric parsing
//! must return a value or an error, never panic.
#![no_main]

use kommunrank::input::{self, IdOptions, LayoutOptions, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions::default();
    let Ok(raw) = input::csv::read_csv(data, "fuzz.csv", &options) else { return };
    let id = raw.header.first().cloned().unwrap_or_default();
    for year in [None, Some(2022)] {
        let layout = LayoutOptions {
            id_column: id.clone(),
            ids: IdOptions { pad: Some(4) },
            year_column: "year".into(),
            year,
            indicator_column: "indicator".into(),
            value_column: "value".into(),
        };
        if let Ok(table) = input::to_table(&raw, &layout, &options.missing) {
            for c in &table.columns {
                let _ = c.numeric(&table.ids);
                for u in 0..table.len() {
                    let _ = c.text_of(u);
                    let _ = c.location(u);
                }
            }
        }
    }
});
