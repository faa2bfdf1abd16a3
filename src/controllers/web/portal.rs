//! The customer's own page, `/portal`: signed into by a one-time link
//! (`models::customers::portal`), then their vehicles and when each is due
//! for a service, the car in the workshop now, estimates waiting for their
//! word (decided on the estimate's own page, `/e/{token}`: one code path),
//! their invoices with the PDF and how to pay, the messages sent to them,
//! their language and consent to offers, and a request to erase their data.
//!
//! Everything is looked up through the signed-in customer, so another
//! customer's invoice id is the 404 page like any unknown address.

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::{request::Parts, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use loco_rs::app::AppContext;
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{auth::serde_urlencoded_form, chosen_language, error_page};
use crate::{
    controllers::session::{self, csrf_token, PORTAL_COOKIE},
    errors::ApiError,
    i18n::{self, Language},
    messages::{language_for, links::Purpose, site_values, Messenger},
    models::{
        clock::Clock,
        customers::portal::{self, Contact, Portal, Preferences, SESSION_LASTS},
        error::DomainError,
        people::users::Origin,
        values::{LanguageCode, Stored},
        Write,
    },
    settings::Settings,
    views::{html, portal::PortalResponse},
};

/// A customer signed into their page.
pub struct Customer {
    pub portal: Portal,
    pub clock: Clock,
    pub language: Language,
    /// The CSRF token of their session, for the page's forms.
    pub csrf: String,
}

impl Customer {
    fn fail(&self, err: impl Into<ApiError>) -> Response {
        error_page(self.language, &err.into())
    }
}

/// Where a request without a session goes: the page that asks for a link.
fn to_portal() -> Response {
    Redirect::to("/portal").into_response()
}

impl axum::extract::FromRequestParts<AppContext> for Customer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> Result<Self, Response> {
        let Some(token) = session::cookie(&parts.headers, PORTAL_COOKIE) else {
            return Err(to_portal());
        };
        let clock = Settings::clock_of(ctx);
        match crate::controllers::portal::session_of(ctx, clock, token).await {
            Ok(portal) => Ok(Self {
                language: language_for(&portal.customer, &portal.site),
                csrf: csrf_token(ctx, token),
                portal,
                clock,
            }),
            Err(DomainError::NotFound(_)) => Err(to_portal()),
            Err(err) => {
                let language = chosen_language(&parts.headers).unwrap_or_default();
                Err(error_page(language, &err.into()))
            }
        }
    }
}

/// What a visitor's page (asking for a link, using one) shows, and the
/// status it answers with.
struct Visit<'a> {
    status: StatusCode,
    /// `ask`, `sent`, `use` or `gone`.
    state: &'a str,
    contact: &'a str,
    problem: Option<String>,
    notice: Option<String>,
    /// The link's token and whom it signs in, on the `use` page.
    link: Option<Value>,
}

impl<'a> Visit<'a> {
    /// The page in `state`, with nothing typed, said or linked.
    const fn new(status: StatusCode, state: &'a str) -> Self {
        Self {
            status,
            state,
            contact: "",
            problem: None,
            notice: None,
            link: None,
        }
    }
}

fn visitor_page(ctx: &AppContext, jar: CookieJar, language: Language, visit: &Visit) -> Response {
    let (jar, csrf) = session::visit(ctx, jar);
    let values = json!({
        "lang": language.code(),
        "title": i18n::text(language, "portal-title"),
        "csrf": csrf,
        "state": visit.state,
        "contact": visit.contact,
        "problem": visit.problem,
        "notice": visit.notice,
        "link": visit.link,
        "minutes": portal::LINK_VALID_FOR.num_minutes(),
        "languages": languages(language),
    });
    (
        jar,
        html::render(visit.status, "pages/portal_sign_in.html", &values),
    )
        .into_response()
}

fn languages(current: Language) -> Vec<Value> {
    Language::ALL
        .iter()
        .map(|language| {
            json!({
                "code": language.code(),
                "name": i18n::text(*language, "language-name"),
                "current": *language == current,
            })
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /portal`: the customer's page, or the form that asks for a link.
pub async fn home(
    State(ctx): State<AppContext>,
    customer: Result<Customer, Response>,
    jar: CookieJar,
    headers: HeaderMap,
    Query(query): Query<NoticeQuery>,
) -> Response {
    match customer {
        Ok(customer) => overview(&ctx, &customer, query.notice.as_deref(), None).await,
        Err(_) => {
            let language = chosen_language(&headers).unwrap_or_default();
            let notice = match query.notice.as_deref() {
                Some("erased") => Some(i18n::text(language, "portal-erased")),
                Some("signed-out") => Some(i18n::text(language, "portal-signed-out")),
                _ => None,
            };
            visitor_page(
                &ctx,
                jar,
                language,
                &Visit {
                    notice,
                    ..Visit::new(StatusCode::OK, "ask")
                },
            )
        }
    }
}

#[derive(Debug, Deserialize)]
struct AskForm {
    #[serde(default)]
    contact: String,
}

/// `POST /portal/link`: a link to whoever has this contact on file. The
/// answer is the same whether anyone has it.
pub async fn ask(
    State(ctx): State<AppContext>,
    jar: CookieJar,
    headers: HeaderMap,
    origin: Result<Origin, ApiError>,
    body: Bytes,
) -> Response {
    let language = chosen_language(&headers).unwrap_or_default();
    let typed = serde_urlencoded_form::<AskForm>(&body)
        .map(|form| form.contact)
        .unwrap_or_default();
    let again = |jar, status, problem: String| {
        visitor_page(
            &ctx,
            jar,
            language,
            &Visit {
                contact: &typed,
                problem: Some(problem),
                ..Visit::new(status, "ask")
            },
        )
    };
    let contact = match Contact::parse(&typed) {
        Ok(contact) => contact,
        Err(_) => {
            let problem = i18n::text(language, "portal-contact-invalid");
            return again(jar, StatusCode::UNPROCESSABLE_ENTITY, problem);
        }
    };
    let Ok(origin) = origin else {
        return error_page(language, &ApiError::internal("no client address"));
    };
    let asked = async {
        let txn = Write::begin(&ctx.db).await?;
        portal::request_link(&txn, &origin, &contact).await?;
        txn.commit().await?;
        Ok::<_, DomainError>(())
    };
    match asked.await {
        Ok(()) => {
            crate::queue::kick(&ctx).await;
            visitor_page(
                &ctx,
                jar,
                language,
                &Visit {
                    contact: &typed,
                    ..Visit::new(StatusCode::OK, "sent")
                },
            )
        }
        Err(DomainError::RateLimited { .. }) => {
            let problem = i18n::text(language, "portal-too-many");
            again(jar, StatusCode::TOO_MANY_REQUESTS, problem)
        }
        Err(err) => error_page(language, &err.into()),
    }
}

/// The link a token names, read with the links' key.
fn link_of(ctx: &AppContext, clock: Clock, token: &str) -> Option<Uuid> {
    Messenger::of(ctx)
        .ok()?
        .links()
        .open(Purpose::Portal, token, clock.now())
}

/// The page for a link that cannot be used (any more): ask for another.
fn gone(ctx: &AppContext, jar: CookieJar, language: Language) -> Response {
    visitor_page(
        ctx,
        jar,
        language,
        &Visit::new(StatusCode::NOT_FOUND, "gone"),
    )
}

/// `GET /p/{token}`: the button that signs in with the link. Opening it
/// uses nothing (mail scanners open links too).
pub async fn link_page(
    State(ctx): State<AppContext>,
    jar: CookieJar,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let clock = Settings::clock_of(&ctx);
    let language = chosen_language(&headers).unwrap_or_default();
    let Some(pid) = link_of(&ctx, clock, &token) else {
        return gone(&ctx, jar, language);
    };
    match portal::unused(&ctx.db, clock, pid).await {
        Ok(found) => {
            let language = language_for(&found.customer, &found.site);
            visitor_page(
                &ctx,
                jar,
                language,
                &Visit {
                    link: Some(json!({
                        "action": format!("/p/{token}"),
                        "name": found.customer.name,
                        "site": found.site.name,
                    })),
                    ..Visit::new(StatusCode::OK, "use")
                },
            )
        }
        Err(DomainError::NotFound(_)) => gone(&ctx, jar, language),
        Err(err) => error_page(language, &err.into()),
    }
}

/// `POST /p/{token}`: signs in, once; the session's cookie, and their page.
pub async fn sign_in(
    State(ctx): State<AppContext>,
    jar: CookieJar,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let clock = Settings::clock_of(&ctx);
    let language = chosen_language(&headers).unwrap_or_default();
    match crate::controllers::portal::trade(&ctx, clock, &token).await {
        Ok((_, session_token)) => {
            let jar = jar
                .add(session::portal_cookie(
                    &ctx,
                    session_token,
                    SESSION_LASTS.num_seconds(),
                ))
                .remove(
                    axum_extra::extract::cookie::Cookie::build(session::VISIT_COOKIE).path("/"),
                );
            (jar, Redirect::to("/portal")).into_response()
        }
        Err(DomainError::NotFound(_)) => gone(&ctx, jar, language),
        Err(err) => error_page(language, &err.into()),
    }
}

/// `POST /portal/logout`.
pub async fn logout(State(ctx): State<AppContext>, jar: CookieJar, customer: Customer) -> Response {
    if let Err(err) = portal::sign_out(&ctx.db, customer.clock, customer.portal.link.pid).await {
        return customer.fail(err);
    }
    (
        jar.add(session::ended_portal(&ctx)),
        Redirect::to("/portal?notice=signed-out"),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
struct PreferencesForm {
    #[serde(default)]
    language: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    marketing: Option<String>,
}

/// `POST /portal/preferences`: their language and consent to offers.
pub async fn preferences(
    State(ctx): State<AppContext>,
    customer: Customer,
    body: Bytes,
) -> Response {
    let Some(form) = serde_urlencoded_form::<PreferencesForm>(&body) else {
        return customer.fail(ApiError::BadRequest("the form could not be read".into()));
    };
    let language = match form.language.as_str() {
        "" => None,
        code => match LanguageCode::from_stored(code) {
            Some(code) => Some(code),
            None => {
                let problem = i18n::text(customer.language, "portal-language-invalid");
                return overview(&ctx, &customer, None, Some(problem)).await;
            }
        },
    };
    let saved = async {
        let txn = Write::begin(&ctx.db).await?;
        customer
            .portal
            .set_preferences(
                &txn,
                customer.clock,
                Preferences {
                    language: Some(language),
                    marketing_opt_in: Some(form.marketing.is_some()),
                },
            )
            .await?;
        txn.commit().await?;
        Ok::<_, DomainError>(())
    };
    match saved.await {
        Ok(()) => Redirect::to("/portal?notice=saved#settings").into_response(),
        Err(err) => customer.fail(err),
    }
}

#[derive(Debug, Deserialize)]
struct EraseForm {
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /portal/erase`: their personal data erased, as staff would erase
/// it, once they have ticked that they mean it; then they are signed out.
pub async fn erase(
    State(ctx): State<AppContext>,
    jar: CookieJar,
    customer: Customer,
    body: Bytes,
) -> Response {
    let confirmed = serde_urlencoded_form::<EraseForm>(&body)
        .and_then(|form| form.confirm)
        .is_some_and(|value| value == "yes");
    if !confirmed {
        let problem = i18n::text(customer.language, "portal-erase-unconfirmed");
        let mut response = overview(&ctx, &customer, None, Some(problem)).await;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return response;
    }
    let erased = async {
        let txn = Write::begin(&ctx.db).await?;
        customer.portal.erase(&txn, customer.clock).await?;
        txn.commit().await?;
        Ok::<_, DomainError>(())
    };
    match erased.await {
        Ok(()) => (
            jar.add(session::ended_portal(&ctx)),
            Redirect::to("/portal?notice=erased"),
        )
            .into_response(),
        Err(err) => customer.fail(err),
    }
}

/// Their invoice `id`, or the 404 page.
async fn own_invoice(
    ctx: &AppContext,
    customer: &Customer,
    id: &str,
) -> Result<crate::models::_entities::invoices::Model, Response> {
    let Ok(pid) = id.parse::<Uuid>() else {
        return Err(customer.fail(ApiError::NotFound("invoice")));
    };
    customer
        .portal
        .invoice(&ctx.db, pid)
        .await
        .map_err(|err| customer.fail(err))
}

/// `GET /portal/invoices/{id}`: one of their invoices, what was paid, and
/// how to pay the rest.
pub async fn invoice(
    State(ctx): State<AppContext>,
    customer: Customer,
    Path(id): Path<String>,
) -> Response {
    let invoice = match own_invoice(&ctx, &customer, &id).await {
        Ok(invoice) => invoice,
        Err(page) => return page,
    };
    let shown = match crate::controllers::invoices::render(&ctx, &invoice).await {
        Ok(shown) => shown,
        Err(err) => return customer.fail(err),
    };
    let values = json!({
        "invoice": shown,
        "title": format!("{} {}", i18n::text(customer.language, "portal-invoice"), invoice.number),
    });
    portal_page(
        &customer,
        "pages/portal_invoice.html",
        values,
        StatusCode::OK,
    )
}

/// `GET /portal/invoices/{id}/pdf`: the invoice as they were sent it.
pub async fn invoice_pdf(
    State(ctx): State<AppContext>,
    customer: Customer,
    Path(id): Path<String>,
) -> Response {
    let invoice = match own_invoice(&ctx, &customer, &id).await {
        Ok(invoice) => invoice,
        Err(page) => return page,
    };
    let today = customer.clock.today_in(customer.portal.site.time_zone());
    let bytes = match Messenger::of(&ctx) {
        Ok(messenger) => messenger.pdf().invoice(&ctx.db, today, &invoice).await,
        Err(err) => return customer.fail(ApiError::internal(err.to_string())),
    };
    match bytes {
        Ok(bytes) => crate::controllers::invoices::pdf_file(&invoice.number, bytes, false),
        Err(err) => customer.fail(err),
    }
}

/// A page of a signed-in customer, with the layout's values.
fn portal_page(customer: &Customer, template: &str, values: Value, status: StatusCode) -> Response {
    let Portal {
        customer: who,
        site,
        ..
    } = &customer.portal;
    let zone = site.time_zone();
    let mut page = json!({
        "lang": customer.language.code(),
        "csrf": customer.csrf,
        "site": site_values(site),
        "me": {"name": who.name},
        "timezone": zone.name(),
        "today": customer.clock.today_in(zone).to_string(),
    });
    if let (Some(page), Value::Object(own)) = (page.as_object_mut(), values) {
        page.extend(own);
    }
    html::render(status, template, &page)
}

/// The customer's page: everything of theirs, newest first.
async fn overview(
    ctx: &AppContext,
    customer: &Customer,
    notice: Option<&str>,
    problem: Option<String>,
) -> Response {
    match overview_values(ctx, customer).await {
        Ok(mut values) => {
            values["notice"] = json!(match notice {
                Some("saved") => Some(i18n::text(customer.language, "portal-saved")),
                _ => None,
            });
            values["problem"] = json!(problem);
            let status = if problem.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            portal_page(customer, "pages/portal.html", values, status)
        }
        Err(err) => customer.fail(err),
    }
}

async fn overview_values(ctx: &AppContext, customer: &Customer) -> Result<Value, ApiError> {
    let messenger = Messenger::of(ctx).map_err(ApiError::internal)?;
    let shown =
        PortalResponse::of(&ctx.db, messenger.links(), customer.clock, &customer.portal).await?;
    let mut values = serde_json::to_value(shown).map_err(ApiError::internal)?;
    values["title"] = json!(i18n::text(customer.language, "portal-title"));
    values["languages"] = json!(languages(customer.language));
    Ok(values)
}
