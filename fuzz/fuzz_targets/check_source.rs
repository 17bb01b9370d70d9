//! The whole check path: bytes -> decode -> parse -> lower -> index -> flow -> rules -> every
//! output format. Any panic, abort, hang or overflow is a bug.
#![no_main]

use djperf::output::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, _) = djperf::parse::decode(data);
    // Big files are parsed in runs of top-level statements: drive that path on small inputs.
    let _ = djperf::parse::parse_in_chunks(&djperf::parse::normalize(text.clone()), 64);
    let res = djperf::check::check_source("app/views.py", &text);
    for format in [Format::Full, Format::Concise, Format::Json] {
        let mut out = Vec::new();
        djperf::output::write(&res, format, false, &mut out).expect("writing to a Vec");
    }
});
