//! `karakana task seed_demo`: Kamau Motors, a workshop with branches in
//! Nairobi, Mombasa and Kampala, its staff of every role, customers and their
//! vehicles with odometer histories, repair orders at every stage, and
//! printed logins.
//!
//! Everything is created through the same model methods the API uses, so
//! the demo also leaves a realistic audit trail. Running it twice changes
//! nothing: it recognizes the demo owner and only prints the logins.

use chrono::{
    Days,
    Weekday::{self, Fri, Mon, Sat, Thu, Tue, Wed},
};
use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::models::values::Stored;
use crate::models::{
    actor::Actor,
    billing::{
        invoices,
        payments::{self, NewPayment},
    },
    clock::Clock,
    customers::{
        self,
        promotions::{self, Audience, NewPromotion},
        vehicles::{self, NewVehicle, Reading, ReadingSource},
        ConsentSource, NewCustomer,
    },
    error::DomainError,
    organization::{
        organizations,
        sites::{self, SiteSettings},
    },
    people::{
        roles::Role,
        shifts, skills,
        staff::NewStaff,
        technician_profiles::{self, CertificationLevel, ProfileChanges},
        users::{self, PasswordHash, Signup},
    },
    stock::{
        products::{self, NewProduct},
        purchase_orders::{self, NewLine, Receipt},
    },
    values::{
        CurrencyCode, Email, Hours, LanguageCode, Money, Password, PaymentMethod, Plate, Priority,
        Quantity, RepairStatus,
    },
    workshop::{
        comebacks, estimates,
        labor_lines::{self, NewLaborLine},
        part_lines,
        repair_orders::{self, NewRepairOrder},
    },
    Write,
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
    payment_instructions: &'static str,
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
            payment_instructions:
                "M-Pesa Buy Goods: Till 512345\nKCB Industrial Area, A/C 1100223344",
        },
        DemoSite {
            code: "MSA",
            name: "Mombasa — Nyali",
            timezone: "Africa/Nairobi",
            currency: "KES",
            tax_rate: Decimal::new(16, 2),
            address: "Links Road, Nyali, Mombasa",
            phone: "+254711000200",
            payment_instructions: "M-Pesa Paybill 400200, account: the invoice number",
        },
        DemoSite {
            code: "KLA",
            name: "Kampala — Nakawa",
            timezone: "Africa/Kampala",
            currency: "UGX",
            tax_rate: Decimal::new(18, 2),
            address: "Jinja Road, Nakawa, Kampala",
            phone: "+256772000300",
            payment_instructions: "MTN MoMo Pay: merchant code 123456\nAirtel Money Pay: 654321",
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

async fn seed_organization(ctx: &AppContext) -> std::result::Result<bool, DomainError> {
    let db = &ctx.db;
    let owner_email = Email::parse(DEMO_OWNER_EMAIL).map_err(DomainError::internal)?;
    if users::Model::find_by_email(db, &owner_email)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    // One hash for every demo account: they share the password.
    let password =
        PasswordHash::of(Password::parse(DEMO_PASSWORD).map_err(DomainError::internal)?).await?;
    let txn = Write::begin(db).await?;
    let owner = users::Model::sign_up(
        &txn,
        Signup {
            organization_name: "Kamau Motors".to_string(),
            name: "Wanjiru Kamau".to_string(),
            email: owner_email,
        },
        password.clone(),
        crate::settings::Settings::clock_of(ctx),
    )
    .await?;
    txn.commit().await?;
    let owner = Actor::for_user(db, owner, crate::settings::Settings::clock_of(ctx)).await?;
    let txn = Write::begin(db).await?;
    organizations::Model::change(
        &txn,
        &owner,
        organizations::OrganizationChanges {
            name: None,
            legal_name: Some(Some("Kamau Motors Limited".to_string())),
            tax_number: Some(Some("P051234567X".to_string())),
        },
    )
    .await?;
    txn.commit().await?;

    let mut sites = Vec::new();
    for site in demo_sites() {
        let txn = Write::begin(db).await?;
        let created = sites::Model::create(
            &txn,
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
                payment_instructions: Some(site.payment_instructions.to_string()),
                reminder_lead_days: sites::DEFAULT_REMINDER_LEAD_DAYS,
                reminder_hour: sites::DEFAULT_REMINDER_HOUR,
                comeback_window_days: sites::DEFAULT_COMEBACK_WINDOW_DAYS,
                // Fleet customers in Nairobi settle within two weeks; the
                // other branches are paid at the counter.
                payment_terms_days: if site.code == "NBO" { 14 } else { 0 },
                // Mombasa's customers read Kiswahili first.
                language: if site.code == "MSA" {
                    LanguageCode::Sw
                } else {
                    LanguageCode::En
                },
            },
        )
        .await?;
        txn.commit().await?;
        sites.push(created);
    }

    let mut staff = Vec::new();
    for (name, email, role, codes) in DEMO_STAFF {
        let site_ids = codes
            .iter()
            .filter_map(|code| sites.iter().find(|site| site.code == *code))
            .map(|site| site.pid)
            .collect();
        let txn = Write::begin(db).await?;
        let member = users::Model::create_staff(
            &txn,
            &owner,
            NewStaff {
                name: name.to_string(),
                email: Email::parse(email).map_err(DomainError::internal)?,
                password: password.clone(),
                role,
                site_ids,
            },
        )
        .await?;
        txn.commit().await?;
        staff.push((
            Actor::for_user(db, member, crate::settings::Settings::clock_of(ctx)).await?,
            codes[0],
        ));
    }
    seed_workshop(ctx, &sites, &staff).await?;
    let txn = Write::begin(db).await?;
    seed_promotion(&txn, &owner).await?;
    seed_skills(&txn, &owner, &staff).await?;
    seed_floor(&txn, &staff).await?;
    seed_rota(&txn, &owner, &sites, &staff).await?;
    txn.commit().await?;
    seed_comeback(ctx, &owner).await?;
    Ok(true)
}

/// The demo's one comeback: a car back after its repair was completed.
async fn seed_comeback(ctx: &AppContext, owner: &Actor) -> std::result::Result<(), DomainError> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

    let db = &ctx.db;
    let Some(earlier) = repair_orders::Entity::find()
        .filter(repair_orders::Column::OrganizationId.eq(owner.organization_id()))
        .filter(repair_orders::Column::Status.eq(RepairStatus::Completed.as_str()))
        .order_by_desc(repair_orders::Column::CompletedAt)
        .one(db)
        .await?
    else {
        return Err(DomainError::internal("the demo has no completed order"));
    };
    let site = sites::Entity::find_by_id(earlier.site_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("site"))?;
    let vehicle = vehicles::Entity::find_by_id(earlier.vehicle_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("vehicle"))?;
    let txn = Write::begin(db).await?;
    let again = repair_orders::Model::create(
        &txn,
        owner,
        NewRepairOrder {
            site_id: site.pid,
            vehicle_id: vehicle.pid,
            description: "Back with the same squeal from the front brakes".to_string(),
            complaint: Some("It started again two weeks after the repair".to_string()),
            priority: Priority::High,
            odometer_km: None,
            required_skills: Vec::new(),
        },
    )
    .await?;
    comebacks::flag(&txn, owner, &again, earlier.pid).await?;
    txn.commit().await?;
    Ok(())
}

/// A technician clocked in at each branch, their timer running on an
/// order of theirs in progress.
async fn seed_floor(db: &Write, staff: &[(Actor, &str)]) -> std::result::Result<(), DomainError> {
    use sea_orm::{ColumnTrait, QueryFilter};

    for email in [
        "kevin@kamaumotors.co.ke",
        "dennis@kamaumotors.co.ke",
        "isaac@kamaumotors.co.ke",
    ] {
        let Some((technician, code)) = staff.iter().find(|(member, _)| member.user.email == email)
        else {
            return Err(DomainError::internal(format!("no demo technician {email}")));
        };
        let site = sites::Entity::find()
            .filter(sites::Column::OrganizationId.eq(technician.organization_id()))
            .filter(sites::Column::Code.eq(*code))
            .one(db)
            .await?
            .ok_or_else(|| DomainError::internal(format!("no demo site {code}")))?;
        shifts::clock_in(db, technician, &site).await?;
        let working = repair_orders::Entity::find()
            .filter(repair_orders::Column::TechnicianId.eq(technician.user_id()))
            .filter(repair_orders::Column::Status.eq(RepairStatus::InProgress.as_str()))
            .one(db)
            .await?;
        if let Some(order) = working {
            shifts::start_timer(db, technician, &order, None).await?;
        }
    }
    Ok(())
}

/// Where someone works, and on which days.
type Pattern = &'static [(&'static str, &'static [Weekday])];

/// (technician's email, [(site code, weekdays)]): 08:00–17:00 on weekdays,
/// 08:00–13:00 on Saturdays.
const DEMO_ROTA: [(&str, Pattern); 5] = [
    (
        "kevin@kamaumotors.co.ke",
        &[("NBO", &[Mon, Tue, Wed, Thu, Fri, Sat])],
    ),
    (
        "dennis@kamaumotors.co.ke",
        &[("NBO", &[Mon, Tue, Wed, Thu, Fri]), ("MSA", &[Sat])],
    ),
    (
        "salim@kamaumotors.co.ke",
        &[("MSA", &[Mon, Tue, Wed, Thu, Fri, Sat])],
    ),
    (
        "isaac@kamaumotors.co.ke",
        &[("KLA", &[Mon, Tue, Wed, Thu, Fri, Sat])],
    ),
    (
        "ronald@kamaumotors.co.ke",
        &[("KLA", &[Mon, Tue, Wed, Thu, Fri])],
    ),
];

/// Every technician's working week; Ronald on leave from today for a
/// week; how Kevin, Salim and Isaac are paid.
async fn seed_rota(
    db: &Write,
    owner: &Actor,
    sites: &[sites::Model],
    staff: &[(Actor, &str)],
) -> std::result::Result<(), DomainError> {
    use crate::models::people::{
        availability::{self, NewTimeOff, Stint, TimeOffKind},
        technician_profiles::Pay,
    };

    let technician = |email: &str| {
        staff
            .iter()
            .find(|(member, _)| member.user.email == email)
            .map(|(member, _)| member.user.pid)
            .ok_or_else(|| DomainError::internal(format!("no demo technician {email}")))
    };
    for (email, rota) in DEMO_ROTA {
        let mut stints = Vec::new();
        for (code, days) in rota {
            let site = sites
                .iter()
                .find(|site| site.code == *code)
                .ok_or_else(|| DomainError::internal(format!("no demo site {code}")))?;
            stints.extend(days.iter().map(|day| Stint {
                site: site.pid,
                weekday: *day,
                start_minute: 8 * 60,
                end_minute: if *day == Sat { 13 * 60 } else { 17 * 60 },
            }));
        }
        availability::set_week(db, owner, technician(email)?, &stints).await?;
    }
    // Ronald works in Kampala: his leave starts on Kampala's today.
    let kampala = sites
        .iter()
        .find(|site| site.code == "KLA")
        .ok_or_else(|| DomainError::internal("no demo site KLA"))?;
    let today = owner.clock.today_in(kampala.time_zone());
    availability::record_time_off(
        db,
        owner,
        technician("ronald@kamaumotors.co.ke")?,
        NewTimeOff {
            kind: TimeOffKind::Leave,
            first_day: today,
            last_day: today + Days::new(6),
            note: Some("Annual leave".to_string()),
        },
    )
    .await?;
    for (email, pay) in [
        (
            "kevin@kamaumotors.co.ke",
            Pay::LabourShare(Decimal::new(30, 2)),
        ),
        ("salim@kamaumotors.co.ke", Pay::Hourly(Decimal::new(450, 0))),
        (
            "isaac@kamaumotors.co.ke",
            Pay::LabourShare(Decimal::new(25, 2)),
        ),
    ] {
        technician_profiles::update(
            db,
            owner,
            technician(email)?,
            ProfileChanges {
                pay: Some(Some(pay)),
                ..ProfileChanges::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// (technician's email, certification, skills)
const DEMO_SKILLS: [(&str, CertificationLevel, &[&str]); 5] = [
    (
        "kevin@kamaumotors.co.ke",
        CertificationLevel::Senior,
        &["diagnostics", "electrical", "hybrid"],
    ),
    (
        "dennis@kamaumotors.co.ke",
        CertificationLevel::Master,
        &["ac", "diagnostics", "electrical"],
    ),
    (
        "salim@kamaumotors.co.ke",
        CertificationLevel::Junior,
        &["bodywork"],
    ),
    (
        "isaac@kamaumotors.co.ke",
        CertificationLevel::Senior,
        &["diagnostics", "ac"],
    ),
    (
        "ronald@kamaumotors.co.ke",
        CertificationLevel::Apprentice,
        &[],
    ),
];

/// The organization's skills, and each technician's skills and
/// certification at their first branch.
async fn seed_skills(
    db: &Write,
    owner: &Actor,
    staff: &[(Actor, &str)],
) -> std::result::Result<(), DomainError> {
    for name in ["electrical", "ac", "diagnostics", "bodywork", "hybrid"] {
        skills::Model::create(db, owner, name.to_string()).await?;
    }
    for (email, level, names) in DEMO_SKILLS {
        let Some((technician, _)) = staff.iter().find(|(member, _)| member.user.email == email)
        else {
            return Err(DomainError::internal(format!("no demo technician {email}")));
        };
        let home = match &technician.sites {
            crate::models::actor::SiteScope::Only(ids) => ids.first().copied(),
            crate::models::actor::SiteScope::All => None,
        };
        let home = match home {
            Some(id) => sites::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|site| site.pid),
            None => None,
        };
        technician_profiles::update(
            db,
            owner,
            technician.user.pid,
            ProfileChanges {
                certification_level: Some(Some(level)),
                home_site_id: Some(home),
                skills: Some(names.iter().map(ToString::to_string).collect()),
                ..ProfileChanges::default()
            },
        )
        .await?;
    }
    Ok(())
}

/// An offer to Toyota owners who agreed to offers, scheduled for three days
/// on at 09:00 in Nairobi.
async fn seed_promotion(db: &Write, owner: &Actor) -> std::result::Result<(), DomainError> {
    let send_at = (owner.clock.now().date_naive() + Days::new(3))
        .and_hms_opt(6, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .fixed_offset();
    promotions::Model::create(
        db,
        owner,
        NewPromotion {
            title: "Toyota owners: 10% off brake service".to_string(),
            body: "Pads, discs and a brake fluid change, 10% off until the end of the month.\n\n\
                   Book at any Kamau Motors branch."
                .to_string(),
            swahili: Some((
                "Wenye Toyota: punguzo la 10% la huduma ya breki".to_string(),
                "Pedi, diski na kubadilisha mafuta ya breki, punguzo la 10% hadi mwisho wa \
                 mwezi.\n\nWeka miadi katika tawi lolote la Kamau Motors."
                    .to_string(),
            )),
            sites: Vec::new(),
            send_at,
            audience: Audience {
                make: Some("Toyota".to_string()),
                ..Audience::default()
            },
        },
    )
    .await?;
    Ok(())
}

/// (name, phone, email, home site code, opted in to marketing)
const DEMO_CUSTOMERS: [(&str, &str, Option<&str>, &str, bool); 9] = [
    (
        "Achieng Odhiambo",
        "+254712345678",
        Some("achieng.odhiambo@gmail.com"),
        "NBO",
        true,
    ),
    ("Baraka Mwita", "+254722111222", None, "NBO", false),
    (
        "Njeri Wambui",
        "+254733444555",
        Some("njeri@wambui.co.ke"),
        "NBO",
        true,
    ),
    ("Mohamed Said", "+254700123456", None, "MSA", true),
    (
        "Zainabu Hamisi",
        "+254711987654",
        Some("zainabu.h@yahoo.com"),
        "MSA",
        false,
    ),
    (
        "Otieno Logistics Ltd",
        "+254720555000",
        Some("fleet@otienologistics.co.ke"),
        "MSA",
        true,
    ),
    (
        "Nakato Sarah",
        "+256772123456",
        Some("sarah.nakato@gmail.com"),
        "KLA",
        true,
    ),
    ("Okello Moses", "+256701234567", None, "KLA", false),
    (
        "Kampala Courier Services",
        "+256414250000",
        Some("ops@kcs.co.ug"),
        "KLA",
        true,
    ),
];

/// A demo vehicle: whose (index into `DEMO_CUSTOMERS`), what, and how far it
/// goes in a day.
struct DemoVehicle {
    owner: usize,
    plate: &'static str,
    make: &'static str,
    model: &'static str,
    year: i32,
    vin: Option<&'static str>,
    km_a_day: i64,
}

const DEMO_VEHICLES: [DemoVehicle; 11] = [
    DemoVehicle {
        owner: 0,
        plate: "KDA 123A",
        make: "Toyota",
        model: "Fielder",
        year: 2014,
        vin: None,
        km_a_day: 45,
    },
    DemoVehicle {
        owner: 1,
        plate: "KCX 456B",
        make: "Toyota",
        model: "Probox",
        year: 2012,
        vin: None,
        km_a_day: 160,
    },
    DemoVehicle {
        owner: 2,
        plate: "KDG 789C",
        make: "Subaru",
        model: "Forester",
        year: 2016,
        vin: Some("JF1SJ5LC5GG123456"),
        km_a_day: 60,
    },
    DemoVehicle {
        owner: 3,
        plate: "KCA 210M",
        make: "Nissan",
        model: "Note",
        year: 2013,
        vin: None,
        km_a_day: 50,
    },
    DemoVehicle {
        owner: 4,
        plate: "KDB 333Z",
        make: "Honda",
        model: "Fit",
        year: 2015,
        vin: None,
        km_a_day: 35,
    },
    DemoVehicle {
        owner: 5,
        plate: "KBZ 901T",
        make: "Isuzu",
        model: "D-Max",
        year: 2011,
        vin: Some("MPATFS85JBT123456"),
        km_a_day: 250,
    },
    DemoVehicle {
        owner: 5,
        plate: "KCQ 902T",
        make: "Isuzu",
        model: "NQR",
        year: 2013,
        vin: None,
        km_a_day: 300,
    },
    DemoVehicle {
        owner: 6,
        plate: "UBA 123X",
        make: "Toyota",
        model: "Premio",
        year: 2010,
        vin: None,
        km_a_day: 40,
    },
    DemoVehicle {
        owner: 7,
        plate: "UBE 456K",
        make: "Toyota",
        model: "Hilux",
        year: 2017,
        vin: Some("AHTFR22G406123456"),
        km_a_day: 90,
    },
    DemoVehicle {
        owner: 8,
        plate: "UAZ 789P",
        make: "Toyota",
        model: "HiAce",
        year: 2012,
        vin: None,
        km_a_day: 220,
    },
    DemoVehicle {
        owner: 8,
        plate: "UBD 790P",
        make: "Suzuki",
        model: "Carry",
        year: 2014,
        vin: None,
        km_a_day: 180,
    },
];

/// (vehicle index, site code, description, complaint, priority, stage)
const DEMO_ORDERS: [(usize, &str, &str, &str, Priority, RepairStatus); 12] = [
    (
        0,
        "NBO",
        "Full service and brake check",
        "Brakes squeal when cold",
        Priority::Normal,
        RepairStatus::Completed,
    ),
    (
        1,
        "NBO",
        "Replace clutch kit",
        "Clutch slips on hills",
        Priority::High,
        RepairStatus::InProgress,
    ),
    (
        2,
        "NBO",
        "Diagnose check-engine light",
        "Engine light on since Monday",
        Priority::Normal,
        RepairStatus::Approved,
    ),
    (
        3,
        "MSA",
        "Replace front shock absorbers",
        "Knocking over speed bumps",
        Priority::Urgent,
        RepairStatus::Approved,
    ),
    (
        4,
        "MSA",
        "Air-conditioning regas",
        "AC blows warm air",
        Priority::Low,
        RepairStatus::PendingApproval,
    ),
    (
        5,
        "MSA",
        "60,000 km service",
        "Due for service",
        Priority::Normal,
        RepairStatus::Approved,
    ),
    (
        6,
        "MSA",
        "Replace brake pads and discs",
        "Grinding noise when braking",
        Priority::Urgent,
        RepairStatus::Requested,
    ),
    (
        7,
        "KLA",
        "Wheel alignment and balancing",
        "Pulls to the left",
        Priority::Normal,
        RepairStatus::Approved,
    ),
    (
        8,
        "KLA",
        "Replace timing belt",
        "Due at 100,000 km",
        Priority::High,
        RepairStatus::InProgress,
    ),
    (
        9,
        "KLA",
        "Repair sliding door",
        "Door sticks",
        Priority::Low,
        RepairStatus::Requested,
    ),
    (
        4,
        "MSA",
        "Minor service",
        "Oil change due",
        Priority::Normal,
        RepairStatus::Completed,
    ),
    (
        2,
        "NBO",
        "Replace alternator",
        "Battery warning light",
        Priority::High,
        RepairStatus::Completed,
    ),
];

/// Each site's shelves: (SKU, name, cost, price in KES; UGX prices are 30×,
/// rounded), on hand, reorder level. Brake pads are low on stock.
const DEMO_PRODUCTS: [(&str, &str, i64, i64, &str, &str); 4] = [
    (
        "OIL-5W30-1L",
        "Engine oil 5W-30, 1 litre",
        610,
        950,
        "48",
        "20",
    ),
    (
        "FLT-OIL-90915",
        "Oil filter, Toyota 90915-YZZE1",
        450,
        1200,
        "12",
        "6",
    ),
    ("PADS-FRONT", "Front brake pads (set)", 3200, 4800, "3", "4"),
    (
        "COOLANT-1L",
        "Coolant, long-life, 1 litre",
        300,
        650,
        "20",
        "5",
    ),
];

async fn seed_workshop(
    ctx: &AppContext,
    sites: &[sites::Model],
    staff: &[(Actor, &str)],
) -> std::result::Result<(), DomainError> {
    let db = &ctx.db;
    let first = |role: Role, code: &str| {
        staff
            .iter()
            .find(|(actor, site)| actor.role == role && *site == code)
            .map(|(actor, _)| actor)
            .ok_or_else(|| DomainError::internal(format!("no demo {role} at {code}")))
    };
    let site = |code: &str| {
        sites
            .iter()
            .find(|site| site.code == code)
            .ok_or_else(|| DomainError::internal(format!("no demo site {code}")))
    };
    let clock = crate::settings::Settings::clock_of(ctx);
    let today = clock.now().date_naive();

    let mut customers = Vec::new();
    for (name, phone, email, code, opt_in) in DEMO_CUSTOMERS {
        let advisor = first(Role::Advisor, code)?;
        let txn = Write::begin(db).await?;
        let customer = customers::Model::create(
            &txn,
            advisor,
            NewCustomer {
                name: name.to_string(),
                phone: Some(phone.to_string()),
                email: email.map(ToString::to_string),
                home_site_id: site(code)?.pid,
                marketing_opt_in: opt_in,
                consent_source: ConsentSource::InPerson,
                language: None,
                prefers_sms: false,
            },
        )
        .await?;
        txn.commit().await?;
        customers.push((customer, code));
    }

    let mut vehicles = Vec::new();
    for (index, demo) in DEMO_VEHICLES.iter().enumerate() {
        let (customer, code) = &customers[demo.owner];
        let advisor = first(Role::Advisor, code)?;
        let start_km = 40_000 + i64::try_from(index).unwrap_or(0) * 9_000;
        let txn = Write::begin(db).await?;
        let vehicle = vehicles::Model::create(
            &txn,
            advisor,
            customer,
            NewVehicle {
                plate: Plate::parse(demo.plate).map_err(DomainError::internal)?,
                vin: demo.vin.map(ToString::to_string),
                make: demo.make.to_string(),
                model: demo.model.to_string(),
                year: Some(demo.year),
                service_interval_months: Some(6),
                service_interval_km: Some(5_000),
                last_service_on: Some(today - Days::new(120)),
                last_service_km: Some(start_km),
            },
            Some(Reading {
                km: start_km,
                on: today - Days::new(120),
                source: ReadingSource::Manual,
            }),
        )
        .await?;
        // A reading a month ago gives each vehicle its own pace.
        let (_, vehicle) = vehicle
            .record_reading(
                &txn,
                advisor,
                Reading {
                    km: start_km + demo.km_a_day * 90,
                    on: today - Days::new(30),
                    source: ReadingSource::Manual,
                },
            )
            .await?;
        txn.commit().await?;
        vehicles.push(vehicle);
    }

    let mut shelves = Vec::new();
    for site in sites {
        let manager = first(Role::Manager, &site.code)?;
        let scale = if site.currency == "UGX" { 30 } else { 1 };
        let mut products = Vec::new();
        for (sku, name, cost, price, on_hand, reorder) in DEMO_PRODUCTS {
            let txn = Write::begin(db).await?;
            let product = products::Model::create(
                &txn,
                manager,
                site,
                NewProduct {
                    site_id: site.pid,
                    sku: sku.to_string(),
                    name: name.to_string(),
                    unit_cost: Decimal::from(cost * scale),
                    unit_price: Decimal::from(price * scale),
                    quantity_on_hand: Quantity::parse(on_hand, true)
                        .map_err(DomainError::internal)?,
                    reorder_level: Quantity::parse(reorder, true).map_err(DomainError::internal)?,
                    supplier: Some("Toyota East Africa Parts".to_string()),
                    barcode: None,
                },
            )
            .await?;
            txn.commit().await?;
            products.push(product);
        }
        shelves.push((site.id, products));
    }
    let shelf = |site_id: i64| {
        shelves
            .iter()
            .find(|(id, _)| *id == site_id)
            .map(|(_, products)| products)
            .ok_or_else(|| DomainError::internal("no demo shelf"))
    };

    let mut completed = Vec::new();
    for (vehicle, code, description, complaint, priority, stage) in DEMO_ORDERS {
        // Finished work happened earlier, on the clock: booked in, claimed
        // 20 minutes later, the timer run for 2 h 10 min against 2.5 h
        // billed, completed. The alternator job six weeks ago (the demo's
        // overdue invoice), the others yesterday, four hours apart.
        let booked = (stage == RepairStatus::Completed).then(|| {
            let ago = if description == "Replace alternator" {
                chrono::TimeDelta::days(45)
            } else {
                chrono::TimeDelta::days(1)
                    + chrono::TimeDelta::hours(4 * i64::try_from(completed.len()).unwrap_or(0))
            };
            clock.now() - ago
        });
        let at = |actor: &Actor, minutes: i64| match booked {
            Some(booked) => actor
                .clone()
                .with_clock(Clock::Fixed(booked + chrono::TimeDelta::minutes(minutes))),
            None => actor.clone(),
        };
        let advisor = &at(first(Role::Advisor, code)?, 0);
        let technician = &at(first(Role::Technician, code)?, 20);
        let txn = Write::begin(db).await?;
        let order = repair_orders::Model::create(
            &txn,
            advisor,
            NewRepairOrder {
                site_id: site(code)?.pid,
                vehicle_id: vehicles[vehicle].pid,
                description: description.to_string(),
                complaint: Some(complaint.to_string()),
                priority,
                odometer_km: None,
                required_skills: Vec::new(),
            },
        )
        .await?;
        txn.commit().await?;
        let mut order = order;
        let txn = Write::begin(db).await?;
        let steps: &[RepairStatus] = match stage {
            RepairStatus::PendingApproval => &[RepairStatus::PendingApproval],
            RepairStatus::Approved => &[RepairStatus::PendingApproval, RepairStatus::Approved],
            RepairStatus::InProgress | RepairStatus::Completed => {
                &[RepairStatus::PendingApproval, RepairStatus::Approved]
            }
            _ => &[],
        };
        for step in steps {
            order = order.transition(&txn, advisor, *step, None).await?;
        }
        if matches!(stage, RepairStatus::InProgress | RepairStatus::Completed) {
            order = repair_orders::Model::claim(&txn, technician, order.pid).await?;
            let site = site(code)?;
            labor_lines::Model::add(
                &txn,
                technician,
                &order,
                NewLaborLine {
                    description: description.to_string(),
                    hours: Hours::parse("2.5").map_err(DomainError::internal)?,
                    rate: Money::parse(if code == "KLA" { "45000" } else { "2500" })
                        .map_err(DomainError::internal)?,
                },
                CurrencyCode::minor_digits(&site.currency),
            )
            .await?;
            // Four litres of oil and a filter on every job in the workshop.
            let products = shelf(site.id)?;
            for (product, quantity) in [(&products[0], "4"), (&products[1], "1")] {
                part_lines::Model::add(
                    &txn,
                    technician,
                    &order,
                    product,
                    Quantity::parse(quantity, false).map_err(DomainError::internal)?,
                    CurrencyCode::minor_digits(&site.currency),
                )
                .await?;
            }
        }
        if stage == RepairStatus::Completed {
            shifts::clock_in(&txn, technician, site(code)?).await?;
            shifts::start_timer(&txn, technician, &order, None).await?;
            let finisher = at(technician, 150);
            shifts::pause_timer(&txn, &finisher, &order, None).await?;
            let order = order
                .transition(
                    &txn,
                    &finisher,
                    RepairStatus::Completed,
                    Some("Done; road-tested".into()),
                )
                .await?;
            shifts::clock_out(&txn, &at(technician, 160)).await?;
            completed.push((order, code));
        }
        txn.commit().await?;
    }

    // Nairobi's manager ordered pads and coolant from the supplier; the
    // coolant came, the pads are still awaited.
    let nairobi = site("NBO")?;
    let manager = first(Role::Manager, "NBO")?;
    let products = shelf(nairobi.id)?;
    let (pads, coolant) = (&products[2], &products[3]);
    let quantity = |text: &str| Quantity::parse(text, false).map_err(DomainError::internal);
    let txn = Write::begin(db).await?;
    let order = purchase_orders::Model::create(
        &txn,
        manager,
        nairobi,
        "Toyota East Africa Parts".to_string(),
        vec![
            NewLine {
                product: pads.clone(),
                quantity: quantity("8")?,
                unit_cost: Decimal::from(3200),
            },
            NewLine {
                product: coolant.clone(),
                quantity: quantity("10")?,
                unit_cost: Decimal::from(300),
            },
        ],
    )
    .await?;
    let order = order.place(&txn, manager).await?;
    order
        .receive(
            &txn,
            manager,
            vec![Receipt {
                product: coolant.clone(),
                quantity: quantity("10")?,
            }],
        )
        .await?;
    txn.commit().await?;

    seed_estimate(db, first(Role::Advisor, "NBO")?, nairobi, &vehicles[0]).await?;

    // The first job is paid in full by M-Pesa, the Mombasa service in part
    // by cash; the alternator waits.
    for (index, (order, code)) in completed.iter().enumerate() {
        let Some(invoice) = invoices::Model::of_order(db, order).await? else {
            continue;
        };
        let advisor = first(Role::Advisor, code)?;
        let payment = match index {
            0 => NewPayment {
                amount: invoice.total.decimal(),
                method: PaymentMethod::MobileMoney,
                reference: Some("SKL4M2Q8ZT".to_string()),
            },
            1 => NewPayment {
                amount: Decimal::from(3000),
                method: PaymentMethod::Cash,
                reference: None,
            },
            _ => continue,
        };
        let txn = Write::begin(db).await?;
        payments::Model::record(&txn, advisor, &invoice, payment).await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Achieng's Fielder is back for tyres and an alignment: the estimate was
/// sent and waits for her word on her page (`/portal`).
async fn seed_estimate(
    db: &sea_orm::DatabaseConnection,
    advisor: &Actor,
    site: &sites::Model,
    vehicle: &crate::models::customers::vehicles::Model,
) -> std::result::Result<(), DomainError> {
    let txn = Write::begin(db).await?;
    let order = repair_orders::Model::create(
        &txn,
        advisor,
        NewRepairOrder {
            site_id: site.pid,
            vehicle_id: vehicle.pid,
            description: "Tyres and wheel alignment".to_string(),
            complaint: Some("Front tyres worn on the inside".to_string()),
            priority: Priority::Normal,
            odometer_km: None,
            required_skills: Vec::new(),
        },
    )
    .await?;
    let order = order
        .transition(&txn, advisor, RepairStatus::PendingApproval, None)
        .await?;
    for (description, hours) in [
        ("Fit and balance two front tyres", "1"),
        ("Four-wheel alignment", "1.5"),
    ] {
        labor_lines::Model::add(
            &txn,
            advisor,
            &order,
            NewLaborLine {
                description: description.to_string(),
                hours: Hours::parse(hours).map_err(DomainError::internal)?,
                rate: Money::parse("2500").map_err(DomainError::internal)?,
            },
            CurrencyCode::minor_digits(&site.currency),
        )
        .await?;
    }
    estimates::request(&txn, advisor, order.pid).await?;
    txn.commit().await?;
    Ok(())
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
