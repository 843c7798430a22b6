use axum::{Router, routing::get};

#[axum::debug_handler]
async fn show(id: u32) -> String {
    format!("user {id}")
}

fn main() {
    let _app: Router = Router::new().route("/users/{id}", get(show));
}
