//! A browser without JavaScript, for the pages' request tests: it keeps
//! its cookies, signs in through the form and reads the CSRF token off a
//! page.

use std::collections::BTreeMap;

use axum_test::TestResponse;

use super::{TestApp, PASSWORD};

/// A browser's cookies, and the pages' CSRF token.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
    pub language: Option<&'static str>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            cookies: BTreeMap::new(),
            language: None,
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn keep_cookies(&mut self, response: &TestResponse) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let mut request = self
            .app
            .server
            .get(path)
            .add_header("accept", "text/html")
            .add_header("cookie", self.cookie_header());
        if let Some(language) = self.language {
            request = request.add_header("accept-language", language);
        }
        let response = request.await;
        self.keep_cookies(&response);
        response
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> TestResponse {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .app
            .server
            .post(path)
            .add_header("accept", "text/html")
            .add_header("cookie", self.cookie_header())
            .add_header("content-type", "application/x-www-form-urlencoded")
            .bytes(body.into())
            .await;
        self.keep_cookies(&response);
        response
    }

    /// Signs in through the form and returns the session's CSRF token.
    pub async fn sign_in(&mut self, email: &str) -> String {
        let form = self.get("/login").await;
        let csrf = csrf_of(&form.text());
        let signed_in = self
            .post(
                "/login",
                &[("_csrf", &csrf), ("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(signed_in.status_code(), 303, "{}", signed_in.text());
        let page = self.get("/queue").await;
        csrf_of(&page.text())
    }
}

pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with its CSRF token")
        + 20;
    html[at..].split('"').next().unwrap().to_string()
}

pub fn location(response: &TestResponse) -> String {
    response.header("location").to_str().unwrap().to_string()
}
