//! The spreadsheet phone cache gives exactly the answers of a full parse: many numbers sharing
//! prefixes, in every way people write UK mobiles, and the prefixes where the regions sharing
//! +44 (Guernsey, Jersey, the Isle of Man) or the TV drama range decide on more digits.

use uploadkit_validators::phone::{PhoneCache, parse_phone_number};

/// A small deterministic generator (no dependency, same numbers every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn forms(national: &str) -> [String; 5] {
    [
        format!("0{national}"),
        format!("+44 {national}"),
        format!("0044{national}"),
        format!("44{national}"),
        format!("(0{}) {}", &national[..4], &national[4..]),
    ]
}

#[test]
fn the_cache_agrees_with_a_full_parse() {
    let mut rng = Lcg(7);
    let mut cache = PhoneCache::default();
    let mut checked = 0;
    // 400 prefixes of every kind of 7… number (mobile, pager, personal, unallocated) × 4 suffixes.
    for _ in 0..400 {
        let prefix = 700_000 + rng.next(100_000);
        for _ in 0..4 {
            let national = format!("{prefix}{:04}", rng.next(10_000));
            for written in forms(&national) {
                assert_eq!(
                    cache.parse(&written),
                    parse_phone_number(&written),
                    "{written}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 8_000);
}

#[test]
fn prefixes_decided_by_more_digits_are_not_confused() {
    let mut cache = PhoneCache::default();
    // Isle of Man mobiles 76245 0/6…, Jersey 7509…, Guernsey 7781…, the TV range 07700 900…, and
    // their neighbours, in an order that would poison a cache keyed on fewer digits.
    let numbers = [
        "07624500000",
        "07624510000",
        "07624560000",
        "07624570000",
        "07509123456",
        "07508123456",
        "07781123456",
        "07780123456",
        "07700900123",
        "07700901123",
        "07700900999",
        "07700800123",
    ];
    for pass in 0..2 {
        for n in numbers {
            let expected = parse_phone_number(n);
            assert_eq!(cache.parse(n), expected, "{n} (pass {pass})");
        }
    }
    let tv = cache.parse("07700900123").unwrap();
    assert!(
        tv.validate(false, false).is_ok(),
        "the TV range is a mobile"
    );
    let jersey = cache.parse("07509123456").unwrap();
    assert!(jersey.is_international());
}
