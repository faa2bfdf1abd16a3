use std::{path::Path, sync::Arc, time::Duration};

use async_trait::async_trait;
use axum::{
    body::Body,
    http::{header, HeaderValue, Response},
    response::IntoResponse,
    Router as AxumRouter,
};
use loco_rs::{
    app::{AppContext, Hooks},
    bgworker::{BackgroundWorker, Queue},
    boot::{create_app, BootResult, StartMode},
    config::Config,
    controller::AppRoutes,
    environment::Environment,
    task::Tasks,
    Result,
};
use migration::Migrator;
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection};

use crate::{
    controllers,
    errors::{ApiError, ContractBody},
    messages::{links::Links, mail::Mailer, sms::SmsSender, Messenger},
    pdf::InvoiceRenderer,
    queue,
    settings::Settings,
    tasks, workers,
};

pub struct App;

#[async_trait]
impl Hooks for App {
    fn app_name() -> &'static str {
        env!("CARGO_CRATE_NAME")
    }

    fn app_version() -> String {
        format!(
            "{} ({})",
            env!("CARGO_PKG_VERSION"),
            option_env!("BUILD_SHA").unwrap_or("dev")
        )
    }

    async fn boot(
        mode: StartMode,
        environment: &Environment,
        config: Config,
    ) -> Result<BootResult> {
        create_app::<Self, Migrator>(mode, environment, config).await
    }

    async fn after_context(mut ctx: AppContext) -> Result<AppContext> {
        if ctx.environment == Environment::Production {
            check_production_secret(&ctx.config)?;
        }
        if ctx.db.get_database_backend() == DatabaseBackend::Sqlite {
            ctx.db = sqlite_pool(&ctx.config.database).await?;
        }
        let settings = Settings::from_config(&ctx.config)?;
        if settings.clock.is_some() && ctx.environment == Environment::Production {
            return Err(loco_rs::Error::Message(
                "settings.clock fixes the time for tests; production runs on the system clock"
                    .into(),
            ));
        }
        let storage = settings.storage.storage()?;
        // Font subsetting and compression happen once, here; every invoice
        // PDF after that takes a couple of milliseconds.
        let renderer = InvoiceRenderer::new()
            .map_err(|err| loco_rs::Error::Message(format!("the invoice PDF renderer: {err}")))?;
        let mailer = Mailer::new(&settings.mail)
            .map_err(|err| loco_rs::Error::Message(format!("mail: {err}")))?;
        let sms = SmsSender::new(&settings.sms)
            .map_err(|err| loco_rs::Error::Message(format!("sms: {err}")))?;
        let links = Links::of(&ctx)?;
        ctx.shared_store.insert(Arc::new(Messenger::new(
            mailer,
            sms,
            links,
            Arc::new(renderer),
        )));
        ctx.shared_store.insert(settings.clock());
        let ctx = queue::install(ctx, &settings.sidekiq)?;
        ctx.shared_store.insert(settings);
        Ok(ctx.into_builder().storage(Arc::new(storage)).build())
    }

    async fn before_run(ctx: &AppContext) -> Result<()> {
        if Settings::of(ctx).seed_demo_on_empty {
            tasks::seed_demo::seed_if_empty(ctx).await?;
        }
        Ok(())
    }

    fn routes(ctx: &AppContext) -> AppRoutes {
        controllers::all(ctx)
            .into_iter()
            .fold(AppRoutes::with_default_routes(), |app, controller| {
                app.add_route(controller.routes)
            })
    }

    async fn after_routes(router: AxumRouter, ctx: &AppContext) -> Result<AxumRouter> {
        // The pages ask the API through its own routes (`web::api`).
        controllers::web::api::install(ctx, &router);
        Ok(router
            .merge(controllers::docs::router(ctx))
            .merge(controllers::pages::router(ctx))
            .merge(pages(ctx)?)
            .layer(axum::middleware::from_fn(controllers::web::page_errors))
            .layer(axum::middleware::from_fn_with_state(
                ctx.clone(),
                controllers::idempotency::layer,
            ))
            // Outermost: whatever refused a request (an unknown route, a
            // framework layer), the client gets the contract's error body.
            .layer(axum::middleware::map_response(contract_error_body)))
    }

    async fn connect_workers(ctx: &AppContext, queue: &Queue) -> Result<()> {
        use workers::{
            deliver_invoice::DeliverInvoice, low_stock_digest::LowStockDigest,
            repair_status_update::RepairStatusUpdate, send_estimate::SendEstimate,
            send_portal_link::SendPortalLink, send_promotion::SendPromotion,
            send_service_reminder::SendServiceReminder,
        };

        queue.register(SendServiceReminder::build(ctx)).await?;
        queue.register(DeliverInvoice::build(ctx)).await?;
        queue.register(RepairStatusUpdate::build(ctx)).await?;
        queue.register(LowStockDigest::build(ctx)).await?;
        queue.register(SendPromotion::build(ctx)).await?;
        queue.register(SendEstimate::build(ctx)).await?;
        queue.register(SendPortalLink::build(ctx)).await?;
        // Jobs written inside a change go to their worker's queue: every
        // one of those must be a queue the workers read.
        let settings = Settings::of(ctx).sidekiq;
        for worker_queue in [
            queue::queue_of::<SendServiceReminder, _>(),
            queue::queue_of::<DeliverInvoice, _>(),
            queue::queue_of::<RepairStatusUpdate, _>(),
            queue::queue_of::<LowStockDigest, _>(),
            queue::queue_of::<SendPromotion, _>(),
            queue::queue_of::<SendEstimate, _>(),
            queue::queue_of::<SendPortalLink, _>(),
        ] {
            queue::known_queue(&settings, worker_queue)?;
        }
        Ok(())
    }

    fn register_tasks(tasks: &mut Tasks) {
        tasks.register(tasks::seed_demo::SeedDemo);
        tasks.register(tasks::prune_login_attempts::PruneLoginAttempts);
        tasks.register(tasks::send_service_reminders::SendServiceReminders);
        tasks.register(tasks::deliver_invoices::DeliverInvoices);
        tasks.register(tasks::send_low_stock_digests::SendLowStockDigests);
        tasks.register(tasks::send_due_promotions::SendDuePromotions);
        tasks.register(tasks::send_estimates::SendEstimates);
        tasks.register(tasks::send_repair_status_updates::SendRepairStatusUpdates);
        // tasks-inject (do not remove)
    }

    async fn truncate(ctx: &AppContext) -> Result<()> {
        Ok(crate::models::schema::truncate_all(&ctx.db).await?)
    }

    async fn seed(_ctx: &AppContext, _base: &Path) -> Result<()> {
        // Demo data comes from `karakana task seed_demo`, which builds it
        // through the models rather than from fixtures.
        Ok(())
    }
}

/// The pages' routes with the middleware Loco gives the API's (client
/// address for the sign-in throttle, body limit, panics caught, logging,
/// request ids): they are merged after Loco has layered its own routes.
/// The fallback and static-file layers are the app's, not a part's.
fn pages(ctx: &AppContext) -> Result<AxumRouter> {
    let mut pages = controllers::web::router(ctx);
    for layer in loco_rs::controller::middleware::default_middleware_stack(ctx) {
        // No ETag on pages: they are made for one viewer and never cached
        // (`no-store`), and hashing each one costs time for nothing.
        if layer.is_enabled() && !matches!(layer.name(), "fallback" | "static_assets" | "etag") {
            pages = layer.apply(pages)?;
        }
    }
    Ok(pages.with_state(ctx.clone()))
}

/// Rewrites an error response that did not come from `ApiError` (axum's
/// empty 404 and 405, a framework rejection, a static file's 412 or 416, a
/// timeout's 408) into the contract's body, keeping its status and headers:
/// a status nobody mapped stays that status, never a 500.
async fn contract_error_body(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<ContractBody>().is_some()
    {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let rewritten = ApiError::for_status(status).into_response();
    let (new_parts, body) = rewritten.into_parts();
    parts.status = new_parts.status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, body)
}

/// SQLite with the same settings on every pooled connection. Loco applies
/// its PRAGMAs to one connection of its pool; the others would run with
/// SQLite's defaults (a full fsync on every commit, 2 MB of page cache each).
/// WAL lets readers work beside the one writer; the busy timeout is what a
/// writer waits for the lock (`models::Write`). Each connection keeps its
/// own page cache and prepared statements, which fill up under load: with
/// SQLite's defaults (2 MB of pages, sqlx's 100 statements) a pool of ten
/// held about 2 MB a connection after a schemathesis run; 512 KiB of pages
/// and the 32 statements a request's work cycles through keep it under one
/// (the database file itself stays in the system's cache between reads).
async fn sqlite_pool(config: &loco_rs::config::Database) -> Result<DatabaseConnection> {
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};

    let mut options = ConnectOptions::new(&config.uri);
    options
        .max_connections(config.max_connections)
        .min_connections(config.min_connections)
        .connect_timeout(Duration::from_millis(config.connect_timeout))
        .idle_timeout(Duration::from_millis(config.idle_timeout))
        .sqlx_logging(config.enable_logging)
        .map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                .pragma("cache_size", "-512")
                .statement_cache_capacity(32)
        });
    if let Some(timeout) = config.acquire_timeout {
        options.acquire_timeout(Duration::from_millis(timeout));
    }
    Ok(Database::connect(options).await?)
}

/// Production signs tokens with a real secret or does not start: the
/// configuration reads `JWT_SECRET` with no default, and a weak one is
/// refused here.
fn check_production_secret(config: &Config) -> Result<()> {
    use base64::Engine;

    let secret = &config.get_jwt_config()?.secret;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(secret)
        .map_err(|_| {
            loco_rs::Error::Message(
                "JWT_SECRET must be base64 (e.g. `openssl rand -base64 48`)".into(),
            )
        })?;
    if decoded.len() < 32 {
        return Err(loco_rs::Error::Message(
            "JWT_SECRET must hold at least 32 random bytes (e.g. `openssl rand -base64 48`)".into(),
        ));
    }
    // The development and test keys are public (they are in the repository):
    // tokens signed with them could be forged by anyone.
    let published = [
        include_str!("../config/development.yaml"),
        include_str!("../config/test.yaml"),
    ];
    if published
        .iter()
        .any(|config| config.contains(secret.as_str()))
    {
        return Err(loco_rs::Error::Message(
            "JWT_SECRET is a published development key; generate one (`openssl rand -base64 48`)"
                .into(),
        ));
    }
    Ok(())
}
