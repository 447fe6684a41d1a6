//! Segment rules on arbitrary input: the text syntax and the JSON form are
//! read within the limits or refused, never a panic or a stack overflow, and
//! every rule read prints as text that parses back to the same rule. Run
//! with `cargo +nightly fuzz run segment_rule` from `fuzz/`.
#![no_main]

use clientbase::segment::Rule;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    for rule in [Rule::parse(input), Rule::from_json(input)]
        .into_iter()
        .flatten()
    {
        let text = rule.to_text();
        let again = Rule::parse(&text).expect("a printed rule parses");
        assert_eq!(again.to_text(), text);
        let json = rule.to_json().expect("a rule serializes");
        assert_eq!(Rule::from_json(&json).expect("its JSON reads back"), rule);
    }
});
