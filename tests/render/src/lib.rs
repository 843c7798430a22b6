//! What the published site has beyond what mdBook writes: for each page, its own description,
//! canonical link and card metadata (Open Graph), and a `sitemap.xml` listing every page. The
//! publishing workflow runs it after `mdbook build` (`cargo run -p render-check --bin site-extras`);
//! the render and browser tests run it on the books they build.
//!
//! mdBook gives every page the book's one description and has no notion of a canonical address or
//! a sitemap. Each chapter opens with its point, so a page's first paragraph is its description.

use std::fs;
use std::path::{Path, PathBuf};

/// Pages that are not chapters: the print page (every chapter again), the contents' no-script
/// fallback, and the page for addresses that lead nowhere.
const NOT_PAGES: [&str; 3] = ["print.html", "toc.html", "404.html"];

/// The longest description, in characters: search engines and cards cut longer ones.
const DESCRIPTION_LENGTH: usize = 200;

/// Adds each page's metadata and writes `sitemap.xml`, in the book built at `dir`, to be served
/// at `site` (an absolute URL ending in `/`). Returns how many pages it changed.
pub fn add_site_extras(dir: &Path, site: &str) -> Result<usize, String> {
    if !(site.starts_with("https://") || site.starts_with("http://")) || !site.ends_with('/') {
        return Err(format!(
            "the site's address must be absolute and end with `/`, like \
             https://example.org/book/; got {site:?}"
        ));
    }
    let mut pages = html_files(dir)?;
    pages.sort();
    let mut urls = Vec::new();
    for page in &pages {
        let relative = page
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if NOT_PAGES.contains(&relative.as_str()) {
            continue;
        }
        let html = fs::read_to_string(page).map_err(|e| format!("{}: {e}", page.display()))?;
        // `index.html`, the front page, is the site's own address.
        let url = if relative == "index.html" {
            site.to_owned()
        } else {
            format!("{site}{relative}")
        };
        let with_meta = add_metadata(&html, &url).map_err(|e| format!("{relative}: {e}"))?;
        fs::write(page, with_meta).map_err(|e| format!("{}: {e}", page.display()))?;
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    let mut sitemap = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in &urls {
        sitemap.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(url)));
    }
    sitemap.push_str("</urlset>\n");
    fs::write(dir.join("sitemap.xml"), sitemap).map_err(|e| format!("sitemap.xml: {e}"))?;
    // mdBook copies every file of `src/`, the theme's `head.hbs` among them; nothing links it.
    let theme = dir.join("theme");
    if theme.is_dir() {
        fs::remove_dir_all(&theme).map_err(|e| format!("{}: {e}", theme.display()))?;
    }
    Ok(urls.len())
}

/// `html` with its description set to its first paragraph, and a canonical link and card
/// metadata for `url` added after it.
pub fn add_metadata(html: &str, url: &str) -> Result<String, String> {
    let title = first_heading(html).ok_or("no <h1> in <main>")?;
    let description = first_paragraph(html).ok_or("no paragraph in <main>")?;
    let site_name = between(html, "<title>", "</title>")
        .and_then(|t| t.rsplit(" - ").next())
        .map(str::to_owned)
        .unwrap_or_default();
    let old = "<meta name=\"description\" content=\"";
    let at = html.find(old).ok_or("no <meta name=\"description\">")?;
    let end = at + html[at..].find('>').ok_or("an unclosed <meta>")? + 1;
    let (title, description, url) = (escape(&title), escape(&description), escape(url));
    let meta = format!(
        "<meta name=\"description\" content=\"{description}\">\n        \
         <link rel=\"canonical\" href=\"{url}\">\n        \
         <meta property=\"og:type\" content=\"article\">\n        \
         <meta property=\"og:site_name\" content=\"{}\">\n        \
         <meta property=\"og:title\" content=\"{title}\">\n        \
         <meta property=\"og:description\" content=\"{description}\">\n        \
         <meta property=\"og:url\" content=\"{url}\">\n        \
         <meta name=\"twitter:card\" content=\"summary\">",
        escape(&site_name)
    );
    Ok(format!("{}{meta}{}", &html[..at], &html[end..]))
}

/// The text of the page's first `<h1>` inside `<main>`.
pub fn first_heading(html: &str) -> Option<String> {
    let main = between(html, "<main>", "</main>")?;
    let at = main.find("<h1")?;
    let inner = &main[at + main[at..].find('>')? + 1..];
    Some(text(&inner[..inner.find("</h1>")?]))
}

/// The text of the page's first paragraph inside `<main>`, cut at a word near
/// `DESCRIPTION_LENGTH` characters.
pub fn first_paragraph(html: &str) -> Option<String> {
    let main = between(html, "<main>", "</main>")?;
    let at = main.find("<p>")?;
    let paragraph = text(&main[at + 3..at + main[at..].find("</p>")?]);
    if paragraph.chars().count() <= DESCRIPTION_LENGTH {
        return Some(paragraph);
    }
    let mut cut = String::new();
    for word in paragraph.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > DESCRIPTION_LENGTH - 1 {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    Some(format!("{}…", cut.trim_end_matches([',', ';', ':', '.'])))
}

fn between<'a>(html: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = html.find(open)? + open.len();
    let end = start + html[start..].find(close)?;
    Some(&html[start..end])
}

/// Tags removed, the few entities mdBook writes decoded, whitespace collapsed.
fn text(html: &str) -> String {
    let mut plain = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn html_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                found.push(path);
            }
        }
    }
    Ok(found)
}
