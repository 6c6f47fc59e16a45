//! The connection to a mail server: TCP on a deadline, plain or TLS (rustls, with the
//! system's roots or `--ca-file`), as one [`Stream`] both mailbox clients read and write.

use anyhow::Context;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long a connection attempt, or a read with no answer outside IDLE, may take.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// A connection to a mail server.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP (imap://, pop3://).
    Plain(TcpStream),
    /// TLS from the first byte (imaps://, pop3s://).
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => s.get_ref(),
        }
    }

    /// Sets the read timeout; `None` is [`TIMEOUT`]: a read never waits for ever.
    pub fn set_timeout(&self, timeout: Option<Duration>) -> std::io::Result<()> {
        self.tcp()
            .set_read_timeout(Some(timeout.unwrap_or(TIMEOUT)))
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

impl imap::extensions::idle::SetReadTimeout for Stream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::Result<()> {
        self.set_timeout(timeout).map_err(imap::Error::Io)
    }
}

/// Connects to `host:port`, with TLS when `tls`, trusting `ca_file` (PEM) when given, else
/// the system's roots.
pub fn connect(host: &str, port: u16, tls: bool, ca_file: Option<&Path>) -> anyhow::Result<Stream> {
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {host}"))?
        .collect();
    let mut last = None;
    let mut tcp = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, TIMEOUT) {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let tcp = match (tcp, last) {
        (Some(t), _) => t,
        (None, Some(e)) => return Err(e).with_context(|| format!("connecting to {host}:{port}")),
        (None, None) => anyhow::bail!("{host} has no address"),
    };
    tcp.set_read_timeout(Some(TIMEOUT))?;
    tcp.set_write_timeout(Some(TIMEOUT))?;
    if !tls {
        return Ok(Stream::Plain(tcp));
    }
    let config = client_config(ca_file)?;
    let name = ServerName::try_from(host.to_string())
        .with_context(|| format!("{host} is not a host name TLS can check"))?;
    let conn = rustls::ClientConnection::new(Arc::new(config), name)?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    // Handshake now, so a certificate problem is reported as one.
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .with_context(|| format!("TLS handshake with {host}:{port}"))?;
    }
    Ok(Stream::Tls(Box::new(stream)))
}

fn client_config(ca_file: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .with_context(|| format!("reading --ca-file {}", path.display()))?
                .collect::<Result<_, _>>()
                .with_context(|| format!("reading --ca-file {}", path.display()))?;
            if certs.is_empty() {
                anyhow::bail!("--ca-file {}: no PEM certificate in it", path.display());
            }
            for cert in certs {
                roots
                    .add(cert)
                    .with_context(|| format!("--ca-file {}", path.display()))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                // A system root rustls cannot use is left out, as every rustls client does.
                let _ = roots.add(cert);
            }
            if roots.is_empty() {
                anyhow::bail!(
                    "no trusted root certificates on this system (Debian: ca-certificates); \
                     give --ca-file"
                );
            }
        }
    }
    // ring (already in the build, no C toolchain beyond cc) over aws-lc-rs (cmake); rustls
    // deprecates ring's provider for its lack of post-quantum key exchange, which mail
    // servers do not require.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
