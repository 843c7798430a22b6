use axum::{Json, Router, extract::Path, routing::put};

#[axum::debug_handler]
async fn rename(Json(name): Json<String>, Path(id): Path<u32>) -> String {
    format!("user {id} is now {name}")
}

fn main() {
    let _app: Router = Router::new().route("/users/{id}", put(rename));
}
