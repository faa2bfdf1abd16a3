//! The pages of the people who work in the workshop: sign-in, the
//! technician's queue and work on their phone, the manager's board. Each
//! page is the API's twin (`docs/architecture.md`, "Pages"): a form posts
//! to a handler that parses the same request type and calls the same model
//! method as its JSON route, then renders a template instead of JSON.
//!
//! Errors are pages here (404, 403, 409, 422 with the form again), never
//! the API's JSON; another organization's or branch's page is the 404 page.

pub mod api;
pub mod assets;
pub mod auth;
pub mod customers;
pub mod dashboard;
pub mod desk;
pub mod events;
pub mod floor;
pub mod form;
pub mod money;
pub mod operations;
pub mod orders;
pub mod people;
pub mod portal;
pub mod promotions;
pub mod settings;
pub mod stock;
pub mod work;

use axum::{
    body::{to_bytes, Body},
    extract::{DefaultBodyLimit, FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router as AxumRouter,
};
use chrono::Utc;
use chrono_tz::Tz;
use loco_rs::app::AppContext;
use serde::Serialize;
use serde_json::{json, Value};

use crate::{
    controllers::{
        extract::claims_of,
        session::{self, csrf_matches, csrf_token, PORTAL_COOKIE, SESSION_COOKIE, VISIT_COOKIE},
    },
    errors::{ApiError, ContractBody},
    i18n::{self, Language},
    models::{
        actor::Actor,
        organization::sites,
        people::{roles::Role, shifts},
        values::Stored,
        Scoped,
    },
    settings::Settings,
    views::html,
};

/// Every page route, behind the CSRF guard; the app gives it Loco's
/// middleware (client address, limits, panics, logging) and its state.
pub fn router(ctx: &AppContext) -> AxumRouter<AppContext> {
    // An upload's body as the API takes it: the file and its form around.
    let upload_limit = usize::try_from(Settings::of(ctx).uploads.max_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(64 * 1024);
    AxumRouter::new()
        .route("/", get(auth::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/language", post(auth::language))
        .route("/queue", get(floor::queue))
        .route("/queue/events", get(events::queue))
        .route("/queue/{id}/claim", post(floor::claim))
        .route("/work", get(work::mine))
        .route("/work/{id}", get(work::order))
        .route("/work/{id}/accept", post(work::accept))
        .route("/work/{id}/seen", post(work::seen))
        .route("/work/{id}/decline", post(work::decline))
        .route("/work/{id}/timer/{action}", post(work::timer))
        .route("/work/{id}/labor", post(work::add_labor))
        .route("/work/{id}/parts", post(work::add_part))
        .route("/work/{id}/notes", post(work::add_note))
        .route(
            "/work/{id}/attachments",
            post(work::attach).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/work/{id}/complete", post(work::complete))
        .route("/work/{id}/files/{file_id}", get(work::file))
        .route("/shift/clock-in", post(floor::clock_in))
        .route("/shift/clock-out", post(floor::clock_out))
        .route("/me/stats", get(floor::stats))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/invoices", get(money::invoices))
        .route("/invoices/receivables", get(money::receivables))
        .route("/invoices/{id}", get(money::invoice))
        .route("/invoices/{id}/pdf", get(money::pdf))
        .route("/invoices/{id}/{action}", post(money::act))
        .route(
            "/invoices/{id}/payments/{payment_id}/reverse",
            post(money::reverse_payment),
        )
        .route("/jobs", get(operations::jobs))
        .route("/jobs/{jid}/{action}", post(operations::job_action))
        .route("/audit", get(operations::audit))
        .route("/board", get(floor::board))
        .route("/board/events", get(events::board))
        .route("/board/{id}/assign", post(floor::assign))
        .route(
            "/customers",
            get(customers::customers).post(customers::create_customer),
        )
        .route("/customers/new", get(customers::new_customer))
        .route(
            "/customers/{id}",
            get(customers::customer).post(customers::update_customer),
        )
        .route("/customers/{id}/edit", get(customers::edit_customer))
        .route("/customers/{id}/vehicles", post(customers::add_vehicle))
        .route("/vehicles/{id}", get(customers::vehicle))
        .route("/vehicles/{id}/odometer", post(customers::record_reading))
        .route("/orders", get(orders::orders).post(orders::create_order))
        .route("/orders/new", get(orders::new_order))
        .route("/orders/{id}", get(orders::order))
        .route("/orders/{id}/transition", post(orders::move_order))
        .route("/orders/{id}/revise", post(orders::revise))
        .route("/settings", get(settings::settings))
        .route("/settings/business", post(settings::save_business))
        .route("/settings/sites/{id}", post(settings::save_branch))
        .route("/orders/{id}/estimate", post(orders::send_estimate))
        .route(
            "/orders/{id}/attachments",
            post(orders::attach).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/orders/{id}/files/{file_id}", get(work::file))
        .route(
            "/orders/{id}/lines/{line_id}/approval",
            post(orders::decide_line),
        )
        .route("/orders/{id}/{kind}", post(orders::order_line))
        .route("/orders/{id}/parts/transfer", post(orders::transfer_part))
        .route("/people", get(people::people).post(people::create))
        .route("/people/new", get(people::new_person))
        .route("/people/stats", get(people::stats))
        .route("/people/{id}", get(people::person).post(people::update))
        .route("/people/{id}/profile", post(people::profile))
        .route("/people/{id}/hours", post(people::hours))
        .route("/people/{id}/time-off", post(people::add_time_off))
        .route(
            "/people/{id}/time-off/{time_off_id}/delete",
            post(people::remove_time_off),
        )
        .route(
            "/promotions",
            get(promotions::promotions).post(promotions::create),
        )
        .route("/promotions/new", get(promotions::new_promotion))
        .route("/promotions/count", post(promotions::count_draft))
        .route("/promotions/{id}", get(promotions::promotion))
        .route("/promotions/{id}/{action}", post(promotions::act))
        .route("/stock", get(stock::products).post(stock::create_product))
        .route("/stock/new", get(stock::new_product))
        .route(
            "/stock/{id}",
            get(stock::product).post(stock::update_product),
        )
        .route("/stock/{id}/edit", get(stock::edit_product))
        .route("/stock/{id}/{action}", post(stock::product_change))
        .route(
            "/purchase-orders",
            get(stock::purchase_orders).post(stock::create_purchase_order),
        )
        .route("/portal", get(portal::home))
        .route("/portal/link", post(portal::ask))
        .route("/portal/logout", post(portal::logout))
        .route("/portal/preferences", post(portal::preferences))
        .route("/portal/erase", post(portal::erase))
        .route("/portal/invoices/{id}", get(portal::invoice))
        .route("/portal/invoices/{id}/pdf", get(portal::invoice_pdf))
        .route("/p/{token}", get(portal::link_page).post(portal::sign_in))
        .route("/purchase-orders/new", get(stock::new_purchase_order))
        .route("/purchase-orders/{id}", get(stock::purchase_order))
        .route(
            "/purchase-orders/{id}/{action}",
            post(stock::purchase_order_change),
        )
        .layer(axum::middleware::from_fn_with_state(
            ctx.clone(),
            csrf_guard,
        ))
        .route("/static/{*path}", get(assets::file))
        .route("/sw.js", get(assets::service_worker))
}

/// A signed-in member of staff looking at a page, in their language.
pub struct Viewer {
    pub actor: Actor,
    /// The session's token, which the pages ask the API with.
    pub token: String,
    pub language: Language,
    pub csrf: String,
    /// The sites they see, the first being where their times are told.
    pub sites: Vec<sites::Model>,
    /// An htmx request, answered with the page's fragment.
    pub htmx: bool,
}

impl Viewer {
    /// The time zone their pages tell times in: their first site's.
    #[must_use]
    pub fn zone(&self) -> Tz {
        self.sites
            .first()
            .and_then(|site| site.timezone.parse().ok())
            .unwrap_or(Tz::Africa__Nairobi)
    }

    /// A failure, as the page that says so in their language.
    #[must_use]
    pub fn fail(&self, err: impl Into<ApiError>) -> Response {
        error_page(self.language, &err.into())
    }
}

/// Where a request that needs a session goes without one: to sign in, and
/// back here after.
fn to_sign_in(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map_or("/", |path| path.as_str())
        .to_string();
    let target = if parts.method == Method::GET && next != "/" {
        format!(
            "/login?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    } else {
        "/login".to_string()
    };
    if parts.headers.contains_key("hx-request") {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(value) = HeaderValue::from_str(&target) {
            response.headers_mut().insert("hx-redirect", value);
        }
        response.extensions_mut().insert(ContractBody);
        return response;
    }
    Redirect::to(&target).into_response()
}

impl FromRequestParts<AppContext> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> Result<Self, Response> {
        let Some(token) = session::cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in(parts));
        };
        let Ok((pid, version)) = claims_of(ctx, token) else {
            return Err(to_sign_in(parts));
        };
        let actor = match Actor::load(&ctx.db, pid, Settings::clock_of(ctx)).await {
            Ok(actor) if i64::from(actor.user.session_version) == version => actor,
            Ok(_) | Err(crate::models::error::DomainError::Unauthenticated(_)) => {
                return Err(to_sign_in(parts))
            }
            Err(err) => {
                let language = chosen_language(&parts.headers).unwrap_or_default();
                return Err(error_page(language, &err.into()));
            }
        };
        if actor.role == Role::Customer {
            return Err(to_sign_in(parts));
        }
        let sites = match sites::Entity::visible_to(&actor).all(&ctx.db).await {
            Ok(sites) => sites,
            Err(err) => {
                let language = chosen_language(&parts.headers).unwrap_or_default();
                let err = crate::models::error::DomainError::from(err);
                return Err(error_page(language, &err.into()));
            }
        };
        let language = chosen_language(&parts.headers)
            .or_else(|| {
                sites
                    .first()
                    .and_then(|site| Language::from_code(&site.language))
            })
            .unwrap_or_default();
        Ok(Self {
            csrf: csrf_token(ctx, token),
            token: token.to_string(),
            actor,
            language,
            sites,
            htmx: parts.headers.contains_key("hx-request")
                && !parts.headers.contains_key("hx-boosted"),
        })
    }
}

/// The language a browser asks for: the user's choice (a cookie), else its
/// `Accept-Language`.
#[must_use]
pub fn chosen_language(headers: &HeaderMap) -> Option<Language> {
    session::cookie(headers, session::LANGUAGE_COOKIE)
        .and_then(Language::from_code)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(Language::from_accept_language)
        })
}

/// One link of the page's navigation.
#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    current: bool,
}

/// What a technician's pages show of their shift.
#[derive(Serialize)]
struct ShiftView {
    site: String,
    started_at: String,
    /// Seconds on shift when the page was made; the page's script keeps
    /// counting.
    seconds: i64,
}

/// The values every page's layout prints, with the page's own `values`
/// (an object) merged in.
async fn layout(
    ctx: &AppContext,
    viewer: &Viewer,
    path: &str,
    title: &str,
    values: Value,
) -> Value {
    let role = viewer.actor.role;
    let links: &[(&'static str, &'static str)] = match role {
        Role::Technician => &[
            ("/queue", "nav-queue"),
            ("/work", "nav-work"),
            ("/me/stats", "nav-stats"),
        ],
        Role::Owner => &[
            ("/dashboard", "nav-dashboard"),
            ("/board", "nav-board"),
            ("/orders", "nav-orders"),
            ("/customers", "nav-customers"),
            ("/invoices", "nav-invoices"),
            ("/stock", "nav-stock"),
            ("/promotions", "nav-promotions"),
            ("/people", "nav-people"),
            ("/settings", "nav-settings"),
        ],
        Role::Manager => &[
            ("/dashboard", "nav-dashboard"),
            ("/board", "nav-board"),
            ("/orders", "nav-orders"),
            ("/customers", "nav-customers"),
            ("/invoices", "nav-invoices"),
            ("/stock", "nav-stock"),
            ("/promotions", "nav-promotions"),
            ("/people", "nav-people"),
        ],
        Role::Advisor => &[
            ("/board", "nav-board"),
            ("/orders", "nav-orders"),
            ("/customers", "nav-customers"),
            ("/invoices", "nav-invoices"),
        ],
        Role::Customer => &[],
    };
    // Operations, in the menu under the user's name: not every day's work.
    let operations: &[(&'static str, &'static str)] = match role {
        Role::Owner => &[("/jobs", "nav-jobs"), ("/audit", "nav-audit")],
        Role::Manager => &[("/jobs", "nav-jobs")],
        _ => &[],
    };
    let items = |links: &[(&'static str, &'static str)]| -> Vec<NavItem> {
        links
            .iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: path == *href || path.starts_with(&format!("{href}/")),
            })
            .collect()
    };
    let nav = items(links);
    let menu_links = items(operations);
    let shift = if role == Role::Technician {
        shift_of(ctx, viewer).await
    } else {
        None
    };
    let now = Utc::now();
    let mut page = json!({
        "lang": viewer.language.code(),
        "languages": Language::ALL.iter().map(|language| json!({
            "code": language.code(),
            "name": i18n::text(*language, "language-name"),
            "current": *language == viewer.language,
        })).collect::<Vec<_>>(),
        "csrf": viewer.csrf,
        "title": i18n::text(viewer.language, title),
        "path": path,
        "user": {
            "id": viewer.actor.user.pid,
            "name": viewer.actor.user.name,
            "role": role.as_str(),
            "role_name": i18n::text(viewer.language, &format!("role-{}", role.as_str())),
        },
        "nav": nav,
        "menu_links": menu_links,
        "shift": shift,
        "technician": role == Role::Technician,
        "timezone": viewer.zone().name(),
        "today": now.with_timezone(&viewer.zone()).date_naive().to_string(),
        "sites": viewer.sites.iter().map(|site| json!({
            "id": site.pid, "name": site.name, "code": site.code,
        })).collect::<Vec<_>>(),
    });
    if let (Some(page), Value::Object(own)) = (page.as_object_mut(), values) {
        page.extend(own);
    }
    page
}

async fn shift_of(ctx: &AppContext, viewer: &Viewer) -> Option<ShiftView> {
    let shift = shifts::open_shift(&ctx.db, viewer.actor.user_id())
        .await
        .ok()
        .flatten()?;
    let site = viewer
        .sites
        .iter()
        .find(|site| site.id == shift.site_id)
        .map(|site| site.name.clone())
        .unwrap_or_default();
    let started = shift.started_at.with_timezone(&Utc);
    Some(ShiftView {
        site,
        started_at: started.to_rfc3339(),
        seconds: (crate::models::now_at(viewer.actor.clock).with_timezone(&Utc) - started)
            .num_seconds(),
    })
}

/// The message for a `?notice=` (what a form just did), when it is one the
/// pages know; anything else in the address is ignored.
#[must_use]
pub fn notice_text(viewer: &Viewer, notice: Option<&str>) -> Option<String> {
    let key = match notice? {
        "taken" => "notice-taken",
        "assigned" => "notice-assigned",
        "accepted" => "notice-accepted",
        "declined" => "notice-declined",
        "completed" => "notice-completed",
        "timer-started" => "notice-timer-started",
        "timer-paused" => "notice-timer-paused",
        "labor-added" => "notice-labor-added",
        "part-added" => "notice-part-added",
        "note-added" => "notice-note-added",
        "file-added" => "notice-file-added",
        "clocked-in" => "notice-clocked-in",
        "clocked-out" => "notice-clocked-out",
        "customer-saved" => "notice-customer-saved",
        "vehicle-saved" => "notice-vehicle-saved",
        "reading-saved" => "notice-reading-saved",
        "booked-in" => "notice-booked-in",
        "line-decided" => "notice-line-decided",
        "estimate-sent" => "notice-estimate-sent",
        "moved" => "notice-moved",
        "changes-seen" => "notice-changes-seen",
        "order-revised" => "notice-order-revised",
        "settings-saved" => "notice-settings-saved",
        "payment-recorded" => "notice-payment-recorded",
        "payment-reversed" => "notice-payment-reversed",
        "invoice-voided" => "notice-invoice-voided",
        "invoice-sent" => "notice-invoice-sent",
        "job-retried" => "notice-job-retried",
        "job-discarded" => "notice-job-discarded",
        "part-transferred" => "notice-part-transferred",
        "promotion-scheduled" => "notice-promotion-scheduled",
        "person-added" => "notice-person-added",
        "person-saved" => "notice-person-saved",
        "person-deactivated" => "notice-person-deactivated",
        "person-reactivated" => "notice-person-reactivated",
        "profile-saved" => "notice-profile-saved",
        "hours-saved" => "notice-hours-saved",
        "time-off-added" => "notice-time-off-added",
        "time-off-removed" => "notice-time-off-removed",
        "promotion-sent" => "notice-promotion-sent",
        "promotion-cancelled" => "notice-promotion-cancelled",
        "product-saved" => "notice-product-saved",
        "stock-adjusted" => "notice-stock-adjusted",
        "stock-transferred" => "notice-stock-transferred",
        "purchase-order-drafted" => "notice-purchase-order-drafted",
        "purchase-order-placed" => "notice-purchase-order-placed",
        "purchase-order-received" => "notice-purchase-order-received",
        _ => return None,
    };
    Some(i18n::text(viewer.language, key))
}

/// A page: its whole template, or for an htmx request its fragment (the
/// same words, which the whole page includes).
pub async fn page(
    ctx: &AppContext,
    viewer: &Viewer,
    path: &str,
    title: &str,
    (whole, fragment): (&str, &str),
    values: Value,
) -> Response {
    let values = layout(ctx, viewer, path, title, values).await;
    let template = if viewer.htmx { fragment } else { whole };
    html::render(StatusCode::OK, template, &values)
}

/// A page answered with `status` (the form again after a refusal).
pub async fn page_as(
    ctx: &AppContext,
    viewer: &Viewer,
    path: &str,
    title: &str,
    templates: (&str, &str),
    values: Value,
    status: StatusCode,
) -> Response {
    let mut response = page(ctx, viewer, path, title, templates, values).await;
    *response.status_mut() = status;
    response
}

/// The page for an error, in `language`.
#[must_use]
pub fn error_page(language: Language, err: &ApiError) -> Response {
    let status = err.status();
    let (heading, detail) = match status {
        StatusCode::NOT_FOUND => ("error-not-found", "error-not-found-detail"),
        StatusCode::FORBIDDEN => ("error-forbidden", "error-forbidden-detail"),
        StatusCode::CONFLICT => ("error-conflict", "error-conflict-detail"),
        StatusCode::UNPROCESSABLE_ENTITY => ("error-invalid", "error-invalid-detail"),
        StatusCode::TOO_MANY_REQUESTS => ("error-too-many", "error-too-many-detail"),
        StatusCode::SERVICE_UNAVAILABLE => ("error-busy", "error-busy-detail"),
        _ if status.is_server_error() => ("error-failed", "error-failed-detail"),
        _ => ("error-failed", "error-failed-detail"),
    };
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), "a page failed");
    }
    // What the rule said, when it is a conflict people can act on.
    let message = match err {
        ApiError::Conflict { message, .. } => Some(message.clone()),
        _ => None,
    };
    let values = json!({
        "lang": language.code(),
        "status": status.as_u16(),
        "title": i18n::text(language, heading),
        "detail": i18n::text(language, detail),
        "message": message,
    });
    html::render(status, "pages/error.html", &values)
}

/// The path of this site a form came from (its `Referer`), for going back
/// to it; never another site's address.
#[must_use]
pub fn referer_path(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let rest = referer.split_once("://").map_or(referer, |(_, rest)| rest);
    let path = &rest[rest.find('/')?..];
    is_local_path(path).then(|| path.to_string())
}

/// Whether `path` is a path of this site, safe to send a browser to: it
/// starts with one `/`, and holds no backslash, space or control character
/// (browsers drop tabs and newlines, so `/\t/evil.com` would become
/// `//evil.com`, another site).
#[must_use]
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// Whether a request is a browser's asking for a page (not the API's).
fn wants_page(method: &Method, path: &str, headers: &HeaderMap) -> bool {
    !path.starts_with("/api/")
        && (method == Method::GET || method == Method::POST)
        && headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}

/// Outside `/api`, a browser that finds nothing gets the 404 page, not the
/// API's JSON.
pub async fn page_errors(request: Request, next: Next) -> Response {
    let page = wants_page(request.method(), request.uri().path(), request.headers());
    let language = chosen_language(request.headers()).unwrap_or_default();
    let response = next.run(request).await;
    if !page || response.extensions().get::<ContractBody>().is_some() {
        return response;
    }
    match response.status() {
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => {
            error_page(language, &ApiError::NotFound("page"))
        }
        _ => response,
    }
}

/// Refuses a change (any method but GET and HEAD) without the CSRF token of
/// the browser's session, or of its visit before signing in: the 403 page,
/// and nothing is changed.
async fn csrf_guard(State(ctx): State<AppContext>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let headers = request.headers().clone();
    // A signed-in browser's forms carry its session's token; a visitor's
    // token (bound to a cookie anyone on a sibling site could set) opens
    // only the sign-in form and the language switch, and only without a
    // session.
    let path = request.uri().path();
    let mut bindings: Vec<String> = match session::cookie(&headers, SESSION_COOKIE) {
        Some(token) => vec![token.to_string()],
        None if matches!(path, "/login" | "/language") => session::cookie(&headers, VISIT_COOKIE)
            .map(str::to_string)
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    // A customer's forms carry their own session's token; asking for a
    // link and using one carry the visit's, whoever else is signed in here.
    if path.starts_with("/portal/") {
        bindings.extend(session::cookie(&headers, PORTAL_COOKIE).map(str::to_string));
    }
    if path == "/portal/link" || path.starts_with("/p/") {
        bindings.extend(session::cookie(&headers, VISIT_COOKIE).map(str::to_string));
    }
    let language = chosen_language(&headers).unwrap_or_default();
    let offered_in_header = headers
        .get(session::CSRF_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let offered_in_query = request.uri().query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == session::CSRF_FIELD)
            .map(|(_, value)| value.into_owned())
    });
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
    let (request, offered_in_body) =
        if is_form && offered_in_header.is_none() && offered_in_query.is_none() {
            let (parts, body) = request.into_parts();
            let Ok(bytes) = to_bytes(body, 1024 * 1024).await else {
                return error_page(
                    language,
                    &ApiError::PayloadTooLarge("the form is too large".into()),
                );
            };
            let offered = form_urlencoded::parse(&bytes)
                .find(|(name, _)| name == session::CSRF_FIELD)
                .map(|(_, value)| value.into_owned());
            (Request::from_parts(parts, Body::from(bytes)), offered)
        } else {
            (request, None)
        };
    let offered = offered_in_header.or(offered_in_query).or(offered_in_body);
    let genuine = offered.is_some_and(|offered| {
        bindings
            .iter()
            .any(|binding| csrf_matches(&ctx, binding, &offered))
    });
    if !genuine {
        tracing::warn!("a form without its session's CSRF token was refused");
        return csrf_refusal(language);
    }
    next.run(request).await
}

/// The 403 page for a forged or stale form, which says what to do.
fn csrf_refusal(language: Language) -> Response {
    let values = json!({
        "lang": language.code(),
        "status": 403,
        "title": i18n::text(language, "error-csrf"),
        "detail": i18n::text(language, "error-csrf-detail"),
        "message": null,
    });
    html::render(StatusCode::FORBIDDEN, "pages/error.html", &values)
}
