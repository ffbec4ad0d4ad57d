//! A throw-away certificate authority and a server certificate for "localhost" and
//! 127.0.0.1, made with the openssl command, for testing STARTTLS and implicit TLS for real.

use std::path::PathBuf;
use std::process::Command;

pub struct TestCa {
    dir: tempfile::TempDir,
}

fn openssl(args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl {args:?} failed");
}

impl TestCa {
    pub fn generate() -> TestCa {
        let dir = tempfile::tempdir().expect("temp dir for the test CA");
        let p = |f: &str| dir.path().join(f).to_string_lossy().into_owned();
        let ext = p("server.ext");
        std::fs::write(
            &ext,
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=KammerDesk Test CA",
            "-keyout",
            &p("ca.key"),
            "-out",
            &p("ca.pem"),
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            &p("server.key"),
            "-out",
            &p("server.csr"),
        ]);
        openssl(&[
            "x509",
            "-req",
            "-in",
            &p("server.csr"),
            "-CA",
            &p("ca.pem"),
            "-CAkey",
            &p("ca.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &ext,
            "-out",
            &p("server.pem"),
        ]);
        TestCa { dir }
    }

    pub fn ca_pem(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// (certificate, key) for the server.
    pub fn server_cert(&self) -> (PathBuf, PathBuf) {
        (
            self.dir.path().join("server.pem"),
            self.dir.path().join("server.key"),
        )
    }
}
