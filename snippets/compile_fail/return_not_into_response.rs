use std::num::ParseIntError;

use axum::{Router, routing::post};

async fn double(body: String) -> Result<String, ParseIntError> {
    let n: u64 = body.trim().parse()?;
    Ok((n * 2).to_string())
}

fn main() {
    let _app: Router = Router::new().route("/double", post(double));
}
