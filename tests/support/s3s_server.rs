//! An in-process s3s-fs server (crates.io `s3s`/`s3s-fs` 0.14.1) on 127.0.0.1 with SigV4 auth,
//! stricter than SeaweedFS about POST form fields. Stopped on drop.

use std::path::PathBuf;
use std::thread::JoinHandle;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::sync::oneshot;

use crate::s3client::S3Client;

/// The identity the server accepts.
pub const ACCESS_KEY: &str = "AKIDS3STEST";
/// Its secret.
pub const SECRET_KEY: &str = "s3s/test+secret/abcdefghijklmnopqrstuvwxyz";

/// A running s3s-fs server.
pub struct S3sServer {
    port: u16,
    dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl S3sServer {
    /// Starts a server storing objects in a fresh folder.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "uploadkit-s3s-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let root = dir.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let fs = s3s_fs::FileSystem::new(&root).unwrap();
                let mut builder = S3ServiceBuilder::new(fs);
                builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
                let service = builder.build();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                let http = ConnBuilder::new(TokioExecutor::new());
                let mut stop_rx = stop_rx;
                loop {
                    tokio::select! {
                        accepted = listener.accept() => {
                            let Ok((socket, _)) = accepted else { continue };
                            let conn = http.serve_connection(TokioIo::new(socket), service.clone()).into_owned();
                            tokio::spawn(async move { let _ = conn.await; });
                        }
                        _ = &mut stop_rx => break,
                    }
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

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client holding the server's credentials.
    pub fn client(&self) -> S3Client {
        S3Client::new(&self.endpoint(), ACCESS_KEY, SECRET_KEY)
    }
}

impl Drop for S3sServer {
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
