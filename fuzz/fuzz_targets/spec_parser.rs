//! Any text as a spec: parsing and resolving must return a value or an
//! error, never panic.
#![no_main]

use kommunrank::spec::{self, Base};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(loaded) = spec::parse_spec(text, "fuzz.toml", Base::Embedded(&[])) else { return };
    if let Ok(index) = spec::resolve(&loaded) {
        let _ = kommunrank::pipeline::aggregate::check_methods(&index);
        for i in 0..index.indicators.len() {
            let _ = index.effective_weight(i);
        }
    }
});
