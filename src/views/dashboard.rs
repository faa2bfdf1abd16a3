//! The dashboard as the API answers it (`GET /api/dashboard`): counts
//! added up across the branches shown, money added up only within one
//! currency, and each branch on its own.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    models::{
        reports::dashboard::{Branch, Dashboard, Mean, TechnicianLoad, DAYS},
        values::format_money,
    },
    views::refs::PersonRef,
};

/// Open orders now, by status.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct OpenOrders {
    pub requested: u64,
    pub pending_approval: u64,
    pub approved: u64,
    pub in_progress: u64,
    pub total: u64,
}

impl OpenOrders {
    fn add(&mut self, open: [u64; 4]) {
        self.requested += open[0];
        self.pending_approval += open[1];
        self.approved += open[2];
        self.in_progress += open[3];
        self.total += open.iter().sum::<u64>();
    }
}

/// Money in one currency, from the branches that bill in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyFigures {
    #[schema(example = "KES")]
    pub currency: String,
    /// Invoiced today, before tax, void invoices left out.
    #[schema(example = "18400.00")]
    pub revenue_today: String,
    /// Invoiced this month (to today), before tax.
    #[schema(example = "412350.00")]
    pub revenue_month: String,
    /// Invoices issued this month.
    pub invoices_month: u64,
    /// The month's revenue over its invoices; absent with none.
    #[schema(example = "8774.00")]
    pub average_repair_order: Option<String>,
    /// Still owed on open invoices, now.
    #[schema(example = "96500.00")]
    pub receivables: String,
}

/// One of the last 30 days, added up across the branches shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayCounts {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    /// Orders opened (cars in).
    pub opened: u64,
    pub completed: u64,
}

/// One of a branch's last 30 days' revenue, before tax.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayRevenue {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    #[schema(example = "18400.00")]
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BranchRef {
    pub id: Uuid,
    pub name: String,
    #[schema(example = "NBO")]
    pub code: String,
}

/// One branch's figures, each day being the day at the branch.
#[derive(Debug, Serialize, ToSchema)]
pub struct BranchFigures {
    pub site: BranchRef,
    #[schema(value_type = String, format = Date)]
    pub today: NaiveDate,
    #[schema(example = "KES")]
    pub currency: String,
    pub open_orders: OpenOrders,
    pub cars_in_today: u64,
    pub completed_today: u64,
    pub mean_approval_to_claim_secs: Option<i64>,
    pub mean_claim_to_completion_secs: Option<i64>,
    #[schema(example = "18400.00")]
    pub revenue_today: String,
    #[schema(example = "412350.00")]
    pub revenue_month: String,
    pub invoices_month: u64,
    #[schema(example = "8774.00")]
    pub average_repair_order: Option<String>,
    #[schema(example = "96500.00")]
    pub receivables: String,
    pub low_stock: u64,
    pub technicians_on_shift: u64,
    /// The last 30 days, oldest first.
    pub revenue_days: Vec<DayRevenue>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TechnicianFigures {
    pub technician: PersonRef,
    /// Labour hours billed on the orders they completed in the 30 days.
    #[schema(example = "41.50")]
    pub billed_hours: String,
    /// Hours their work timer ran in the 30 days.
    #[schema(example = "38.25")]
    pub clocked_hours: String,
    /// Billed ÷ clocked; absent with nothing clocked.
    #[schema(example = "1.08")]
    pub efficiency: Option<String>,
}

/// `{open_orders, cars_in_today, …, money, days, branches, technicians}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardResponse {
    /// The branch asked for; absent: every branch the caller sees.
    pub site: Option<BranchRef>,
    /// The first and last of the 30 days (at the first branch).
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub open_orders: OpenOrders,
    pub cars_in_today: u64,
    pub completed_today: u64,
    /// Mean seconds from approval to a technician starting, over orders
    /// started in the 30 days.
    pub mean_approval_to_claim_secs: Option<i64>,
    /// Mean seconds from that start to completion, over orders completed
    /// in the 30 days.
    pub mean_claim_to_completion_secs: Option<i64>,
    /// Products below their reorder level.
    pub low_stock: u64,
    /// Technicians clocked in now.
    pub technicians_on_shift: u64,
    /// One entry per currency the branches bill in.
    pub money: Vec<MoneyFigures>,
    /// Orders opened and completed per day.
    pub days: Vec<DayCounts>,
    pub branches: Vec<BranchFigures>,
    /// Most billed hours first.
    pub technicians: Vec<TechnicianFigures>,
}

fn branch_ref(branch: &Branch) -> BranchRef {
    BranchRef {
        id: branch.site.pid,
        name: branch.site.name.clone(),
        code: branch.site.code.clone(),
    }
}

fn average(revenue: Decimal, invoices: u64) -> Option<String> {
    (invoices > 0).then(|| format_money(revenue / Decimal::from(invoices)))
}

impl DashboardResponse {
    #[must_use]
    pub fn new(dashboard: Dashboard, one_site: bool) -> Self {
        let mut open_orders = OpenOrders::default();
        let (mut cars_in_today, mut completed_today, mut low_stock, mut on_shift) = (0, 0, 0, 0);
        let (mut to_claim, mut to_complete) = (Mean::default(), Mean::default());
        // By currency: revenue today, this month, invoices, receivables.
        let mut money: BTreeMap<String, (Decimal, Decimal, u64, Decimal)> = BTreeMap::new();
        let mut days: Vec<DayCounts> = dashboard
            .branches
            .first()
            .map(|branch| {
                branch
                    .days
                    .iter()
                    .map(|day| DayCounts {
                        day: day.day,
                        opened: 0,
                        completed: 0,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for branch in &dashboard.branches {
            open_orders.add(branch.open);
            cars_in_today += branch.cars_in_today;
            completed_today += branch.completed_today;
            low_stock += branch.low_stock;
            on_shift += branch.on_shift;
            to_claim.merge(branch.to_claim);
            to_complete.merge(branch.to_complete);
            let entry = money.entry(branch.site.currency.clone()).or_default();
            entry.0 += branch.revenue_today;
            entry.1 += branch.revenue_month;
            entry.2 += branch.invoices_month;
            entry.3 += branch.receivables;
            // Branches in another time zone may be a day ahead or behind:
            // their days go where the dates match.
            for day in &branch.days {
                if let Some(total) = days.iter_mut().find(|total| total.day == day.day) {
                    total.opened += day.opened;
                    total.completed += day.completed;
                }
            }
        }
        let (from, to) = (
            days.first().map(|day| day.day).unwrap_or_default(),
            days.last().map(|day| day.day).unwrap_or_default(),
        );
        debug_assert!(days.is_empty() || days.len() == DAYS);
        Self {
            site: dashboard
                .branches
                .first()
                .filter(|_| one_site)
                .map(branch_ref),
            from,
            to,
            open_orders,
            cars_in_today,
            completed_today,
            mean_approval_to_claim_secs: to_claim.secs(),
            mean_claim_to_completion_secs: to_complete.secs(),
            low_stock,
            technicians_on_shift: on_shift,
            money: money
                .into_iter()
                .map(
                    |(currency, (today, month, invoices, receivables))| MoneyFigures {
                        currency,
                        revenue_today: format_money(today),
                        revenue_month: format_money(month),
                        invoices_month: invoices,
                        average_repair_order: average(month, invoices),
                        receivables: format_money(receivables),
                    },
                )
                .collect(),
            days,
            branches: dashboard.branches.iter().map(BranchFigures::from).collect(),
            technicians: dashboard
                .technicians
                .iter()
                .map(TechnicianFigures::from)
                .collect(),
        }
    }
}

impl From<&Branch> for BranchFigures {
    fn from(branch: &Branch) -> Self {
        let mut open_orders = OpenOrders::default();
        open_orders.add(branch.open);
        Self {
            site: branch_ref(branch),
            today: branch.today,
            currency: branch.site.currency.clone(),
            open_orders,
            cars_in_today: branch.cars_in_today,
            completed_today: branch.completed_today,
            mean_approval_to_claim_secs: branch.to_claim.secs(),
            mean_claim_to_completion_secs: branch.to_complete.secs(),
            revenue_today: format_money(branch.revenue_today),
            revenue_month: format_money(branch.revenue_month),
            invoices_month: branch.invoices_month,
            average_repair_order: branch.average_repair_order().map(format_money),
            receivables: format_money(branch.receivables),
            low_stock: branch.low_stock,
            technicians_on_shift: branch.on_shift,
            revenue_days: branch
                .days
                .iter()
                .map(|day| DayRevenue {
                    day: day.day,
                    amount: format_money(day.revenue),
                })
                .collect(),
        }
    }
}

impl From<&TechnicianLoad> for TechnicianFigures {
    fn from(load: &TechnicianLoad) -> Self {
        Self {
            technician: PersonRef::from((load.pid, load.name.clone())),
            billed_hours: format_money(load.billed_hours),
            clocked_hours: format_money(load.clocked_hours),
            efficiency: load.efficiency().map(format_money),
        }
    }
}
