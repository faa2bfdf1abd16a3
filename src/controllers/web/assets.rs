//! The pages' files (styles, scripts, htmx, icons), from the binary: a
//! workshop's phone on a flaky link fetches them once, and the service
//! worker keeps them for when the link is down.

use std::{collections::HashMap, sync::LazyLock};

use axum::{
    extract::Path,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::views::html::STATIC;

/// Each file's ETag: its contents' hash, so a browser that has the file
/// asks with `If-None-Match` and gets an empty 304 (a phone on a slow link
/// fetches htmx once).
static ETAGS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut tags = HashMap::new();
    let mut dirs = vec![&STATIC];
    while let Some(dir) = dirs.pop() {
        for file in dir.files() {
            let hash = Sha256::digest(file.contents());
            let tag: String = hash
                .iter()
                .take(12)
                .map(|byte| format!("{byte:02x}"))
                .collect();
            tags.insert(
                file.path().to_string_lossy().replace('\\', "/"),
                format!("\"{tag}\""),
            );
        }
        dirs.extend(dir.dirs());
    }
    tags
});

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn serve(path: &str, cache: &'static str, asked: &HeaderMap) -> Response {
    let Some(file) = STATIC.get_file(path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = ETAGS.get(path).cloned().unwrap_or_default();
    let fresh = asked
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        file.contents().into_response()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `/static/…`: a file of `assets/static`. Names carry no version, so a
/// browser asks again after an hour; the service worker answers offline.
pub async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    if path.split('/').any(|part| part == ".." || part.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    serve(&path, "public, max-age=3600", &headers)
}

/// `/sw.js`: the service worker, served from the root so that it may keep
/// every page; never cached, so a new version is found at once.
pub async fn service_worker(headers: HeaderMap) -> Response {
    serve("sw.js", "no-cache", &headers)
}
