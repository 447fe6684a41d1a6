//! The page around the sections: head, style, navigation, tables, the script.

use super::format::{escape_html as esc, format_int};
use super::{Cell, DataTable, Part, SectionHtml};
use crate::base::Counts;
use chrono::NaiveDate;
use std::fmt::Write as _;

pub(crate) struct Head<'a> {
    pub title: &'a str,
    pub as_of: Option<NaiveDate>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub counts: Counts,
    pub sections: &'a [SectionHtml],
}

const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r#"
:root{--ink:#1f2733;--muted:#667085;--line:#e4e7ec;--bg:#f6f7f9;--main:#3b6fd4;--won:#2e9d5b;--lost:#d9534f;--open:#7aa3ea;--none:#cfd5de;--warn:#e08a1e;--prev:#9aa3b2;--heat:#2b5fb4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
header{background:#fff;border-bottom:1px solid var(--line);padding:20px 32px}
header h1{margin:0 0 4px;font-size:24px}
header p{margin:0;color:var(--muted)}
nav{margin-top:10px;display:flex;flex-wrap:wrap;gap:6px}
nav a{color:var(--main);text-decoration:none;border:1px solid var(--line);border-radius:14px;padding:2px 10px;font-size:13px}
main{max-width:1040px;margin:0 auto;padding:12px 24px 40px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:18px 0}
section h2{margin:0 0 6px;font-size:20px}
.lead{color:var(--muted);margin:0 0 12px}
h3{font-size:15px;margin:16px 0 6px}
.kpis{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 4px}
.kpi{border:1px solid var(--line);border-radius:8px;padding:6px 12px;min-width:120px}
.kpi b{display:block;font-size:20px}
.kpi span{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:13px}
.scroll{overflow-x:auto}
table[data-table="quality-summary"],table[data-table="abc-classes"],table[data-table="rfm-grid"]{width:auto;min-width:60%}
svg .year{font-weight:600}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600;background:#fafbfc;font-size:12px}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details{margin:4px 0 10px}
summary{cursor:pointer;color:var(--main);font-size:13px}
svg.chart{display:block;max-width:100%;height:auto;margin:4px 0 8px}
svg text{font-size:12px;fill:var(--ink)}
svg .axis,svg .legend{fill:var(--muted)}
svg .group{font-weight:600}
svg .value{fill:var(--muted)}
svg .grid{stroke:var(--line)}
svg .bound{stroke:var(--warn);stroke-dasharray:4 3}
svg .bound-label{fill:var(--warn)}
svg .bar.s-main{fill:var(--main)} svg .bar.s-won{fill:var(--won)} svg .bar.s-lost{fill:var(--lost)}
svg .bar.s-open{fill:var(--open)} svg .bar.s-none{fill:var(--none)} svg .bar.s-warn{fill:var(--warn)}
svg .line{fill:none;stroke-width:2.5} svg .line.s-main{stroke:var(--main)} svg .line.s-prev{stroke:var(--prev);stroke-dasharray:6 4}
svg .point.s-main{fill:var(--main)} svg .point.s-prev{fill:var(--prev)}
svg .cell{fill:var(--heat)}
svg .cell-value{font-size:13px;font-weight:600}
svg .cell-value.light{fill:#fff}
svg [data-value]:hover{opacity:.8}
.note{color:var(--muted);font-style:italic}
.tip{position:absolute;display:none;pointer-events:none;background:#1f2733;color:#fff;padding:4px 8px;border-radius:6px;font-size:12px;max-width:360px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
"#;

/// Tooltips for chart marks, and a check that every chart mark equals the
/// cell of its table it names; the result goes to `<body data-check>`.
const SCRIPT: &str = r#"
(function () {
  "use strict";
  var tip = document.createElement("div");
  tip.className = "tip";
  document.body.appendChild(tip);
  document.addEventListener("mouseover", function (e) {
    var t = e.target && e.target.closest ? e.target.closest("[data-label]") : null;
    if (!t) { tip.style.display = "none"; return; }
    tip.textContent = t.getAttribute("data-label");
    tip.style.display = "block";
  });
  document.addEventListener("mousemove", function (e) {
    tip.style.left = (e.pageX + 14) + "px";
    tip.style.top = (e.pageY + 14) + "px";
  });
  var tables = {};
  document.querySelectorAll("table[data-table]").forEach(function (t) {
    var rows = {};
    t.querySelectorAll("tbody tr").forEach(function (tr) {
      var cells = {};
      tr.querySelectorAll("td[data-col]").forEach(function (td) {
        cells[td.getAttribute("data-col")] = td.getAttribute("data-value");
      });
      rows[tr.getAttribute("data-key")] = cells;
    });
    tables[t.getAttribute("data-table")] = rows;
  });
  var checked = 0, bad = 0;
  document.querySelectorAll("svg[data-chart] [data-value]").forEach(function (m) {
    var rows = tables[m.closest("svg").getAttribute("data-chart")] || {};
    var row = rows[m.getAttribute("data-key")] || {};
    var cell = row[m.getAttribute("data-series")];
    var a = parseFloat(m.getAttribute("data-value")), b = parseFloat(cell);
    checked++;
    if (cell == null || !(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)))) { bad++; }
  });
  document.body.setAttribute("data-check", (bad ? "mismatch " + bad : "ok " + checked));
})();
"#;

fn date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "—".into(), |d| d.format("%d.%m.%Y").to_string())
}

fn table_html(out: &mut String, t: &DataTable) {
    let _ = write!(
        out,
        r#"<div class="scroll"><table class="data" data-table="{}"><caption>{}</caption><thead><tr>"#,
        esc(&t.id),
        esc(&t.caption)
    );
    for (_, label) in &t.columns {
        let _ = write!(out, "<th>{}</th>", esc(label));
    }
    out.push_str("</tr></thead><tbody>");
    for (key, cells) in &t.rows {
        let _ = write!(out, r#"<tr data-key="{}">"#, esc(key));
        for ((col, _), cell) in t.columns.iter().zip(cells) {
            match cell {
                Cell::Text(text) => {
                    let _ = write!(out, r#"<td data-col="{}">{}</td>"#, esc(col), esc(text));
                }
                Cell::Num(n) => {
                    let _ = write!(
                        out,
                        r#"<td class="num" data-col="{}" data-value="{}">{}</td>"#,
                        esc(col),
                        esc(&n.raw()),
                        esc(&n.shown())
                    );
                }
                Cell::Null => {
                    let _ = write!(out, r#"<td class="num" data-col="{}">—</td>"#, esc(col));
                }
            }
        }
        out.push_str("</tr>");
    }
    if t.rows.is_empty() {
        let _ = write!(
            out,
            r#"<tr class="empty"><td colspan="{}">Нет данных</td></tr>"#,
            t.columns.len()
        );
    }
    out.push_str("</tbody></table></div>\n");
}

/// The whole page.
pub(crate) fn page(head: &Head<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(head.title)
    );
    let period = match (head.from, head.to) {
        (None, None) => "все сделки".to_string(),
        (from, to) => format!("{} — {}", date(from), date(to)),
    };
    let c = &head.counts;
    let _ = write!(
        out,
        "<header><h1>{}</h1><p>На {}; период {}. Клиентов {}, сделок {}, активностей {}.</p><nav>",
        esc(head.title),
        date(head.as_of),
        period,
        format_int(c.clients as i64),
        format_int(c.deals as i64),
        format_int(c.activities as i64)
    );
    for s in head.sections {
        let _ = write!(
            out,
            r##"<a href="#{}">{}</a>"##,
            s.section.name(),
            s.section.title()
        );
    }
    out.push_str("</nav></header>\n<main>\n");
    for s in head.sections {
        let _ = writeln!(
            out,
            "<section id=\"{}\" data-section=\"{}\"><h2>{}</h2><p class=\"lead\">{}</p>",
            s.section.name(),
            s.section.name(),
            s.section.title(),
            esc(&s.lead)
        );
        for part in &s.parts {
            match part {
                Part::Chart { title, svg } => {
                    let _ = write!(out, "<h3>{}</h3>\n{svg}\n", esc(title));
                }
                Part::Table(t) => {
                    // Long tables fold away; the numbers stay in the page.
                    if t.rows.len() > 15 {
                        let _ = writeln!(
                            out,
                            "<details><summary>{} — {} строк</summary>",
                            esc(&t.caption),
                            format_int(t.rows.len() as i64)
                        );
                        table_html(&mut out, t);
                        out.push_str("</details>\n");
                    } else {
                        table_html(&mut out, t);
                    }
                }
                Part::Note(text) => {
                    let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(text));
                }
            }
        }
        out.push_str("</section>\n");
    }
    let _ = write!(
        out,
        "</main>\n<footer>Отчёт clientbase {}. Наведите курсор на столбец или точку, чтобы увидеть число.</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}
