//! Any bytes as an XLSX workbook (a ZIP of XML parts): opening, the sheet's
//! used range, formulas without values, dates and error cells must return a
//! value or an error, never panic or allocate by a size the file claims.
#![no_main]

use kommunrank::input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = input::xlsx::read_xlsx(data, "fuzz.xlsx", None);
    let _ = input::xlsx::read_xlsx(data, "fuzz.xlsx", Some("Blad1"));
});
