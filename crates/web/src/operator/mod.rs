//! Bàn làm việc của cán bộ vận hành: the operator console (issue 12). Only operators reach it,
//! through the guard in `guard.rs`; what each may do there is the permission table of
//! `flows::operators`. Pages are in Vietnamese and English like the rest of the site.

mod agencies;
mod console;
mod counter;
pub mod guard;

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    console::routes()
        .merge(counter::routes())
        .merge(agencies::routes())
}
