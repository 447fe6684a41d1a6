//! Inline SVG charts. Every mark (a bar, a point, a cell) carries the number
//! it draws in `data-value`, with `data-key` and `data-series` naming the row
//! and column of the table beside it that holds the same number, so that a
//! test (or the page's own check) can compare them.

use super::format::escape_html as esc;
use super::Num;
use std::fmt::Write as _;

const WIDTH: f64 = 760.0;

/// One mark's data attributes and tooltip.
fn mark_attrs(key: &str, series: &str, value: &Num, label: &str) -> String {
    let tip = format!("{label}: {}", value.shown());
    format!(
        r#" data-key="{}" data-series="{}" data-value="{}" data-label="{}""#,
        esc(key),
        esc(series),
        esc(&value.raw()),
        esc(&tip)
    )
}

fn title(label: &str, value: &Num) -> String {
    format!("<title>{}: {}</title>", esc(label), esc(&value.shown()))
}

fn open_svg(chart: &str, height: f64, label: &str) -> String {
    format!(
        r#"<svg class="chart" data-chart="{}" viewBox="0 0 {WIDTH} {height:.0}" width="100%" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(chart),
        esc(label)
    )
}

/// One segment of a bar: its series, value and colour class.
pub(crate) struct Segment {
    pub series: String,
    pub series_label: String,
    pub value: Num,
    pub class: &'static str,
}

/// One bar (a row of the table): its label and stacked segments.
pub(crate) struct Bar {
    pub key: String,
    pub label: String,
    /// A heading above this bar (a pipeline's name), if any.
    pub group: Option<String>,
    pub segments: Vec<Segment>,
    /// Text after the bar (the total, formatted).
    pub note: String,
}

/// Horizontal stacked bars, one per row, scaled to `max` (the largest total
/// when `None`).
pub(crate) fn hbars(chart: &str, label: &str, bars: &[Bar], max: Option<f64>) -> String {
    let row = 26.0;
    let left = 230.0;
    let right = 150.0;
    let groups = bars.iter().filter(|b| b.group.is_some()).count() as f64;
    let height = (bars.len() as f64 * row + groups * 24.0 + 12.0).max(40.0);
    let total = |b: &Bar| -> f64 { b.segments.iter().map(|s| s.value.as_f64().max(0.0)).sum() };
    let max = max
        .unwrap_or_else(|| bars.iter().map(total).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let span = WIDTH - left - right;
    let mut svg = open_svg(chart, height, label);
    let mut y = 6.0;
    for bar in bars {
        if let Some(group) = &bar.group {
            let _ = write!(
                svg,
                r#"<text class="group" x="4" y="{:.1}">{}</text>"#,
                y + 16.0,
                esc(group)
            );
            y += 24.0;
        }
        let _ = write!(
            svg,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 16.0,
            esc(&truncate(&bar.label, 34))
        );
        let mut x = left;
        for s in &bar.segments {
            let w = (s.value.as_f64().max(0.0) / max * span).max(0.0);
            let _ = write!(
                svg,
                r#"<rect class="bar {}" x="{x:.2}" y="{:.1}" width="{w:.2}" height="{:.1}" rx="2"{}>{}</rect>"#,
                s.class,
                y + 3.0,
                row - 8.0,
                mark_attrs(
                    &bar.key,
                    &s.series,
                    &s.value,
                    &format!("{} — {}", bar.label, s.series_label)
                ),
                title(&format!("{} — {}", bar.label, s.series_label), &s.value)
            );
            x += w;
        }
        let _ = write!(
            svg,
            r#"<text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
            x + 6.0,
            y + 16.0,
            esc(&bar.note)
        );
        y += row;
    }
    svg.push_str("</svg>");
    svg
}

/// A series of a line chart: one point per x (or none).
pub(crate) struct Line {
    pub series: String,
    pub label: String,
    pub class: &'static str,
    /// Per x: the row key and value, or nothing.
    pub points: Vec<Option<(String, Num)>>,
}

/// Lines over labelled x positions (months), with a y axis of `ticks`
/// formatted by `axis`.
pub(crate) fn lines(
    chart: &str,
    label: &str,
    xlabels: &[String],
    series: &[Line],
    axis: &dyn Fn(f64) -> String,
) -> String {
    let (height, top, bottom, left, right) = (310.0, 16.0, 58.0, 90.0, 16.0);
    let values = series
        .iter()
        .flat_map(|s| s.points.iter().flatten().map(|(_, v)| v.as_f64()));
    let max = values.fold(0.0, f64::max);
    let max = nice_max(max);
    let n = xlabels.len().max(1);
    let step = (WIDTH - left - right) / n as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: f64| top + (height - top - bottom) * (1.0 - v.max(0.0) / max);
    let mut svg = open_svg(chart, height, label);
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - right,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            esc(&axis(v))
        );
    }
    // `мар 2025`: the month under its point, the year below it when it changes.
    let every = n.div_ceil(12);
    let mut last_year = "";
    for (i, l) in xlabels.iter().enumerate() {
        let (first, second) = l.split_once(' ').unwrap_or((l.as_str(), ""));
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                height - bottom + 16.0,
                esc(first)
            );
        }
        if second != last_year {
            let _ = write!(
                svg,
                r#"<text class="axis year" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(i),
                height - bottom + 30.0,
                esc(second)
            );
            last_year = second;
        }
    }
    for s in series {
        let mut path = String::new();
        let mut pen_up = true;
        for (i, p) in s.points.iter().enumerate() {
            match p {
                Some((_, v)) => {
                    let _ = write!(
                        path,
                        "{}{:.1},{:.1} ",
                        if pen_up { "M" } else { "L" },
                        x(i),
                        y(v.as_f64())
                    );
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
        let _ = write!(
            svg,
            r#"<path class="line {}" d="{}"/>"#,
            s.class,
            path.trim()
        );
        for (i, p) in s.points.iter().enumerate() {
            if let Some((key, v)) = p {
                let tip = format!(
                    "{} — {}",
                    xlabels.get(i).map_or("", String::as_str),
                    s.label
                );
                let _ = write!(
                    svg,
                    r#"<circle class="point {}" cx="{:.1}" cy="{:.1}" r="4"{}>{}</circle>"#,
                    s.class,
                    x(i),
                    y(v.as_f64()),
                    mark_attrs(key, &s.series, v, &tip),
                    title(&tip, v)
                );
            }
        }
    }
    // The legend.
    for (i, s) in series.iter().enumerate() {
        let lx = left + 10.0 + 220.0 * i as f64;
        let _ = write!(
            svg,
            r#"<line class="line {}" x1="{lx:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/><text class="legend" x="{:.1}" y="{:.1}">{}</text>"#,
            s.class,
            lx + 24.0,
            height - 8.0,
            height - 8.0,
            lx + 30.0,
            height - 4.0,
            esc(&s.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A Pareto curve: cumulative share of the measure (y, 0..1) over the share
/// of objects (x, 0..1), with the class bounds as vertical lines.
pub(crate) fn pareto(
    chart: &str,
    label: &str,
    points: &[(f64, String, Num)],
    series: &str,
    bounds: &[(f64, String)],
) -> String {
    let (height, top, bottom, left, right) = (320.0, 16.0, 40.0, 70.0, 20.0);
    let x = |v: f64| left + (WIDTH - left - right) * v.clamp(0.0, 1.0);
    let y = |v: f64| top + (height - top - bottom) * (1.0 - v.clamp(0.0, 1.0));
    let mut svg = open_svg(chart, height, label);
    for k in 0..=4 {
        let v = f64::from(k) / 4.0;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/><text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{} %</text><text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{} %</text>"#,
            WIDTH - right,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            k * 25,
            x(v),
            height - bottom + 18.0,
            k * 25
        );
    }
    for (b, name) in bounds {
        let _ = write!(
            svg,
            r#"<line class="bound" x1="{:.1}" x2="{:.1}" y1="{top}" y2="{:.1}"/><text class="bound-label" x="{:.1}" y="{:.1}">{}</text>"#,
            x(*b),
            x(*b),
            height - bottom,
            x(*b) + 4.0,
            height - bottom - 8.0,
            esc(name)
        );
    }
    let mut path = format!("M{:.1},{:.1} ", x(0.0), y(0.0));
    for (px, _, v) in points {
        let _ = write!(path, "L{:.1},{:.1} ", x(*px), y(v.as_f64()));
    }
    let _ = write!(svg, r#"<path class="line s-main" d="{}"/>"#, path.trim());
    for (px, key, v) in points {
        let tip = format!("{} клиентов", super::format::format_percent(*px));
        let _ = write!(
            svg,
            r#"<circle class="point s-main" cx="{:.1}" cy="{:.1}" r="3.5"{}>{}</circle>"#,
            x(*px),
            y(v.as_f64()),
            mark_attrs(key, series, v, &tip),
            title(&tip, v)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A heat grid: rows top to bottom, columns left to right, each cell's
/// colour by its value over the largest.
pub(crate) fn heat(
    chart: &str,
    label: &str,
    rows: &[(String, String)],
    columns: &[(String, String)],
    value: &dyn Fn(usize, usize) -> Num,
) -> String {
    let (cell_w, cell_h, left, top) = (110.0, 46.0, 120.0, 28.0);
    let height = top + cell_h * rows.len() as f64 + 8.0;
    let max = (0..rows.len())
        .flat_map(|r| (0..columns.len()).map(move |c| (r, c)))
        .map(|(r, c)| value(r, c).as_f64())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut svg = open_svg(chart, height, label);
    for (c, (_, name)) in columns.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            left + cell_w * (c as f64 + 0.5),
            top - 10.0,
            esc(name)
        );
    }
    for (r, (key, name)) in rows.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + cell_h / 2.0 + 4.0,
            esc(name)
        );
        for (c, (series, cname)) in columns.iter().enumerate() {
            let v = value(r, c);
            let share = v.as_f64() / max;
            let x = left + cell_w * c as f64;
            let tip = format!("{name}, {cname}");
            let _ = write!(
                svg,
                r#"<rect class="cell" x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" rx="3" fill-opacity="{:.3}"{}>{}</rect><text class="cell-value{}" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                cell_w - 4.0,
                cell_h - 4.0,
                0.08 + 0.92 * share,
                mark_attrs(key, series, &v, &tip),
                title(&tip, &v),
                if share > 0.55 { " light" } else { "" },
                x + cell_w / 2.0 - 2.0,
                y + cell_h / 2.0 + 3.0,
                esc(&v.shown())
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A round upper bound for an axis: 1, 2, 2.5 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 {
        return 1.0;
    }
    let p = 10_f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if max <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

/// At most `n` characters, with an ellipsis when cut.
fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(180.0), 200.0);
        assert_eq!(nice_max(2100.0), 2500.0);
        assert_eq!(truncate("абвгд", 3), "аб…");
    }
}
