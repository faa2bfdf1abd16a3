//! Page requests and pages, in the shape of docs/architecture.md ("Conventions").

use sea_orm::{ConnectionTrait, PaginatorTrait, SelectorTrait};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::models::error::{DomainError, DomainResult, FieldErrors};

pub const DEFAULT_PER_PAGE: u64 = 50;
pub const MAX_PER_PAGE: u64 = 200;
/// Far past any real list, and small enough that `page × per_page` cannot
/// overflow an offset.
pub const MAX_PAGE: u64 = 1_000_000;

/// The longest search a list takes (`?q=`).
pub const SEARCH_MAX_CHARS: usize = 200;

/// A list's `?q=`, within bounds.
///
/// # Errors
/// 422 naming `q` when it is longer than `SEARCH_MAX_CHARS`.
pub fn checked_search(q: Option<&str>) -> DomainResult<Option<&str>> {
    match q {
        Some(q) if q.chars().count() > SEARCH_MAX_CHARS => Err(DomainError::invalid(
            "q",
            format!("must be at most {SEARCH_MAX_CHARS} characters"),
        )),
        q => Ok(q),
    }
}

/// `?page=&per_page=`, both optional: one set of paging parameters for
/// every list, flattened into its query (`#[serde(flatten)]`, and listed
/// beside it in the document: `params(TheQuery, PageParams)`).
#[derive(Clone, Copy, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    #[serde(default, deserialize_with = "whole_number")]
    pub page: Option<u64>,
    /// Items per page (default 50, at most 200).
    #[param(minimum = 1, maximum = 200)]
    #[serde(default, deserialize_with = "whole_number")]
    pub per_page: Option<u64>,
}

/// A whole number from a query string. Flattened into another query,
/// the parameters reach `PageParams` as text (serde buffers them), which
/// serde's own `u64` does not read.
fn whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    struct WholeNumber;

    impl serde::de::Visitor<'_> for WholeNumber {
        type Value = Option<u64>;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a whole number")
        }

        fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Self::Value, E> {
            Ok(Some(value))
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Self::Value, E> {
            value
                .parse()
                .map(Some)
                .map_err(|_| E::invalid_value(serde::de::Unexpected::Str(value), &self))
        }
    }

    deserializer.deserialize_any(WholeNumber)
}

/// A checked page request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageParams {
    /// # Errors
    /// 422 when `page` is outside 1..=1000000 or `per_page` outside 1..=200.
    pub fn checked(self) -> DomainResult<PageRequest> {
        let mut errors = FieldErrors::default();
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PAGE).contains(&page) {
            errors.add("page", format!("must be between 1 and {MAX_PAGE}"));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            errors.add("per_page", format!("must be between 1 and {MAX_PER_PAGE}"));
        }
        errors.finish()?;
        Ok(PageRequest { page, per_page })
    }
}

/// One page of rows and the total across all pages.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

impl<T> Page<T> {
    /// The page `request` asked for, of a list with nothing in it.
    #[must_use]
    pub const fn empty(request: PageRequest) -> Self {
        Self {
            items: Vec::new(),
            page: request.page,
            per_page: request.per_page,
            total: 0,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        }
    }
}

impl<T> Page<T> {
    /// `map` for a conversion that can fail.
    ///
    /// # Errors
    /// The first error of `f`.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            page: self.page,
            per_page: self.per_page,
            total: self.total,
        })
    }
}

impl PageRequest {
    /// Runs an ordered query for this page, and counts all its rows.
    ///
    /// # Errors
    /// 500 when the database fails.
    pub async fn fetch<'db, C, Q>(
        self,
        db: &'db C,
        query: Q,
    ) -> DomainResult<Page<<Q::Selector as SelectorTrait>::Item>>
    where
        C: ConnectionTrait,
        Q: PaginatorTrait<'db, C>,
    {
        let paginator = query.paginate(db, self.per_page);
        let total = paginator.num_items().await.map_err(DomainError::from)?;
        let items = paginator.fetch_page(self.page - 1).await?;
        Ok(Page {
            items,
            page: self.page,
            per_page: self.per_page,
            total,
        })
    }
}
