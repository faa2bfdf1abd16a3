//! `karakana task seed_demo`: Kamau Motors, a workshop with branches in
//! Nairobi, Mombasa and Kampala, its staff of every role, and printed logins.
//!
//! Everything is created through the same model methods the API uses, so
//! the demo also leaves a realistic audit trail. Running it twice changes
//! nothing: it recognizes the demo owner and only prints the logins.

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::{
    errors::ApiError,
    models::{
        actor::Actor,
        login_attempts::Throttle,
        organizations,
        roles::Role,
        sites::{self, SiteSettings},
        staff::NewStaff,
        users::{self, Origin, Signup},
        values::{Email, Password},
    },
};

pub struct SeedDemo;

/// Every demo account signs in with this password.
pub const DEMO_PASSWORD: &str = "karakana-demo";
pub const DEMO_OWNER_EMAIL: &str = "wanjiru@kamaumotors.co.ke";

struct DemoSite {
    code: &'static str,
    name: &'static str,
    timezone: &'static str,
    currency: &'static str,
    tax_rate: Decimal,
    address: &'static str,
    phone: &'static str,
}

fn demo_sites() -> [DemoSite; 3] {
    [
        DemoSite {
            code: "NBO",
            name: "Nairobi — Industrial Area",
            timezone: "Africa/Nairobi",
            currency: "KES",
            tax_rate: Decimal::new(16, 2),
            address: "Enterprise Road, Industrial Area, Nairobi",
            phone: "+254711000100",
        },
        DemoSite {
            code: "MSA",
            name: "Mombasa — Nyali",
            timezone: "Africa/Nairobi",
            currency: "KES",
            tax_rate: Decimal::new(16, 2),
            address: "Links Road, Nyali, Mombasa",
            phone: "+254711000200",
        },
        DemoSite {
            code: "KLA",
            name: "Kampala — Nakawa",
            timezone: "Africa/Kampala",
            currency: "UGX",
            tax_rate: Decimal::new(18, 2),
            address: "Jinja Road, Nakawa, Kampala",
            phone: "+256772000300",
        },
    ]
}

/// (name, email, role, site codes)
const DEMO_STAFF: [(&str, &str, Role, &[&str]); 11] = [
    (
        "James Mwangi",
        "james@kamaumotors.co.ke",
        Role::Manager,
        &["NBO"],
    ),
    (
        "Aisha Hassan",
        "aisha@kamaumotors.co.ke",
        Role::Manager,
        &["MSA"],
    ),
    (
        "Grace Nakato",
        "grace@kamaumotors.co.ke",
        Role::Manager,
        &["KLA"],
    ),
    (
        "Peter Otieno",
        "peter@kamaumotors.co.ke",
        Role::Advisor,
        &["NBO"],
    ),
    (
        "Fatuma Ali",
        "fatuma@kamaumotors.co.ke",
        Role::Advisor,
        &["MSA"],
    ),
    (
        "Brian Ssempijja",
        "brian@kamaumotors.co.ke",
        Role::Advisor,
        &["KLA"],
    ),
    (
        "Kevin Kiprop",
        "kevin@kamaumotors.co.ke",
        Role::Technician,
        &["NBO"],
    ),
    (
        "Dennis Mutua",
        "dennis@kamaumotors.co.ke",
        Role::Technician,
        &["NBO", "MSA"],
    ),
    (
        "Salim Omar",
        "salim@kamaumotors.co.ke",
        Role::Technician,
        &["MSA"],
    ),
    (
        "Isaac Okello",
        "isaac@kamaumotors.co.ke",
        Role::Technician,
        &["KLA"],
    ),
    (
        "Ronald Mugisha",
        "ronald@kamaumotors.co.ke",
        Role::Technician,
        &["KLA"],
    ),
];

#[async_trait::async_trait]
impl Task for SeedDemo {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "seed_demo".to_string(),
            detail: "Load the Kamau Motors demo organization and print its logins".to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let created = seed(ctx).await?;
        println!(
            "{}",
            if created {
                "Loaded the Kamau Motors demo organization."
            } else {
                "The Kamau Motors demo organization is already loaded."
            }
        );
        println!("{}", logins());
        Ok(())
    }
}

/// Seeds the demo when the database holds no organization at all, so a
/// newcomer's first `start` shows a working workshop.
///
/// # Errors
/// When the database fails or the demo cannot be created.
pub async fn seed_if_empty(ctx: &AppContext) -> Result<()> {
    if organizations::Entity::find().count(&ctx.db).await? == 0 {
        seed(ctx).await?;
        tracing::info!("loaded the Kamau Motors demo organization");
        println!("{}", logins());
    }
    Ok(())
}

/// Creates the demo unless its owner exists; tells whether it did.
///
/// # Errors
/// When the database fails or a demo value is refused.
pub async fn seed(ctx: &AppContext) -> Result<bool> {
    seed_organization(ctx)
        .await
        .map_err(|err| loco_rs::Error::Message(format!("{err:?}")))
}

async fn seed_organization(ctx: &AppContext) -> std::result::Result<bool, ApiError> {
    let db = &ctx.db;
    let owner_email = Email::parse(DEMO_OWNER_EMAIL).map_err(ApiError::internal)?;
    if users::Model::find_by_email(db, &owner_email)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let password = || Password::parse(DEMO_PASSWORD).map_err(ApiError::internal);
    let origin = Origin {
        ip: "seed_demo".to_string(),
        throttle: Throttle {
            signups_per_ip: u64::MAX,
            ..Throttle::default()
        },
    };
    let owner = users::Model::sign_up(
        db,
        Signup {
            organization_name: "Kamau Motors".to_string(),
            name: "Wanjiru Kamau".to_string(),
            email: owner_email,
            password: password()?,
        },
        &origin,
    )
    .await?;
    let owner = Actor::for_user(db, owner).await?;

    let mut sites = Vec::new();
    for site in demo_sites() {
        let created = sites::Model::create(
            db,
            &owner,
            SiteSettings {
                name: site.name.to_string(),
                code: site.code.to_string(),
                timezone: site.timezone.to_string(),
                currency: site.currency.to_string(),
                tax_rate: site.tax_rate,
                address: Some(site.address.to_string()),
                phone: Some(site.phone.to_string()),
                email: Some(format!("{}@kamaumotors.co.ke", site.code.to_lowercase())),
                reminder_lead_days: sites::DEFAULT_REMINDER_LEAD_DAYS,
                reminder_hour: sites::DEFAULT_REMINDER_HOUR,
            },
        )
        .await?;
        sites.push(created);
    }

    for (name, email, role, codes) in DEMO_STAFF {
        let site_ids = codes
            .iter()
            .filter_map(|code| sites.iter().find(|site| site.code == *code))
            .map(|site| site.pid)
            .collect();
        users::Model::create_staff(
            db,
            &owner,
            NewStaff {
                name: name.to_string(),
                email: Email::parse(email).map_err(ApiError::internal)?,
                password: password()?,
                role,
                site_ids,
            },
        )
        .await?;
    }
    Ok(true)
}

/// The demo accounts, as a table for the terminal.
#[must_use]
pub fn logins() -> String {
    let mut out = format!(
        "Demo logins (password for all: {DEMO_PASSWORD})\n  {:<11} {:<28} sites\n  {:<11} {:<28} all\n",
        "role", "email", "owner", DEMO_OWNER_EMAIL
    );
    for (_, email, role, codes) in DEMO_STAFF {
        out.push_str(&format!(
            "  {:<11} {:<28} {}\n",
            role.as_str(),
            email,
            codes.join(", ")
        ));
    }
    out
}
