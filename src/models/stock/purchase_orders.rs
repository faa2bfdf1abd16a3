//! Orders to suppliers: drafted, sent (`ordered`), and received, in one
//! delivery or several. Receiving adds the stock at the cost paid for it.

use rust_decimal::Decimal;
use sea_orm::{
    entity::prelude::*,
    sea_query::{Expr, ExprTrait},
    ActiveValue, QueryOrder,
};
use serde_json::json;

pub use crate::models::_entities::purchase_orders::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult, FieldErrors};
use crate::models::values::Stored;
use crate::models::Scoped;
use crate::models::Write;
use crate::models::{
    _entities::purchase_order_lines,
    actor::{Ability, Actor},
    audit_events::{self, Change},
    organization::sites,
    paging::{Page, PageRequest},
    stock::products,
    values::{Numeric, PurchaseOrderStatus, Quantity},
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

impl ActiveModelBehavior for purchase_order_lines::ActiveModel {}

pub type Line = purchase_order_lines::Model;

/// A line to order: a product of the order's site, how many, at what cost.
#[derive(Clone, Debug)]
pub struct NewLine {
    pub product: products::Model,
    pub quantity: Quantity,
    pub unit_cost: Decimal,
}

/// What arrived of one product.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub product: products::Model,
    pub quantity: Quantity,
}

impl Scoped for Entity {
    const NAME: &'static str = "purchase order";
    const ABILITY: Option<Ability> = Some(Ability::ManageStock);

    fn pid_column() -> Column {
        Column::Pid
    }

    /// Purchase orders of the sites `actor` sees.
    fn visible_to(actor: &Actor) -> Select<Self> {
        Entity::find().filter(actor.scope(Column::OrganizationId, Column::SiteId))
    }
}

impl Model {
    /// # Errors
    /// 500 when the stored status is not one of ours.
    pub fn status(&self) -> DomainResult<PurchaseOrderStatus> {
        PurchaseOrderStatus::from_stored(&self.status).ok_or_else(|| {
            DomainError::internal(format!(
                "purchase order {} has status {:?}",
                self.id, self.status
            ))
        })
    }

    /// Newest first.
    ///
    /// # Errors
    /// 403 when the actor's role does not buy stock.
    pub async fn list_for(
        db: &impl ConnectionTrait,
        actor: &Actor,
        site: Option<&sites::Model>,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ManageStock)?;
        let mut query = Entity::visible_to(actor);
        if let Some(site) = site {
            query = query.filter(Column::SiteId.eq(site.id));
        }
        page.fetch(db, query.order_by_desc(Column::Id)).await
    }

    /// # Errors
    /// When the database fails.
    pub async fn lines(&self, db: &impl ConnectionTrait) -> Result<Vec<Line>, DbErr> {
        purchase_order_lines::Entity::find()
            .filter(purchase_order_lines::Column::PurchaseOrderId.eq(self.id))
            .order_by_asc(purchase_order_lines::Column::Id)
            .all(db)
            .await
    }

    /// Drafts an order to a supplier for a site's products.
    ///
    /// # Errors
    /// 403 unless the actor buys stock; 422 naming the line when a product
    /// is of another site or appears twice.
    pub async fn create(
        db: &Write,
        actor: &Actor,
        site: &sites::Model,
        supplier: String,
        lines: Vec<NewLine>,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ManageStock)?;
        let mut errors = FieldErrors::default();
        Self::check_products(
            site,
            lines.iter().map(|line| Some(&line.product)),
            &mut errors,
        );
        errors.finish()?;
        let now = crate::models::now_at(actor.clock);
        let order = ActiveModel {
            organization_id: ActiveValue::Set(site.organization_id),
            site_id: ActiveValue::Set(site.id),
            supplier: ActiveValue::Set(supplier),
            status: ActiveValue::Set(PurchaseOrderStatus::Draft.as_str().to_string()),
            created_by: ActiveValue::Set(actor.user_id()),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        purchase_order_lines::Entity::insert_many(lines.iter().map(|line| {
            purchase_order_lines::ActiveModel {
                organization_id: ActiveValue::Set(order.organization_id),
                site_id: ActiveValue::Set(order.site_id),
                purchase_order_id: ActiveValue::Set(order.id),
                product_id: ActiveValue::Set(line.product.id),
                quantity_milli: ActiveValue::Set(line.quantity.milli()),
                received_milli: ActiveValue::Set(0),
                unit_cost: ActiveValue::Set(Numeric(line.unit_cost)),
                ..Default::default()
            }
        }))
        .exec(db)
        .await?;
        audit_events::Model::record(
            db,
            order.organization_id,
            actor,
            Change {
                action: "purchase_order.created",
                subject_type: "purchase_order",
                subject_id: order.pid,
                site_id: Some(order.site_id),
                details: Some(json!({ "supplier": order.supplier, "lines": lines.len() })),
            },
        )
        .await?;
        Ok(order)
    }

    /// Each line's product must be of the order's site, and on one line
    /// only; `None` stands for a line whose product was not found.
    pub fn check_products<'a>(
        site: &sites::Model,
        products: impl Iterator<Item = Option<&'a products::Model>>,
        errors: &mut FieldErrors,
    ) {
        let mut seen = Vec::new();
        for (index, product) in products.enumerate() {
            let Some(product) = product else { continue };
            if product.site_id != site.id {
                errors.add(
                    format!("lines[{index}].product_id"),
                    "is stocked at another site than the order's",
                );
            }
            if seen.contains(&product.id) {
                errors.add(
                    format!("lines[{index}].product_id"),
                    "is on the order already",
                );
            }
            seen.push(product.id);
        }
    }

    /// Marks a draft as sent to the supplier.
    ///
    /// # Errors
    /// 403 unless the actor buys stock; 409 unless it is a draft.
    pub async fn place(&self, db: &Write, actor: &Actor) -> DomainResult<Self> {
        actor.authorize(Ability::ManageStock)?;
        let now = crate::models::now_at(actor.clock);
        let placed = Entity::update_many()
            .col_expr(
                Column::Status,
                Expr::value(PurchaseOrderStatus::Ordered.as_str()),
            )
            .col_expr(Column::OrderedAt, Expr::value(now))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(self.id))
            .filter(Column::Status.eq(PurchaseOrderStatus::Draft.as_str()))
            .exec(db)
            .await?;
        if placed.rows_affected != 1 {
            return Err(DomainError::conflict("only a draft can be ordered"));
        }
        audit_events::Model::record(
            db,
            self.organization_id,
            actor,
            Change {
                action: "purchase_order.ordered",
                subject_type: "purchase_order",
                subject_id: self.pid,
                site_id: Some(self.site_id),
                details: None,
            },
        )
        .await?;
        self.reload(db).await
    }

    /// Books what arrived: each line's received quantity goes up (never
    /// past what was ordered, decided by the UPDATE itself) and the stock
    /// with it, at the line's cost. The order is received when every line
    /// is, partially received until then.
    ///
    /// # Errors
    /// 403 unless the actor buys stock; 409 unless it was ordered and not
    /// yet fully received; 422 naming the line for a product not on the
    /// order or more than is still to come.
    pub async fn receive(
        &self,
        db: &Write,
        actor: &Actor,
        receipts: Vec<Receipt>,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ManageStock)?;
        // Locks the order open for receiving, by writing it first.
        let now = crate::models::now_at(actor.clock);
        let open = Entity::update_many()
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::Id.eq(self.id))
            .filter(Column::Status.is_in([
                PurchaseOrderStatus::Ordered.as_str(),
                PurchaseOrderStatus::PartiallyReceived.as_str(),
            ]))
            .exec(db)
            .await?;
        if open.rows_affected != 1 {
            return Err(DomainError::conflict(
                "only an order sent to the supplier and not yet fully received can be received",
            ));
        }
        let lines = self.lines(db).await?;
        let mut errors = FieldErrors::default();
        for (index, receipt) in receipts.iter().enumerate() {
            let field = format!("lines[{index}]");
            let Some(line) = lines
                .iter()
                .find(|line| line.product_id == receipt.product.id)
            else {
                errors.add(format!("{field}.product_id"), "is not on this order");
                continue;
            };
            let booked = purchase_order_lines::Entity::update_many()
                .col_expr(
                    purchase_order_lines::Column::ReceivedMilli,
                    Expr::col(purchase_order_lines::Column::ReceivedMilli)
                        .add(receipt.quantity.milli()),
                )
                .filter(purchase_order_lines::Column::Id.eq(line.id))
                .filter(
                    Expr::col(purchase_order_lines::Column::ReceivedMilli)
                        .add(receipt.quantity.milli())
                        .lte(Expr::col(purchase_order_lines::Column::QuantityMilli)),
                )
                .exec(db)
                .await?;
            if booked.rows_affected != 1 {
                errors.add(
                    format!("{field}.quantity"),
                    format!(
                        "is more than the {} still to come",
                        Quantity::from_milli(line.quantity_milli - line.received_milli)
                    ),
                );
                continue;
            }
            products::Model::receive(
                db,
                actor,
                line.product_id,
                receipt.quantity,
                line.unit_cost.decimal(),
                self.id,
            )
            .await?;
        }
        // Nothing of a refused delivery is kept: the caller's transaction
        // rolls back with this error.
        errors.finish()?;
        let lines = self.lines(db).await?;
        let complete = lines
            .iter()
            .all(|line| line.received_milli == line.quantity_milli);
        let status = if complete {
            PurchaseOrderStatus::Received
        } else {
            PurchaseOrderStatus::PartiallyReceived
        };
        let mut update = Entity::update_many()
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .filter(Column::Id.eq(self.id));
        if complete {
            update = update.col_expr(Column::ReceivedAt, Expr::value(now));
        }
        update.exec(db).await?;
        audit_events::Model::record(
            db,
            self.organization_id,
            actor,
            Change {
                action: "purchase_order.received",
                subject_type: "purchase_order",
                subject_id: self.pid,
                site_id: Some(self.site_id),
                details: Some(json!({
                    "status": status.as_str(),
                    "lines": receipts.len(),
                })),
            },
        )
        .await?;
        self.reload(db).await
    }

    async fn reload(&self, db: &impl ConnectionTrait) -> DomainResult<Self> {
        Entity::find_by_id(self.id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("purchase order"))
    }
}
