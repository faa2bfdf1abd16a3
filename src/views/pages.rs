//! Pages for customers, who open them from a link in a message: the words
//! of `assets/pages/`, compiled into the binary and parsed once; HTML is
//! escaped as it is printed.

use std::sync::LazyLock;

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use serde::Serialize;
use tera::{Context, Tera};

use crate::{errors::ContractBody, messages::Language};

macro_rules! page_files {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../assets/pages/", $name)))),*]
    };
}

static PAGES: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::new();
    tera.autoescape_on([".html"]);
    tera.add_raw_templates(page_files![
        "layout.html",
        "error.html",
        "unsubscribe.html",
        "estimate.html",
    ])
    .expect("the pages under assets/pages parse");
    tera
});

/// A page as an HTTP response: `status`, the page, and the marker that
/// keeps the API's JSON error body off it.
#[must_use]
pub fn respond(status: StatusCode, html: String) -> Response {
    let mut response = (status, Html(html)).into_response();
    response.extensions_mut().insert(ContractBody);
    response
}

/// `page` (a file under `assets/pages/`) filled from `values`.
#[must_use]
pub fn render(page: &str, values: &impl Serialize) -> Response {
    let rendered = Context::from_serialize(values)
        .map_err(|err| err.to_string())
        .and_then(|context| PAGES.render(page, &context).map_err(|err| err.to_string()));
    match rendered {
        Ok(html) => respond(StatusCode::OK, html),
        Err(err) => {
            tracing::error!(page, error = %err, "a page did not render");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                Language::English,
                "Something went wrong",
                "Please try again in a moment, or call the workshop.",
            )
        }
    }
}

/// An error page.
#[must_use]
pub fn error(status: StatusCode, language: Language, title: &str, message: &str) -> Response {
    let mut context = Context::new();
    context.insert("lang", language.code());
    context.insert("title", title);
    context.insert("message", message);
    let html = PAGES.render("error.html", &context).unwrap_or_else(|err| {
        tracing::error!(error = %err, "the error page did not render");
        String::from("<!DOCTYPE html><title>Error</title><p>Something went wrong.</p>")
    });
    respond(status, html)
}

/// The page for a link that is not (or no longer) valid.
#[must_use]
pub fn link_not_valid() -> Response {
    error(
        StatusCode::NOT_FOUND,
        Language::English,
        "This link is not valid",
        "It may have expired, or been copied only in part. Ask the workshop for a new one. \
         / Kiungo hiki si halali: huenda muda wake umekwisha. Omba kipya kutoka karakana.",
    )
}
