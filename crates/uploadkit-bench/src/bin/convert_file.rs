//! `convert_file PATH OUT`: a workbook to the app's CSV text natively (release), timed; writes
//! the text to OUT and prints `{"ms": median of 3, "bytes": …}` as JSON.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, out) = (&args[1], &args[2]);
    let bytes = std::fs::read(path).expect("the workbook");
    let mut times = Vec::new();
    let mut text = String::new();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        text = uploadkit_sheets::to_csv_text(&bytes, path).expect("a readable workbook");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    std::fs::write(out, &text).expect("the CSV text");
    println!("{{\"ms\": {:.1}, \"bytes\": {}}}", times[1], text.len());
}
