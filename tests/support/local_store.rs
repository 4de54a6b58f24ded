//! uploadkit's own embedded store (`uploadkit_server::store::serve_store`, as `uploadkit local`
//! runs it) on 127.0.0.1 in a thread of its own. Stopped on drop.

use std::path::PathBuf;
use std::thread::JoinHandle;

use tokio::sync::oneshot;
use uploadkit_core::local::{LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY};

use crate::s3client::S3Client;

/// The browser origin the store allows in these tests.
pub const PAGE_ORIGIN: &str = "http://127.0.0.1:8080";

/// A running store.
pub struct LocalStore {
    port: u16,
    dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LocalStore {
    /// Starts a store with `buckets` in a fresh folder.
    pub fn start(buckets: &[&str]) -> Self {
        let dir = std::env::temp_dir().join(format!("uploadkit-store-{}", uuid::Uuid::new_v4()));
        let buckets: Vec<String> = buckets.iter().map(|b| (*b).to_owned()).collect();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let root = dir.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                tokio::select! {
                    r = uploadkit_server::store::serve_store(
                        listener,
                        &root,
                        &buckets,
                        (LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY),
                        vec![PAGE_ORIGIN.to_owned()],
                    ) => r.unwrap(),
                    _ = stop_rx => {}
                }
            });
        });
        let port = port_rx.recv().unwrap();
        Self {
            port,
            dir,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
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
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
