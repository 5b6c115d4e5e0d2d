// evroam analytics dashboard: fetches the admin analytics API, draws plain SVG.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const root = document.getElementById("dashboard");
  const api = root.dataset.api;
  const status = document.getElementById("status");
  const form = document.getElementById("auth");
  const bySelect = document.getElementById("by");
  const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function get(path) {
    const token = document.getElementById("token").value;
    const response = await fetch(api + path, { headers: { Authorization: "Bearer " + token } });
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return response.json();
  }

  function pct(share) { return (100 * share).toFixed(1) + " %"; }

  function showCoverage(body) {
    const figures = document.querySelectorAll("#coverage [data-figure]");
    const values = { swap: pct(body.swap_share), dc: pct(body.dc_fast_share), areas: body.service_areas };
    figures.forEach((node) => { node.textContent = values[node.dataset.figure]; });
  }

  function colour(share, max) {
    const t = max > 0 ? Math.min(1, share / max) : 0;
    const light = Math.round(96 - t * 58);
    return "hsl(28, 90%, " + light + "%)";
  }

  function drawHeatmap(body) {
    const svg = document.getElementById("heatmap");
    svg.replaceChildren();
    const max = Math.max(0, ...body.shares.flat());
    const cell = 21, left = 34, top = 14;
    for (let h = 0; h < 24; h += 3) svg.append(el("text", { x: left + h * cell, y: 10 }, String(h)));
    body.shares.forEach((day, d) => {
      svg.append(el("text", { x: 0, y: top + d * cell + 14 }, WEEKDAYS[d]));
      day.forEach((share, h) => {
        const rect = el("rect", {
          x: left + h * cell, y: top + d * cell, width: cell - 1, height: cell - 1,
          fill: colour(share, max), "data-share": share,
        });
        rect.append(el("title", {}, WEEKDAYS[d] + " " + h + ":00 — " + pct(share)));
        svg.append(rect);
      });
    });
    svg.append(el("text", { x: left, y: top + 7 * cell + 14 }, "darkest = " + pct(max) + " busy"));
  }

  function drawBars(body) {
    const svg = document.getElementById("bars");
    svg.replaceChildren();
    const items = body.items.slice(0, 12);
    const max = Math.max(0.0001, ...items.map((i) => i.share));
    const left = 150, width = 360, row = 20;
    svg.setAttribute("viewBox", "0 0 560 " + Math.max(40, items.length * row + 10));
    items.forEach((item, i) => {
      const y = 4 + i * row;
      const label = item.key.length > 26 ? item.key.slice(0, 25) + "…" : item.key;
      svg.append(el("text", { x: 0, y: y + 13 }, label));
      svg.append(el("rect", { x: left, y: y, height: row - 5, width: Math.max(1, width * item.share / max), fill: "#2e6fd8" }));
      svg.append(el("text", { x: left + width * item.share / max + 6, y: y + 13 }, pct(item.share)));
    });
    if (!items.length) svg.append(el("text", { x: 0, y: 20 }, "no piles"));
  }

  function fillTable(id, rows, cells) {
    const body = document.querySelector("#" + id + " tbody");
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement("tr");
      for (const value of cells(row)) {
        const td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      }
      body.append(tr);
    }
    if (!rows.length) body.innerHTML = '<tr><td colspan="4" class="muted">no demand in this period</td></tr>';
  }

  function where(row) { return row.lat.toFixed(3) + ", " + row.lon.toFixed(3); }

  async function load() {
    const days = document.getElementById("days").value || "30";
    status.textContent = "Loading…";
    status.className = "muted";
    try {
      const [coverage, occupancy, use, spots, under] = await Promise.all([
        get("/coverage"),
        get("/occupancy?days=" + days),
        get("/utilisation?by=" + bySelect.value + "&days=" + days),
        get("/hotspots?days=" + days),
        get("/underserved?days=" + days),
      ]);
      showCoverage(coverage);
      drawHeatmap(occupancy);
      drawBars(use);
      fillTable("hotspots", spots.items, (r) => [where(r), r.sessions, r.kwh.toFixed(0), r.drivers]);
      fillTable("underserved", under.items, (r) => [where(r), r.demand_kwh.toFixed(0), r.spare_dc_kwh.toFixed(0), r.unmet_kwh.toFixed(0)]);
      status.textContent = "Loaded " + new Date().toLocaleTimeString();
    } catch (error) {
      status.textContent = String(error.message || error);
      status.className = "error";
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  bySelect.addEventListener("change", () => { if (document.getElementById("token").value) load(); });
})();
