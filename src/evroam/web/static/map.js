// evroam driver map: server clusters at low zoom, live station markers at high zoom.
(function () {
  "use strict";

  var STATION_ZOOM = 9; // from this zoom on, draw stations instead of server clusters
  var PAGE_SIZE = 500;
  var MAX_PAGES = 3;
  var MOVE_DEBOUNCE_MS = 250;
  var CHINA = { lat: 35.0, lon: 104.5, zoom: 4 };
  // Orientation labels for when no tile layer is configured (no network needed).
  var CITIES = [
    ["Beijing", 39.904, 116.407], ["Shanghai", 31.230, 121.474], ["Guangzhou", 23.129, 113.264],
    ["Shenzhen", 22.543, 114.058], ["Chengdu", 30.573, 104.066], ["Chongqing", 29.563, 106.551],
    ["Wuhan", 30.593, 114.305], ["Xi'an", 34.341, 108.940], ["Hangzhou", 30.274, 120.155],
    ["Nanjing", 32.060, 118.797], ["Tianjin", 39.343, 117.362], ["Shenyang", 41.806, 123.432],
    ["Harbin", 45.803, 126.535], ["Kunming", 25.040, 102.712], ["Urumqi", 43.825, 87.617],
    ["Lhasa", 29.652, 91.172], ["Lanzhou", 36.061, 103.834], ["Changsha", 28.228, 112.939],
    ["Zhengzhou", 34.747, 113.625], ["Xiamen", 24.480, 118.089], ["Hong Kong", 22.319, 114.169]
  ];

  var el = document.getElementById("map");
  var API = (el.dataset.api || "/api/v1").replace(/\/$/, "");
  var statusLine = document.getElementById("status-line");
  var form = document.getElementById("filters");

  var map = L.map(el, { minZoom: 3, maxZoom: 19, worldCopyJump: true });
  var clusterLayer = L.layerGroup().addTo(map);
  var stationLayer = L.markerClusterGroup({
    maxClusterRadius: 50,
    disableClusteringAtZoom: 15,
    showCoverageOnHover: false,
    iconCreateFunction: groupIcon
  }).addTo(map);
  var stations = {}; // id -> {item, marker}
  var operatorNames = {}; // id -> display name, from /operators
  var loadSeq = 0;
  var inflight = null;

  // ---------- formatting ----------

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function symbol(currency) {
    return currency === "CNY" || !currency ? "¥" : currency + " ";
  }

  // Money arrives as decimal strings; trim to at least two places without float arithmetic.
  function trimDecimal(text) {
    var s = String(text);
    if (s.indexOf(".") < 0) return s + ".00";
    while (/\.\d{3,}$/.test(s) && s.charAt(s.length - 1) === "0") s = s.slice(0, -1);
    return s;
  }

  function money(amount, currency) {
    return symbol(currency) + trimDecimal(amount);
  }

  function isZero(text) {
    return /^0*(\.0*)?$/.test(String(text));
  }

  function parkingRule(p) {
    if (!p) return "no parking information";
    if (p.fee_per_hour == null || isZero(p.fee_per_hour)) return "free parking";
    var parts = [];
    if (p.free_minutes) parts.push("first " + p.free_minutes + " min free, then");
    parts.push(money(p.fee_per_hour, p.currency) + "/h");
    var text = parts.join(" ");
    if (p.daily_cap != null) text += ", cap " + money(p.daily_cap, p.currency);
    return text;
  }

  function idleFee(f) {
    if (!f) return "";
    var text = money(f.per_minute, f.currency) + "/min from " + f.grace_minutes +
      " min after charging ends";
    if (f.cap != null) text += ", cap " + money(f.cap, f.currency);
    return "<div class=\"idle-fee\">Idle fee: " + esc(text) + "</div>";
  }

  function priceNow(pn) {
    if (!pn) return "price not published";
    var c = pn.currency;
    return money(pn.total_per_kwh, c) + "/kWh" +
      " <span class=\"muted\">(" + esc(pn.period || "now") + ": electricity " +
      money(pn.electricity_per_kwh, c) + " + service " + money(pn.service_per_kwh, c) + ")</span>";
  }

  function pilesLine(piles) {
    if (!piles) return "";
    return ["free", "busy", "offline", "unknown"].filter(function (k) {
      return piles[k];
    }).map(function (k) {
      return "<span class=\"pill status-" + k + "\">" + piles[k] + " " + k + "</span>";
    }).join(" ") + " <span class=\"muted\">of " + (piles.total || 0) + "</span>";
  }

  function pilesDetail(list) {
    if (!list || !list.length) return "";
    var rows = list.map(function (p) {
      return "<li><span class=\"dot status-" + esc(p.category) + "\"></span>" + esc(p.id) +
        " — " + esc(p.status) + (p.max_power_kw ? ", " + esc(p.max_power_kw) + " kW" : "") +
        (p.connectors && p.connectors.length ? ", " + esc(p.connectors.join(", ")) : "") +
        "</li>";
    });
    return "<details class=\"piles-detail\"><summary>Piles</summary><ul>" + rows.join("") +
      "</ul></details>";
  }

  function popupHtml(s) {
    var swap = "";
    if (s.is_swap && s.swap) {
      swap = "<div class=\"swap\">Battery swap: " + esc(s.swap.batteries_in_stock) +
        " in stock, queue " + esc(s.swap.queue_length) + ", ~" + esc(s.swap.swap_minutes) +
        " min per swap</div>";
    } else if (s.is_swap) {
      swap = "<div class=\"swap\">Battery swap station</div>";
    }
    return "<div class=\"station-popup\" data-station-id=\"" + esc(s.id) + "\">" +
      "<h3>" + esc(s.name) + "</h3>" +
      "<div class=\"operator\">" + esc(operatorNames[s.operator] || s.operator) + "</div>" +
      "<div class=\"address\">" + esc(s.address) + (s.city ? ", " + esc(s.city) : "") + "</div>" +
      "<div class=\"piles\">" + pilesLine(s.piles) + "</div>" +
      "<div class=\"power\">up to " + esc(s.max_power_kw) + " kW · " +
      esc((s.connectors || []).join(", ")) + "</div>" +
      "<div class=\"price-now\">Now " + priceNow(s.price_now) + "</div>" +
      "<div class=\"parking\">Parking: " + esc(parkingRule(s.parking)) + "</div>" +
      idleFee(s.idle_fee) + swap + pilesDetail(s.piles_detail) + "</div>";
  }

  // ---------- markers ----------

  function stationIcon(s) {
    var status = s.status || "unknown";
    var cls = "station-marker status-" + status + (s.is_swap ? " is-swap" : "");
    return L.divIcon({
      className: "station-icon",
      html: "<div class=\"" + cls + "\" data-station-id=\"" + esc(s.id) + "\" data-status=\"" +
        esc(status) + "\" title=\"" + esc(s.name) + "\">" + (s.is_swap ? "S" : "") + "</div>",
      iconSize: [22, 22],
      iconAnchor: [11, 11],
      popupAnchor: [0, -10]
    });
  }

  function groupIcon(group) {
    var children = group.getAllChildMarkers();
    var free = children.filter(function (m) { return m.options.status === "free"; }).length;
    var tone = free ? "free" : "busy";
    if (!free && children.every(function (m) { return m.options.status !== "busy"; })) {
      tone = "offline";
    }
    return L.divIcon({
      className: "group-icon",
      html: "<div class=\"group-marker tone-" + tone + "\"><span>" + children.length +
        "</span></div>",
      iconSize: [36, 36]
    });
  }

  function clusterIcon(c) {
    // 1 station → 24 px, 100 → 44 px, 10,000+ → 64 px: big networks stay readable.
    var size = Math.round(Math.min(64, 24 + 10 * Math.log10(Math.max(1, c.stations))));
    var tone = c.piles && c.piles.free ? "free" : (c.piles && c.piles.busy ? "busy" : "offline");
    return L.divIcon({
      className: "cluster-icon",
      html: "<div class=\"server-cluster tone-" + tone + "\" style=\"width:" + size +
        "px;height:" + size + "px;line-height:" + size + "px\">" + c.stations + "</div>",
      iconSize: [size, size]
    });
  }

  function addStation(item) {
    var marker = L.marker([item.lat, item.lon], {
      icon: stationIcon(item), status: item.status, title: item.name, riseOnHover: true
    });
    marker.bindPopup(function () { return popupHtml(stations[item.id].item); }, { minWidth: 240 });
    marker.on("popupopen", function () { refreshStation(item.id); });
    stations[item.id] = { item: item, marker: marker };
    return marker;
  }

  function updateStation(item) {
    var entry = stations[item.id];
    if (!entry) return;
    entry.item = Object.assign({}, entry.item, item);
    entry.marker.options.status = entry.item.status;
    entry.marker.setIcon(stationIcon(entry.item));
    stationLayer.refreshClusters(entry.marker);
    if (entry.marker.isPopupOpen()) entry.marker.setPopupContent(popupHtml(entry.item));
  }

  // ---------- loading ----------

  function filterParams() {
    var params = new URLSearchParams();
    ["connector", "operator"].forEach(function (name) {
      var boxes = form.querySelectorAll("input[name=" + name + "]");
      var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
      // All ticked means no restriction; so does none (the map never goes silently empty).
      if (ticked.length && ticked.length < boxes.length) {
        ticked.forEach(function (b) { params.append(name, b.value); });
      }
    });
    var power = form.elements.min_power_kw.value;
    if (power) params.set("min_power_kw", power);
    if (form.elements.available.checked) params.set("available", "true");
    if (form.elements.is_swap.checked) params.set("is_swap", "true");
    return params;
  }

  function bboxParam() {
    var b = map.getBounds();
    var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
    var south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
    return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
  }

  function getJson(url, signal) {
    return fetch(url, { signal: signal, headers: { Accept: "application/json" } })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) {
          if (!resp.ok) throw new Error(body.detail || body.title || "HTTP " + resp.status);
          return body;
        });
      });
  }

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("is-error", !!isError);
  }

  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  function loadClusters(params, signal) {
    params.set("zoom", String(map.getZoom()));
    return getJson(API + "/stations/clusters?" + params.toString(), signal).then(function (body) {
      var total = 0;
      stationLayer.clearLayers();
      stations = {};
      clusterLayer.clearLayers();
      (body.clusters || []).forEach(function (c) {
        total += c.stations;
        L.marker([c.lat, c.lon], { icon: clusterIcon(c), title: c.stations + " stations" })
          .on("click", function () {
            map.setView([c.lat, c.lon], Math.max(STATION_ZOOM, map.getZoom() + 2));
          }).addTo(clusterLayer);
      });
      return fmt(total) + " stations shown in " + fmt((body.clusters || []).length) +
        " clusters — zoom in for details";
    });
  }

  function fetchPages(params, signal, items, page) {
    return getJson(API + "/stations?" + params.toString(), signal).then(function (body) {
      items.push.apply(items, body.items || []);
      if (body.next_cursor && page + 1 < MAX_PAGES) {
        params.set("cursor", body.next_cursor);
        return fetchPages(params, signal, items, page + 1);
      }
      return { items: items, more: !!body.next_cursor };
    });
  }

  function loadStations(params, signal) {
    params.set("limit", String(PAGE_SIZE));
    return fetchPages(params, signal, [], 0).then(function (result) {
      clusterLayer.clearLayers();
      stationLayer.clearLayers();
      stations = {};
      stationLayer.addLayers(result.items.map(addStation));
      return fmt(result.items.length) + " stations shown" +
        (result.more ? " (more here — zoom in)" : "");
    });
  }

  function load() {
    var seq = ++loadSeq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    var params = filterParams();
    params.set("bbox", bboxParam());
    var job = map.getZoom() < STATION_ZOOM ? loadClusters : loadStations;
    setStatus("Loading…");
    job(params, inflight.signal).then(function (text) {
      if (seq === loadSeq) setStatus(text);
    }).catch(function (err) {
      if (seq === loadSeq && err.name !== "AbortError") {
        setStatus("Could not load stations: " + err.message, true);
      }
    });
  }

  var moveTimer = null;
  function scheduleLoad(delay) {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(load, delay);
  }

  function refreshStation(id) {
    getJson(API + "/stations/" + encodeURIComponent(id)).then(updateStation).catch(function () {
      // Keep the summary we have; the next move refetches anyway.
    });
  }

  // ---------- live updates ----------

  var pending = {};
  function onPileStatus(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    var entry = stations[data.station_id];
    if (!entry) return;
    // A free pile makes the station free at once; anything else needs the full picture.
    if (data.category === "free" || (entry.item.piles && entry.item.piles.total === 1)) {
      updateStation({ id: data.station_id, status: data.category });
    }
    clearTimeout(pending[data.station_id]);
    pending[data.station_id] = setTimeout(function () {
      delete pending[data.station_id];
      refreshStation(data.station_id);
    }, 300);
  }

  function subscribe(attempt) {
    if (!window.EventSource) return;
    var source = new EventSource(API + "/events");
    source.addEventListener("pile_status", onPileStatus);
    source.addEventListener("open", function () { attempt = 0; });
    source.addEventListener("error", function () {
      // The browser retries network drops itself; a 404 or bad type closes for good,
      // so retry slowly (the feed may be switched on later) instead of hammering.
      if (source.readyState === EventSource.CLOSED) {
        var delay = Math.min(300000, 5000 * Math.pow(2, attempt));
        setTimeout(function () { subscribe(attempt + 1); }, delay);
      }
    });
  }

  // ---------- operators, legend, view ----------

  function loadOperators() {
    var box = document.getElementById("operator-filters");
    return getJson(API + "/operators").then(function (body) {
      var placeholder = box.querySelector("[data-placeholder]");
      if (placeholder) placeholder.remove();
      (body.items || []).forEach(function (op) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = "checkbox";
        input.name = "operator";
        input.value = op.id;
        input.checked = true;
        operatorNames[op.id] = op.name || op.id;
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + (op.name || op.id)));
        box.appendChild(label);
      });
    }).catch(function () {
      box.querySelector("[data-placeholder]").textContent = "operators unavailable";
    });
  }

  function addLegend() {
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "legend");
      div.innerHTML = "<div><span class=\"station-marker status-free\"></span> free pile now</div>" +
        "<div><span class=\"station-marker status-busy\"></span> all busy</div>" +
        "<div><span class=\"station-marker status-offline\"></span> offline / faulted</div>" +
        "<div><span class=\"station-marker status-unknown\"></span> status unknown</div>" +
        "<div><span class=\"station-marker status-free is-swap\">S</span> battery swap</div>" +
        "<div><span class=\"server-cluster tone-free legend-cluster\">n</span> group of n stations</div>";
      return div;
    };
    legend.addTo(map);
  }

  function addBaseLayer() {
    var url = el.dataset.tiles;
    if (url) {
      L.tileLayer(url, { maxZoom: 19, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
      return;
    }
    el.classList.add("no-tiles");
    var labels = L.layerGroup(CITIES.map(function (c) {
      return L.marker([c[1], c[2]], {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "city-label", html: esc(c[0]), iconSize: null })
      });
    }));
    labels.addTo(map);
  }

  // View in the URL hash (#zoom/lat/lon) so a view can be shared and reloaded.
  function viewFromHash() {
    var m = /^#(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(location.hash);
    if (m) return { zoom: +m[1], lat: +m[2], lon: +m[3] };
    return CHINA;
  }

  function writeHash() {
    var c = map.getCenter();
    var hash = "#" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4);
    if (history.replaceState) history.replaceState(null, "", hash);
  }

  addBaseLayer();
  addLegend();
  var start = viewFromHash();
  map.setView([start.lat, start.lon], start.zoom);
  writeHash();
  map.on("moveend", function () { writeHash(); scheduleLoad(MOVE_DEBOUNCE_MS); });
  form.addEventListener("change", function () { scheduleLoad(0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  load();
  loadOperators();
  subscribe(0);
})();
