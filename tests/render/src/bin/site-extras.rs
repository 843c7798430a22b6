//! Adds what the published site needs beyond what mdBook writes (see `render_check`):
//!
//! ```sh
//! mdbook build && cargo run -p render-check --bin site-extras -- book https://example.org/book/
//! ```

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, site] = args.as_slice() else {
        eprintln!(
            "usage: site-extras BOOK_DIR SITE_URL (the address the site is served at, ending in /)"
        );
        return ExitCode::FAILURE;
    };
    match render_check::add_site_extras(Path::new(dir), site) {
        Ok(pages) => {
            println!("{pages} pages: description, canonical link and card metadata; sitemap.xml");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
