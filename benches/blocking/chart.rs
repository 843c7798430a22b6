//! `/check` p99 against K, one series per variant, on a log scale: the median of the runs as a
//! marker, the lowest to the highest run as a bar, and the goal's line (2 × idle p99) on top.
//!
//! Hand-written SVG, meant to be inlined in the page: text and axes are drawn in
//! `currentColor`, so they take the text colour of whichever mdBook theme the reader has
//! chosen, and the series colours are mid-tones that read on light and dark backgrounds alike.
//! Each series also has its own marker shape, for print in black and white. The chart fills
//! the column's width; its viewBox is 340 wide, so 12-unit labels are still at least 10 CSS px
//! on a 360 px phone screen, whose column is about 330 px wide. It shows one condition.

use std::fmt::Write as _;

use crate::data::Row;
use crate::report::{across_runs, figure};
use crate::stats::spread;
use crate::{IDLE_ONLY, KS, Settings};

const W: f64 = 340.0;
const H: f64 = 384.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = W - 6.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 228.0;
const STYLES: [(&str, &str); 9] = [
    ("#d62728", "circle"),
    ("#b35806", "square"),
    ("#2f6fd6", "up"),
    ("#9467bd", "diamond"),
    ("#3a7d22", "down"),
    ("#00808a", "cross"),
    ("#c2378f", "plus"),
    ("#7f7f7f", "circle"),
    ("#8c6d1f", "square"),
];

fn marker(shape: &str, x: f64, y: f64, color: &str) -> String {
    let r = 4.0;
    match shape {
        "circle" => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r}\" fill=\"{color}\"/>"),
        "square" => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{}\" height=\"{}\" fill=\"{color}\"/>",
            x - r,
            y - r,
            2.0 * r,
            2.0 * r
        ),
        "plus" => format!(
            "<path d=\"M{:.1} {y:.1}h{}M{x:.1} {:.1}v{}\" stroke=\"{color}\" stroke-width=\"2.5\"/>",
            x - r - 1.0,
            2.0 * r + 2.0,
            y - r - 1.0,
            2.0 * r + 2.0
        ),
        "cross" => format!(
            "<path d=\"M{:.1} {:.1}l{} {}m0 {}l{} {}\" stroke=\"{color}\" stroke-width=\"2.5\"/>",
            x - r,
            y - r,
            2.0 * r,
            2.0 * r,
            -2.0 * r,
            -2.0 * r,
            2.0 * r
        ),
        _ => {
            let pts: [(f64, f64); 4] = match shape {
                "up" => [(0.0, -1.2), (1.1, 0.8), (-1.1, 0.8), (0.0, -1.2)],
                "down" => [(0.0, 1.2), (1.1, -0.8), (-1.1, -0.8), (0.0, 1.2)],
                _ => [(0.0, -1.3), (1.1, 0.0), (0.0, 1.3), (-1.1, 0.0)],
            };
            let p: Vec<String> = pts
                .iter()
                .map(|(dx, dy)| format!("{:.1},{:.1}", x + dx * r, y + dy * r))
                .collect();
            format!("<polygon points=\"{}\" fill=\"{color}\"/>", p.join(" "))
        }
    }
}

pub fn svg(s: &Settings, rows: &[Row], condition: &str) -> String {
    let ks: Vec<usize> = std::iter::once(0).chain(KS).collect();
    let series: Vec<(&str, Vec<Option<crate::stats::Spread>>)> = s
        .sweep
        .iter()
        .filter(|v| !IDLE_ONLY.contains(&v.as_str()))
        .map(|v| {
            let points = ks
                .iter()
                .map(|&k| across_runs(rows, condition, v, s.n, k, |r| r.check_p99_ms))
                .collect();
            (v.as_str(), points)
        })
        .collect();
    let idle = spread(
        rows.iter()
            .filter(|r| {
                r.condition == condition
                    && r.n == s.n
                    && r.k == 0
                    && s.sweep.contains(&r.variant)
                    && !IDLE_ONLY.contains(&r.variant.as_str())
            })
            .map(|r| r.check_p99_ms),
    );
    let target = idle.map(|i| 2.0 * i.median);
    let values = series
        .iter()
        .flat_map(|(_, p)| p.iter().flatten().flat_map(|s| [s.min, s.max]))
        .chain(target)
        .filter(|v| v.is_finite() && *v > 0.0);
    let lo = values.clone().fold(f64::MAX, f64::min).log10().floor();
    let hi = values.fold(1e-3, f64::max).log10().ceil().max(lo + 1.0);
    let x = |i: usize| LEFT + 22.0 + (RIGHT - LEFT - 44.0) * i as f64 / (ks.len() - 1) as f64;
    let y = |ms: f64| {
        let ms = if ms.is_finite() { ms } else { 10f64.powf(hi) };
        TOP + (BOTTOM - TOP) * (hi - ms.log10()) / (hi - lo)
    };

    let mut o = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"check-latency-title\" style=\"width:100%;height:auto\" font-family=\"sans-serif\" font-size=\"12\" fill=\"currentColor\">\n\
         <title id=\"check-latency-title\">/check p99 latency against K, {condition} machine, median of {} runs with their range, log scale</title>\n\
         <text x=\"{}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">/check p99, ms, {condition}: K × /work/{}</text>\n",
        s.runs,
        W / 2.0,
        s.n
    );
    for decade in lo as i32..=hi as i32 {
        for step in [1.0, 3.0] {
            let ms = step * 10f64.powi(decade);
            if ms.log10() > hi {
                continue;
            }
            let gy = y(ms);
            // Rounded, so that 3 × 0.1 prints as 0.3.
            let label = if ms >= 1000.0 {
                format!("{} s", (ms / 1000.0).round())
            } else {
                format!("{}", (ms * 1e3).round() / 1e3)
            };
            let _ = writeln!(
                o,
                "<line x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{gy:.1}\" y2=\"{gy:.1}\" stroke=\"currentColor\" stroke-opacity=\"{}\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
                if step == 1.0 { 0.3 } else { 0.12 },
                LEFT - 5.0,
                gy + 4.0
            );
        }
    }
    for (i, k) in ks.iter().enumerate() {
        let label = if *k == 0 {
            "idle".to_string()
        } else {
            k.to_string()
        };
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            x(i),
            BOTTOM + 16.0
        );
    }
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">K = /work requests at once</text>",
        (LEFT + RIGHT) / 2.0,
        BOTTOM + 34.0
    );
    let m = series.len() as f64;
    for (j, ((variant, points), (color, shape))) in series.iter().zip(STYLES).enumerate() {
        // Each series is shifted a little sideways, so bars at the same K do not cover each other.
        let dx = (j as f64 - (m - 1.0) / 2.0) * 4.0;
        let line: Vec<String> = points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| format!("{:.1},{:.1}", x(i) + dx, y(p.median))))
            .collect();
        let _ = writeln!(
            o,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-opacity=\"0.8\"/>",
            line.join(" ")
        );
        for (i, p) in points.iter().enumerate() {
            let Some(p) = p else { continue };
            let px = x(i) + dx;
            let label = if ks[i] == 0 {
                "idle".to_string()
            } else {
                format!("K={}", ks[i])
            };
            let _ = writeln!(
                o,
                "<g><title>{variant}, {label}: p99 {} ms (runs {}–{} ms)</title><line x1=\"{px:.1}\" x2=\"{px:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"2\"/>{}</g>",
                figure(p.median),
                figure(p.min),
                figure(p.max),
                y(p.min),
                y(p.max),
                marker(shape, px, y(p.median), color)
            );
        }
        let (lx, ly) = (
            LEFT - 36.0 + 172.0 * (j % 2) as f64,
            BOTTOM + 56.0 + 18.0 * (j / 2) as f64,
        );
        let _ = writeln!(
            o,
            "<line x1=\"{lx}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"/>{}<text x=\"{}\" y=\"{}\">{variant}</text>",
            lx + 24.0,
            marker(shape, lx + 12.0, ly, color),
            lx + 30.0,
            ly + 4.0
        );
    }
    // The goal's line comes last, so no series hides it.
    if let Some(t) = target {
        let ty = y(t);
        let _ = writeln!(
            o,
            "<line x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" stroke=\"currentColor\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" style=\"paint-order:stroke;stroke:var(--bg,transparent);stroke-width:4px\">goal: 2 × idle p99 ({} ms)</text>",
            RIGHT - 2.0,
            ty - 5.0,
            figure(t)
        );
    }
    o.push_str("</svg>\n");
    o
}
