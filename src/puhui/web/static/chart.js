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
