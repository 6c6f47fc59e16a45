//! Amazon SES through SNS: every SNS message is signed by Amazon (RSA, PKCS #1 v1.5; SHA-1 for
//! `SignatureVersion` 1, SHA-256 for 2) over a canonical string of its fields, with the key of
//! the certificate at `SigningCertURL`. Nothing is fetched: the URL must be an `https://sns.*.
//! amazonaws.com` address whose file name is one of the configured certificates (PEM files
//! downloaded once by the operator), and the topic must be allow-listed.

use super::AuthError;
use crate::config::Ses;
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde::Deserialize;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};

/// The SNS message fields that are signed (and a few that are read).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Envelope {
    /// `Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`.
    #[serde(rename = "Type")]
    pub kind: String,
    /// The message id.
    pub message_id: String,
    /// The topic.
    pub topic_arn: String,
    /// The payload (SES's notification as JSON text).
    pub message: String,
    /// When SNS sent it.
    pub timestamp: String,
    /// `1` (SHA1withRSA) or `2` (SHA256withRSA).
    pub signature_version: String,
    /// Base64 signature.
    pub signature: String,
    /// Where the signing certificate is.
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
    /// A notification's subject.
    pub subject: Option<String>,
    /// The URL that confirms a subscription.
    #[serde(rename = "SubscribeURL")]
    pub subscribe_url: Option<String>,
    /// A confirmation's token.
    pub token: Option<String>,
}

impl Envelope {
    /// The canonical string SNS signs: `Name\nvalue\n` for each signed field, in order.
    pub fn string_to_sign(&self) -> Result<String, AuthError> {
        let mut out = String::new();
        let mut field = |name: &str, value: &str| {
            out.push_str(name);
            out.push('\n');
            out.push_str(value);
            out.push('\n');
        };
        match self.kind.as_str() {
            "Notification" => {
                field("Message", &self.message);
                field("MessageId", &self.message_id);
                if let Some(s) = &self.subject {
                    field("Subject", s);
                }
                field("Timestamp", &self.timestamp);
                field("TopicArn", &self.topic_arn);
                field("Type", &self.kind);
            }
            "SubscriptionConfirmation" | "UnsubscribeConfirmation" => {
                let need = |v: &Option<String>, name: &str| {
                    v.clone()
                        .ok_or_else(|| AuthError(format!("a {} without {name}", self.kind)))
                };
                let (url, token) = (
                    need(&self.subscribe_url, "SubscribeURL")?,
                    need(&self.token, "Token")?,
                );
                field("Message", &self.message);
                field("MessageId", &self.message_id);
                field("SubscribeURL", &url);
                field("Timestamp", &self.timestamp);
                field("Token", &token);
                field("TopicArn", &self.topic_arn);
                field("Type", &self.kind);
            }
            other => return Err(AuthError(format!("unknown SNS message type `{other}`"))),
        }
        Ok(out)
    }
}

/// The configured certificates' keys, by file name, and the accepted topics.
pub struct Keys {
    keys: Vec<(String, RsaPublicKey)>,
    topics: Vec<String>,
}

impl Keys {
    /// Reads every configured certificate (an error names the file).
    pub fn load(config: &Ses) -> Result<Keys, String> {
        let mut keys = Vec::new();
        for path in &config.certificates {
            let where_ = path.display();
            let pem = std::fs::read_to_string(path)
                .map_err(|e| format!("[webhooks.ses] certificate {where_}: {e}"))?;
            let cert = Certificate::from_pem(pem.as_bytes()).map_err(|e| {
                format!("[webhooks.ses] certificate {where_}: not a PEM certificate: {e}")
            })?;
            let spki = cert
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| format!("[webhooks.ses] certificate {where_}: {e}"))?;
            let key = RsaPublicKey::from_public_key_der(&spki)
                .map_err(|e| format!("[webhooks.ses] certificate {where_}: not an RSA key: {e}"))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| format!("[webhooks.ses] certificate {where_}: no file name"))?;
            keys.push((name, key));
        }
        Ok(Keys {
            keys,
            topics: config.topics.clone(),
        })
    }

    /// Checks the body's SNS signature, certificate URL and topic; returns the envelope.
    pub fn verify(&self, body: &[u8]) -> Result<Envelope, AuthError> {
        let envelope: Envelope = serde_json::from_slice(body)
            .map_err(|e| AuthError(format!("not an SNS message: {e}")))?;
        let name = cert_file_name(&envelope.signing_cert_url)?;
        let key = self
            .keys
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| k.clone())
            .ok_or_else(|| {
                AuthError(format!(
                    "the signing certificate `{name}` is not configured"
                ))
            })?;
        let signature = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            envelope.signature.trim(),
        )
        .map_err(|_| AuthError("the signature is not base64".into()))?;
        let signature = Signature::try_from(signature.as_slice())
            .map_err(|_| AuthError("the signature is not an RSA signature".into()))?;
        let signed = envelope.string_to_sign()?;
        let ok = match envelope.signature_version.as_str() {
            "1" => VerifyingKey::<sha1::Sha1>::new(key).verify(signed.as_bytes(), &signature),
            "2" => VerifyingKey::<sha2::Sha256>::new(key).verify(signed.as_bytes(), &signature),
            v => return Err(AuthError(format!("unknown SignatureVersion `{v}`"))),
        };
        ok.map_err(|_| AuthError("the signature does not match".into()))?;
        if !self.topics.contains(&envelope.topic_arn) {
            return Err(AuthError(format!(
                "the topic `{}` is not in [webhooks.ses] topics",
                envelope.topic_arn
            )));
        }
        Ok(envelope)
    }
}

/// The certificate's file name from a `SigningCertURL`, which must be
/// `https://sns.REGION.amazonaws.com[.cn]/NAME.pem`.
fn cert_file_name(url: &str) -> Result<String, AuthError> {
    let bad = || {
        AuthError(format!(
            "SigningCertURL `{url}` is not an https://sns.*.amazonaws.com address"
        ))
    };
    let rest = url.strip_prefix("https://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').ok_or_else(bad)?;
    let host_ok = host
        .strip_prefix("sns.")
        .and_then(|h| {
            h.strip_suffix(".amazonaws.com")
                .or_else(|| h.strip_suffix(".amazonaws.com.cn"))
        })
        .is_some_and(|region| {
            !region.is_empty()
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    if !host_ok || path.contains(['?', '#']) || path.contains("..") {
        return Err(bad());
    }
    let name = path.rsplit('/').next().unwrap_or_default();
    if !name.ends_with(".pem") {
        return Err(bad());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_sns_certificate_urls_are_read() {
        assert_eq!(
            cert_file_name("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem")
                .unwrap(),
            "SimpleNotificationService-abc.pem"
        );
        for bad in [
            "http://sns.us-east-1.amazonaws.com/a.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/a.pem",
            "https://evil.example/sns.us-east-1.amazonaws.com/a.pem",
            "https://sns.us-east-1.amazonaws.com@evil.example/a.pem",
            "https://sns.us-east-1.amazonaws.com/a.pem?x=1",
            "https://sns..amazonaws.com/a.pem",
            "https://sns.us-east-1.amazonaws.com/a.txt",
        ] {
            assert!(cert_file_name(bad).is_err(), "{bad}");
        }
    }
}
