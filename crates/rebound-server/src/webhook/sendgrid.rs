//! SendGrid's Signed Event Webhook: an ECDSA P-256 signature (SHA-256, DER, base64) of the
//! `X-Twilio-Email-Event-Webhook-Timestamp` value followed by the raw body, in
//! `X-Twilio-Email-Event-Webhook-Signature`; the verification key is the base64 DER public key
//! SendGrid shows.

use super::AuthError;
use axum::http::HeaderMap;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;

/// The signature header.
pub const SIGNATURE: &str = "x-twilio-email-event-webhook-signature";
/// The timestamp header.
pub const TIMESTAMP: &str = "x-twilio-email-event-webhook-timestamp";

/// Reads the configured key (base64 of the DER SubjectPublicKeyInfo).
pub fn key(base64_der: &str) -> Result<VerifyingKey, String> {
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64_der.trim())
        .map_err(|e| format!("[webhooks.sendgrid] public_key is not base64: {e}"))?;
    VerifyingKey::from_public_key_der(&der)
        .map_err(|e| format!("[webhooks.sendgrid] public_key is not a P-256 public key: {e}"))
}

/// Checks the signature of `body`.
pub fn verify(key: &VerifyingKey, headers: &HeaderMap, body: &[u8]) -> Result<(), AuthError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| AuthError(format!("no {name} header")))
    };
    let signature = header(SIGNATURE)?;
    let timestamp = header(TIMESTAMP)?;
    let der = base64::engine::general_purpose::STANDARD
        .decode(signature.trim())
        .map_err(|_| AuthError("the signature is not base64".into()))?;
    let signature = Signature::from_der(&der)
        .map_err(|_| AuthError("the signature is not ECDSA DER".into()))?;
    let mut signed = Vec::with_capacity(timestamp.len() + body.len());
    signed.extend_from_slice(timestamp.as_bytes());
    signed.extend_from_slice(body);
    key.verify(&signed, &signature)
        .map_err(|_| AuthError("the signature does not match".into()))
}
