use rust_decimal::Decimal;
use sea_orm::{
    sea_query::{ArrayType, ColumnType, Nullable, ValueType, ValueTypeErr},
    ColIdx, QueryResult, TryGetError, TryGetable, Value,
};
use serde::{Deserialize, Serialize};

/// An exact decimal as the database keeps it: `NUMERIC` on PostgreSQL, a
/// decimal string on SQLite (see `migration/src/columns.rs`).
///
/// sea-orm reads SQLite decimals through `f64`; this type never does. It
/// is the column type of every money, rate and quantity-of-hours field, and
/// converts to and from `Decimal` at the model boundary.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Numeric(pub Decimal);

impl Numeric {
    #[must_use]
    pub const fn decimal(self) -> Decimal {
        self.0
    }
}

impl From<Decimal> for Numeric {
    fn from(value: Decimal) -> Self {
        Self(value)
    }
}

impl From<Numeric> for Decimal {
    fn from(value: Numeric) -> Self {
        value.0
    }
}

impl From<Numeric> for Value {
    fn from(value: Numeric) -> Self {
        // On SQLite the binder writes a Decimal as its string, which the
        // column's TEXT affinity stores verbatim.
        Self::Decimal(Some(value.0))
    }
}

impl TryGetable for Numeric {
    fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
        // PostgreSQL hands back NUMERIC directly. On SQLite the stored value
        // is TEXT, which the driver refuses to decode as a float (its type
        // check fails), so the decimal string is parsed instead.
        match Decimal::try_get_by(res, idx) {
            Ok(value) => Ok(Self(value)),
            Err(TryGetError::Null(column)) => Err(TryGetError::Null(column)),
            Err(TryGetError::DbErr(_)) => {
                let text = String::try_get_by(res, idx)?;
                text.parse::<Decimal>().map(Self).map_err(|err| {
                    TryGetError::DbErr(sea_orm::DbErr::Type(format!(
                        "column {idx:?} holds {text:?}, not a decimal: {err}"
                    )))
                })
            }
        }
    }
}

impl ValueType for Numeric {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Decimal(Some(value)) => Ok(Self(value)),
            Value::String(Some(text)) => text.parse().map(Self).map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "Numeric".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::Decimal
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(None)
    }
}

impl Nullable for Numeric {
    fn null() -> Value {
        Value::Decimal(None)
    }
}

impl sea_orm::IntoActiveValue<Self> for Numeric {
    fn into_active_value(self) -> sea_orm::ActiveValue<Self> {
        sea_orm::ActiveValue::Set(self)
    }
}
