//! BENCHMARK.md's sections as HTML, through pulldown-cmark: the page shows the same
//! tables and words as the markdown. Markdown lets raw HTML through, and the sections hold
//! text from results files (a CPU name, an error), so raw HTML is turned back into text:
//! nothing in a results file can become markup. Images whose address `resolve` knows (the
//! folder's charts) are given the page's own copy.

use pulldown_cmark::{Event, Options, Parser, Tag, html};

/// `md` as HTML, tables on, every raw HTML fragment escaped as text, image addresses
/// replaced where `resolve` has one.
pub fn to_html(md: &str, resolve: &dyn Fn(&str) -> Option<String>) -> String {
    let parser = Parser::new_ext(md, Options::ENABLE_TABLES).map(|e| match e {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = resolve(&dest_url).map_or(dest_url, Into::into);
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn tables_render_and_raw_html_is_text() {
        let none = |_: &str| None;
        let h = to_html(
            "| a | b |\n|---|---|\n| <script>x</script> | **y** |\n",
            &none,
        );
        assert!(
            h.contains("<table>") && h.contains("<strong>y</strong>"),
            "{h}"
        );
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        let block = to_html("<div onclick=\"x\">hi</div>\n", &none);
        assert!(!block.contains("<div"), "{block}");
        let chart = |u: &str| (u == "charts/a.svg").then(|| "data:x".to_string());
        let img = to_html("![a](charts/a.svg) ![b](charts/b.svg)\n", &chart);
        assert!(img.contains("src=\"data:x\"") && img.contains("src=\"charts/b.svg\""));
    }
}
