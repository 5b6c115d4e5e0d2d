// evroam driver map: server clusters at low zoom, live station markers at high zoom.
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n;
  var t = i18n.t, nt = i18n.nt, esc = i18n.esc;

  var STATION_ZOOM = 9; // from this zoom on, draw stations instead of server clusters
  var PAGE_SIZE = 500;
  var MAX_PAGES = 3;
  var MOVE_DEBOUNCE_MS = 250;
  var CHINA = { lat: 35.0, lon: 104.5, zoom: 4 };
  var CONNECTOR_NAMES = {
    gbt_dc: "GB/T DC", gbt_ac: "GB/T AC", ccs2: "CCS2", type2: "Type 2",
    chademo: "CHAdeMO", nacs: "NACS", swap: null
  };

  var el = document.getElementById("map");
  var API = (el.dataset.api || "/api/v1").replace(/\/$/, "");
  var statusLine = document.getElementById("status-line");
  var form = document.getElementById("filters");

  var map = L.map(el, { minZoom: 3, maxZoom: 19, worldCopyJump: true, zoomControl: false });
  L.control.zoom({ position: "bottomright" }).addTo(map);
  map.attributionControl.setPrefix("Leaflet");
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

  function connectorName(code) {
    return code === "swap" ? t("Battery swap") : (CONNECTOR_NAMES[code] || code);
  }

  // ---------- markers ----------

  function stationIcon(s) {
    var status = s.status || "unknown";
    var cls = "station-marker status-" + status + (s.is_swap ? " is-swap" : "");
    // The dot is 22 px; the icon around it is the 44 px a finger needs.
    return L.divIcon({
      className: "station-icon",
      html: "<div class=\"" + cls + "\" data-station-id=\"" + esc(s.id) + "\" data-status=\"" +
        esc(status) + "\" title=\"" + esc(s.name) + "\">" + (s.is_swap ? "S" : "") + "</div>",
      iconSize: [44, 44],
      iconAnchor: [22, 22]
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
      iconSize: [44, 44]
    });
  }

  function clusterIcon(c) {
    // 1 station → 28 px, 100 → 48 px, 10,000+ → 64 px: big networks stay readable.
    var size = Math.round(Math.min(64, 28 + 10 * Math.log10(Math.max(1, c.stations))));
    var tone = c.piles && c.piles.free ? "free" : (c.piles && c.piles.busy ? "busy" : "offline");
    return L.divIcon({
      className: "cluster-icon",
      html: "<div class=\"server-cluster tone-" + tone + "\" style=\"width:" + size +
        "px;height:" + size + "px;line-height:" + size + "px\">" + c.stations + "</div>",
      iconSize: [Math.max(44, size), Math.max(44, size)]
    });
  }

  function addStation(item) {
    var marker = L.marker([item.lat, item.lon], {
      icon: stationIcon(item), status: item.status, title: item.name, riseOnHover: true,
      alt: item.name
    });
    marker.on("click", function () {
      if (ev.station) ev.station.show(item.id, stations[item.id] && stations[item.id].item);
    });
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
    if (ev.station) ev.station.updated(entry.item);
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

  function boundsParam(b) {
    var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
    var south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
    return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
  }

  function getJson(url, signal) {
    return fetch(url, {
      signal: signal, credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (resp) {
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

  function loadClusters(params, signal) {
    params.set("zoom", String(map.getZoom()));
    return getJson(API + "/stations/clusters?" + params.toString(), signal).then(function (body) {
      var total = 0;
      stationLayer.clearLayers();
      stations = {};
      clusterLayer.clearLayers();
      (body.clusters || []).forEach(function (c) {
        total += c.stations;
        L.marker([c.lat, c.lon], {
          icon: clusterIcon(c), title: nt("{count} station", "{count} stations", c.stations),
          alt: nt("{count} station", "{count} stations", c.stations)
        }).on("click", function () {
          map.setView([c.lat, c.lon], Math.max(STATION_ZOOM, map.getZoom() + 2));
        }).addTo(clusterLayer);
      });
      return nt("{count} station shown in {clusters} clusters — zoom in for details",
        "{count} stations shown in {clusters} clusters — zoom in for details", total,
        { clusters: i18n.number((body.clusters || []).length) });
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
      el.dataset.stationsDrawn = String(result.items.length);
      return nt("{count} station shown", "{count} stations shown", result.items.length) +
        (result.more ? " " + t("(more here — zoom in)") : "");
    });
  }

  function load() {
    var seq = ++loadSeq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    var params = filterParams();
    params.set("bbox", boundsParam(map.getBounds()));
    var job = map.getZoom() < STATION_ZOOM ? loadClusters : loadStations;
    setStatus(t("Loading…"));
    job(params, inflight.signal).then(function (text) {
      if (seq === loadSeq) setStatus(text);
    }).catch(function (err) {
      if (seq === loadSeq && err.name !== "AbortError") {
        setStatus(t("Could not load stations: {reason}", { reason: err.message }), true);
      }
    });
  }

  var moveTimer = null;
  function scheduleLoad(delay) {
    clearTimeout(moveTimer);
    moveTimer = setTimeout(load, delay);
  }

  function refreshStation(id) {
    return getJson(API + "/stations/" + encodeURIComponent(id)).then(function (detail) {
      updateStation(detail);
      return detail;
    });
  }

  // ---------- live updates: only for what is on screen ----------

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
      refreshStation(data.station_id).catch(function () { /* next move refetches */ });
    }, 300);
  }

  var live = { source: null, box: null, attempt: 0, timer: null };

  function closeFeed() {
    clearTimeout(live.timer);
    if (live.source) live.source.close();
    live.source = null;
    live.box = null;
    el.dataset.liveBbox = "";
  }

  // Subscribe for the view plus a margin; moving inside it keeps the stream.
  function subscribe() {
    if (!window.EventSource) return;
    if (map.getZoom() < STATION_ZOOM) { closeFeed(); return; }
    var view = map.getBounds();
    if (live.source && live.box && live.box.contains(view)) return;
    closeFeed();
    var box = view.pad(0.25);
    var source = new EventSource(API + "/events?bbox=" + boundsParam(box));
    live.source = source;
    live.box = box;
    el.dataset.liveBbox = boundsParam(box);
    source.addEventListener("pile_status", onPileStatus);
    source.addEventListener("open", function () { live.attempt = 0; });
    source.addEventListener("error", function () {
      // The browser retries network drops itself; a 404 or bad type closes for good,
      // so retry slowly (the feed may be switched on later) instead of hammering.
      if (source.readyState === EventSource.CLOSED && live.source === source) {
        var delay = Math.min(300000, 5000 * Math.pow(2, live.attempt++));
        live.source = null;
        live.box = null;
        live.timer = setTimeout(subscribe, delay);
      }
    });
  }

  // ---------- operators and connectors, legend, view ----------

  function checkbox(name, value, text) {
    var label = document.createElement("label");
    label.className = "check";
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = value;
    input.checked = true;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + text));
    return label;
  }

  // The connector filters are the connectors the network has (GET /operators).
  function loadOperators() {
    var opBox = document.getElementById("operator-filters");
    var connBox = document.getElementById("connector-filters");
    return getJson(API + "/operators").then(function (body) {
      var present = {};
      [opBox, connBox].forEach(function (box) {
        var placeholder = box.querySelector("[data-placeholder]");
        if (placeholder) placeholder.remove();
      });
      (body.items || []).forEach(function (op) {
        operatorNames[op.id] = op.name || op.id;
        opBox.appendChild(checkbox("operator", op.id, op.name || op.id));
        (op.connectors || []).forEach(function (c) { present[c] = true; });
      });
      Object.keys(CONNECTOR_NAMES).filter(function (c) { return present[c]; })
        .forEach(function (c) { connBox.appendChild(checkbox("connector", c, connectorName(c))); });
    }).catch(function () {
      opBox.querySelector("[data-placeholder]").textContent = t("operators unavailable");
    });
  }

  function addLegend() {
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("details", "legend");
      div.open = !ev.sheets.isPhone();
      div.innerHTML = "<summary>" + esc(t("Legend")) + "</summary>" +
        "<div><span class=\"station-marker status-free\"></span> " + esc(t("free pile now")) + "</div>" +
        "<div><span class=\"station-marker status-busy\"></span> " + esc(t("all busy")) + "</div>" +
        "<div><span class=\"station-marker status-offline\"></span> " + esc(t("offline / faulted")) + "</div>" +
        "<div><span class=\"station-marker status-unknown\"></span> " + esc(t("status unknown")) + "</div>" +
        "<div><span class=\"station-marker status-free is-swap\">S</span> " + esc(t("battery swap")) + "</div>" +
        "<div><span class=\"server-cluster tone-free legend-cluster\">n</span> " +
        esc(t("group of n stations")) + "</div>";
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    legend.addTo(map);
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
    if (history.replaceState) history.replaceState(null, "", location.pathname + location.search + hash);
  }

  // Show points clear of the open sheet and the top bar.
  function fitPoints(points, maxZoom) {
    var pad = ev.sheets.mapPadding(el);
    map.fitBounds(L.latLngBounds(points), {
      paddingTopLeft: [pad.left, pad.top], paddingBottomRight: [pad.right, pad.bottom],
      maxZoom: maxZoom || 15
    });
  }

  ev.map = {
    map: map, api: API, getJson: getJson, connectorName: connectorName,
    operatorName: function (id) { return operatorNames[id] || id; },
    refreshStation: refreshStation, fitPoints: fitPoints, reload: load
  };

  ev.basemap.addBaseLayer(map, el);
  addLegend();
  var start = viewFromHash();
  map.setView([start.lat, start.lon], start.zoom);
  writeHash();
  map.on("moveend", function () { writeHash(); scheduleLoad(MOVE_DEBOUNCE_MS); subscribe(); });
  form.addEventListener("change", function () { scheduleLoad(0); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  ev.sheets.onChange(function () { map.invalidateSize(); });
  load();
  loadOperators();
  subscribe();
})();
