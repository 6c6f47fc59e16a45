//! Mailgun's proof: the body's `signature` object holds `timestamp`, `token` and `signature`,
//! the hex HMAC-SHA256 of timestamp + token under the webhook signing key. A timestamp outside
//! the replay window, or a token seen before, is refused (the caller checks the token against
//! the store).

use super::AuthError;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

#[derive(Deserialize)]
struct Body {
    signature: Signature,
}

#[derive(Deserialize)]
struct Signature {
    timestamp: serde_json::Value,
    token: String,
    signature: String,
}

/// Checks the signature of `body` with `key`, the timestamp within `window` seconds of `now`;
/// returns the token (the one-time value to remember).
pub fn verify(key: &str, body: &[u8], now: i64, window: i64) -> Result<String, AuthError> {
    let parsed: Body = serde_json::from_slice(body)
        .map_err(|e| AuthError(format!("no readable `signature` object: {e}")))?;
    let s = parsed.signature;
    let timestamp = match &s.timestamp {
        serde_json::Value::String(t) => t.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return Err(AuthError("`signature.timestamp` is not a number".into())),
    };
    let at: i64 = timestamp
        .parse()
        .map_err(|_| AuthError("`signature.timestamp` is not epoch seconds".into()))?;
    let expected = hex::decode(s.signature.trim())
        .map_err(|_| AuthError("`signature.signature` is not hex".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
        .map_err(|e| AuthError(format!("the signing key cannot be used: {e}")))?;
    mac.update(timestamp.as_bytes());
    mac.update(s.token.as_bytes());
    mac.verify_slice(&expected)
        .map_err(|_| AuthError("the signature does not match".into()))?;
    if (now - at).abs() > window {
        return Err(AuthError(format!(
            "the timestamp is {} s from now, outside the {window} s window (a replay?)",
            now - at
        )));
    }
    Ok(s.token)
}

/// Signs like Mailgun (for tests and the load generator): the hex HMAC-SHA256 of
/// `timestamp` + `token` under `key`.
pub fn sign(key: &str, timestamp: &str, token: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn body(ts: &str, token: &str, sig: &str) -> Vec<u8> {
        format!(
            r#"{{"signature":{{"timestamp":"{ts}","token":"{token}","signature":"{sig}"}},"event-data":{{}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn signed_fresh_passes_and_the_rest_fails() {
        let sig = sign("k", "1000", "tok");
        assert_eq!(
            verify("k", &body("1000", "tok", &sig), 1100, 300).unwrap(),
            "tok"
        );
        assert!(verify("other", &body("1000", "tok", &sig), 1100, 300).is_err());
        assert!(verify("k", &body("1001", "tok", &sig), 1100, 300).is_err());
        let e = verify("k", &body("1000", "tok", &sig), 1400, 300).unwrap_err();
        assert!(e.0.contains("window"), "{e:?}");
        assert!(verify("k", b"{}", 1000, 300).is_err());
        assert!(verify("k", &body("1000", "tok", "zz"), 1000, 300).is_err());
    }
}
