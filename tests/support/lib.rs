//! Shared helpers for uploadkit's integration tests: vector loading, a raw HTTP request parser
//! for the SigV4 suite, and real S3 servers (SeaweedFS, s3s) started on 127.0.0.1.

pub mod ceph;
pub mod fake_metadata;
pub mod form;
pub mod in_process;
pub mod local_store;
pub mod raw_request;
pub mod s3client;
pub mod s3s_server;
pub mod seaweedfs;

use std::path::PathBuf;

/// The folder holding the test vectors.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Runs a Python script from `tests/scripts` and returns its standard output. Fails the test
/// with the fix when Python or a package is missing (`.ci/run` installs them).
pub fn run_python(script: &str) -> String {
    run_python_with(script, &[])
}

/// [`run_python`] with arguments.
pub fn run_python_with(script: &str, args: &[&str]) -> String {
    let python = std::env::var("UPLOADKIT_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(script);
    let out = std::process::Command::new(&python)
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}; install Python 3"));
    assert!(
        out.status.success(),
        "{script} failed (install its packages: pip install -r tests/requirements.txt):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Stops a server started in its own process group (`process_group(0)`): the whole group, so
/// no child outlives the test.
pub fn stop_process_group(child: &mut std::process::Child) {
    let _ = std::process::Command::new("kill")
        .arg("--")
        .arg(format!("-{}", child.id()))
        .status();
    let _ = child.wait();
}

/// A grey PNG of `width` × `height`, encoded with the `png` crate.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("a valid header");
    writer
        .write_image_data(&vec![90u8; (width * height) as usize])
        .expect("the right amount of data");
    writer.finish().expect("a finished PNG");
    out
}
