#!/usr/bin/env python3
"""Writes src/postal/countries.rs: the app's country and territory names (every synonym, Welsh
name and island it knows, keyed as it compares them), each name's postage zone, its UK postcode
areas, and the ASCII downgrades of its `SanitiseASCII` that country names use.

The names are data from notifications-utils (MIT licence, Crown Copyright, Government Digital
Service: `notifications_utils/countries/_data/`, itself from GOV.UK's country and territory
autocomplete, MIT licence). Run it against a checkout of the notifications-utils tag the app
uses (127.0.0 here):

    python3 export_countries.py /path/to/notifications-utils

It loads the library's data and text modules by path (the package itself needs Python 3.12) and
applies the library's own name normalisation, so the keys are the ones the app looks up.
"""
import importlib.util
import os
import sys
import unicodedata


def load(root, relative, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(root, relative))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def rust(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(root):
    data = load(root, "notifications_utils/countries/data.py", "nu_country_data")
    sanitise = load(root, "notifications_utils/sanitise_text.py", "nu_sanitise_text")
    ascii_ = sanitise.SanitiseASCII

    def normalise(key):
        # The library's _normalise_country_name (names with digits are never countries).
        key = key.replace("&", "and").replace("+", "and")
        normalised = "".join(c.lower() for c in key if c not in " _-'’,.()")
        encoded = ascii_.encode(normalised)
        return normalised if "?" in encoded else encoded

    pairs = dict(data.COUNTRIES_AND_TERRITORIES + data.UK_ISLANDS + data.EUROPEAN_ISLANDS + data.WELSH_NAMES
                 + data.ADDITIONAL_SYNONYMS)
    names = {}
    for synonym, canonical in pairs.items():
        if any(c.isdigit() for c in synonym):
            continue
        names[normalise(synonym)] = canonical
    canonical = sorted(set(names.values()))
    index = {c: i for i, c in enumerate(canonical)}
    europe = set(data.ROYAL_MAIL_EUROPEAN)

    def zone(c):
        if c == data.UK:
            return "Zone::Uk"
        return "Zone::Europe" if c in europe else "Zone::RestOfWorld"

    # SanitiseASCII's downgrades of characters outside printable ASCII.
    downgrades = []
    for cp in range(0x80, 0x30000):
        c = chr(cp)
        try:
            d = ascii_.downgrade_character(c)
        except ValueError:  # a decomposition outside the BMP, which the library cannot read
            continue
        if d is not None:
            downgrades.append((cp, d))

    out = [
        "//! The app's country and territory names, postage zones, UK postcode areas and ASCII",
        "//! downgrades: data from notifications-utils 127.0.0 (MIT licence, Crown Copyright), written",
        "//! by data/export_countries.py, not by hand.",
        "",
        "use super::Zone;",
        "",
        "/// Canonical names and their postage zones, sorted.",
        "pub(super) static CANONICAL: &[(&str, Zone)] = &[",
        *[f"    ({rust(c)}, {zone(c)})," for c in canonical],
        "];",
        "",
        "/// Every name the app knows, keyed as it compares names, with its canonical name's index.",
        "pub(super) static NAMES: &[(&str, u16)] = &[",
        *[f"    ({rust(k)}, {index[v]})," for k, v in sorted(names.items())],
        "];",
        "",
        "/// The letters a UK postcode's area may be.",
        "pub(crate) static POSTCODE_AREAS: &[&str] = &[",
        *[f"    {rust(z)}," for z in sorted(data.UK_POSTCODE_ZONES)],
        "];",
        "",
        "/// `SanitiseASCII`'s downgrade of each character outside printable ASCII that has one.",
        "pub(crate) static DOWNGRADES: &[(char, &str)] = &[",
        *[f"    ('\\u{{{cp:x}}}', {rust(d)})," for cp, d in downgrades],
        "];",
        "",
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "src", "postal", "countries.rs"), "w") as f:
        f.write("\n".join(out))
    print(f"{len(names)} names, {len(canonical)} countries, {len(data.UK_POSTCODE_ZONES)} postcode areas, "
          f"{len(downgrades)} downgrades (Python {sys.version.split()[0]}, Unicode {unicodedata.unidata_version})")


if __name__ == "__main__":
    main(sys.argv[1])
