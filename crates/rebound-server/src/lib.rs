//! Rebound's HTTP service (`rebound serve`): email-service webhooks, raw bounce emails and a
//! JSON API over the store, a thin face over the same library calls as the `rebound`
//! commands.
//!
//! - [`config`]: the TOML configuration and its documented defaults.
//! - [`Server`] ([`serve`]): the service put together and run until SIGTERM.
//! - [`app`]: the routes, limits, request log and metrics; [`api`]: `/v1`;
//!   [`webhook`]: `/webhooks/{service}` and each service's authenticity proof.
//! - [`tokens`]: API tokens (made here, stored hashed by `rebound-store`).
//! - [`metrics`], [`docs`] (`/openapi.json`), [`pages`] (`/codes/`).

pub mod api;
pub mod app;
pub mod config;
pub mod docs;
pub mod error;
pub mod metrics;
pub mod pages;
pub mod pool;
pub mod serve;
#[doc(hidden)]
pub mod testing;
pub mod tokens;
pub mod webhook;

pub use config::{Config, ConfigError, DEFAULT_TOML};
pub use serve::{ServeError, Server, TimedListener, shutdown_signal};
