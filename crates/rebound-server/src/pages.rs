//! `GET /codes/…`: the code reference pages, rendered once at start-up by the same code as
//! `rebound codes site` ([`rebound_codes::render::site`]), served from memory.

use crate::app::App;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Arc;

/// The rendered site: file path (as `rebound codes site` writes it) → contents.
pub struct Site {
    files: HashMap<String, String>,
}

impl Site {
    /// Renders the built-in reference.
    pub fn render() -> Result<Site, rebound_codes::CodesError> {
        let reference = rebound_codes::Reference::builtin()?;
        let files = rebound_codes::render::site::render(reference)
            .into_iter()
            .map(|f| (f.path, f.contents))
            .collect();
        Ok(Site { files })
    }

    fn serve(&self, path: &str) -> Response {
        match self.files.get(path) {
            Some(body) => {
                let kind = if path.ends_with(".css") {
                    "text/css; charset=utf-8"
                } else {
                    "text/html; charset=utf-8"
                };
                ([(header::CONTENT_TYPE, kind)], body.clone()).into_response()
            }
            None => (
                StatusCode::NOT_FOUND,
                "no such page in the code reference\n",
            )
                .into_response(),
        }
    }
}

/// `GET /codes/`: the index.
pub async fn index(State(app): State<Arc<App>>, uri: axum::http::Uri) -> Response {
    if !uri.path().ends_with('/') {
        // Relative links of the pages resolve against `/codes/`.
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, "/codes/")],
        )
            .into_response();
    }
    app.site.serve("index.html")
}

/// `GET /codes/{page}`: one page.
pub async fn page(State(app): State<Arc<App>>, Path(page): Path<String>) -> Response {
    app.site.serve(&page)
}
