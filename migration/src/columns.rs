//! Column definitions shared by the migrations.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

/// An exact decimal column (money, rates, hours).
///
/// PostgreSQL stores it as `NUMERIC(precision, scale)`. SQLite has no decimal
/// type: a `NUMERIC` or `REAL` declaration would turn `"1234.50"` into a
/// binary float, so the column is declared `numeric_text`, which has TEXT
/// affinity and keeps the decimal string exactly as written. The application
/// reads both through `models::values::Numeric`.
pub fn numeric<T: IntoIden>(m: &SchemaManager, col: T, precision: u32, scale: u32) -> ColumnDef {
    match m.get_database_backend() {
        DatabaseBackend::Sqlite => ColumnDef::new(col)
            .custom(Alias::new("numeric_text"))
            .not_null()
            .take(),
        _ => decimal_len(col, precision, scale),
    }
}

/// `numeric`, nullable.
pub fn numeric_null<T: IntoIden>(
    m: &SchemaManager,
    col: T,
    precision: u32,
    scale: u32,
) -> ColumnDef {
    match m.get_database_backend() {
        DatabaseBackend::Sqlite => ColumnDef::new(col)
            .custom(Alias::new("numeric_text"))
            .null()
            .take(),
        _ => decimal_len_null(col, precision, scale),
    }
}

/// `created_at` and `updated_at`, written by the application in UTC.
pub fn timestamps(mut table: TableCreateStatement) -> TableCreateStatement {
    table
        .col(timestamp_with_time_zone(Alias::new("created_at")))
        .col(timestamp_with_time_zone(Alias::new("updated_at")));
    table
}

/// A foreign key from `table.column` to `target.id`.
pub fn references(
    table: &str,
    column: &str,
    target: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"))
        .on_delete(on_delete)
        .take()
}

/// An index over `columns` of `table`, named after them.
pub fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let prefix = if unique { "uq" } else { "idx" };
    let mut idx = Index::create()
        .name(format!("{prefix}_{table}_{}", columns.join("_")))
        .table(Alias::new(table))
        .take();
    for column in columns {
        idx.col(Alias::new(*column));
    }
    if unique {
        idx.unique();
    }
    idx
}
