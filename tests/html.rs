//! `index.html`, the results page: every section present, every chart inside the page and
//! its file link resolving, nothing that reaches the network, a hostile string from a
//! results file escaped; and, where Chromium or Chrome is installed, the page rendered in
//! the real browser: the script ran, the cells table sorts and filters, every chart drew
//! (a screenshot is left in target/). Without a browser that test prints a notice and
//! passes: see the README for installing one.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use support::{Scratch, fixture, forged_fixture, run_ok};

/// The fixture copied into `dir`, edited, and reported: its page's text.
fn page_of(
    s: &Scratch,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value),
) -> (PathBuf, String) {
    let dir = forged_fixture(&s.join(name), edit);
    run_ok(s.path(), &["report", dir.to_str().unwrap()], &[]);
    let page = dir.join("index.html");
    let html = fs::read_to_string(&page).expect("index.html");
    (page, html)
}

/// The values of `attr="..."` in the page, in order, with the entities minijinja writes
/// decoded.
fn attrs(html: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap()]
                .replace("&#x2f;", "/")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn the_page_has_every_section_every_chart_inside_and_nothing_from_the_network() {
    let s = Scratch::new("html");
    // One cell failed, as a crash leaves it.
    let (page, html) = page_of(&s, "small", |v| {
        let cell = &mut v["cells"][1];
        cell["error"] = serde_json::json!("forged: the cell crashed");
        cell["error_kind"] = serde_json::json!("crash");
    });
    let dir = page.parent().unwrap();
    for id in [
        "decision",
        "claims",
        "memory",
        "probes",
        "serve",
        "charts",
        "machine",
        "cells-section",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "no {id}");
    }
    // The decision table, the claims (each expandable), the cells: all of them.
    assert!(html.contains("<th>workload</th><th>pick</th><th>measured</th><th>rule</th>"));
    let loaded = fixture();
    let claims = loaded.claims.as_ref().unwrap().claims.len();
    assert_eq!(html.matches("<details id=\"claim-").count(), claims);
    assert_eq!(
        html.matches("<tr class=\"").count(),
        loaded.summary.cells.len(),
        "one row per cell"
    );
    assert!(
        html.contains("<tr class=\"failed\""),
        "failed cells visible"
    );
    // Every chart the folder holds is in the page as an SVG, and its file link resolves.
    let drawn = fs::read_dir(dir.join("charts")).unwrap().count();
    let figures = html.matches("<figure id=\"chart-").count();
    assert!(
        figures > 0 && figures == drawn,
        "{figures} of {drawn} charts"
    );
    for src in attrs(&html, "src") {
        let b64 = src
            .strip_prefix("data:image/svg+xml;base64,")
            .unwrap_or_else(|| panic!("an image from outside the page: {src:.60}"));
        let svg = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert!(String::from_utf8_lossy(&svg).contains("<svg"), "not an SVG");
    }
    for href in attrs(&html, "href") {
        if let Some(local) = href.strip_prefix('#') {
            assert!(html.contains(&format!("id=\"{local}\"")), "#{local}");
        } else {
            assert!(!href.contains("://"), "a link off the machine: {href}");
            assert!(dir.join(&href).is_file(), "{href} does not resolve");
        }
    }
    // No script or style from elsewhere; the script is a few KB.
    assert!(!html.contains("<script src") && !html.contains("<link"));
    let script = &html[html.find("<script>").unwrap()..html.find("</script>").unwrap()];
    assert!(script.len() < 4096, "{} bytes of script", script.len());
    // Readable with JavaScript off: the filters (useless without it) start hidden.
    assert!(html.contains("<div id=\"filters\" hidden>"));
}

#[test]
fn a_hostile_string_in_a_results_file_is_escaped_everywhere() {
    let s = Scratch::new("html-hostile");
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let (_, html) = page_of(&s, "evil", |v| {
        v["machine"]["cpu_model"] = serde_json::json!(evil);
        v["machine"]["command_line"] = serde_json::json!(["rtbench", evil]);
        let cell = &mut v["cells"][1];
        cell["error"] = serde_json::json!(format!("failed \" onmouseover=\"alert(3) {evil}"));
    });
    assert!(!html.contains("alert(1)</script>"), "a script got through");
    assert!(!html.contains("<img src=x"), "an element got through");
    assert!(
        !html.contains("\" onmouseover=\""),
        "an attribute got through"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The page's own single script is the only one.
    assert_eq!(html.matches("<script>").count(), 1);
}

/// Chromium or Chrome, if one is installed.
fn browser() -> Option<PathBuf> {
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "chrome",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// Headless flags that keep the browser off the network and out of the user's profile.
fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--allow-file-access-from-files",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Appended to a copy of the page: sorts the cells by wall time, filters them to one
/// runtime, checks every image decoded, and writes what it saw into the page.
const PROBE: &str = r#"<script>
window.addEventListener("load", function () {
  var t = document.getElementById("cells");
  var wall = Array.prototype.indexOf.call(t.tHead.rows[0].cells,
    Array.prototype.find.call(t.tHead.rows[0].cells, function (h) { return h.textContent === "wall"; }));
  t.tHead.rows[0].cells[wall].click();
  var v = Array.prototype.map.call(t.tBodies[0].rows, function (r) { return parseFloat(r.cells[wall].dataset.sort); });
  var sorted = v.every(function (x, i) { return i === 0 || v[i - 1] <= x; });
  var sel = document.querySelector("select[data-col=runtime]");
  sel.value = "tokio"; sel.dispatchEvent(new Event("change"));
  var visible = Array.prototype.filter.call(t.tBodies[0].rows, function (r) { return !r.hidden; });
  var filtered = visible.length > 0 && visible.every(function (r) { return r.dataset.runtime === "tokio"; });
  var imgs = Array.prototype.slice.call(document.images);
  var drawn = imgs.every(function (i) { return i.complete && i.naturalWidth > 0; });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = "sorted=" + sorted + " filtered=" + filtered + " images=" + imgs.length +
    " drawn=" + drawn + " filters-shown=" + !document.getElementById("filters").hidden +
    " shown=" + document.getElementById("shown").textContent;
  document.body.appendChild(out);
});
</script>"#;

#[test]
fn in_a_real_browser_the_cells_sort_and_filter_and_every_chart_draws() {
    let Some(browser) = browser() else {
        eprintln!(
            "notice: no Chromium or Chrome found on PATH; the browser test of index.html is \
             skipped (README: `apt-get install chromium` to run it)"
        );
        return;
    };
    let s = Scratch::new("html-browser");
    let (page, html) = page_of(&s, "small", |_| {});
    let probed = page.with_file_name("probed.html");
    fs::write(&probed, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let out = headless(&browser, &s.join("profile"))
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}", probed.display()))
        .output()
        .expect("starting the browser");
    let dom = String::from_utf8_lossy(&out.stdout);
    let line = dom
        .lines()
        .find(|l| l.contains("id=\"probe\""))
        .unwrap_or_else(|| {
            panic!(
                "the probe did not run: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    eprintln!("browser: {line}");
    for want in [
        "sorted=true",
        "filtered=true",
        "drawn=true",
        "filters-shown=true",
    ] {
        assert!(line.contains(want), "{want} in {line}");
    }
    assert!(!line.contains("images=0"), "{line}");
    // A screenshot of the page as it opens, for people to look at.
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/index-html.png");
    let status = headless(&browser, &s.join("profile"))
        .args(["--window-size=1280,2400", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("starting the browser")
        .status;
    assert!(status.success() && shot.is_file(), "no screenshot");
}
