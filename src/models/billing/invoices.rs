//! Invoices: issued in the transaction that completes a repair order,
//! numbered `<SITE CODE>-<YEAR>-<6 digits>` without gaps or repeats per site
//! and year, their lines copied from the order so that nothing changed
//! later changes what was billed.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sea_orm::{
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
    ActiveValue, Condition, QueryOrder, QuerySelect,
};
use serde_json::json;

pub use crate::models::_entities::invoices::{self, ActiveModel, Column, Entity, Model};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::{
    _entities::{invoice_counters, invoice_lines},
    actor::{Ability, Actor},
    audit_events::{self, Change},
    customers,
    customers::vehicles,
    organization::{organizations, sites},
    paging::{Page, PageRequest},
    values::{round_to_minor_unit, Approval, CurrencyCode, InvoiceStatus, Numeric, Quantity},
    workshop::{labor_lines, part_lines, repair_orders},
    Write,
};
use crate::models::{
    error::{DomainError, DomainResult},
    now_at,
};

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// A new row gets its public id. Its times are the writer's to set,
    /// from the actor's (or the job's) clock.
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert {
            self.pid = ActiveValue::Set(Uuid::new_v4());
        }
        Ok(self)
    }
}

impl ActiveModelBehavior for invoice_lines::ActiveModel {}
impl ActiveModelBehavior for invoice_counters::ActiveModel {}

pub type Line = invoice_lines::Model;

/// One line to bill: what, how many, at what price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Billable {
    pub kind: &'static str,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
}

/// What an invoice adds up to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    /// Each line's amount: quantity × unit price, rounded to the currency's
    /// minor unit, half away from zero.
    pub amounts: Vec<Decimal>,
    pub subtotal: Decimal,
    /// The tax rate on the subtotal, rounded the same way.
    pub tax: Decimal,
    pub total: Decimal,
}

/// The contract's arithmetic (docs/architecture.md, "Conventions"): round per line,
/// add the lines, then tax on the subtotal; every amount to the currency's
/// minor unit (`minor_digits`: 2 for KES, 0 for UGX).
#[must_use]
pub fn totals(lines: &[Billable], tax_rate: Decimal, minor_digits: u32) -> Totals {
    let amounts: Vec<Decimal> = lines
        .iter()
        .map(|line| round_to_minor_unit(line.quantity * line.unit_price, minor_digits))
        .collect();
    let subtotal: Decimal = amounts.iter().sum();
    let tax = round_to_minor_unit(subtotal * tax_rate, minor_digits);
    Totals {
        amounts,
        subtotal,
        tax,
        total: subtotal + tax,
    }
}

/// Which invoices a list shows.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub site: Option<sites::Model>,
    pub status: Option<InvoiceStatus>,
    pub customer: Option<customers::Model>,
    /// Issued on or after, and on or before, these days.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only those still owed after their due day, each at its site's day.
    pub overdue: bool,
}

impl Scoped for Entity {
    const NAME: &'static str = "invoice";
    const ABILITY: Option<Ability> = Some(Ability::ManageBilling);

    fn pid_column() -> Column {
        Column::Pid
    }

    /// Invoices of the sites `actor` sees.
    fn visible_to(actor: &Actor) -> Select<Self> {
        Entity::find().filter(actor.scope(Column::OrganizationId, Column::SiteId))
    }
}

impl Model {
    /// # Errors
    /// 500 when the stored status is not one of ours.
    pub fn status(&self) -> DomainResult<InvoiceStatus> {
        InvoiceStatus::from_stored(&self.status).ok_or_else(|| {
            DomainError::internal(format!("invoice {} has status {:?}", self.id, self.status))
        })
    }

    /// What is still owed.
    #[must_use]
    pub fn balance(&self) -> Decimal {
        if self.status == InvoiceStatus::Void.as_str() {
            Decimal::ZERO
        } else {
            self.total.decimal() - self.amount_paid.decimal()
        }
    }

    /// The day it is due (invoices issued before payment terms existed were
    /// due on the day).
    #[must_use]
    pub fn due_on(&self) -> NaiveDate {
        self.due_on.unwrap_or(self.issued_on)
    }

    /// Whether money is still owed on it after its due day, `today` being
    /// the day at its site.
    #[must_use]
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        let open = [InvoiceStatus::Issued, InvoiceStatus::PartiallyPaid]
            .iter()
            .any(|status| self.status == status.as_str());
        open && self.balance() > Decimal::ZERO && today > self.due_on()
    }

    /// The language it is written in: the customer's when it was issued.
    #[must_use]
    pub fn language(&self) -> crate::i18n::Language {
        crate::i18n::Language::from_code(&self.language).unwrap_or_default()
    }

    /// The invoice of a repair order, if it has one.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn of_order(
        db: &impl ConnectionTrait,
        order: &repair_orders::Model,
    ) -> Result<Option<Self>, DbErr> {
        Entity::find()
            .filter(Column::RepairOrderId.eq(order.id))
            .one(db)
            .await
    }

    /// Newest first.
    ///
    /// # Errors
    /// 403 when the actor's role does not deal with money.
    pub async fn list_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        filters: Filters,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ManageBilling)?;
        let mut query = Entity::visible_to(actor);
        if let Some(site) = &filters.site {
            query = query.filter(Column::SiteId.eq(site.id));
        }
        if let Some(status) = filters.status {
            query = query.filter(Column::Status.eq(status.as_str()));
        }
        if let Some(customer) = &filters.customer {
            query = query.filter(Column::CustomerId.eq(customer.id));
        }
        if let Some(from) = filters.from {
            query = query.filter(Column::IssuedOn.gte(from));
        }
        if let Some(to) = filters.to {
            query = query.filter(Column::IssuedOn.lte(to));
        }
        if filters.overdue {
            query = query.filter(overdue_at(db, actor).await?);
        }
        page.fetch(
            db,
            query
                .order_by_desc(Column::IssuedAt)
                .order_by_desc(Column::Id),
        )
        .await
    }

    /// The invoice's lines, in order.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn lines(&self, db: &impl ConnectionTrait) -> Result<Vec<Line>, DbErr> {
        invoice_lines::Entity::find()
            .filter(invoice_lines::Column::InvoiceId.eq(self.id))
            .order_by_asc(invoice_lines::Column::Position)
            .all(db)
            .await
    }

    /// Issues the invoice of an order that is being completed, in the
    /// caller's transaction: the next number of the site's year, the order's
    /// labour and parts (not the declined ones) copied as lines, and what
    /// the customer, vehicle and branch were called when it was issued.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn issue(
        db: &Write,
        actor: &Actor,
        order: &repair_orders::Model,
    ) -> DomainResult<Self> {
        let site = sites::Entity::find_by_id(order.site_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("site"))?;
        let customer = customers::Entity::find_by_id(order.customer_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("customer"))?;
        let vehicle = vehicles::Entity::find_by_id(order.vehicle_id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("vehicle"))?;
        let billables = billables(db, order).await?;
        let tax_rate = site.tax_rate.decimal();
        let totals = totals(
            &billables,
            tax_rate,
            CurrencyCode::minor_digits(&site.currency),
        );

        let issued_on = actor.clock.today_in(site.time_zone());
        let business = organizations::Model::find_by_id(db, order.organization_id).await?;
        let due_on = issued_on
            + chrono::Days::new(u64::try_from(site.payment_terms_days).unwrap_or_default());
        let language = crate::messages::language_for(&customer, &site);
        let year = issued_on.year();
        let sequence = next_number(db, site.id, year).await?;
        let now = crate::models::now_at(actor.clock);
        let status = if totals.total > Decimal::ZERO {
            InvoiceStatus::Issued
        } else {
            // Nothing to pay: a warranty job, say.
            InvoiceStatus::Paid
        };
        let invoice = ActiveModel {
            organization_id: ActiveValue::Set(order.organization_id),
            site_id: ActiveValue::Set(site.id),
            repair_order_id: ActiveValue::Set(order.id),
            customer_id: ActiveValue::Set(customer.id),
            year: ActiveValue::Set(year),
            sequence: ActiveValue::Set(sequence),
            number: ActiveValue::Set(number(&site.code, year, sequence)),
            status: ActiveValue::Set(status.as_str().to_string()),
            currency: ActiveValue::Set(site.currency.clone()),
            tax_rate: ActiveValue::Set(Numeric(tax_rate)),
            subtotal: ActiveValue::Set(Numeric(totals.subtotal)),
            tax: ActiveValue::Set(Numeric(totals.tax)),
            total: ActiveValue::Set(Numeric(totals.total)),
            amount_paid: ActiveValue::Set(Numeric(Decimal::ZERO)),
            site_name: ActiveValue::Set(site.name.clone()),
            site_address: ActiveValue::Set(site.address.clone()),
            site_phone: ActiveValue::Set(site.phone.clone()),
            site_email: ActiveValue::Set(site.email.clone()),
            payment_instructions: ActiveValue::Set(site.payment_instructions.clone()),
            customer_name: ActiveValue::Set(customer.name.clone()),
            customer_phone: ActiveValue::Set(customer.phone.clone()),
            customer_email: ActiveValue::Set(customer.email.clone()),
            vehicle_plate: ActiveValue::Set(vehicle.plate.clone()),
            vehicle_description: ActiveValue::Set(
                [vehicle.make.as_str(), vehicle.model.as_str()].join(" "),
            ),
            odometer_km: ActiveValue::Set(order.odometer_km.or(vehicle.odometer_km)),
            order_description: ActiveValue::Set(order.description.clone()),
            business_name: ActiveValue::Set(Some(business.business_name().to_string())),
            tax_number: ActiveValue::Set(business.tax_number.clone()),
            due_on: ActiveValue::Set(Some(due_on)),
            language: ActiveValue::Set(language.code().to_string()),
            issued_on: ActiveValue::Set(issued_on),
            issued_at: ActiveValue::Set(now),
            issued_by: ActiveValue::Set(actor.user_id()),
            // Mailed to the customer once the completion commits.
            send_requested_at: ActiveValue::Set(Some(now)),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        let lines: Vec<invoice_lines::ActiveModel> = billables
            .into_iter()
            .zip(totals.amounts)
            .enumerate()
            .map(|(position, (line, amount))| invoice_lines::ActiveModel {
                organization_id: ActiveValue::Set(invoice.organization_id),
                site_id: ActiveValue::Set(invoice.site_id),
                invoice_id: ActiveValue::Set(invoice.id),
                position: ActiveValue::Set(i32::try_from(position).unwrap_or(i32::MAX)),
                kind: ActiveValue::Set(line.kind.to_string()),
                description: ActiveValue::Set(line.description),
                quantity: ActiveValue::Set(Numeric(line.quantity)),
                unit_price: ActiveValue::Set(Numeric(line.unit_price)),
                amount: ActiveValue::Set(Numeric(amount)),
                ..Default::default()
            })
            .collect();
        if !lines.is_empty() {
            invoice_lines::Entity::insert_many(lines).exec(db).await?;
        }
        audit_events::Model::record(
            db,
            invoice.organization_id,
            actor,
            Change {
                action: "invoice.issued",
                subject_type: "invoice",
                subject_id: invoice.pid,
                site_id: Some(invoice.site_id),
                details: Some(json!({
                    "number": invoice.number,
                    "total": invoice.total.decimal().to_string(),
                    "repair_order": order.pid,
                })),
            },
        )
        .await?;
        Ok(invoice)
    }

    /// Voids the invoice, keeping its number: numbers have no gaps, so a
    /// void one stays on the books with the reason. Payments must be
    /// reversed first.
    ///
    /// # Errors
    /// 403 unless the actor deals with money; 409 when it is void already or
    /// still has payments.
    pub async fn void(&self, db: &Write, actor: &Actor, reason: String) -> DomainResult<Self> {
        actor.authorize(Ability::ManageBilling)?;
        let invoice = Self::locked(db, self.id).await?;
        if invoice.status()? == InvoiceStatus::Void {
            return Err(DomainError::conflict("the invoice is void already"));
        }
        if invoice.amount_paid.decimal() != Decimal::ZERO {
            return Err(DomainError::conflict(
                "the invoice has payments: reverse them before voiding it",
            ));
        }
        let now = crate::models::now_at(actor.clock);
        let mut voided: ActiveModel = invoice.into();
        voided.status = ActiveValue::Set(InvoiceStatus::Void.as_str().to_string());
        voided.voided_at = ActiveValue::Set(Some(now));
        voided.voided_by = ActiveValue::Set(Some(actor.user_id()));
        voided.void_reason = ActiveValue::Set(Some(reason.clone()));
        voided.updated_at = ActiveValue::Set(now);
        let invoice = voided.update(db).await?;
        audit_events::Model::record(
            db,
            invoice.organization_id,
            actor,
            Change {
                action: "invoice.voided",
                subject_type: "invoice",
                subject_id: invoice.pid,
                site_id: Some(invoice.site_id),
                details: Some(json!({ "number": invoice.number, "reason": reason })),
            },
        )
        .await?;
        Ok(invoice)
    }

    /// Asks for the invoice to be sent to its customer (again): the moment
    /// of asking is stored on it, and the `DeliverInvoice` job the caller
    /// enqueues (or the sweep) sends it once for that moment.
    ///
    /// # Errors
    /// 409 for a void invoice.
    pub async fn request_send(
        &self,
        db: &impl ConnectionTrait,
        actor: &Actor,
    ) -> DomainResult<Self> {
        let requested = Entity::update_many()
            .col_expr(Column::SendRequestedAt, Expr::value(now_at(actor.clock)))
            .col_expr(Column::UpdatedAt, Expr::value(now_at(actor.clock)))
            .filter(Column::Id.eq(self.id))
            .filter(Column::Status.ne(InvoiceStatus::Void.as_str()))
            .exec(db)
            .await?;
        if requested.rows_affected == 0 {
            return Err(DomainError::conflict("a void invoice is not sent"));
        }
        Entity::find_for(db, actor, self.pid).await
    }

    /// The invoice with its row locked until the transaction ends (`FOR
    /// UPDATE` on PostgreSQL; SQLite's write transaction holds the
    /// database): payments and voiding decide on it as it is now.
    ///
    /// # Errors
    /// When the database fails or the invoice is gone.
    pub async fn locked(db: &Write, id: i64) -> DomainResult<Self> {
        Entity::find_by_id(id)
            .lock_exclusive()
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("invoice"))
    }

    /// The status that goes with what has been paid.
    #[must_use]
    pub fn status_for(total: Decimal, paid: Decimal) -> InvoiceStatus {
        if paid >= total {
            InvoiceStatus::Paid
        } else if paid > Decimal::ZERO {
            InvoiceStatus::PartiallyPaid
        } else {
            InvoiceStatus::Issued
        }
    }
}

/// `NBO-2026-000042`.
#[must_use]
pub fn number(site_code: &str, year: i32, sequence: i32) -> String {
    format!("{site_code}-{year}-{sequence:06}")
}

/// The next number of a site's year, from its counter row: bumped first
/// (an upsert, so SQLite's write transaction has the lock from its first
/// statement and PostgreSQL holds the row until commit), then read. Two
/// completions at once get consecutive numbers; a rolled-back one gives its
/// number back with its transaction.
async fn next_number(db: &impl ConnectionTrait, site_id: i64, year: i32) -> DomainResult<i32> {
    use invoice_counters::Column as Counter;

    let bump = Query::insert()
        .into_table(invoice_counters::Entity)
        .columns([Counter::SiteId, Counter::Year, Counter::LastNumber])
        .values_panic([site_id.into(), year.into(), 1.into()])
        .on_conflict(
            OnConflict::columns([Counter::SiteId, Counter::Year])
                .value(
                    Counter::LastNumber,
                    Expr::col((invoice_counters::Entity, Counter::LastNumber)).add(1),
                )
                .to_owned(),
        )
        .to_owned();
    db.execute(&bump).await?;
    let last: Option<i32> = invoice_counters::Entity::find()
        .select_only()
        .column(Counter::LastNumber)
        .filter(Counter::SiteId.eq(site_id))
        .filter(Counter::Year.eq(year))
        .into_tuple()
        .one(db)
        .await?;
    last.ok_or_else(|| DomainError::internal("the invoice counter vanished"))
}

/// The order's lines that are billed, labour first, each in the order it
/// was written. Declined lines are not.
///
/// # Errors
/// When the database fails.
pub async fn billables(
    db: &impl ConnectionTrait,
    order: &repair_orders::Model,
) -> DomainResult<Vec<Billable>> {
    let declined = Approval::Declined.as_str();
    let labour = labor_lines::Model::of_order(db, order.id)
        .await?
        .into_iter()
        .filter(|line| line.approval != declined)
        .map(|line| Billable {
            kind: "labor",
            description: line.description,
            quantity: line.hours.decimal(),
            unit_price: line.rate.decimal(),
        });
    let parts = part_lines::Model::of_order(db, order.id)
        .await?
        .into_iter()
        .filter(|line| line.approval != declined)
        .map(|line| Billable {
            kind: "part",
            description: line.description,
            quantity: Quantity::from_milli(line.quantity_milli).decimal(),
            unit_price: line.unit_price.decimal(),
        });
    Ok(labour.chain(parts).collect())
}

/// Invoices still owed after their due day, each judged by the day at its
/// own site (invoices from before payment terms were due on the day).
async fn overdue_at(db: &impl ConnectionTrait, actor: &Actor) -> DomainResult<Condition> {
    let open = Condition::any()
        .add(Column::Status.eq(InvoiceStatus::Issued.as_str()))
        .add(Column::Status.eq(InvoiceStatus::PartiallyPaid.as_str()));
    let mut past_due = Condition::any();
    for site in sites::Entity::visible_to(actor).all(db).await? {
        let today = actor.clock.today_in(site.time_zone());
        past_due = past_due.add(
            Condition::all().add(Column::SiteId.eq(site.id)).add(
                Condition::any().add(Column::DueOn.lt(today)).add(
                    Condition::all()
                        .add(Column::DueOn.is_null())
                        .add(Column::IssuedOn.lt(today)),
                ),
            ),
        );
    }
    Ok(Condition::all().add(open).add(past_due))
}

/// What customers owe, by how long it has been owed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Receivables {
    pub currency: String,
    pub buckets: AgeBuckets,
    /// Each customer who owes anything, most owed first.
    pub customers: Vec<CustomerBalance>,
    pub total: Decimal,
}

/// Amounts by days since the invoice was issued.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AgeBuckets {
    pub days_0_30: Decimal,
    pub days_31_60: Decimal,
    pub days_61_90: Decimal,
    pub days_90_plus: Decimal,
}

impl AgeBuckets {
    fn add(&mut self, age_days: i64, amount: Decimal) {
        let bucket = match age_days {
            ..=30 => &mut self.days_0_30,
            31..=60 => &mut self.days_31_60,
            61..=90 => &mut self.days_61_90,
            _ => &mut self.days_90_plus,
        };
        *bucket += amount;
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerBalance {
    pub customer_pid: Uuid,
    pub name: String,
    pub buckets: AgeBuckets,
    pub total: Decimal,
    pub invoices: usize,
    pub oldest_issued_on: NaiveDate,
}

impl Receivables {
    /// The unpaid balances of the invoices at the sites `actor` sees (one
    /// site's, with `site`), aged by the day at each site.
    ///
    /// # Errors
    /// 403 unless the actor deals with money; 422 naming `site_id` when the
    /// sites bill in more than one currency and none was chosen.
    pub async fn of(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site: Option<&sites::Model>,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ManageBilling)?;
        let mut query = Entity::visible_to(actor).filter(
            Condition::any()
                .add(Column::Status.eq(InvoiceStatus::Issued.as_str()))
                .add(Column::Status.eq(InvoiceStatus::PartiallyPaid.as_str())),
        );
        if let Some(site) = site {
            query = query.filter(Column::SiteId.eq(site.id));
        }
        let open = query
            .order_by_asc(Column::IssuedOn)
            .order_by_asc(Column::Id)
            .all(db)
            .await?;
        let mut currencies: Vec<&str> = open
            .iter()
            .map(|invoice| invoice.currency.as_str())
            .collect();
        currencies.sort_unstable();
        currencies.dedup();
        if currencies.len() > 1 {
            return Err(DomainError::invalid(
                "site_id",
                "is required: your sites bill in more than one currency",
            ));
        }
        let currency = currencies
            .first()
            .map(ToString::to_string)
            .or_else(|| site.map(|site| site.currency.clone()))
            .unwrap_or_default();
        let site_ids: Vec<i64> = open.iter().map(|invoice| invoice.site_id).collect();
        let zones = sites::Model::by_ids(db, actor.organization_id(), &site_ids).await?;
        let customer_ids: Vec<i64> = open.iter().map(|invoice| invoice.customer_id).collect();
        let owners = customers::Model::by_ids(db, actor.organization_id(), &customer_ids).await?;

        let mut receivables = Self {
            currency,
            ..Self::default()
        };
        for invoice in &open {
            let today = zones
                .iter()
                .find(|site| site.id == invoice.site_id)
                .map_or_else(
                    || actor.clock.today_in(chrono_tz::UTC),
                    |site| actor.clock.today_in(site.time_zone()),
                );
            let age = (today - invoice.issued_on).num_days();
            let owed = invoice.balance();
            receivables.buckets.add(age, owed);
            receivables.total += owed;
            let owner = owners.iter().find(|owner| owner.id == invoice.customer_id);
            let Some(owner) = owner else { continue };
            match receivables
                .customers
                .iter_mut()
                .find(|balance| balance.customer_pid == owner.pid)
            {
                Some(balance) => {
                    balance.buckets.add(age, owed);
                    balance.total += owed;
                    balance.invoices += 1;
                }
                None => {
                    let mut buckets = AgeBuckets::default();
                    buckets.add(age, owed);
                    receivables.customers.push(CustomerBalance {
                        customer_pid: owner.pid,
                        name: owner.name.clone(),
                        buckets,
                        total: owed,
                        invoices: 1,
                        oldest_issued_on: invoice.issued_on,
                    });
                }
            }
        }
        receivables
            .customers
            .sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
        Ok(receivables)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn line(quantity: &str, unit_price: &str) -> Billable {
        Billable {
            kind: "part",
            description: "x".into(),
            quantity: d(quantity),
            unit_price: d(unit_price),
        }
    }

    #[test]
    fn each_line_rounds_then_tax_on_the_subtotal() {
        // 0.5 × 0.05 = 0.025 → 0.03; 3 × 33.335 = 100.005 → 100.01;
        // subtotal 100.04; 16 % of it is 16.0064 → 16.01.
        let totals = totals(&[line("0.5", "0.05"), line("3", "33.335")], d("0.16"), 2);

        assert_eq!(totals.amounts, vec![d("0.03"), d("100.01")]);
        assert_eq!(totals.subtotal, d("100.04"));
        assert_eq!(totals.tax, d("16.01"));
        assert_eq!(totals.total, d("116.05"));
    }

    #[test]
    fn a_shilling_without_cents_rounds_to_whole_shillings() {
        // UGX: 1.5 h × 3,333 = 4,999.5 → 5,000; 2.25 l × 15,500 = 34,875;
        // 18 % VAT of 39,875 is 7,177.5 → 7,178.
        let totals = totals(&[line("1.5", "3333"), line("2.25", "15500")], d("0.18"), 0);

        assert_eq!(totals.amounts, vec![d("5000"), d("34875")]);
        assert_eq!(totals.subtotal, d("39875"));
        assert_eq!(totals.tax, d("7178"));
        assert_eq!(totals.total, d("47053"));
    }

    #[test]
    fn numbers_are_site_year_and_six_digits() {
        assert_eq!(number("NBO", 2026, 42), "NBO-2026-000042");
        assert_eq!(number("KLA", 2027, 1), "KLA-2027-000001");
    }

    #[test]
    fn balances_age_into_buckets() {
        let mut buckets = AgeBuckets::default();
        for (age, amount) in [
            (0, "1"),
            (30, "2"),
            (31, "4"),
            (60, "8"),
            (61, "16"),
            (90, "32"),
            (91, "64"),
        ] {
            buckets.add(age, d(amount));
        }
        assert_eq!(buckets.days_0_30, d("3"));
        assert_eq!(buckets.days_31_60, d("12"));
        assert_eq!(buckets.days_61_90, d("48"));
        assert_eq!(buckets.days_90_plus, d("64"));
    }
}
