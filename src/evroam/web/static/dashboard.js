// evroam analytics dashboard: fetches the admin analytics API, draws plain SVG, in the
// page's language (evroam.i18n: the catalogue the server embeds, Intl for numbers).
(function () {
  "use strict";
  const i18n = window.evroam.i18n;
  const t = i18n.t;
  const SVG = "http://www.w3.org/2000/svg";
  const root = document.getElementById("dashboard");
  const api = root.dataset.api;
  const status = document.getElementById("status");
  const form = document.getElementById("auth");
  const bySelect = document.getElementById("by");
  // Monday first, as the API counts them; 2024-01-01 was a Monday.
  const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6].map((d) => new Intl.DateTimeFormat(i18n.locale, {
    weekday: "short", timeZone: "UTC"
  }).format(new Date(Date.UTC(2024, 0, 1 + d))));

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function get(path) {
    const token = document.getElementById("token").value;
    const response = await fetch(api + path, { headers: { Authorization: "Bearer " + token } });
    if (response.status === 401 || response.status === 403) {
      throw new Error(t("The admin token was refused."));
    }
    if (!response.ok) {
      throw new Error(t("{what} failed (HTTP {status})", { what: path, status: response.status }));
    }
    return response.json();
  }

  function pct(share) { return i18n.number(100 * share, 1) + " %"; }
  function whole(value) { return i18n.number(Math.round(value)); }

  function showCoverage(body) {
    const figures = document.querySelectorAll("#coverage [data-figure]");
    const values = { swap: pct(body.swap_share), dc: pct(body.dc_fast_share), areas: i18n.number(body.service_areas) };
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
        rect.append(el("title", {}, t("{day} {hour}:00 — {share}", {
          day: WEEKDAYS[d], hour: h, share: pct(share)
        })));
        svg.append(rect);
      });
    });
    svg.append(el("text", { x: left, y: top + 7 * cell + 14 }, t("darkest = {share} busy", { share: pct(max) })));
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
    if (!items.length) svg.append(el("text", { x: 0, y: 20 }, t("no piles")));
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
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 4;
      td.className = "muted";
      td.textContent = t("no demand in this period");
      tr.append(td);
      body.append(tr);
    }
  }

  function where(row) { return i18n.number(row.lat, 3) + ", " + i18n.number(row.lon, 3); }

  async function load() {
    const days = document.getElementById("days").value || "30";
    status.textContent = t("Loading…");
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
      fillTable("hotspots", spots.items, (r) => [
        where(r), i18n.number(r.sessions), whole(r.kwh), i18n.number(r.drivers)
      ]);
      fillTable("underserved", under.items, (r) => [
        where(r), whole(r.demand_kwh), whole(r.spare_dc_kwh), whole(r.unmet_kwh)
      ]);
      status.textContent = t("Loaded at {time}", {
        time: i18n.dateTime(new Date(), { timeStyle: "medium", timeZone: "Asia/Shanghai" })
      });
    } catch (error) {
      status.textContent = String(error.message || error);
      status.className = "error";
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  bySelect.addEventListener("change", () => { if (document.getElementById("token").value) load(); });
  document.getElementById("lang").addEventListener("change", (event) => {
    const url = new URL(location.href);
    url.searchParams.set("lang", event.target.value);
    location.href = url.toString();
  });
})();
