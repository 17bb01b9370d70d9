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
    // `full` with every fix shown as a diff (`--show-fixes`): snippets of odd lines and edits
    let opts = djperf::output::Options {
        show_fixes: true,
        ..djperf::output::Options::default()
    };
    for format in [Format::Full, Format::Concise, Format::Json] {
        let mut out = Vec::new();
        djperf::output::write_with(&res, format, &opts, &mut out).expect("writing to a Vec");
    }
});
