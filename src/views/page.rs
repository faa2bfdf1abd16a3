use serde::Serialize;
use utoipa::ToSchema;

use crate::models::paging::Page;

/// One page of a list: `{"items", "page", "per_page", "total"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse<T: ToSchema> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

impl<T: ToSchema> From<Page<T>> for PageResponse<T> {
    fn from(page: Page<T>) -> Self {
        Self {
            items: page.items,
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }
}
