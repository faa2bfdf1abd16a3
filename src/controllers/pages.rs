//! Pages customers open from links in their messages, without an account:
//! `/u/{token}` or `/unsubscribe/{token}` (RFC 8058 one-click too) and
//! `/e/{token}` or `/estimates/{token}`.
//! The token is the key (`messages/links.rs`); a link that is not valid is
//! a 404 page. Errors here are pages, not the API's JSON.

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
    routing::get,
    Router as AxumRouter,
};
use loco_rs::app::AppContext;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

use crate::models::values::Stored;
use crate::{
    messages::{
        language_for,
        links::{Links, Purpose},
        site_values, Language, Messenger,
    },
    models::{
        clock::Clock,
        customers,
        error::DomainError,
        values::Approval,
        workshop::estimates::{self, Estimate},
        Write,
    },
    settings::Settings,
    views::pages,
};

/// The longest note a customer leaves on their decision.
const MAX_NOTE_CHARS: usize = 500;

pub fn router(ctx: &AppContext) -> AxumRouter {
    AxumRouter::new()
        // The short paths are the links in messages now; the long ones are
        // in messages sent before, and are where the pages' forms post.
        .route("/u/{token}", get(unsubscribe_page).post(unsubscribe))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
        .route("/e/{token}", get(estimate_page).post(decide))
        .route("/estimates/{token}", get(estimate_page).post(decide))
        .with_state(ctx.clone())
}

/// The subject of a link made for `purpose`, read with the links' key and
/// the request's clock.
///
/// # Errors
/// `NotFound` for a link that is not valid (forged, expired, made for
/// something else); `Internal` when the app has no messenger.
fn open(ctx: &AppContext, purpose: Purpose, token: &str) -> Result<(Uuid, Clock), DomainError> {
    let clock = Settings::clock_of(ctx);
    let messenger = Messenger::of(ctx).map_err(DomainError::internal)?;
    let links: &Links = messenger.links();
    links
        .open(purpose, token, clock.now())
        .map(|subject| (subject, clock))
        .ok_or(DomainError::NotFound("link"))
}

/// The page for an error that is not the customer's to mend.
fn failure(err: &DomainError) -> Response {
    match err {
        DomainError::NotFound(_) => pages::link_not_valid(),
        DomainError::Busy(_) => pages::error(
            StatusCode::SERVICE_UNAVAILABLE,
            Language::English,
            "Busy — please try again",
            "Nothing was changed. Please try again in a moment.",
        ),
        other => {
            tracing::error!(error = %other, "a customer page failed");
            pages::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                Language::English,
                "Something went wrong",
                "Nothing was changed. Please try again in a moment, or call the workshop.",
            )
        }
    }
}

async fn unsubscribe_page(State(ctx): State<AppContext>, Path(token): Path<String>) -> Response {
    let found = async {
        let (pid, _) = open(&ctx, Purpose::Unsubscribe, &token)?;
        customers::Model::subscriber(&ctx.db, pid).await
    };
    match found.await {
        Ok((customer, site)) => unsubscribe_response(&customer, &site, &token),
        Err(err) => failure(&err),
    }
}

/// The form's button, or a mail client's one-click POST (RFC 8058: body
/// `List-Unsubscribe=One-Click`); either withdraws consent at once.
async fn unsubscribe(State(ctx): State<AppContext>, Path(token): Path<String>) -> Response {
    let done = async {
        let (pid, clock) = open(&ctx, Purpose::Unsubscribe, &token)?;
        let txn = Write::begin(&ctx.db).await?;
        let found = customers::Model::unsubscribe(&txn, clock, pid).await?;
        txn.commit().await?;
        Ok::<_, DomainError>(found)
    };
    match done.await {
        Ok((customer, site)) => unsubscribe_response(&customer, &site, &token),
        Err(err) => failure(&err),
    }
}

fn unsubscribe_response(
    customer: &customers::Model,
    site: &crate::models::organization::sites::Model,
    token: &str,
) -> Response {
    pages::render(
        "unsubscribe.html",
        &json!({
            "lang": language_for(customer, site).code(),
            "customer": {"name": customer.name},
            "site": site_values(site),
            "subscribed": customer.marketing_opt_in,
            "action": format!("/unsubscribe/{token}"),
        }),
    )
}

fn number(value: Decimal) -> String {
    value.normalize().to_string()
}

fn approval_label(approval: Approval, language: Language) -> &'static str {
    match (approval, language) {
        (Approval::Approved, Language::English) => "Approved",
        (Approval::Declined, Language::English) => "Declined",
        (Approval::Pending, Language::English) => "Not decided",
        (Approval::Approved, Language::Swahili) => "Imekubaliwa",
        (Approval::Declined, Language::Swahili) => "Imekataliwa",
        (Approval::Pending, Language::Swahili) => "Haijaamuliwa",
    }
}

fn estimate_response(
    status: StatusCode,
    estimate: &Estimate,
    token: &str,
    saved: bool,
    problem: Option<Problem>,
) -> Response {
    let language = language_for(&estimate.customer, &estimate.site);
    let lines: Vec<_> = estimate
        .lines
        .iter()
        .map(|line| {
            json!({
                "id": line.id,
                "description": line.description,
                "quantity": number(line.quantity),
                "unit_price": crate::i18n::money(line.unit_price),
                "amount": crate::i18n::money(line.amount),
                "approval": line.approval.as_str(),
                "approval_label": approval_label(line.approval, language),
            })
        })
        .collect();
    let mut response = pages::render(
        "estimate.html",
        &json!({
            "lang": language.code(),
            "site": site_values(&estimate.site),
            "customer": {"name": estimate.customer.name},
            "vehicle": {
                "plate": estimate.vehicle.plate,
                "make": estimate.vehicle.make,
                "model": estimate.vehicle.model,
            },
            "currency": estimate.site.currency,
            "lines": lines,
            "subtotal": crate::i18n::money(estimate.subtotal),
            "tax": crate::i18n::money(estimate.tax),
            "total": crate::i18n::money(estimate.total),
            "open": estimate.open,
            "action": format!("/estimates/{token}"),
            "saved": saved,
            "problem": problem.map(|problem| problem.words(language)),
        }),
    );
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// The estimate a valid link names, as its customer sees it.
async fn estimate_by_link(ctx: &AppContext, token: &str) -> Result<Estimate, DomainError> {
    let (pid, _) = open(ctx, Purpose::Estimate, token)?;
    estimates::for_customer(&ctx.db, pid).await
}

async fn estimate_page(State(ctx): State<AppContext>, Path(token): Path<String>) -> Response {
    match estimate_by_link(&ctx, &token).await {
        Ok(estimate) => estimate_response(StatusCode::OK, &estimate, &token, false, None),
        Err(err) => failure(&err),
    }
}

/// What was wrong with the customer's answer, said in their language.
#[derive(Clone, Copy, Debug)]
enum Problem {
    NoteTooLong,
    UnknownLine,
    Undecided,
    NothingChosen,
    /// The estimate changed, or the order closed, meanwhile.
    Changed,
    /// A NUL or other control character in what was sent.
    Unreadable,
}

impl Problem {
    fn words(self, language: Language) -> String {
        match (self, language) {
            (Self::NoteTooLong, Language::English) => {
                format!("The note is too long: at most {MAX_NOTE_CHARS} characters.")
            }
            (Self::NoteTooLong, Language::Swahili) => {
                format!("Ujumbe ni mrefu mno: herufi {MAX_NOTE_CHARS} zaidi.")
            }
            (Self::UnknownLine, Language::English) => {
                "Choose approve or decline once for each item on this estimate.".to_string()
            }
            (Self::UnknownLine, Language::Swahili) => {
                "Chagua kukubali au kukataa mara moja kwa kila kipengele cha makadirio haya."
                    .to_string()
            }
            (Self::Undecided, Language::English) => {
                "Choose approve or decline for each item.".to_string()
            }
            (Self::Undecided, Language::Swahili) => {
                "Chagua kukubali au kukataa kwa kila kipengele.".to_string()
            }
            (Self::NothingChosen, Language::English) => {
                "Choose approve or decline for at least one item.".to_string()
            }
            (Self::NothingChosen, Language::Swahili) => {
                "Chagua kukubali au kukataa angalau kipengele kimoja.".to_string()
            }
            (Self::Changed, Language::English) => {
                "Nothing was saved: the workshop changed this estimate meanwhile, or the order is \
                 closed. Please call the workshop."
                    .to_string()
            }
            (Self::Unreadable, Language::English) => {
                "Nothing was saved: what was sent holds characters that cannot be kept (control \
                 characters). Please type the note again."
                    .to_string()
            }
            (Self::Unreadable, Language::Swahili) => {
                "Hakuna kilichohifadhiwa: ulichotuma kina herufi zisizoweza kuhifadhiwa. \
                 Tafadhali andika ujumbe tena."
                    .to_string()
            }
            (Self::Changed, Language::Swahili) => {
                "Hakuna kilichohifadhiwa: karakana imebadilisha makadirio haya, au agizo \
                 limefungwa. Tafadhali piga simu karakana."
                    .to_string()
            }
        }
    }
}

/// The customer's answer: each line decided, and a note.
struct Answer {
    decisions: Vec<(Uuid, Approval)>,
    note: Option<String>,
}

/// The form: `line.{id}=approved|declined` for each line decided, and an
/// optional `note`.
fn parse_form(body: &[u8]) -> Result<Answer, Problem> {
    let mut decisions = Vec::new();
    let mut note = None;
    let fields = super::extract::form_fields(body).map_err(|_| Problem::Unreadable)?;
    for (key, value) in fields {
        if key == "note" {
            let text = value.trim();
            if text.chars().count() > MAX_NOTE_CHARS {
                return Err(Problem::NoteTooLong);
            }
            if !text.is_empty() {
                note = Some(text.to_string());
            }
        } else if let Some(id) = key.strip_prefix("line.") {
            let id = id.parse::<Uuid>().map_err(|_| Problem::UnknownLine)?;
            let decision = match value.as_str() {
                "approved" => Approval::Approved,
                "declined" => Approval::Declined,
                _ => return Err(Problem::Undecided),
            };
            decisions.push((id, decision));
        }
    }
    if decisions.is_empty() {
        return Err(Problem::NothingChosen);
    }
    Ok(Answer { decisions, note })
}

async fn decide(State(ctx): State<AppContext>, Path(token): Path<String>, body: Bytes) -> Response {
    let Answer { decisions, note } = match parse_form(&body) {
        Ok(parsed) => parsed,
        Err(problem) => {
            return match estimate_by_link(&ctx, &token).await {
                Ok(estimate) => estimate_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &estimate,
                    &token,
                    false,
                    Some(problem),
                ),
                Err(err) => failure(&err),
            };
        }
    };
    let decided = async {
        let (pid, clock) = open(&ctx, Purpose::Estimate, &token)?;
        let txn = Write::begin(&ctx.db).await?;
        let estimate = estimates::decide(&txn, clock, pid, &decisions, note).await?;
        txn.commit().await?;
        Ok::<_, DomainError>(estimate)
    };
    match decided.await {
        Ok(estimate) => estimate_response(StatusCode::OK, &estimate, &token, true, None),
        Err(err @ (DomainError::Invalid(_) | DomainError::Conflict { .. })) => {
            let (status, problem) = match err {
                DomainError::Conflict { .. } => (StatusCode::CONFLICT, Problem::Changed),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, Problem::UnknownLine),
            };
            match estimate_by_link(&ctx, &token).await {
                Ok(estimate) => estimate_response(status, &estimate, &token, false, Some(problem)),
                Err(err) => failure(&err),
            }
        }
        Err(err) => failure(&err),
    }
}
