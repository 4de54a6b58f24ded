//! The adapter `tests/scripts/sheet_differential.py` runs: file paths in (one per line on
//! stdin), one JSON line out per file with the CSV text uploadkit makes of it, or the exception
//! the app's reader raises for it. It decides nothing itself.

use std::io::BufRead;

fn main() {
    for path in std::io::stdin().lock().lines() {
        let path = path.expect("a path");
        let bytes = std::fs::read(&path).expect("the file");
        let line = match uploadkit_sheets::to_csv_text(&bytes, &path) {
            Ok(text) => serde_json::json!({ "path": path, "csv": text }),
            Err(e) => serde_json::json!({
                "path": path,
                "error": e.app_exception().unwrap_or(e.code()),
                "message": e.to_string(),
            }),
        };
        println!("{line}");
    }
}
