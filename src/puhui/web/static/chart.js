// Small SVG charts drawn here (no library): horizontal bars that fit a phone's width.
const SVG = "http://www.w3.org/2000/svg";
const BAR_PX = 22, GAP_PX = 10, LABEL_PX = 120, WIDTH_PX = 340;

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Bars for `items` ([{label, value, text, className}]): `value` sets the length (only for
 * drawing), `text` is what the bar says (money already formatted). Bars of zero are drawn as a
 * hairline so every category keeps its row.
 */
export function barChart(items, { title, id } = {}) {
  const height = items.length * (BAR_PX + GAP_PX) + GAP_PX;
  const root = svg("svg", { viewBox: `0 0 ${WIDTH_PX} ${height}`, class: "chart", role: "img", ...(id ? { id } : {}) });
  if (title) root.append(svg("title", {}, title));
  const max = Math.max(1, ...items.map((i) => Number(i.value)));
  const room = WIDTH_PX - LABEL_PX - 4;
  items.forEach((item, n) => {
    const y = GAP_PX + n * (BAR_PX + GAP_PX);
    const w = Math.max(1, Math.round((Number(item.value) / max) * room));
    const g = svg("g", { class: `bar ${item.className ?? ""}`, "data-label": item.label, "data-value": String(item.value) });
    g.append(
      svg("text", { x: 0, y: y + BAR_PX * 0.7, class: "bar-label" }, item.label),
      svg("rect", { x: LABEL_PX, y, width: w, height: BAR_PX, rx: 3 }),
      svg("text", { x: LABEL_PX + 6, y: y + BAR_PX * 0.7, class: "bar-text" }, item.text ?? ""),
    );
    root.append(g);
  });
  return root;
}

const COLUMN_PLOT_PX = 150, AXIS_PX = 18, X_LABELS_MAX = 4;

/**
 * Stacked columns, one per point ([{label, values: {series: n}}]), each series in `series`
 * order from the bottom, drawn with the class `${classPrefix}${series}`. Only a few x labels
 * (first, last and evenly between) so a phone's width holds a quarter of days.
 */
export function stackedColumns(points, series, { title, id, classPrefix = "cat-" } = {}) {
  const height = COLUMN_PLOT_PX + AXIS_PX;
  const root = svg("svg", { viewBox: `0 0 ${WIDTH_PX} ${height}`, class: "chart columns", role: "img", ...(id ? { id } : {}) });
  if (title) root.append(svg("title", {}, title));
  const totals = points.map((p) => series.reduce((n, s) => n + Number(p.values[s] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = WIDTH_PX / Math.max(1, points.length);
  const width = Math.max(1, step * 0.8);
  points.forEach((p, n) => {
    const g = svg("g", { class: "column", "data-label": p.label, "data-total": String(totals[n]) });
    let y = COLUMN_PLOT_PX;
    for (const s of series) {
      const v = Number(p.values[s] ?? 0);
      if (!v) continue;
      const h = Math.max(1, (v / max) * (COLUMN_PLOT_PX - 4));
      y -= h;
      g.append(svg("rect", { x: n * step, y, width, height: h, class: classPrefix + s }));
    }
    root.append(g);
  });
  root.append(svg("line", { x1: 0, y1: COLUMN_PLOT_PX, x2: WIDTH_PX, y2: COLUMN_PLOT_PX, class: "axis" }));
  const every = Math.max(1, Math.ceil(points.length / X_LABELS_MAX));
  points.forEach((p, n) => {
    if (n % every && n !== points.length - 1) return;
    if (n !== points.length - 1 && points.length - 1 - n < every / 2) return;
    const anchor = n === 0 ? "start" : n === points.length - 1 ? "end" : "middle";
    const x = anchor === "start" ? 0 : anchor === "end" ? WIDTH_PX : n * step + width / 2;
    root.append(svg("text", { x, y: height - 3, "text-anchor": anchor, class: "bar-label" }, p.label));
  });
  return root;
}

const LINE_PLOT_PX = 150;

/**
 * Lines over a shared numeric x axis: `lines` is [{name, className, points: [[x, y], ...]}].
 * Each line is a polyline with a dot per point (a dot carries `data-x` and `data-y`, so a test
 * or a screen reader finds the values); the x axis is labelled at its ends with `xLabel(x)`.
 */
export function lineChart(lines, { title, id, xLabel = String } = {}) {
  const height = LINE_PLOT_PX + AXIS_PX;
  const root = svg("svg", { viewBox: `0 0 ${WIDTH_PX} ${height}`, class: "chart lines", role: "img", ...(id ? { id } : {}) });
  if (title) root.append(svg("title", {}, title));
  const all = lines.flatMap((l) => l.points);
  const xs = all.map(([x]) => x), ys = all.map(([, y]) => y);
  const x0 = Math.min(0, ...xs), x1 = Math.max(1, ...xs), y1 = Math.max(1, ...ys);
  const px = (x) => ((x - x0) / (x1 - x0)) * (WIDTH_PX - 8) + 4;
  const py = (y) => LINE_PLOT_PX - (y / y1) * (LINE_PLOT_PX - 8);
  for (const line of lines) {
    const g = svg("g", { class: `line ${line.className ?? ""}`, "data-name": line.name });
    g.append(svg("title", {}, line.name));
    g.append(svg("polyline", { points: line.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ") }));
    for (const [x, y] of line.points) g.append(svg("circle", { cx: px(x), cy: py(y), r: 2.5, "data-x": String(x), "data-y": String(y) }));
    root.append(g);
  }
  root.append(svg("line", { x1: 0, y1: LINE_PLOT_PX, x2: WIDTH_PX, y2: LINE_PLOT_PX, class: "axis" }));
  root.append(svg("text", { x: 0, y: height - 3, "text-anchor": "start", class: "bar-label" }, xLabel(x0)));
  root.append(svg("text", { x: WIDTH_PX, y: height - 3, "text-anchor": "end", class: "bar-label" }, xLabel(x1)));
  return root;
}
