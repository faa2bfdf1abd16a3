//! Background workers (Loco `BackgroundWorker`s), one file each. Jobs carry
//! ids only and re-read state, so running one twice is harmless
//! (docs/architecture.md, "Background work").
