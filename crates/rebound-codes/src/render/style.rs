//! The web reference's inline style sheet and filter script: no external assets, so the pages
//! work offline and from `file://`.

/// The style sheet every page inlines.
pub const CSS: &str = r#"
:root { --fg:#1d232b; --muted:#5b6672; --bg:#fdfdfc; --card:#f3f5f7; --line:#d9dee4; --link:#0b57a4;
  --hard:#b42318; --soft:#a15c07; --block:#6b2fa3; --none:#4b5563; --undetermined:#4b5563; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
header.site { background:#14202e; color:#fff; padding:.7rem 1.25rem; }
header.site a { color:#fff; text-decoration:none; font-weight:600; }
header.site span { color:#b7c3d0; margin-left:.6rem; font-size:.9rem; }
main { max-width:60rem; margin:0 auto; padding:1.25rem 1.25rem 3rem; }
h1 { font-size:1.75rem; line-height:1.25; margin:.4rem 0 .2rem; }
h1 code { font-size:1.6rem; margin-right:.5rem; }
h2 { font-size:1.2rem; margin:2rem 0 .6rem; padding-bottom:.25rem; border-bottom:1px solid var(--line); }
h3 { font-size:1.05rem; margin:1.4rem 0 .4rem; }
p.kind { color:var(--muted); margin:0 0 1rem; }
a { color:var(--link); }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:.92em; }
pre { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.6rem .8rem; white-space:pre-wrap; word-break:break-word; margin:.4rem 0 .8rem; }
table { border-collapse:collapse; width:100%; margin:.5rem 0 1rem; }
th, td { text-align:left; vertical-align:top; padding:.45rem .6rem; border-bottom:1px solid var(--line); }
table.glance th { width:11rem; background:var(--card); font-weight:600; }
table.glance { border-top:1px solid var(--line); }
table.forms tr.here { background:#fff7e0; }
table.forms td.this code { font-weight:700; }
.badge { display:inline-block; padding:.05rem .5rem; border-radius:999px; font-size:.85rem; font-weight:600; color:#fff; }
.b-hard { background:var(--hard); } .b-soft { background:var(--soft); } .b-block { background:var(--block); }
.b-none, .b-undetermined { background:var(--none); }
.muted { color:var(--muted); }
table.glance td code { white-space:nowrap; }
ol li, ul li { margin:.25rem 0; }
dl.faq dt { font-weight:600; margin-top:.8rem; }
dl.faq dd { margin:.2rem 0 0 0; }
.notes { display:grid; grid-template-columns:1fr 1fr; gap:1rem; }
.notes div { background:var(--card); border-radius:6px; padding:.6rem .9rem; }
.notes h3 { margin-top:.2rem; }
.filters { display:flex; gap:.6rem; flex-wrap:wrap; align-items:center; position:sticky; top:0; background:var(--bg); padding:.6rem 0; border-bottom:1px solid var(--line); z-index:1; }
.filters input { flex:1 1 18rem; font-size:1rem; padding:.45rem .6rem; border:1px solid #9aa5b1; border-radius:6px; }
.filters select { font-size:1rem; padding:.4rem; border:1px solid #9aa5b1; border-radius:6px; }
table.codes { table-layout:fixed; }
table.codes th:nth-child(1) { width:12rem; } table.codes th:nth-child(3) { width:6rem; } table.codes th:nth-child(4) { width:9.5rem; }
table.codes td:first-child { overflow-wrap:anywhere; }
nav.jump p { margin:.2rem 0; }
.chips a { display:inline-block; margin:.15rem .3rem .15rem 0; padding:.05rem .45rem; border:1px solid var(--line); border-radius:4px; text-decoration:none; font-family:ui-monospace,Menlo,Consolas,monospace; font-size:.85rem; }
[hidden] { display:none !important; }
footer { color:var(--muted); font-size:.85rem; max-width:60rem; margin:0 auto; padding:0 1.25rem 2rem; }
@media (max-width:40rem) { .notes { grid-template-columns:1fr; } table.glance th { width:auto; } }
"#;

/// The index page's filter: hides rows and chips whose text or category do not match, and
/// groups left empty; reports how many codes are shown.
pub const FILTER_JS: &str = r#"
(function () {
  var box = document.getElementById('filter');
  var cat = document.getElementById('category');
  var count = document.getElementById('count');
  function apply() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var c = cat.value;
    var shown = 0;
    document.querySelectorAll('[data-search]').forEach(function (el) {
      var text = el.getAttribute('data-search');
      var ok = (!c || el.getAttribute('data-category') === c) &&
        words.every(function (w) { return text.indexOf(w) !== -1; });
      el.hidden = !ok;
      if (ok && el.tagName === 'TR') { shown++; }
    });
    document.querySelectorAll('[data-group]').forEach(function (g) {
      g.hidden = !g.querySelector('[data-search]:not([hidden])');
    });
    count.textContent = shown + (shown === 1 ? ' code' : ' codes');
  }
  box.addEventListener('input', apply);
  cat.addEventListener('change', apply);
  var q = new URLSearchParams(location.search).get('q');
  if (q) { box.value = q; }
  apply();
})();
"#;
