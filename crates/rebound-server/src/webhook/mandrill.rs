//! Mandrill's proof: `X-Mandrill-Signature` is the base64 HMAC-SHA1, under the webhook key, of
//! the webhook URL (exactly as registered) followed by each POST parameter's name and value,
//! sorted by name. Mandrill also checks a new webhook URL with a HEAD request (answered 200).

use super::AuthError;
use axum::http::HeaderMap;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The signature header.
pub const SIGNATURE: &str = "x-mandrill-signature";

/// The signature of a form body for `url` under `key`, base64.
pub fn sign(key: &str, url: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(&signed_data(url, body));
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The URL, then every parameter's name and value, sorted by name.
fn signed_data(url: &str, body: &[u8]) -> Vec<u8> {
    let mut params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    params.sort_by(|a, b| a.0.cmp(&b.0));
    let mut data = url.as_bytes().to_vec();
    for (k, v) in params {
        data.extend_from_slice(k.as_bytes());
        data.extend_from_slice(v.as_bytes());
    }
    data
}

/// Checks the signature of a form body posted to `url`.
pub fn verify(key: &str, url: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), AuthError> {
    let given = headers
        .get(SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AuthError(format!("no {SIGNATURE} header")))?;
    let given = base64::engine::general_purpose::STANDARD
        .decode(given.trim())
        .map_err(|_| AuthError("the signature is not base64".into()))?;
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes())
        .map_err(|e| AuthError(format!("the key cannot be used: {e}")))?;
    mac.update(&signed_data(url, body));
    mac.verify_slice(&given)
        .map_err(|_| AuthError("the signature does not match".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parameters_are_sorted_and_decoded() {
        let data = signed_data("https://x/h", b"b=2&a=%7B1%7D");
        assert_eq!(data, b"https://x/ha{1}b2");
    }

    #[test]
    fn a_signature_verifies_and_a_changed_body_does_not() {
        let body = b"mandrill_events=%5B%5D";
        let mut h = HeaderMap::new();
        h.insert(SIGNATURE, sign("k", "https://x/h", body).parse().unwrap());
        verify("k", "https://x/h", &h, body).unwrap();
        assert!(verify("k", "https://x/other", &h, body).is_err());
        assert!(verify("k", "https://x/h", &h, b"mandrill_events=%5B1%5D").is_err());
        assert!(verify("k", "https://x/h", &HeaderMap::new(), body).is_err());
    }
}
