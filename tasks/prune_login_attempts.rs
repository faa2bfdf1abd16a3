//! `karakana task prune_login_attempts`: forgets sign-in and sign-up
//! attempts older than the throttling window (scheduled hourly).

use loco_rs::{
    app::AppContext,
    task::{Task, TaskInfo, Vars},
    Result,
};

use crate::{models::now_at, settings::Settings};

pub struct PruneLoginAttempts;

#[async_trait::async_trait]
impl Task for PruneLoginAttempts {
    fn task(&self) -> TaskInfo {
        TaskInfo {
            name: "prune_login_attempts".to_string(),
            detail: "Forget sign-in attempts older than the throttling window".to_string(),
        }
    }

    async fn run(&self, ctx: &AppContext, _vars: &Vars) -> Result<()> {
        let now = now_at(Settings::clock_of(ctx));
        let removed = Settings::of(ctx).throttle.prune(&ctx.db, now).await?;
        tracing::info!(removed, "pruned login attempts");
        println!("Removed {removed} expired login attempts.");
        Ok(())
    }
}
