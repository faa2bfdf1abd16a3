//! What a site keeps on its shelves: each product's price, cost and stock.
//!
//! Stock changes only through the operations here, each one conditional
//! UPDATE that the database decides (`on_hand − reserved ≥ quantity` for
//! anything that takes stock), followed by a movement row written in the
//! same transaction. Racing reservations can therefore never hold more than
//! there is, and on-hand never goes below zero.

use rust_decimal::Decimal;
use sea_orm::{
    entity::prelude::*,
    sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr},
    ActiveValue, Condition, QueryOrder, TryIntoModel,
};
use serde_json::json;

pub use crate::models::_entities::products::{self, ActiveModel, Column, Entity, Model};
use crate::models::error::{DomainError, DomainResult, OnUnique};
use crate::models::Scoped;
use crate::models::{
    actor::{Ability, Actor, By},
    audit_events::{self, Change},
    organization::sites,
    paging::{Page, PageRequest},
    stock::stock_movements::{self, Movement},
    values::{MovementKind, Numeric, Quantity},
    Write,
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

const SKU_TAKEN: &str = "is already used by another product at this site";

/// A product as entered, every value already checked.
#[derive(Clone, Debug)]
pub struct NewProduct {
    pub site_id: Uuid,
    pub sku: String,
    pub name: String,
    pub unit_cost: Decimal,
    pub unit_price: Decimal,
    pub quantity_on_hand: Quantity,
    pub reorder_level: Quantity,
    pub supplier: Option<String>,
    pub barcode: Option<String>,
}

/// A partial change; `Some(None)` clears the optional ones. Stock on hand
/// changes only by adjustments, receipts and transfers, which explain it.
#[derive(Clone, Debug, Default)]
pub struct ProductChanges {
    pub sku: Option<String>,
    pub name: Option<String>,
    pub unit_cost: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub reorder_level: Option<Quantity>,
    pub supplier: Option<Option<String>>,
    pub barcode: Option<Option<String>>,
}

/// Which products a list shows.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    pub site: Option<sites::Model>,
    /// Only those whose available stock is below their reorder level.
    pub low_stock: bool,
    /// Part of the SKU, name or barcode.
    pub q: Option<String>,
}

impl Scoped for Entity {
    const NAME: &'static str = "product";
    const ABILITY: Option<Ability> = Some(Ability::ViewStock);

    fn pid_column() -> Column {
        Column::Pid
    }

    /// Products at the sites `actor` sees.
    fn visible_to(actor: &Actor) -> Select<Self> {
        Entity::find().filter(actor.scope(Column::OrganizationId, Column::SiteId))
    }
}

impl Model {
    #[must_use]
    pub const fn on_hand(&self) -> Quantity {
        Quantity::from_milli(self.on_hand_milli)
    }

    #[must_use]
    pub const fn reserved(&self) -> Quantity {
        Quantity::from_milli(self.reserved_milli)
    }

    /// What can still be reserved: on hand less what open orders hold.
    #[must_use]
    pub const fn available(&self) -> Quantity {
        Quantity::from_milli(self.on_hand_milli - self.reserved_milli)
    }

    #[must_use]
    pub const fn reorder_level(&self) -> Quantity {
        Quantity::from_milli(self.reorder_level_milli)
    }

    /// A page of the products the actor sees, by name.
    ///
    /// # Errors
    /// 403 when the actor's role does not see stock.
    pub async fn search(
        db: &impl ConnectionTrait,
        actor: &Actor,
        filters: Filters,
        page: PageRequest,
    ) -> DomainResult<Page<Self>> {
        actor.authorize(Ability::ViewStock)?;
        let mut query = Entity::visible_to(actor);
        if let Some(site) = &filters.site {
            query = query.filter(Column::SiteId.eq(site.id));
        }
        if filters.low_stock {
            query = query.filter(low_stock());
        }
        if let Some(q) = filters
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            let contains =
                LikeExpr::new(format!("%{}%", escape_like(&q.to_lowercase()))).escape('\\');
            let lower = |column: Column| Expr::expr(Func::lower(Expr::col(column)));
            query = query.filter(
                Condition::any()
                    .add(lower(Column::Sku).like(contains.clone()))
                    .add(lower(Column::Name).like(contains))
                    .add(Column::Barcode.eq(q)),
            );
        }
        page.fetch(
            db,
            query.order_by_asc(Column::Name).order_by_asc(Column::Id),
        )
        .await
    }

    /// Puts a product on a site's shelves with its opening stock (recorded
    /// as an adjustment, so the ledger starts from zero).
    ///
    /// # Errors
    /// 403 unless the actor manages stock; 404 for a site not theirs; 409
    /// when the SKU is taken at that site.
    pub async fn create(
        db: &Write,
        actor: &Actor,
        site: &sites::Model,
        new: NewProduct,
    ) -> DomainResult<Self> {
        actor.authorize(Ability::ManageStock)?;
        let now = crate::models::now_at(actor.clock);
        let product = ActiveModel {
            organization_id: ActiveValue::Set(site.organization_id),
            site_id: ActiveValue::Set(site.id),
            sku: ActiveValue::Set(new.sku),
            name: ActiveValue::Set(new.name),
            unit_cost: ActiveValue::Set(Numeric(new.unit_cost)),
            unit_price: ActiveValue::Set(Numeric(new.unit_price)),
            on_hand_milli: ActiveValue::Set(new.quantity_on_hand.milli()),
            reserved_milli: ActiveValue::Set(0),
            reorder_level_milli: ActiveValue::Set(new.reorder_level.milli()),
            supplier: ActiveValue::Set(new.supplier),
            barcode: ActiveValue::Set(new.barcode),
            created_at: ActiveValue::Set(now),
            updated_at: ActiveValue::Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .on_unique("sku", SKU_TAKEN)?;
        if new.quantity_on_hand != Quantity::ZERO {
            let mut opening = Movement::new(
                MovementKind::Adjustment,
                new.quantity_on_hand,
                Quantity::ZERO,
            );
            opening.reason = Some("opening stock".to_string());
            opening.unit_cost = Some(new.unit_cost);
            stock_movements::Model::record(db, actor.into(), &product, opening).await?;
        }
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "product.created",
                subject_type: "product",
                subject_id: product.pid,
                site_id: Some(site.id),
                details: Some(json!({ "sku": product.sku })),
            },
        )
        .await?;
        Ok(product)
    }

    /// Counts stock in or out by hand, with the reason (a stock-take, a
    /// broken part). Stock held for orders cannot be adjusted away.
    ///
    /// # Errors
    /// 403 unless the actor manages stock; 409 when the change would leave
    /// less on hand than is reserved (or below zero).
    pub async fn adjust(
        &self,
        db: &Write,
        actor: &Actor,
        delta: Quantity,
        reason: String,
    ) -> DomainResult<(stock_movements::Model, Self)> {
        actor.authorize(Ability::ManageStock)?;
        let changed = change_stock(
            db,
            crate::models::now_at(actor.clock),
            self.id,
            delta,
            Quantity::ZERO,
            StockGuard::OnHandCoversReserved,
        )
        .await?;
        if !changed {
            let now = Self::reload(db, self.id).await?;
            return Err(DomainError::Conflict {
                message: format!(
                    "only {} is available to take out ({} on hand, {} held for orders)",
                    now.available(),
                    now.on_hand(),
                    now.reserved()
                ),
                fields: field("delta", "would take out more than is available"),
            });
        }
        let product = Self::reload(db, self.id).await?;
        let mut movement = Movement::new(MovementKind::Adjustment, delta, Quantity::ZERO);
        movement.reason = Some(reason);
        let movement = stock_movements::Model::record(db, actor.into(), &product, movement).await?;
        Ok((movement, product))
    }

    /// Moves stock to another site of the organization: out of this product,
    /// into the product with the same SKU there (opened with this one's
    /// name and prices when the site has none). Both movements are written
    /// in the caller's transaction.
    ///
    /// # Errors
    /// 403 unless the actor manages stock; 422 when the destination is this
    /// product's own site; 409 when less is available than is moved.
    pub async fn transfer(
        &self,
        db: &Write,
        actor: &Actor,
        to: &sites::Model,
        quantity: Quantity,
        note: Option<String>,
    ) -> DomainResult<(Self, Self)> {
        actor.authorize(Ability::ManageStock)?;
        if to.id == self.site_id {
            return Err(DomainError::invalid(
                "to_site_id",
                "must be another site than the product's own",
            ));
        }
        let taken = change_stock(
            db,
            crate::models::now_at(actor.clock),
            self.id,
            Quantity::from_milli(-quantity.milli()),
            Quantity::ZERO,
            StockGuard::OnHandCoversReserved,
        )
        .await?;
        if !taken {
            let now = Self::reload(db, self.id).await?;
            return Err(DomainError::Conflict {
                message: format!("only {} is available to move", now.available()),
                fields: field("quantity", "is more than is available"),
            });
        }
        let destination = match Entity::find()
            .filter(Column::SiteId.eq(to.id))
            .filter(Column::Sku.eq(self.sku.as_str()))
            .one(db)
            .await?
        {
            Some(product) => product,
            None => {
                ActiveModel {
                    organization_id: ActiveValue::Set(self.organization_id),
                    site_id: ActiveValue::Set(to.id),
                    sku: ActiveValue::Set(self.sku.clone()),
                    name: ActiveValue::Set(self.name.clone()),
                    unit_cost: ActiveValue::Set(self.unit_cost),
                    unit_price: ActiveValue::Set(self.unit_price),
                    on_hand_milli: ActiveValue::Set(0),
                    reserved_milli: ActiveValue::Set(0),
                    reorder_level_milli: ActiveValue::Set(0),
                    supplier: ActiveValue::Set(self.supplier.clone()),
                    barcode: ActiveValue::Set(self.barcode.clone()),
                    created_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
                    updated_at: ActiveValue::Set(crate::models::now_at(actor.clock)),
                    ..Default::default()
                }
                .insert(db)
                .await?
            }
        };
        change_stock(
            db,
            crate::models::now_at(actor.clock),
            destination.id,
            quantity,
            Quantity::ZERO,
            StockGuard::None,
        )
        .await?;
        let source = Self::reload(db, self.id).await?;
        let destination = Self::reload(db, destination.id).await?;
        let mut out = Movement::new(
            MovementKind::TransferOut,
            Quantity::from_milli(-quantity.milli()),
            Quantity::ZERO,
        );
        out.reason.clone_from(&note);
        out.counterpart_product_id = Some(destination.id);
        out.unit_cost = Some(source.unit_cost.decimal());
        stock_movements::Model::record(db, actor.into(), &source, out).await?;
        let mut into = Movement::new(MovementKind::TransferIn, quantity, Quantity::ZERO);
        into.reason = note;
        into.counterpart_product_id = Some(source.id);
        into.unit_cost = Some(source.unit_cost.decimal());
        stock_movements::Model::record(db, actor.into(), &destination, into).await?;
        Ok((source, destination))
    }

    /// Holds `quantity` for a part line on an open order.
    ///
    /// # Errors
    /// 409 naming `quantity` when less is available.
    pub async fn reserve(
        db: &Write,
        by: By<'_>,
        product_id: i64,
        quantity: Quantity,
        repair_order_id: i64,
    ) -> DomainResult<Self> {
        let held = change_stock(
            db,
            by.now(),
            product_id,
            Quantity::ZERO,
            quantity,
            StockGuard::Available(quantity),
        )
        .await?;
        if !held {
            let now = Self::reload(db, product_id).await?;
            return Err(DomainError::Conflict {
                message: format!(
                    "only {} of {} is available at this site",
                    now.available(),
                    now.sku
                ),
                fields: field("quantity", "is more than is available"),
            });
        }
        let product = Self::reload(db, product_id).await?;
        let mut movement = Movement::new(MovementKind::Reservation, Quantity::ZERO, quantity);
        movement.repair_order_id = Some(repair_order_id);
        stock_movements::Model::record(db, by, &product, movement).await?;
        Ok(product)
    }

    /// Lets go of what a part line held (line removed or declined, order
    /// cancelled).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn release(
        db: &Write,
        by: By<'_>,
        product_id: i64,
        quantity: Quantity,
        repair_order_id: i64,
    ) -> DomainResult<Self> {
        change_stock(
            db,
            by.now(),
            product_id,
            Quantity::ZERO,
            Quantity::from_milli(-quantity.milli()),
            StockGuard::None,
        )
        .await?;
        let product = Self::reload(db, product_id).await?;
        let mut movement = Movement::new(
            MovementKind::Release,
            Quantity::ZERO,
            Quantity::from_milli(-quantity.milli()),
        );
        movement.repair_order_id = Some(repair_order_id);
        stock_movements::Model::record(db, by, &product, movement).await?;
        Ok(product)
    }

    /// Takes what a part line held out of stock: the part was fitted.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn consume(
        db: &Write,
        actor: &Actor,
        product_id: i64,
        quantity: Quantity,
        repair_order_id: i64,
    ) -> DomainResult<Self> {
        let out = Quantity::from_milli(-quantity.milli());
        change_stock(
            db,
            crate::models::now_at(actor.clock),
            product_id,
            out,
            out,
            StockGuard::None,
        )
        .await?;
        let product = Self::reload(db, product_id).await?;
        let mut movement = Movement::new(MovementKind::Consumption, out, out);
        movement.repair_order_id = Some(repair_order_id);
        stock_movements::Model::record(db, actor.into(), &product, movement).await?;
        Ok(product)
    }

    /// Adds stock bought in on a purchase order, at the cost paid for it,
    /// which becomes the product's cost.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn receive(
        db: &Write,
        actor: &Actor,
        product_id: i64,
        quantity: Quantity,
        unit_cost: Decimal,
        purchase_order_id: i64,
    ) -> DomainResult<Self> {
        change_stock(
            db,
            crate::models::now_at(actor.clock),
            product_id,
            quantity,
            Quantity::ZERO,
            StockGuard::None,
        )
        .await?;
        Entity::update_many()
            .col_expr(Column::UnitCost, Expr::value(Numeric(unit_cost)))
            .filter(Column::Id.eq(product_id))
            .exec(db)
            .await?;
        let product = Self::reload(db, product_id).await?;
        let mut movement = Movement::new(MovementKind::Receipt, quantity, Quantity::ZERO);
        movement.unit_cost = Some(unit_cost);
        movement.purchase_order_id = Some(purchase_order_id);
        stock_movements::Model::record(db, actor.into(), &product, movement).await?;
        Ok(product)
    }

    /// The product as it stands now, in the caller's transaction.
    ///
    /// # Errors
    /// When the database fails or the product is gone.
    pub async fn reload(db: &impl ConnectionTrait, id: i64) -> DomainResult<Self> {
        Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(DomainError::NotFound("product"))
    }
}

impl ActiveModel {
    /// Applies a manager's changes: names, prices, reorder level, supplier.
    ///
    /// # Errors
    /// 403 unless the actor manages stock; 409 when the new SKU is taken at
    /// the site.
    pub async fn change(
        mut self,
        db: &Write,
        actor: &Actor,
        changes: ProductChanges,
    ) -> DomainResult<Model> {
        actor.authorize(Ability::ManageStock)?;
        if let Some(sku) = changes.sku {
            self.sku.set_if_not_equals(sku);
        }
        if let Some(name) = changes.name {
            self.name.set_if_not_equals(name);
        }
        if let Some(cost) = changes.unit_cost {
            self.unit_cost.set_if_not_equals(Numeric(cost));
        }
        if let Some(price) = changes.unit_price {
            self.unit_price.set_if_not_equals(Numeric(price));
        }
        if let Some(level) = changes.reorder_level {
            self.reorder_level_milli.set_if_not_equals(level.milli());
        }
        if let Some(supplier) = changes.supplier {
            self.supplier.set_if_not_equals(supplier);
        }
        if let Some(barcode) = changes.barcode {
            self.barcode.set_if_not_equals(barcode);
        }
        let changed = crate::models::changed_columns(&self);
        if changed.is_empty() {
            return Ok(self.try_into_model()?);
        }
        self.updated_at = ActiveValue::Set(crate::models::now_at(actor.clock));
        let product = self.update(db).await.on_unique("sku", SKU_TAKEN)?;
        audit_events::Model::record(
            db,
            actor.organization_id(),
            actor,
            Change {
                action: "product.updated",
                subject_type: "product",
                subject_id: product.pid,
                site_id: Some(product.site_id),
                details: Some(json!({ "changed": changed })),
            },
        )
        .await?;
        Ok(product)
    }
}

/// What a change to stock must leave true, checked by the UPDATE itself.
enum StockGuard {
    /// Nothing beyond the table's own CHECKs (the change is known to fit:
    /// releasing or consuming what a line holds, adding stock).
    None,
    /// On hand stays at least what is reserved: adjustments and transfers
    /// never take stock that orders hold.
    OnHandCoversReserved,
    /// At least this much is available before the change: reservations.
    Available(Quantity),
}

/// One conditional UPDATE of a product's stock; `false` when its guard did
/// not hold (nothing changed then).
async fn change_stock(
    db: &impl ConnectionTrait,
    now: DateTimeWithTimeZone,
    product_id: i64,
    on_hand: Quantity,
    reserved: Quantity,
    guard: StockGuard,
) -> DomainResult<bool> {
    let mut update = Entity::update_many()
        .col_expr(
            Column::OnHandMilli,
            Expr::col(Column::OnHandMilli).add(on_hand.milli()),
        )
        .col_expr(
            Column::ReservedMilli,
            Expr::col(Column::ReservedMilli).add(reserved.milli()),
        )
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(product_id));
    update = match guard {
        StockGuard::None => update,
        StockGuard::OnHandCoversReserved => update.filter(
            Expr::col(Column::OnHandMilli)
                .add(on_hand.milli())
                .gte(Expr::col(Column::ReservedMilli).add(reserved.milli())),
        ),
        StockGuard::Available(quantity) => update.filter(available().gte(quantity.milli())),
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Products whose available stock is below their reorder level.
#[must_use]
pub fn low_stock() -> SimpleExpr {
    available().lt(Expr::col(Column::ReorderLevelMilli))
}

/// `on_hand − reserved`, in the database.
fn available() -> SimpleExpr {
    Expr::col(Column::OnHandMilli).sub(Expr::col(Column::ReservedMilli))
}

fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn field(name: &str, message: &str) -> crate::models::error::FieldErrors {
    let mut fields = crate::models::error::FieldErrors::default();
    fields.add(name, message);
    fields
}
