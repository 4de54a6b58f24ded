//! An in-process s3s-fs server (crates.io `s3s`/`s3s-fs` 0.14.1) on 127.0.0.1 with SigV4 auth,
//! stricter than SeaweedFS about POST form fields. Stopped on drop.

use std::path::PathBuf;

use crate::in_process::InProcess;
use crate::s3client::S3Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

/// The identity the server accepts.
pub const ACCESS_KEY: &str = "AKIDS3STEST";
/// Its secret.
pub const SECRET_KEY: &str = "s3s/test+secret/abcdefghijklmnopqrstuvwxyz";

/// A running s3s-fs server.
pub struct S3sServer {
    server: InProcess,
    dir: PathBuf,
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
        let root = dir.clone();
        let server = InProcess::start(move |listener| async move {
            let fs = s3s_fs::FileSystem::new(&root).unwrap();
            let mut builder = S3ServiceBuilder::new(fs);
            builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
            let service = builder.build();
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
        Self { server, dir }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port())
    }

    /// A client holding the server's credentials.
    pub fn client(&self) -> S3Client {
        S3Client::new(&self.endpoint(), ACCESS_KEY, SECRET_KEY)
    }
}

impl Drop for S3sServer {
    fn drop(&mut self) {
        self.server.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
