#!/usr/bin/env python3
"""Writes src/phone/metadata.rs: libphonenumber's phone number metadata, as the `phonenumbers`
package the app pins carries it, in the form src/phone/libphonenumber.rs reads.

Keeping the metadata in step with the app: install the `phonenumbers` version notifications-utils
resolves to (the differential corpus's verdicts were made with 9.0.43) and run

    pip install phonenumbers==9.0.43 && python3 export_phone_metadata.py

then `cargo test -p uploadkit-validators` (the phone-number verdicts must still all agree; if the
app moved to newer metadata, regenerate those verdicts too, see tests/vectors/notify/).

The metadata is Google's libphonenumber's (Apache License 2.0), as packaged by `phonenumbers`
(Apache License 2.0). Only the fields libphonenumber's parse, possible-length, region and type
algorithms use are written: no formats, carriers or geocoding.
"""
import os

import phonenumbers
from phonenumbers import PhoneMetadata

# The order libphonenumber tests number types in (fixed line and mobile last).
TYPES = ["premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
         "voicemail", "fixed_line", "mobile"]


def rust_str(s):
    if s is None:
        return "None"
    return "Some(" + raw(s) + ")"


def raw(s):
    hashes = "#"
    while '"' + hashes in s:
        hashes += "#"
    return f'r{hashes}"{s}"{hashes}'


def lengths(values):
    return "&[" + ", ".join(str(v) for v in values if v > 0) + "]"


def desc(d):
    if d is None or not d.national_number_pattern:
        return "None"
    return (f"Some(Desc {{ pattern: {raw(d.national_number_pattern)}, lengths: {lengths(d.possible_length)}, "
            f"local: {lengths(d.possible_length_local_only or ())} }})")


def transform(rule):
    # Python writes groups as \\1; the regex crate as ${1}.
    if rule is None:
        return None
    out, i = "", 0
    while i < len(rule):
        if rule[i] == "\\" and i + 1 < len(rule) and rule[i + 1].isdigit():
            out += "${" + rule[i + 1] + "}"
            i += 2
        else:
            out += rule[i].replace("$", "$$")
            i += 1
    return out


def region(m):
    general = m.general_desc
    return "\n".join([
        "    Region {",
        f'        id: "{m.id}",',
        f"        code: {m.country_code},",
        f"        international_prefix: {rust_str(m.international_prefix)},",
        f"        national_prefix_for_parsing: {rust_str(m.national_prefix_for_parsing)},",
        f"        transform_rule: {rust_str(transform(m.national_prefix_transform_rule))},",
        f"        leading_digits: {rust_str(m.leading_digits)},",
        f"        same_mobile_and_fixed_line: {'true' if m.same_mobile_and_fixed_line_pattern else 'false'},",
        f"        general: Desc {{ pattern: {raw(general.national_number_pattern or '')}, "
        f"lengths: {lengths(general.possible_length)}, local: {lengths(general.possible_length_local_only or ())} }},",
        "        types: [",
        *[f"            {desc(getattr(m, t))}," for t in TYPES],
        "        ],",
        "    },",
    ])


def main():
    codes = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items())
    geo, non_geo = [], []
    for code, regions in codes:
        for r in regions:
            if r == "001":
                non_geo.append(PhoneMetadata.metadata_for_nongeo_region(code))
            else:
                geo.append(PhoneMetadata.metadata_for_region(r))
    geo.sort(key=lambda m: m.id)
    non_geo.sort(key=lambda m: m.country_code)
    out = [
        f"//! libphonenumber's metadata {phonenumbers.__version__} (Apache License 2.0), as the `phonenumbers`",
        "//! package carries it: written by data/export_phone_metadata.py, not by hand.",
        "",
        "use super::libphonenumber::{Desc, Region};",
        "",
        f'/// The metadata\'s version.\npub const VERSION: &str = "{phonenumbers.__version__}";',
        "",
        "/// Calling codes and their regions, main region first (`001`: a non-geographic entity).",
        "pub(super) static CODES: &[(u16, &[&str])] = &[",
        *[f"    ({code}, &[{', '.join(chr(34) + r + chr(34) for r in regions)}])," for code, regions in codes],
        "];",
        "",
        "/// Regions, by id.",
        "pub(super) static REGIONS: &[Region] = &[",
        *[region(m) for m in geo],
        "];",
        "",
        "/// Non-geographic entities, by calling code.",
        "pub(super) static NON_GEOGRAPHIC: &[Region] = &[",
        *[region(m) for m in non_geo],
        "];",
        "",
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "src", "phone", "metadata.rs"), "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
