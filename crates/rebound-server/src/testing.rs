//! Signing as each service signs, with keys made on the spot: for this project's tests and
//! load generator only (not a stable API). The verifiers never use this module.

use crate::webhook::ses::Envelope;
use base64::Engine;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use p256::pkcs8::EncodePublicKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::SignatureEncoding;
use std::path::{Path, PathBuf};

pub use crate::webhook::mailgun::sign as mailgun_signature;
pub use crate::webhook::mandrill::sign as mandrill_signature;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A new P-256 key and its public key as SendGrid shows it (base64 DER).
pub fn sendgrid_key() -> Result<(SigningKey, String), String> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
        if let Ok(key) = SigningKey::from_bytes(&bytes.into()) {
            let der = key
                .verifying_key()
                .to_public_key_der()
                .map_err(|e| e.to_string())?;
            return Ok((key, B64.encode(der.as_bytes())));
        }
    }
}

/// SendGrid's signature header value: base64 DER ECDSA over timestamp + body.
pub fn sendgrid_signature(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut signed = timestamp.as_bytes().to_vec();
    signed.extend_from_slice(body);
    let sig: p256::ecdsa::Signature = key.sign(&signed);
    B64.encode(sig.to_der().as_bytes())
}

/// An SNS-style signing certificate made with `openssl` in `dir`: (certificate PEM path,
/// private key). `None` when `openssl` is not installed.
pub fn sns_certificate(dir: &Path, name: &str) -> Option<(PathBuf, rsa::RsaPrivateKey)> {
    let cert = dir.join(name);
    let key = dir.join(format!("{name}.key"));
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=sns.test",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let pem = std::fs::read_to_string(&key).ok()?;
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).ok()?;
    Some((cert, private))
}

/// Signs an SNS message (a JSON object with the fields of [`Envelope`]) in place:
/// `SignatureVersion` `version` (1: SHA-1, 2: SHA-256), `SigningCertURL` naming `cert_name`.
pub fn sns_sign(
    message: &mut serde_json::Value,
    key: &rsa::RsaPrivateKey,
    version: u8,
    cert_name: &str,
) -> Result<(), String> {
    message["SignatureVersion"] = version.to_string().into();
    message["SigningCertURL"] = format!("https://sns.us-east-1.amazonaws.com/{cert_name}").into();
    message["Signature"] = "".into();
    let envelope: Envelope = serde_json::from_value(message.clone()).map_err(|e| e.to_string())?;
    let text = envelope.string_to_sign().map_err(|e| e.0)?;
    let sig = match version {
        1 => rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key.clone())
            .sign(text.as_bytes())
            .to_vec(),
        _ => rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone())
            .sign(text.as_bytes())
            .to_vec(),
    };
    message["Signature"] = B64.encode(sig).into();
    Ok(())
}

/// A Mailgun body with a fresh signature: `body`'s `signature` object replaced.
pub fn mailgun_signed(body: &serde_json::Value, key: &str, timestamp: i64, token: &str) -> Vec<u8> {
    let mut body = body.clone();
    let ts = timestamp.to_string();
    body["signature"] = serde_json::json!({
        "timestamp": ts,
        "token": token,
        "signature": mailgun_signature(key, &ts, token),
    });
    serde_json::to_vec(&body).unwrap_or_default()
}
