//! The published site as readers use it, in a real Chromium at a desktop width and a phone width:
//! how much a page moves as it loads, search, the eye button, the 404 page under a sub-path,
//! console errors with the network off, sideways scrolling, code blocks seen whole, the contrast
//! of text in every theme, tables and charts on a phone and in every theme, and the print page on
//! A4 and Letter paper. The figures of each pass (pages drawn before their scripts, the most a
//! page moved, blocks and text checked) are printed with `-- --nocapture`.
//!
//! One browser per screen, the two side by side, and each page loaded once in each: every check
//! that reads a page runs on that load, most of them in one script. A failure names its check,
//! the page and the screen.
//!
//! The book is built as the publishing workflow builds it (`site-url` = `/async-crash-course/`)
//! and served under that path on 127.0.0.1. Chromium resolves no host name: the network is off.
//! Runs whenever `chromium` and `chromedriver` are on PATH; `.ci/run` installs them.

mod harness;

use std::collections::BTreeMap;
use std::io::Write as _;

use fantoccini::Locator;
use harness::{Browser, SCREENS, THEMES, site};
use serde_json::Value;

/// What readers type, and the sections that teach it: the first results of a search must be these
/// sections, in any order. Pages are relative to the book's root.
///
/// mdBook indexes the lines hidden behind the eye button like any other text, and no setting
/// leaves them out, so a section can match through code it does not show. Those matches may
/// follow; they may not come first.
const TEACHING: &[(&str, &[&str])] = &[
    (
        "spawn_blocking",
        &[
            "cpu-bound-work.html#do-the-work-with-spawn_blocking",
            "converting-functions.html#move-the-work-to-spawn_blocking",
        ],
    ),
    (
        "block_on",
        &["sync-and-async.html#from-a-plain-function-block_on"],
    ),
    // Each error a Troubleshooting page is titled with: its distinctive word finds that page
    // first, beside the section that teaches the word where there is one. mdBook's index takes
    // whole words between spaces, so `Handler<_, _>` in a title is one word, `handler<_`, and the
    // page names the trait on its own in a heading; a short heading weighs more than a long one.
    (
        "Handler",
        &["troubleshooting/handler-is-not-satisfied.html#why-it-says-handler"],
    ),
    (
        "debug_handler",
        &["troubleshooting/handler-is-not-satisfied.html#which-of-these-is-it"],
    ),
    (
        "Send",
        &[
            "converting-functions.html#send-and-static",
            "troubleshooting/future-cannot-be-sent.html#why-the-future-is-not-send",
        ],
    ),
    (
        "outlive",
        &[
            "troubleshooting/may-outlive-the-current-function.html#async-block-may-outlive-the-current-function-but-it-borrows-",
        ],
    ),
    (
        "await",
        &[
            "working-with-futures.html#getting-the-value-with-await",
            "troubleshooting/await-outside-async.html#why-only-async-code-can-await",
        ],
    ),
    (
        "main",
        &["troubleshooting/async-main.html#why-main-cannot-be-async"],
    ),
    (
        "async main",
        &[
            "troubleshooting/async-main.html#main-function-is-not-allowed-to-be-async",
            "troubleshooting/async-main.html#why-main-cannot-be-async",
        ],
    ),
    (
        "unused",
        &["troubleshooting/future-never-ran.html#unused-implementer-of-future-that-must-be-used"],
    ),
    (
        "runtime",
        &[
            "terminology.html#runtime",
            "troubleshooting/cannot-start-a-runtime-from-within-a-runtime.html#cannot-start-a-runtime-from-within-a-runtime",
        ],
    ),
    ("Mutex", &["shared-state.html#which-mutex"]),
    (
        "timeout",
        &[
            "time-limits-and-cancellation.html#put-a-time-limit-on-a-call-timeout",
            "troubleshooting/my-timeout-never-fires.html#my-timeout-never-fires",
        ],
    ),
    ("join", &["many-tasks.html#join-takes-turns"]),
    (
        "uvicorn",
        &[
            "async-is-the-interface.html#what-you-did-not-write",
            "coming-from-python.html#coming-from-python",
            "coming-from-python.html#fastapi-and-starlette",
            "coming-from-python.html#how-uvicorn-stops",
        ],
    ),
    (
        "RUST_LOG",
        &[
            "logging.html#set-it-up-once-in-main-envfilter-and-rust_log",
            "logging.html#what-each-rust_log-value-prints",
        ],
    ),
    (
        "instrument",
        &[
            "logging.html#a-span-for-each-call-the-instrument-attribute",
            "logging.html#spawned-tasks-start-in-no-span-instrumentspancurrent",
        ],
    ),
    (
        "CatchPanicLayer",
        &["panics-and-overload.html#catchpaniclayer-a-500-instead-of-nothing"],
    ),
    (
        "AsyncFn",
        &[
            "async-traits-and-closures.html#async-closures-and-asyncfn",
            "async-traits-and-closures.html#asyncfn-and-tokiospawn",
        ],
    ),
    (
        "unpinned",
        &["troubleshooting/cannot-be-unpinned.html#-cannot-be-unpinned"],
    ),
    (
        "run_in_threadpool",
        &[
            "converting-functions.html#move-the-work-to-spawn_blocking",
            "coming-from-python.html#fastapi-picks-a-thread-for-def-axum-does-not",
        ],
    ),
    (
        "graceful shutdown",
        &["stopping-a-server.html#what-graceful-shutdown-in-axum-does-and-what-it-does-not"],
    ),
    (
        "SIGTERM",
        &["stopping-a-server.html#sigterm-is-the-signal-that-matters-not-ctrl-c"],
    ),
    ("rayon", &["cpu-pools.html#a-pool-of-its-own-rayon"]),
    (
        "select",
        &[
            "cancellation-safety.html#select-loops-and-cancellation-safety",
            "cancellation-safety.html#a-select-loop-that-loses-data",
        ],
    ),
    // A test that hangs is taught on its own page, titled with the symptom; both come first.
    (
        "test",
        &[
            "testing.html#test-async-code",
            "troubleshooting/my-test-hangs.html#my-test-hangs",
        ],
    ),
    (
        "hang",
        &["troubleshooting/my-test-hangs.html#my-test-hangs"],
    ),
    (
        "tracing",
        &["observing.html#tracing-and-tracelayer-a-span-for-every-request"],
    ),
    (
        "blocking handler",
        &[
            "observing.html#seeing-what-a-server-does-and-finding-the-handler-that-blocks",
            "observing.html#finding-the-blocking-handler-a-stall-detector",
        ],
    ),
    (
        "stream",
        &["streaming.html#streaming-responses-and-request-bodies"],
    ),
    (
        "background job",
        &["background-work.html#a-background-job-on-an-interval"],
    ),
];

/// Terms readers search for that no section teaches yet. Once a section whose heading names one
/// appears, this test fails until the term moves to `TEACHING`.
const NOT_TAUGHT_YET: &[&str] = &[];

/// Charts drawn too small to read on a phone, each with what is wrong. Fails once a chart here is
/// readable, or gone, so the list only ever shrinks.
const SMALL_CHARTS: &[(&str, &str)] = &[];

/// The results of searching `term` from the search bar of the open page, in order, as
/// `page.html#section`, each with its title. The bar is opened if it is not, and emptied first.
async fn search(browser: &Browser, term: &str) -> Vec<(String, String)> {
    let client = &browser.client;
    let bar = client.find(Locator::Id("mdbook-searchbar")).await.unwrap();
    if !bar.is_displayed().await.unwrap() {
        browser.js("window.scrollTo(0, 0)").await;
        let toggle = client.find(Locator::Id("mdbook-search-toggle")).await;
        toggle.unwrap().click().await.unwrap();
        harness::wait_until_displayed(&bar).await;
    }
    bar.clear().await.unwrap();
    bar.send_keys(term).await.unwrap();
    // The header names the term once the results for it are shown.
    let header = client.find(Locator::Id("mdbook-searchresults-header"));
    let header = header.await.unwrap();
    for _ in 0..100 {
        if header.text().await.unwrap().contains(&format!("'{term}'"))
            || header.text().await.unwrap().contains(term)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        header.text().await.unwrap().contains(term),
        "searching `{term}` shows no results header for it"
    );
    let found = browser
        .js(&format!(
            "const base = new URL('{base}');
             return {SHOWN_RESULTS};",
            base = site().base
        ))
        .await;
    serde_json::from_value(found).unwrap()
}

/// The results the search shows, in order, as `[page.html#section, title]`, pages relative to
/// `base`, the book's root.
const SHOWN_RESULTS: &str = "Array.from(document.querySelectorAll('#mdbook-searchresults li > a'))
    .map(a => {
        const url = new URL(a.href);
        return [url.pathname.slice(base.pathname.length) + url.hash, a.innerText];
    })";

/// Every element of the page, outside code blocks and table wrappers (which scroll on their
/// own), that reaches past the right edge of the viewport, and whether the page scrolls sideways.
const SIDEWAYS: &str = "
    const width = document.documentElement.clientWidth;
    const found = [];
    const page = document.scrollingElement;
    if (page.scrollWidth > width) {
        found.push('the page scrolls sideways: ' + page.scrollWidth + ' px wide');
    }
    for (const el of document.querySelectorAll('#mdbook-page-wrapper *')) {
        if (el.parentElement.closest('pre, .table-wrapper')) continue;
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 0.5) {
            const text = (el.innerText || el.outerHTML).slice(0, 60).replace(/\\s+/g, ' ');
            found.push(el.tagName.toLowerCase() + ' reaches ' + Math.round(box.right) + ' px: ' + text);
        }
    }
    return found;";

/// Functions the scripts below share: the figures of a chapter's text, an SVG of each to measure
/// (for an `<img>`, its file drawn inline at the size the image has on screen), colours, and
/// WCAG's contrast ratio.
const FIGURE_HELPERS: &str = "
    // Only what is shown: not icons, and not the hidden copy of each image mdBook keeps for its zoom.
    const figures = () => Array.from(document.querySelectorAll('main img, main svg'))
        .filter(el => !el.parentElement.closest('pre, button, .fa-svg, svg, a.header'))
        .filter(el => el.getBoundingClientRect().width > 0);
    const root = new URL(path_to_root || '.', location.href).pathname;
    const sourceOf = el => el.tagName.toLowerCase() === 'img'
        ? new URL(el.src).pathname.slice(root.length) : 'an inline svg';
    // null for a raster image.
    const svgOf = async el => {
        if (el.tagName.toLowerCase() !== 'img') return {svg: el, done: () => {}};
        if (!/[.]svg$/.test(new URL(el.src).pathname)) return null;
        const box = el.getBoundingClientRect();
        const text = await (await fetch(el.src)).text();
        const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
        svg.setAttribute('width', box.width);
        svg.setAttribute('height', box.height);
        const holder = document.createElement('div');
        holder.style.cssText = 'position:absolute; left:0; top:0; visibility:hidden';
        holder.appendChild(document.importNode(svg, true));
        document.body.appendChild(holder);
        return {svg: holder.firstChild, done: () => holder.remove()};
    };
    const rgba = value => {
        const v = (value.match(/[0-9.]+/g) || []).map(Number);
        return v.length < 3 ? null : [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
    };
    // The colour behind an element: the first opaque background among it and its ancestors.
    // With `memo` (a Map), each element's answer is kept for the next call, for text beside text.
    const behind = (el, memo) => {
        if (!el) return [255, 255, 255];
        if (memo && memo.has(el)) return memo.get(el);
        const color = rgba(getComputedStyle(el).backgroundColor);
        const back = color && color[3] > 0 ? color.slice(0, 3) : behind(el.parentElement, memo);
        if (memo) memo.set(el, back);
        return back;
    };
    // The elements of the page, the table of contents and the menu bar that hold text of their
    // own, outside charts: the same in every theme, so found once for each script.
    let texts = null;
    const textElements = () => texts ??= Array.from(document.querySelectorAll(
            'main *, #mdbook-sidebar *, #mdbook-menu-bar *, .nav-wrapper *'))
        .filter(el => Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
        .filter(el => !el.closest('svg'));
    const contrast = (a, b) => {
        const lum = c => {
            const [r, g, b] = c.map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const [x, y] = [lum(a), lum(b)];
        return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
    };
";

/// With `FIGURE_HELPERS`: the tables and figures of a chapter, `{tables, figures, width}`. Each
/// table with its problems; each figure with its source, its right edge, and the smallest text it
/// shows, in CSS pixels on screen (null for a raster image).
const TABLES_AND_FIGURES: &str = "
    const width = document.documentElement.clientWidth;
    const tables = Array.from(document.querySelectorAll('main table')).map(table => {
        const wrapper = table.closest('.table-wrapper');
        const problems = [];
        const scrolls = wrapper && getComputedStyle(wrapper).overflowX === 'auto';
        if (!scrolls && table.getBoundingClientRect().right > width) {
            problems.push('wider than the screen, and does not scroll');
        }
        // Wider than its wrapper, a table scrolls: the wrapper shows that it does (a shadow at
        // the edge with more to show), and the first column stays in view.
        if (wrapper && table.getBoundingClientRect().width > wrapper.clientWidth + 1) {
            if (!/gradient/.test(getComputedStyle(wrapper).backgroundImage)) {
                problems.push('scrolls sideways with nothing that shows it does');
            }
            const first = table.querySelector('tr > :first-child');
            if (first && getComputedStyle(first).position !== 'sticky') {
                problems.push('scrolls sideways, and its first column scrolls away');
            }
        }
        // A reader sees two columns side by side: the second starts on the screen, with room.
        const second = table.querySelector('tr > :nth-child(2)');
        if (second && second.getBoundingClientRect().left > width - 80) {
            problems.push('its second column starts off the screen, at '
                + Math.round(second.getBoundingClientRect().left) + ' px');
        }
        for (const cell of table.querySelectorAll('th, td')) {
            const size = parseFloat(getComputedStyle(cell).fontSize);
            if (size < 12) problems.push('text of ' + size + ' px in ' + cell.innerText);
            if (cell.scrollWidth > cell.clientWidth + 1) problems.push('cut off: ' + cell.innerText);
        }
        return {text: table.innerText.slice(0, 40), problems};
    });
    const measure = async el => {
        const found = {source: sourceOf(el), right: el.getBoundingClientRect().right, smallest: null};
        const drawn = await svgOf(el);
        if (drawn) {
            found.smallest = Math.min(...Array.from(drawn.svg.querySelectorAll('text'))
                .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a));
            drawn.done();
        }
        return found;
    };
    return {tables, figures: await Promise.all(figures().map(measure)), width};
";

/// Runs `body` (which may `await` and `return`) with `FIGURE_HELPERS` in the page.
async fn with_figure_helpers(browser: &Browser, body: &str) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         {FIGURE_HELPERS}
         (async () => {{ {body} }})().then(done, error => done({{error: String(error)}}));"
    );
    let result = browser.client.execute_async(&script, vec![]).await.unwrap();
    assert!(result.get("error").is_none(), "script failed: {result}");
    result
}

/// With `FIGURE_HELPERS`: every piece of text a reader sees in the page, the table of contents
/// and the menu bar, and every line and mark of a chart, whose colour is too close to the colour
/// behind it, by WCAG's measure: text needs 4.5:1, large text (24 px, or bold from 18.7 px) 3:1,
/// a chart's lines and marks 3:1 and its labels 4.5:1. Links, the current chapter in the table of
/// contents and code comments are among that text: `seen` counts the pieces of each checked, and
/// the desktop's pass fails if one of them never was. An element's opacity, and its ancestors',
/// fades its colour into what is behind it. Returns `{problems, figures, seen}`.
const CONTRAST: &str = "
    const problems = [];
    const seen = {links: 0, current: 0, comments: 0};
    // Text sits beside other text: each element's background and opacity (its own times its
    // ancestors') is worked out once, for all the text inside it.
    const backs = new Map();
    const opacities = new Map();
    const opacityOf = el => {
        if (!el) return 1;
        if (!opacities.has(el)) {
            opacities.set(el, Number(getComputedStyle(el).opacity) * opacityOf(el.parentElement));
        }
        return opacities.get(el);
    };
    for (const el of textElements()) {
        if (el.getClientRects().length === 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility !== 'visible') continue;
        const back = behind(el, backs);
        const color = rgba(style.color);
        const opacity = color[3] * opacityOf(el);
        const shown = color.slice(0, 3).map((c, i) => c * opacity + back[i] * (1 - opacity));
        const ratio = contrast(shown, back);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
        const needed = large ? 3 : 4.5;
        if (el.closest('main a')) seen.links += 1;
        if (el.closest('#mdbook-sidebar .active')) seen.current += 1;
        if (el.closest('.hljs-comment')) seen.comments += 1;
        if (ratio < needed) {
            const what = el.tagName.toLowerCase() + (el.className ? '.' + el.className.replace(/ /g, '.') : '');
            problems.push(`${what} \"${el.textContent.trim().slice(0, 30)}\": ${ratio.toFixed(2)}:1 `
                + `(${shown.map(Math.round)} on ${back}), needs ${needed}:1`);
        }
    }
    const shown = figures();
    for (const el of shown) {
        const drawn = await svgOf(el);
        if (!drawn) { problems.push(sourceOf(el) + ' is not SVG: its colours cannot be checked'); continue; }
        const area = drawn.svg.getBoundingClientRect();
        // Behind the drawing: a rectangle that fills it, or else the page.
        let back = behind(el);
        for (const rect of drawn.svg.querySelectorAll('rect')) {
            const box = rect.getBoundingClientRect();
            const fill = rgba(getComputedStyle(rect).fill);
            if (fill && fill[3] === 1 && box.width * box.height >= 0.95 * area.width * area.height) back = fill.slice(0, 3);
        }
        const marks = drawn.svg.querySelectorAll('text, polyline, polygon, path, circle, ellipse');
        for (const mark of marks) {
            const style = getComputedStyle(mark);
            const isText = mark.tagName.toLowerCase() === 'text';
            const color = rgba(isText || style.stroke === 'none' ? style.fill : style.stroke);
            if (!color || color[3] === 0) continue;
            const ratio = contrast(color.slice(0, 3), back);
            const needed = isText ? 4.5 : 3;
            if (ratio < needed) {
                const what = isText ? '\"' + mark.textContent.slice(0, 30) + '\"' : 'a ' + mark.tagName;
                problems.push(`${sourceOf(el)}: ${what}: ${ratio.toFixed(1)}:1 (${color.slice(0, 3)} on ${back}), needs ${needed}:1`);
            }
        }
        drawn.done();
    }
    return {problems, figures: shown.length, seen};
";

/// The text of every table cell on the page, whitespace collapsed.
const TABLE_CELLS: &str = "
    return Array.from(document.querySelectorAll('main table')).map(table =>
        Array.from(table.querySelectorAll('th, td')).map(cell => cell.textContent.replace(/\\s+/g, ' ').trim()));";

/// With `FIGURE_HELPERS`: `CONTRAST`, if the theme `theme` names (a JavaScript expression) is the
/// one on; else the problem that it is not.
fn contrast_in_theme(theme: &str) -> String {
    format!(
        "if (!document.documentElement.classList.contains({theme})) {{
             return {{problems: ['the theme is not on'], figures: 0}};
         }}
         {CONTRAST}"
    )
}

/// With `FIGURE_HELPERS`: all five of mdBook's themes picked in turn from a script, pressing the
/// buttons of the theme menu, with `CONTRAST` in each; then the light theme again.
fn all_themes() -> String {
    format!(
        "const found = {{}};
         for (const theme of {THEMES:?}) {{
             document.getElementById('mdbook-theme-' + theme).click();
             found[theme] = await (async () => {{ {contrast} }})();
         }}
         document.getElementById('mdbook-theme-light').click();
         return found;",
        contrast = contrast_in_theme("theme")
    )
}

/// Every block with hidden lines hides them, shows them once its eye button is pressed, and hides
/// them again at a second press, which leaves the page as a reader first sees it (the contrast of
/// a page's text is checked later on some pages, and shown hidden lines are dimmed on purpose).
/// Code folded away (an exercise's starter and solution) is unfolded first, as a reader does.
/// With `opts.eyeByHand`, the first block's button is left for a pointer to press.
/// Returns `{hidden, byHand, problems}`: for each block, whether it hid its lines at first.
const EYE_BUTTONS: &str = "
    document.querySelectorAll('main details').forEach(d => d.open = true);
    const blocks = Array.from(document.querySelectorAll('pre')).filter(pre => pre.querySelector('.boring'));
    const hidden = blocks.map(pre => Array.from(pre.querySelectorAll('.boring'))
        .every(line => line.getClientRects().length === 0));
    const byHand = opts.eyeByHand && blocks.length > 0;
    const problems = blocks.map((pre, index) => {
        if (index === 0 && byHand) return null;
        const button = pre.querySelector(\"button[title='Show hidden lines']\");
        if (!button) return 'block ' + index + ' has no eye button';
        const lines = Array.from(pre.querySelectorAll('.boring'));
        button.click();
        if (!lines.every(line => line.getClientRects().length > 0)) {
            return 'block ' + index + ' still hides lines after the eye button';
        }
        button.click();
        return lines.every(line => line.getClientRects().length === 0) ? null
            : 'block ' + index + ' still shows its hidden lines after a second press';
    }).filter(problem => problem);
    return {hidden, byHand, problems};";

/// How much the page moved as it loaded, before anything was pressed: the layout shifts Chromium
/// recorded (a `PerformanceObserver` for `layout-shift`, buffered), summed, with what moved; and
/// whether the page was drawn before its scripts ran (its first contentful paint came before the
/// end of parsing, which runs the scripts at the page's end). Only such a load can show what the
/// scripts move: the harness holds each page's scripts back until the browser has drawn the page.
/// Returns `{score, moved, paintedFirst}`.
const LAYOUT_SHIFTS: &str = "
    const recorded = [];
    const observer = new PerformanceObserver(list => recorded.push(...list.getEntries()));
    observer.observe({type: 'layout-shift', buffered: true});
    // The buffered entries come in a task of their own, a frame at most after this.
    await new Promise(frame => requestAnimationFrame(() => setTimeout(frame, 0)));
    recorded.push(...observer.takeRecords());
    observer.disconnect();
    const shifts = recorded.filter(shift => !shift.hadRecentInput);
    const moved = new Set();
    for (const shift of shifts) {
        for (const source of shift.sources) {
            const node = source.node;
            if (!node) continue;
            const el = node.nodeType === 1 ? node : node.parentElement;
            moved.add(el.tagName.toLowerCase() + ' \"'
                + (node.textContent || '').trim().slice(0, 40).replace(/\\s+/g, ' ') + '\"');
        }
    }
    const navigation = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {
        score: shifts.reduce((sum, shift) => sum + shift.value, 0),
        moved: Array.from(moved).slice(0, 4),
        paintedFirst: Boolean(paint) && paint.startTime < navigation.domInteractive,
    };";

/// The code blocks a reader should see whole, each with what keeps part of it from view: at a
/// desktop width (`opts.desktop`) every block, as shown, its hidden lines hidden; on a phone the
/// blocks that wrap their lines (shell commands). A line must fit its block (no sideways
/// scrolling). In a block that wraps, no character may lie under its buttons (copy, eye), which
/// show over its top right corner when it is hovered or tapped; a listing that does not wrap
/// scrolls under them, as it does in mdBook. Returns `{problems, whole, wrapping}`: how many
/// blocks were checked, and how many of them wrap.
const CODE_BLOCKS: &str = "
    const problems = [];
    let [whole, wrapping] = [0, 0];
    const range = document.createRange();
    for (const code of document.querySelectorAll('main pre > code')) {
        const wraps = getComputedStyle(code).whiteSpace === 'pre-wrap';
        if (!opts.desktop && !wraps) continue;
        whole += 1;
        wrapping += wraps ? 1 : 0;
        const start = code.innerText.slice(0, 50).replace(/\\s+/g, ' ');
        if (code.scrollWidth > code.clientWidth) {
            problems.push(`a line is wider than its block (${code.scrollWidth} px in `
                + `${code.clientWidth}): ${start}`);
        }
        const buttons = Array.from(code.parentElement.querySelectorAll(':scope > .buttons button'))
            .map(button => button.getBoundingClientRect())
            .filter(box => box.width > 0);
        if (!wraps || buttons.length === 0) continue;
        const below = Math.max(...buttons.map(box => box.bottom));
        const covered = [];
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        walk: for (let text; (text = walker.nextNode());) {
            for (let i = 0; i < text.length; i++) {
                if (/\\s/.test(text.data[i])) continue;
                range.setStart(text, i);
                range.setEnd(text, i + 1);
                const box = range.getBoundingClientRect();
                if (box.width === 0) continue;
                // Text runs down the block: past the buttons, the rest is below them too.
                if (box.top >= below) break walk;
                if (buttons.some(b => box.left < b.right && box.right > b.left
                                      && box.top < b.bottom && box.bottom > b.top)) {
                    covered.push(text.data[i]);
                }
            }
        }
        if (covered.length) {
            problems.push(`its buttons cover \"${covered.join('')}\": ${start}`);
        }
    }
    return {problems, whole, wrapping};";

/// Every piece of code in a table that marks where it may break (`<wbr>`, after each underscore
/// of a variant name in the measured chapter's tables) breaks only there, never inside a word:
/// each line of it but the last ends with an underscore. Each problem names the code and its
/// lines.
const WORD_BREAKS: &str = "
    const problems = [];
    const range = document.createRange();
    for (const table of document.querySelectorAll('main table')) {
        if (!table.querySelector('code wbr')) continue;
        for (const code of table.querySelectorAll('code')) {
            const lines = [];
            let top = null;
            const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
            for (let text; (text = walker.nextNode());) {
                for (let i = 0; i < text.length; i++) {
                    range.setStart(text, i);
                    range.setEnd(text, i + 1);
                    const box = range.getBoundingClientRect();
                    if (top === null || box.top > top + box.height / 2) {
                        lines.push('');
                        top = box.top;
                    }
                    lines[lines.length - 1] += text.data[i];
                }
            }
            if (lines.slice(0, -1).some(line => !line.endsWith('_'))) {
                problems.push(`${code.textContent} breaks inside a word: ${lines.join(' / ')}`);
            }
        }
    }
    return problems;";

/// What the page loop reads from each page, in one script, in the order a reader meets it: how
/// much the page moved as it loaded; sideways scrolling; the code blocks a reader sees whole;
/// then, on a chapter, its tables' cells (`opts.cells`), its tables and charts on a phone
/// (`opts.phone`), where the code in its tables breaks, how many tables and figures it shows, whether its charts fit the screen
/// (`opts.desktop`), the contrast of its text and charts in every theme (on a desktop, every
/// chapter; on a phone, those with a table or a chart; `themed` says if they were, unless
/// `opts.themesByHand`), and the eye buttons.
fn page_checks(opts: &Value) -> String {
    let themes = all_themes();
    format!(
        "const opts = {opts};
         const found = {{shifts: await (async () => {{ {LAYOUT_SHIFTS} }})()}};
         found.sideways = (() => {{ {SIDEWAYS} }})();
         found.code = (() => {{ {CODE_BLOCKS} }})();
         if (!opts.chapter) return found;
         if (opts.cells) found.cells = (() => {{ {TABLE_CELLS} }})();
         if (opts.phone) found.phone = await (async () => {{ {TABLES_AND_FIGURES} }})();
         found.words = (() => {{ {WORD_BREAKS} }})();
         found.shown = document.querySelectorAll('main table, main img, main svg').length;
         // A chart, its top under the menu bar, fits the screen (a desktop's is 900 px tall).
         if (opts.desktop) found.tallCharts = figures()
             .map(el => [sourceOf(el), el.getBoundingClientRect().height])
             .filter(([, height]) => height > window.innerHeight
                 - document.getElementById('mdbook-menu-bar').offsetHeight);
         found.themed = Boolean(found.shown || opts.desktop);
         if (found.themed && !opts.themesByHand) found.themes = await (async () => {{ {themes} }})();
         found.eye = (() => {{ {EYE_BUTTONS} }})();
         return found;"
    )
}

/// Presses the eye button of the open page's first block with hidden lines, pointer and all, and
/// checks that the block then shows them.
async fn press_the_first_eye_button_by_hand(
    browser: &Browser,
    at: &str,
    failures: &mut Vec<String>,
) {
    let blocks = browser
        .client
        .find_all(Locator::XPath("//pre[.//*[contains(@class, 'boring')]]"))
        .await
        .unwrap();
    let block = &blocks[0];
    // Bring the block's top, where its buttons are, below the menu bar, which would otherwise
    // take the click.
    browser
        .client
        .execute(
            "const top = arguments[0].getBoundingClientRect().top + window.scrollY;
             window.scrollTo(0, Math.max(0, top - window.innerHeight / 3));",
            vec![serde_json::to_value(block).unwrap()],
        )
        .await
        .unwrap();
    let Ok(button) = block
        .find(Locator::Css("button[title='Show hidden lines']"))
        .await
    else {
        failures.push(format!("{at}: block 0 has no eye button"));
        return;
    };
    // The buttons appear when the pointer is over the block, or a finger taps it, and fade in:
    // on a busy machine a press can come before they are there, so a reader would press again.
    let mut pressed = Err(String::new());
    for _ in 0..10 {
        block.click().await.unwrap();
        harness::wait_until_displayed(&button).await;
        pressed = button.click().await.map_err(|e| e.to_string());
        if pressed.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if let Err(e) = pressed {
        failures.push(format!("{at}: cannot press the eye button: {e}"));
    }
    let shown = browser
        .client
        .execute(
            "return Array.from(arguments[0].querySelectorAll('.boring'))
                 .every(line => line.getClientRects().length > 0);",
            vec![serde_json::to_value(block).unwrap()],
        )
        .await
        .unwrap();
    if shown != true {
        failures.push(format!(
            "{at}: block 0 still hides lines after the eye button"
        ));
    }
}

/// The console's errors on the open page, after a search from it if `searching`: searching loads
/// the search index too, by a path that depends on how deep the page is.
async fn search_and_console(
    browser: &Browser,
    page: &str,
    width: u32,
    searching: bool,
    failures: &mut Vec<String>,
) {
    let at = format!("console: {page} at {width} px");
    if searching && search(browser, "future").await.is_empty() {
        failures.push(format!("{at}: search finds nothing"));
    }
    for error in browser.console_errors().await {
        // The 404 page is served with status 404, and Chromium logs that status.
        let own_status = format!(
            "{} - Failed to load resource: the server responded with a status of 404",
            site().url(page)
        );
        if page.starts_with("no/such/") && error.starts_with(&own_status) {
            continue;
        }
        failures.push(format!("{at}: {error}"));
    }
}

/// The tables and charts of a page on a phone, as `TABLES_AND_FIGURES` found them: each readable,
/// none cut off; a chart's text at least 10 px. Records each chart's smallest text in
/// `charts_seen`.
fn tables_and_charts_on_a_phone(
    found: &Value,
    page: &str,
    failures: &mut Vec<String>,
    charts_seen: &mut BTreeMap<String, f64>,
) -> usize {
    let width = SCREENS[1].0;
    let tables = found["tables"].as_array().unwrap();
    for table in tables {
        for problem in table["problems"].as_array().unwrap() {
            failures.push(format!(
                "tables on a phone: {page}: table {}: {problem}",
                table["text"]
            ));
        }
    }
    for figure in found["figures"].as_array().unwrap() {
        let source = figure["source"].as_str().unwrap().to_string();
        if figure["right"].as_f64().unwrap() > found["width"].as_f64().unwrap() + 0.5 {
            failures.push(format!(
                "charts on a phone: {page}: {source} is cut off at the right"
            ));
        }
        let Some(smallest) = figure["smallest"].as_f64() else {
            failures.push(format!(
                "charts on a phone: {page}: {source} is not SVG, so its text cannot be measured: \
                 draw charts as SVG"
            ));
            continue;
        };
        charts_seen.insert(source.clone(), smallest);
        let exempt = SMALL_CHARTS.iter().any(|(chart, _)| *chart == source);
        if smallest < 10.0 && !exempt {
            failures.push(format!(
                "charts on a phone: {page}: {source} shows text of {smallest:.1} px at {width} px: \
                 at least 10 px, please"
            ));
        }
    }
    tables.len()
}

/// Each of mdBook's themes picked from its menu as a reader does, with `CONTRAST` in each; then
/// the light theme again, and the menu closed with its button.
async fn themes_by_hand(browser: &Browser) -> serde_json::Map<String, Value> {
    // The menu bar is at the top of the page on a phone.
    browser.js("window.scrollTo(0, 0)").await;
    let toggle = browser
        .client
        .find(Locator::Id("mdbook-theme-toggle"))
        .await;
    let toggle = toggle.unwrap();
    // The menu stays open after a choice, until its button is pressed again.
    toggle.click().await.unwrap();
    let mut found = serde_json::Map::new();
    for theme in THEMES.into_iter().chain(["light"]) {
        let id = format!("mdbook-theme-{theme}");
        let choice = browser.client.find(Locator::Id(&id)).await.unwrap();
        harness::wait_until_displayed(&choice).await;
        choice.click().await.unwrap();
        if found.contains_key(theme) {
            break;
        }
        let contrast = contrast_in_theme(&format!("'{theme}'"));
        found.insert(theme.into(), with_figure_helpers(browser, &contrast).await);
    }
    // Left open, the menu would close at the next press anywhere, and scroll the page to its top.
    toggle.click().await.unwrap();
    found
}

/// Every piece of text, table and chart of a page, in each of mdBook's themes (`found`, by
/// theme): its text, lines and marks stand out from what is behind them. Adds to `seen` how many
/// links, current chapters and code comments were checked. Returns how many figures were.
fn themes(
    found: &Value,
    page: &str,
    width: u32,
    failures: &mut Vec<String>,
    seen: &mut BTreeMap<String, u64>,
) -> u64 {
    let mut figures = 0;
    for theme in THEMES {
        figures += found[theme]["figures"].as_u64().unwrap();
        for (what, count) in found[theme]["seen"].as_object().unwrap() {
            *seen.entry(what.clone()).or_default() += count.as_u64().unwrap();
        }
        for problem in found[theme]["problems"].as_array().unwrap() {
            let problem = problem.as_str().unwrap();
            failures.push(format!(
                "themes: {page}, {theme} theme, {width} px: {problem}"
            ));
        }
    }
    figures
}

/// What one screen's pass over the pages found.
#[derive(Default)]
struct Pass {
    failures: Vec<String>,
    /// Every chapter's tables, by chapter, as their cells' text.
    chapter_tables: Vec<(String, Vec<String>)>,
    eye_blocks: usize,
    /// Tables checked on a phone.
    tables: usize,
    figures: u64,
    /// Each chart's smallest text on a phone.
    charts_seen: BTreeMap<String, f64>,
    /// The checks made on pages that have more to check: the front page and the 404 page.
    extras_checked: Vec<&'static str>,
    /// Pages loaded, and of those, how many were drawn before their scripts ran.
    pages: usize,
    painted_first: usize,
    /// The most any page moved as it loaded, and which page, with what moved.
    most_shifted: (f64, String),
    /// Code blocks checked to be seen whole, and of those, how many wrap their lines.
    whole_blocks: u64,
    wrapping_blocks: u64,
    /// Pieces of text checked in every theme: links, the current chapter, code comments.
    seen: BTreeMap<String, u64>,
}

/// The most a page may move as it loads: Google's threshold for a "good" cumulative layout shift
/// (web.dev/articles/cls). Loaded as the harness serves it, the text drawn before the scripts, a
/// page of the book moves by nothing at all; the inline code padding mdBook's script adds, left
/// to the script, moved pages by up to 0.26 there.
const LAYOUT_SHIFT_LIMIT: f64 = 0.1;

/// Every page at `screen`, each loaded once: sideways scrolling, tables and charts on a phone,
/// themes, the eye button, then a search and the console's errors. All but the search and the
/// console are read by one script per page. On the first page that has them, the theme menu and
/// an eye button are pressed by hand, as a reader does; after that, from the script, which
/// presses the same buttons. Some pages have more to check while they are open: the front page,
/// what searches find; the 404 page, the way back into the book; the print page, how it prints,
/// on A4 from the desktop's pass and on Letter from the phone's (`PAPERS`).
async fn every_page_at(browser: &mut Browser, screen: (u32, u32)) -> Pass {
    let mut pass = Pass::default();
    let failures = &mut pass.failures;
    // A reader meets `404.html` at an address that has no page, not at its own: it is checked there.
    let missing = "no/such/chapter.html";
    let mut pages = site().pages();
    pages.retain(|page| page != "404.html" && page != "print.html");
    pages.push(missing.into());
    // The print page last: it is printed too, once every chapter's tables are known.
    pages.push("print.html".into());
    let chapters = site().chapters();
    browser.set_screen(screen).await;
    let (mut themes_by_hand_yet, mut eye_by_hand_yet) = (true, true);
    let (desktop, phone) = (screen == SCREENS[0], screen == SCREENS[1]);
    // Search from one page at each depth, the book's front page first: the index is found by a
    // path relative to the page.
    let mut searched_at_depth = Vec::new();
    for page in &pages {
        browser.open(page).await;
        let chapter = chapters.contains(page);
        let opts = serde_json::json!({
            "chapter": chapter,
            "cells": chapter,
            "phone": chapter && phone,
            "desktop": desktop,
            "themesByHand": themes_by_hand_yet,
            "eyeByHand": eye_by_hand_yet,
        });
        let found = with_figure_helpers(browser, &page_checks(&opts)).await;
        let shifts = &found["shifts"];
        let score = shifts["score"].as_f64().unwrap();
        if score > pass.most_shifted.0 {
            pass.most_shifted = (score, format!("{page} {}", shifts["moved"]));
        }
        pass.painted_first += usize::from(shifts["paintedFirst"] == true);
        pass.pages += 1;
        if score >= LAYOUT_SHIFT_LIMIT {
            failures.push(format!(
                "layout shift: {page} at {} px moved {score:.3} as it loaded (at most \
                 {LAYOUT_SHIFT_LIMIT}): {}",
                screen.0, shifts["moved"]
            ));
        }
        let code = &found["code"];
        for problem in code["problems"].as_array().unwrap() {
            let problem = problem.as_str().unwrap();
            failures.push(format!("code blocks: {page} at {} px: {problem}", screen.0));
        }
        pass.whole_blocks += code["whole"].as_u64().unwrap();
        pass.wrapping_blocks += code["wrapping"].as_u64().unwrap();
        let sideways: Vec<String> = serde_json::from_value(found["sideways"].clone()).unwrap();
        failures.extend(
            sideways
                .into_iter()
                .map(|f| format!("sideways: {page} at {} px: {f}", screen.0)),
        );
        if chapter {
            let cells: Vec<Vec<String>> = serde_json::from_value(found["cells"].clone()).unwrap();
            pass.chapter_tables
                .extend(cells.into_iter().map(|cells| (page.clone(), cells)));
            if phone {
                pass.tables += tables_and_charts_on_a_phone(
                    &found["phone"],
                    page,
                    failures,
                    &mut pass.charts_seen,
                );
            }
            for problem in found["words"].as_array().unwrap() {
                let problem = problem.as_str().unwrap();
                failures.push(format!("tables: {page} at {} px: {problem}", screen.0));
            }
            for chart in found["tallCharts"].as_array().into_iter().flatten() {
                failures.push(format!(
                    "charts: {page}: {} is {:.0} px tall, more than the {} px of the screen \
                     under the menu bar",
                    chart[0], chart[1], screen.1
                ));
            }
            if found["themed"] == true {
                let by_theme = if std::mem::take(&mut themes_by_hand_yet) {
                    Value::Object(themes_by_hand(browser).await)
                } else {
                    found["themes"].clone()
                };
                pass.figures += themes(&by_theme, page, screen.0, failures, &mut pass.seen);
            }
            let eye = &found["eye"];
            let at = format!("eye button: {page} at {} px", screen.0);
            let hidden: Vec<bool> = serde_json::from_value(eye["hidden"].clone()).unwrap();
            if !hidden.iter().all(|&h| h) {
                failures.push(format!("{at}: shows lines it should hide: {hidden:?}"));
            }
            for problem in eye["problems"].as_array().unwrap() {
                failures.push(format!("{at}: {}", problem.as_str().unwrap()));
            }
            if eye["byHand"] == true {
                eye_by_hand_yet = false;
                press_the_first_eye_button_by_hand(browser, &at, failures).await;
            }
            pass.eye_blocks += hidden.len();
        }
        // From the front page, the searches of `TEACHING` are its search.
        let depth = page.matches('/').count();
        let searching = depth > 0 && !searched_at_depth.contains(&depth);
        if searching {
            searched_at_depth.push(depth);
        }
        if page == "index.html" {
            search_finds_the_sections_that_teach_each_term(browser, screen.0, failures).await;
            pass.extras_checked.push("searches");
        }
        if page == missing {
            the_404_page_leads_back_into_the_book(browser, screen.0, failures).await;
            pass.extras_checked.push("404 page");
        }
        if page == "print.html" {
            let paper = if desktop { PAPERS[0] } else { PAPERS[1] };
            let tables = &pass.chapter_tables;
            printed_every_cell_and_code_line_is_kept(browser, paper, tables, failures).await;
            browser.set_screen(screen).await;
            pass.extras_checked.push("print");
        }
        // Last, so that any error the checks above cause is reported with this page.
        search_and_console(browser, page, screen.0, searching, failures).await;
    }
    pass
}

/// Each of `terms` searched in turn on the open page, from a script: it sets the search bar's text
/// and sends the `keyup` a reader's last key ends in, which is what mdBook's search listens for
/// (mdbook-html 0.5.4, `front-end/searcher/searcher.js`: `searchbarKeyUpHandler`). The results for
/// each term as `search` returns them, or `None` if the results header does not name the term.
/// The search index must have loaded: search once with `search` first.
async fn search_each(browser: &Browser, terms: &[&str]) -> Vec<Option<Vec<(String, String)>>> {
    let found = browser
        .js(&format!(
            "const base = new URL('{base}');
             const bar = document.getElementById('mdbook-searchbar');
             const header = document.getElementById('mdbook-searchresults-header');
             return {terms:?}.map(term => {{
                 bar.value = term;
                 bar.dispatchEvent(new KeyboardEvent('keyup', {{bubbles: true}}));
                 if (!header.innerText.includes(term)) return null;
                 return {SHOWN_RESULTS};
             }});",
            base = site().base
        ))
        .await;
    serde_json::from_value(found).unwrap()
}

/// The first results of each search in `TEACHING`, from the open page, are the sections that
/// teach the term; no term of `NOT_TAUGHT_YET` names a section's heading. The first term is typed
/// as a reader types it; the others are searched from a script (`search_each`).
async fn search_finds_the_sections_that_teach_each_term(
    browser: &Browser,
    width: u32,
    failures: &mut Vec<String>,
) {
    let typed = search(browser, TEACHING[0].0).await;
    // The typed term last: mdBook does not search again for the term it shows.
    let mut terms: Vec<&str> = TEACHING.iter().map(|&(term, _)| term).collect();
    terms.rotate_left(1);
    let mut taught = search_each(browser, &terms).await;
    // Back in the order of `TEACHING`.
    taught.rotate_right(1);
    if taught[0].as_ref() != Some(&typed) {
        failures.push(format!(
            "search: at {width} px, `{}` typed finds {typed:?}, but from a script {:?}",
            TEACHING[0].0, taught[0]
        ));
    }
    let untaught = search_each(browser, NOT_TAUGHT_YET).await;
    let no_header =
        |term| format!("search: at {width} px, searching `{term}` shows no results header for it");
    for (&(term, teaching), found) in TEACHING.iter().zip(taught) {
        let Some(found) = found else {
            failures.push(no_header(term));
            continue;
        };
        let mut first: Vec<&str> = found
            .iter()
            .take(teaching.len())
            .map(|(section, _)| section.as_str())
            .collect();
        first.sort();
        let mut expected = teaching.to_vec();
        expected.sort();
        if first != expected {
            let found: Vec<_> = found.iter().map(|(section, _)| section).collect();
            failures.push(format!(
                "search: at {width} px, `{term}` should first find {teaching:?}; it finds {found:#?}"
            ));
        }
    }
    for (&term, found) in NOT_TAUGHT_YET.iter().zip(untaught) {
        let Some(found) = found else {
            failures.push(no_header(term));
            continue;
        };
        for (section, title) in found {
            let heading = title.split('»').next_back().unwrap_or("");
            if heading.to_lowercase().contains(&term.to_lowercase()) {
                failures.push(format!(
                    "search: {section} (\"{title}\") names `{term}`: add it to TEACHING"
                ));
            }
        }
    }
}

/// The 404 page, open at a missing page deep under the sub-path (so that a relative path to its
/// styles would miss them), loads its styles and scripts, and leads back into the book.
async fn the_404_page_leads_back_into_the_book(
    browser: &Browser,
    width: u32,
    failures: &mut Vec<String>,
) {
    let loaded = browser
        .js("const resources = performance.getEntriesByType('resource')
                 .map(entry => [entry.name, entry.responseStatus]);
             const sheets = Array.from(document.querySelectorAll('link[rel=stylesheet]'))
                 // mdBook turns off the highlighting styles of the themes not in use.
                 .filter(link => !link.disabled)
                 .map(link => [link.href, link.sheet ? link.sheet.cssRules.length : 0]);
             return {
                 heading: document.querySelector('main h1').innerText,
                 links: Array.from(document.querySelectorAll('main a[href]')).map(a => a.href),
                 resources, sheets,
                 font: getComputedStyle(document.body).fontFamily,
                 sidebar: getComputedStyle(document.getElementById('mdbook-sidebar')).position,
                 firstChapter: document.querySelector('.sidebar a[href]')?.href ?? 'none: no script ran',
             };")
        .await;
    let at = format!("404 page at {width} px");
    let mut problem = |ok: bool, what: String| {
        if !ok {
            failures.push(format!("{at}: {what}: {loaded}"));
        }
    };
    problem(
        loaded["heading"].as_str().unwrap().contains("404"),
        "its heading does not say 404".into(),
    );
    let sheets = loaded["sheets"].as_array().unwrap();
    problem(sheets.len() >= 3, format!("{} stylesheets", sheets.len()));
    for sheet in sheets {
        problem(
            sheet[0].as_str().unwrap().starts_with(&site().base),
            format!("a stylesheet outside the book: {sheet}"),
        );
        problem(
            sheet[1].as_u64().unwrap() > 0,
            format!("a stylesheet did not load: {sheet}"),
        );
    }
    for resource in loaded["resources"].as_array().unwrap() {
        problem(resource[1] == 200, format!("a resource failed: {resource}"));
    }
    // Styled, the page has mdBook's font and a fixed sidebar; unstyled, neither.
    problem(
        loaded["font"]
            .as_str()
            .unwrap()
            .starts_with("\"Open Sans\""),
        "not mdBook's font".into(),
    );
    problem(loaded["sidebar"] == "fixed", "no fixed sidebar".into());
    problem(
        loaded["firstChapter"]
            .as_str()
            .unwrap()
            .starts_with(&site().base),
        "the sidebar links outside the book".into(),
    );
    // It says where the reader may have meant to go: the Introduction and Troubleshooting.
    let links: Vec<String> = serde_json::from_value(loaded["links"].clone()).unwrap();
    for page in ["introduction.html", "troubleshooting.html"] {
        let url = site().url(page);
        problem(links.contains(&url), format!("no link to {url}"));
    }
}

/// Paper sizes, portrait, as the width in CSS px of what Chromium prints on them inside its
/// default margins of 1 cm: A4 is 210 mm wide, Letter 8.5 in.
const PAPERS: [(&str, u32); 2] = [("A4", 718), ("Letter", 740)];

/// The open print page, printed on `paper` (laid out at its width, with print styles): every
/// table cell of every chapter is on it, none hidden or cut off at the right; no
/// code line and no character is cut off; nothing on the page scrolls, so no scrollbar is drawn
/// down the pages.
async fn printed_every_cell_and_code_line_is_kept(
    browser: &mut Browser,
    (paper, width): (&str, u32),
    chapter_tables: &[(String, Vec<String>)],
    failures: &mut Vec<String>,
) {
    assert!(!chapter_tables.is_empty(), "the book has tables");

    browser
        .devtools(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"media": "print"}),
        )
        .await;
    browser.set_screen((width, 1000)).await;
    let printed: Vec<Vec<String>> = serde_json::from_value(browser.js(TABLE_CELLS).await).unwrap();
    for (page, cells) in chapter_tables {
        if !printed.contains(cells) {
            failures.push(format!(
                "print on {paper}: not on the print page: {page}: a table starting {:?}",
                &cells[..cells.len().min(3)]
            ));
        }
    }
    let problems = browser
        .js(&format!(
            "const width = document.querySelector('main').getBoundingClientRect().right;
             const problems = (() => {{ {WORD_BREAKS} }})();
             // A table's title, the paragraph just before it, goes to the next page with it
             // rather than end a page alone.
             for (const wrapper of document.querySelectorAll('main .table-wrapper')) {{
                 const title = wrapper.previousElementSibling;
                 if (title && title.tagName === 'P' && getComputedStyle(title).breakAfter !== 'avoid') {{
                     problems.push('a table may start a page without its title: ' + title.innerText.slice(0, 60));
                 }}
             }}
             // A chart cannot be split between pages: at most half of Letter's 10 inches inside
             // its margins, it fits under the text above it more often than not.
             for (const chart of document.querySelectorAll('main figure svg')) {{
                 const height = chart.getBoundingClientRect().height;
                 if (height > 480) problems.push('a chart is ' + Math.round(height) + ' px tall, over half a page');
             }}
             for (const cell of document.querySelectorAll('main td, main th')) {{
                 if (cell.getClientRects().length === 0
                     || cell.getBoundingClientRect().right > width + 0.5) {{
                     problems.push('a table cell is hidden or cut off: ' + cell.innerText);
                 }}
             }}
             for (const pre of document.querySelectorAll('main pre')) {{
                 const code = pre.querySelector('code') || pre;
                 if (code.scrollWidth > code.clientWidth + 1 || pre.getBoundingClientRect().right > width + 0.5) {{
                     problems.push('a code line is cut off: ' + code.innerText.slice(0, 60));
                 }}
             }}
             // Text that does not fit its block overflows it, and is cut at the page's edge.
             for (const el of [document.querySelector('main'), ...document.querySelectorAll('main *')]) {{
                 const display = getComputedStyle(el).display;
                 if (!['block', 'list-item', 'table-cell'].includes(display) || el.closest('pre, svg')) continue;
                 if (el.scrollWidth > el.clientWidth + 1) {{
                     problems.push(el.tagName.toLowerCase() + ' overflows its width: '
                         + (el.innerText || '').slice(0, 60));
                 }}
             }}
             for (const el of [document.documentElement, document.body,
                               ...document.querySelectorAll('#mdbook-page-wrapper, .page, .content, main')]) {{
                 const style = getComputedStyle(el);
                 const scrolls = ['auto', 'scroll'].includes(style.overflowY)
                     || ['auto', 'scroll'].includes(style.overflowX);
                 if (scrolls && el !== document.documentElement && el !== document.body) {{
                     problems.push('.' + (el.className || el.tagName) + ' scrolls on paper (overflow '
                         + style.overflowX + ' ' + style.overflowY + '): a scrollbar is drawn');
                 }}
             }}
             return problems;"
        ))
        .await;
    for problem in problems.as_array().unwrap() {
        failures.push(format!("print on {paper}: {}", problem.as_str().unwrap()));
    }
    browser
        .devtools(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"media": ""}),
        )
        .await;
}

/// One browser per screen, side by side: a page load is mostly the browser's work, and while one
/// browser waits on the other's, the two cores are not both busy.
#[tokio::test]
async fn the_published_site_works_as_readers_use_it() {
    // The book is built while the browsers start.
    let building = tokio::task::spawn_blocking(|| site().base.clone());
    let (desktop, phone) = tokio::join!(Browser::start(), Browser::start());
    building.await.expect("the book is built and served");
    let (Some(mut desktop), Some(mut phone)) = (desktop, phone) else {
        return;
    };
    let (desktop_pass, phone_pass) = tokio::join!(
        every_page_at(&mut desktop, SCREENS[0]),
        every_page_at(&mut phone, SCREENS[1]),
    );
    tokio::join!(desktop.stop(), phone.stop());
    let mut failures = Vec::new();
    for (pass, width) in [(&desktop_pass, SCREENS[0].0), (&phone_pass, SCREENS[1].0)] {
        failures.extend(pass.failures.iter().cloned());
        assert_eq!(
            pass.extras_checked,
            ["searches", "404 page", "print"],
            "at {width} px, the pages these checks need were not all in the loop"
        );
        assert!(
            pass.eye_blocks > 0,
            "at {width} px, no block has hidden lines"
        );
        assert!(pass.figures > 0, "at {width} px, the book shows no chart");
        // A layout shift shows only on a page drawn before its scripts ran: most must be.
        assert!(
            pass.painted_first * 2 > pass.pages,
            "at {width} px, only {} of {} pages were drawn before their scripts ran: the \
             layout-shift check saw too little (the harness holds the scripts back until the \
             browser says it drew the page: see `serve`)",
            pass.painted_first,
            pass.pages
        );
        assert!(
            pass.whole_blocks > 0 && pass.wrapping_blocks > 0,
            "at {width} px, {} code blocks checked to be seen whole, {} of them wrapping: \
             the check saw nothing",
            pass.whole_blocks,
            pass.wrapping_blocks
        );
        let _ = writeln!(
            std::io::stderr(),
            "at {width} px: {} of {} pages drawn before their scripts, the most moved {:.3} \
             ({}); {} code blocks seen whole ({} wrapping); text checked in every theme: {:?}",
            pass.painted_first,
            pass.pages,
            pass.most_shifted.0,
            pass.most_shifted.1,
            pass.whole_blocks,
            pass.wrapping_blocks,
            pass.seen
        );
    }
    assert!(phone_pass.tables > 0, "the book has tables");
    for what in ["links", "current", "comments"] {
        assert!(
            desktop_pass.seen.get(what).copied().unwrap_or(0) > 0,
            "at {} px, no {what} had their contrast checked",
            SCREENS[0].0
        );
    }
    for (chart, why) in SMALL_CHARTS {
        match phone_pass.charts_seen.get(*chart) {
            None => failures.push(format!(
                "{chart} is listed in SMALL_CHARTS ({why}) but no chapter shows it"
            )),
            Some(smallest) if *smallest >= 10.0 => failures.push(format!(
                "{chart} is readable now ({smallest:.1} px), no longer {why}: take it off SMALL_CHARTS"
            )),
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
