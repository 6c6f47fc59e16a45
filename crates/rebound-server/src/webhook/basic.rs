//! HTTP Basic credentials (RFC 7617), as Postmark and SparkPost send them when the webhook URL
//! carries `user:password@`: compared in constant time.

use super::AuthError;
use crate::config::Basic;
use axum::http::HeaderMap;
use base64::Engine;
use subtle::ConstantTimeEq;

/// Checks the `Authorization: Basic` header against `expected`.
pub fn verify(expected: &Basic, headers: &HeaderMap) -> Result<(), AuthError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AuthError("no Authorization header (HTTP Basic expected)".into()))?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
        .ok_or_else(|| AuthError("the Authorization header is not HTTP Basic".into()))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| AuthError("the Basic credentials are not base64".into()))?;
    let want = format!("{}:{}", expected.username, expected.password);
    if bool::from(decoded.ct_eq(want.as_bytes())) {
        Ok(())
    } else {
        Err(AuthError("wrong user name or password".into()))
    }
}
