use karakana::app::App;
use loco_rs::cli;
use migration::Migrator;

/// glibc's malloc keeps what each thread's arena once held: after a burst of
/// sign-ins (Argon2 takes 19 MiB a hash, on whichever blocking thread runs
/// it) a server sat on hundreds of MB it no longer used. mimalloc returns
/// freed pages to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> loco_rs::Result<()> {
    cli::main::<App, Migrator>().await
}
