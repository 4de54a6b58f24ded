//! uploadkit's own embedded store (`uploadkit_server::store::serve_store`, as `uploadkit local`
//! runs it) on 127.0.0.1 in a thread of its own. Stopped on drop.

use std::path::PathBuf;

use uploadkit_core::local::{LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY};

use crate::in_process::InProcess;
use crate::s3client::S3Client;

/// The browser origin the store allows in these tests.
pub const PAGE_ORIGIN: &str = "http://127.0.0.1:8080";

/// A running store.
pub struct LocalStore {
    server: InProcess,
    dir: PathBuf,
}

impl LocalStore {
    /// Starts a store with `buckets` in a fresh folder.
    pub fn start(buckets: &[&str]) -> Self {
        let dir = std::env::temp_dir().join(format!("uploadkit-store-{}", uuid::Uuid::new_v4()));
        let buckets: Vec<String> = buckets.iter().map(|b| (*b).to_owned()).collect();
        let root = dir.clone();
        let server = InProcess::start(move |listener| async move {
            uploadkit_server::store::serve_store(
                listener,
                &root,
                &buckets,
                (LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY),
                vec![PAGE_ORIGIN.to_owned()],
                std::future::pending(),
            )
            .await
            .unwrap();
        });
        Self { server, dir }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// A client holding the store's keys.
    pub fn client(&self) -> S3Client {
        S3Client::new(
            &self.endpoint(),
            LOCAL_ACCESS_KEY_ID,
            LOCAL_SECRET_ACCESS_KEY,
        )
    }
}

impl Drop for LocalStore {
    fn drop(&mut self) {
        self.server.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
