//! What every browser test needs: the book built as it is published (under a sub-path), a static
//! server for it on 127.0.0.1, and a Chromium driven over WebDriver, stopped by process id.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock, mpsc};
use std::thread;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use mdbook_driver::MDBook;
use serde_json::{Value, json};

/// Where the book is served, as GitHub Pages serves a project site: under `/REPOSITORY/`.
pub const SUB_PATH: &str = "/async-crash-course/";

/// A desktop window and a small phone, as CSS pixels: (width, height).
pub const SCREENS: [(u32, u32); 2] = [(1280, 900), (360, 740)];

/// mdBook's five themes, as the class names it puts on `<html>`.
pub const THEMES: [&str; 5] = ["light", "rust", "coal", "navy", "ayu"];

pub fn repository() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap().parent().unwrap().to_path_buf()
}

/// The built book and the address it is served at.
pub struct Site {
    pub dir: PathBuf,
    /// `http://127.0.0.1:PORT/async-crash-course/`
    pub base: String,
}

impl Site {
    /// Every HTML page a reader can open, relative to the book's root, in every folder
    /// (`toc.html` is the sidebar's no-script fallback, shown inside the pages, not a page of its
    /// own).
    pub fn pages(&self) -> Vec<String> {
        let mut pages = Vec::new();
        let mut folders = vec![self.dir.clone()];
        while let Some(folder) = folders.pop() {
            for entry in fs::read_dir(&folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let page = path.strip_prefix(&self.dir).unwrap().to_string_lossy();
                if page.ends_with(".html") && page != "toc.html" {
                    pages.push(page.into_owned());
                }
            }
        }
        pages.sort();
        assert!(pages.len() > 3, "the book has pages");
        pages
    }

    /// The chapters: every page but the copies and the generated ones.
    pub fn chapters(&self) -> Vec<String> {
        self.pages()
            .into_iter()
            .filter(|page| !["index.html", "print.html", "404.html"].contains(&page.as_str()))
            .collect()
    }

    pub fn url(&self, page: &str) -> String {
        format!("{}{page}", self.base)
    }
}

/// The book, built once per test run with the published `site-url`, and served on 127.0.0.1:0.
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("published-book");
        let _ = fs::remove_dir_all(&dir);
        let mut book = MDBook::load(repository()).expect("book.toml and SUMMARY.md load");
        // What the publishing workflow sets through MDBOOK_OUTPUT__HTML__SITE_URL.
        book.config
            .set("output.html.site-url", SUB_PATH)
            .expect("site-url is a string");
        book.config.build.build_dir = dir.clone();
        book.build().expect("mdBook renders the book");
        let address = serve(dir.clone());
        let base = format!("http://{address}{SUB_PATH}");
        // What the publishing workflow adds after `mdbook build`, before the first request.
        render_check::add_site_extras(&dir, &base).expect("the site's extras are added");
        Site { dir, base }
    })
}

/// Serves `dir` under `SUB_PATH` until the test process ends, the way a static host does:
/// `index.html` for a directory, and `404.html` with status 404 for anything else. Every answer
/// may be kept for ten minutes (`Cache-Control: max-age=600`), as GitHub Pages, which publishes
/// the book, says of its files: the styles, scripts and fonts are loaded once, and each page
/// after that from the cache, as a reader's browser does.
///
/// A page comes in two parts, as it does over a phone's network: the page up to the scripts after
/// its text, then, once the browser has drawn that text, the scripts. From its cache, with the
/// whole page at once, Chromium would run the scripts before it first draws the page, and nothing
/// they change after the first paint (a layout shift) could be seen; held back, it draws the text
/// first, as a phone does. Each browser says when it has drawn a page (`SAY_WHEN_DRAWN`), so a
/// page waits as long as drawing it takes, and no longer.
fn serve(dir: PathBuf) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            thread::spawn(move || answer(stream, &dir));
        }
    });
    address
}

/// The most a page's answer waits before its scripts for the browser to say it has drawn the page
/// above them (see `serve`): a safety net, which a browser that says so never meets.
const BEFORE_THE_SCRIPTS: Duration = Duration::from_secs(5);

/// Where a browser says it has drawn a page: `POST DRAWN?PATH`, `PATH` the page's path as
/// requested. Outside `SUB_PATH`, so that no page of the book can be at it.
const DRAWN: &str = "/browser-check/drawn";

/// The cookie that tells the server which browser asks (both load the same pages at the same
/// time): `BROWSER_COOKIE=N`.
const BROWSER_COOKIE: &str = "browser-check";

/// What each browser runs in every page before the page's own scripts, in a world of its own
/// (the page's scripts cannot see it): once all the page it has is drawn, it tells the server
/// (`DRAWN`), which then sends the rest. All of it is drawn when the first contentful paint has
/// come and a frame has gone by in which the page grew no more: a frame's callbacks run just
/// before it is drawn, so what was there at one frame's callback and still is at the next has been
/// drawn.
const SAY_WHEN_DRAWN: &str = "
    const elements = document.getElementsByTagName('*');
    let before = -1;
    const look = () => {
        const painted = performance.getEntriesByName('first-contentful-paint').length > 0;
        if (painted && elements.length === before) {
            navigator.sendBeacon('DRAWN?' + encodeURIComponent(location.pathname));
            return;
        }
        before = elements.length;
        requestAnimationFrame(look);
    };
    requestAnimationFrame(look);";

/// The pages sent up to their scripts, by browser (its cookie) and path, each with what releases
/// the rest of it.
type Held = HashMap<(String, String), Vec<mpsc::Sender<()>>>;

fn held() -> &'static Mutex<Held> {
    static HELD: OnceLock<Mutex<Held>> = OnceLock::new();
    HELD.get_or_init(Default::default)
}

/// The value of the `BROWSER_COOKIE` cookie in a request's head, or "".
fn browser_of(head: &str) -> String {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
        .flat_map(|(_, value)| value.split(';'))
        .filter_map(|cookie| cookie.trim().split_once('='))
        .find(|&(name, _)| name == BROWSER_COOKIE)
        .map_or_else(String::new, |(_, value)| value.to_string())
}

/// Where an HTML page is cut in two (see `serve`): at the first `<script` after `</main>`.
fn scripts_at(page: &[u8]) -> Option<usize> {
    let find = |from: usize, what: &[u8]| {
        page[from..]
            .windows(what.len())
            .position(|w| w == what)
            .map(|at| from + at)
    };
    let main_ends = find(0, b"</main>")?;
    find(main_ends, b"<script")
}

fn answer(mut stream: TcpStream, dir: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    // The first part of a page goes out whole before the wait, not held back for an ACK.
    let _ = stream.set_nodelay(true);
    let mut head = Vec::new();
    let mut buffer = [0; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == DRAWN {
        // A beacon has no body: the page it names may go on to its scripts.
        let page = target.split_once('?').map_or("", |(_, page)| page);
        let page = url::form_urlencoded::parse(format!("p={page}").as_bytes())
            .next()
            .map(|(_, page)| page.into_owned())
            .unwrap_or_default();
        // The first answer still waiting: one that gave up waiting (`BEFORE_THE_SCRIPTS`) no
        // longer hears.
        let mut held = held().lock().unwrap();
        if let Some(waiting) = held.get_mut(&(browser_of(&head), page)) {
            while !waiting.is_empty() && waiting.remove(0).send(()).is_err() {}
        }
        drop(held);
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let file = path
        .strip_prefix(SUB_PATH)
        .filter(|rest| !rest.split('/').any(|part| part == ".."))
        .map(|rest| {
            let file = dir.join(rest);
            if file.is_dir() {
                file.join("index.html")
            } else {
                file
            }
        })
        .filter(|file| file.is_file());
    let (status, file) = match file {
        Some(file) => ("200 OK", file),
        None => ("404 Not Found", dir.join("404.html")),
    };
    let body = fs::read(&file).unwrap_or_default();
    let content_type = match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "json" => "application/json",
        _ => "application/octet-stream",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: max-age=600\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if method == "HEAD" {
        return;
    }
    let pause_at = if content_type.starts_with("text/html") {
        scripts_at(&body)
    } else {
        None
    };
    let (text, scripts) = body.split_at(pause_at.unwrap_or(body.len()));
    if scripts.is_empty() {
        let _ = stream.write_all(text);
        return;
    }
    let (drawn, wait) = mpsc::channel();
    held()
        .lock()
        .unwrap()
        .entry((browser_of(&head), path.to_string()))
        .or_default()
        .push(drawn);
    let _ = stream.write_all(text);
    let _ = stream.flush();
    if wait.recv_timeout(BEFORE_THE_SCRIPTS).is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "{path}: the browser did not say it drew the page in {BEFORE_THE_SCRIPTS:?}; its scripts go now"
        );
    }
    let _ = stream.write_all(scripts);
}

/// Chromium as readers run it, driven over WebDriver by Debian's chromedriver.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

/// A program on `PATH`.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium. Without them, a local run says so once
    /// and the test passes without checking; in CI (`CI=true`) that is a failure.
    pub async fn start() -> Option<Browser> {
        let chromium = find_program(&["chromium", "chromium-browser"]);
        let chromedriver = find_program(&["chromedriver"]);
        let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
            let missing = "chromium and chromedriver are not on PATH \
                           (Debian: apt-get install chromium chromium-driver)";
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true, so the browser tests must run, but {missing}"
            );
            static SAY_ONCE: Once = Once::new();
            // Straight to stderr: the test harness would swallow a println! of a passing test.
            SAY_ONCE.call_once(|| {
                let _ = writeln!(std::io::stderr(), "browser tests skipped: {missing}");
            });
            return None;
        };

        let mut driver = Command::new(chromedriver)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut lines = BufReader::new(driver.stdout.take().unwrap()).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let (_, rest) = line.split_once("started successfully on port ")?;
                rest.trim_end_matches('.').parse::<u16>().ok()
            })
            .expect("chromedriver says which port it listens on");
        // Keep reading what it prints, so it never blocks on a full pipe.
        thread::spawn(move || lines.for_each(drop));

        static PROFILES: AtomicUsize = AtomicUsize::new(0);
        static BROWSERS: AtomicUsize = AtomicUsize::new(0);
        let profile = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "chromium-profile-{}-{}",
            std::process::id(),
            PROFILES.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&profile);
        let (width, height) = SCREENS[0];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}"),
                    // The network is off: no host name resolves, so only 127.0.0.1 answers.
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let mut browser = Browser {
            client: connect(port, capabilities).await,
            driver,
            profile,
        };
        browser.set_screen(SCREENS[0]).await;
        // Which browser asks, for the server (`serve`): a cookie on 127.0.0.1, which no page of
        // the book reads.
        let id = BROWSERS.fetch_add(1, Ordering::Relaxed);
        browser
            .devtools(
                "Network.setCookie",
                json!({"name": BROWSER_COOKIE, "value": id.to_string(), "url": "http://127.0.0.1/"}),
            )
            .await;
        browser
            .devtools(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({"source": SAY_WHEN_DRAWN.replace("DRAWN", DRAWN), "worldName": "browser-check"}),
            )
            .await;
        Some(browser)
    }

    /// Makes the viewport (not the window) `width` × `height` CSS pixels.
    pub async fn set_screen(&mut self, (width, height): (u32, u32)) {
        self.client.set_window_size(width, height).await.unwrap();
        let inner = self
            .js("return [window.innerWidth, window.innerHeight]")
            .await;
        let (inner_width, inner_height) = (
            inner[0].as_u64().unwrap() as u32,
            inner[1].as_u64().unwrap() as u32,
        );
        if (inner_width, inner_height) != (width, height) {
            self.client
                .set_window_size(2 * width - inner_width, 2 * height - inner_height)
                .await
                .unwrap();
        }
        let inner = self.js("return window.innerWidth").await;
        assert_eq!(inner.as_u64(), Some(u64::from(width)), "viewport width");
    }

    /// Opens `page` of the book and waits until it has loaded.
    pub async fn open(&self, page: &str) {
        self.client.goto(&site().url(page)).await.unwrap();
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The console messages of level SEVERE since the last call, as `source: text`.
    pub async fn console_errors(&self) -> Vec<String> {
        let log = self.client.issue_cmd(BrowserLog).await.unwrap();
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver.
    pub async fn devtools(&self, command: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(DevTools { command, params })
            .await
            .unwrap()
    }

    /// Ends the session (Chromium quits), then chromedriver.
    pub async fn stop(self) {
        let _ = self.client.clone().close().await;
        // Drop stops chromedriver and anything left of Chromium.
    }
}

/// Waits, a second at most, for `element` to be shown (menus and buttons fade in).
pub async fn wait_until_displayed(element: &fantoccini::elements::Element) {
    for _ in 0..50 {
        if element.is_displayed().await.unwrap() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn connect(port: u16, capabilities: Value) -> Client {
    let Value::Object(capabilities) = capabilities else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromedriver starts Chromium")
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium's processes are chromedriver's descendants: stop them by process id, deepest
        // first, then chromedriver itself.
        let root = self.driver.id();
        for _ in 0..2 {
            for pid in descendants(root).into_iter().rev() {
                // SAFETY: kill(2) on a process id this test started (through chromedriver).
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = fs::remove_dir_all(&self.profile);
    }
}

/// The process ids below `root`, parents before children, read from /proc.
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // `pid (name) state ppid ...`: the name may hold spaces and parentheses.
        let after_name = &stat[stat.rfind(')').map_or(0, |at| at + 1)..];
        if let Some(parent) = after_name
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
        {
            children.entry(parent).or_default().push(pid);
        }
    }
    let mut found = Vec::new();
    let mut pending = vec![root];
    while let Some(pid) = pending.pop() {
        for &child in children.get(&pid).into_iter().flatten() {
            found.push(child);
            pending.push(child);
        }
    }
    found
}

/// chromedriver's console log: `POST /session/{id}/se/log` with `{"type": "browser"}`.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// chromedriver's DevTools pass-through: `POST /session/{id}/goog/cdp/execute`.
#[derive(Debug)]
struct DevTools {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.command, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}
