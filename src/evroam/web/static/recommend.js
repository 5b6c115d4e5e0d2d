// evroam recommendation panel: vehicle + state of charge + a point on the map → ranked options.
(function () {
  "use strict";

  var PAN_ZOOM = 14; // clicking a result row shows the station at least this close
  var FIT_MAX_ZOOM = 15;
  var DEFAULTS = { target_soc: 80, min_arrival_soc: 10 };
  var ev = window.evroam;
  var i18n = ev.i18n;
  var t = i18n.t, esc = i18n.esc, money = i18n.money;
  var HINTS = {
    idle: function () { return t("Choose a vehicle and battery level, press Recommend here, then tap the map."); },
    start: function () { return t("Tap the map where you are — shift-click adds a destination. Esc cancels."); },
    destination: function () { return t("Tap the map at your destination. Esc cancels."); },
    loading: function () { return t("Finding options…"); }
  };

  function minutes(value) {
    var total = Math.round(Number(value) || 0);
    if (total < 60) return t("{minutes} min", { minutes: total });
    var m = total % 60;
    return t("{hours} h {minutes} min", { hours: Math.floor(total / 60), minutes: (m < 10 ? "0" : "") + m });
  }

  function percent(value) {
    return Math.round(Number(value) || 0) + " %";
  }

  function problemText(body, status) {
    var detail = body && body.detail;
    if (typeof detail === "string" && detail) return detail;
    if (Array.isArray(detail) && detail.length) {
      return detail.map(function (d) {
        var where = Array.isArray(d.loc) ? d.loc.filter(function (p) { return p !== "body"; }) : [];
        return (where.length ? where.join(".") + ": " : "") + (d.msg || "");
      }).join("; ");
    }
    return (body && body.title) || "request failed (HTTP " + status + ")";
  }

  // The API's option fields (station_id, expected_wait_minutes, final_soc, cost)
  // as the panel draws them.
  function normalise(o) {
    return Object.assign({}, o, {
      station: o.station || {
        id: o.station_id, name: o.station_name, operator: o.operator, lat: o.lat, lon: o.lon
      },
      wait_minutes: o.wait_minutes != null ? o.wait_minutes : o.expected_wait_minutes,
      target_soc: o.target_soc != null ? o.target_soc : o.final_soc,
      total_cost: o.total_cost != null ? o.total_cost : o.cost
    });
  }

  function sendJson(url, options) {
    var init = Object.assign({ headers: { Accept: "application/json" } }, options || {});
    return fetch(url, init).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (!resp.ok) throw new Error(problemText(body, resp.status));
        return body;
      });
    });
  }

  // ---------- panel markup ----------

  function formHtml() {
    return "<div class=\"sheet-head recommend-head\">" +
    "<h2 class=\"recommend-title sheet-title\" id=\"recommend-title\">" + esc(t("Where to charge")) + "</h2>" +
    "<button type=\"button\" class=\"recommend-toggle\" aria-expanded=\"true\" " +
    "aria-controls=\"recommend-form\" aria-label=\"" + esc(t("Hide or show the form")) + "\">–</button>" +
    "<button type=\"button\" class=\"sheet-close\" aria-label=\"" + esc(t("Close")) + "\">×</button></div>" +
    "<form id=\"recommend-form\" class=\"recommend-form\" autocomplete=\"off\" novalidate>" +
    "<label class=\"recommend-field\">" + esc(t("Vehicle")) + "<select name=\"vehicle\">" +
    "<option value=\"\">" + esc(t("loading vehicles…")) + "</option></select></label>" +
    "<div class=\"recommend-pair\">" +
    "<label class=\"recommend-field\">" + esc(t("Battery now (%)")) + "<input name=\"soc\" type=\"number\" " +
    "min=\"0\" max=\"100\" step=\"1\" inputmode=\"numeric\" placeholder=\"" + esc(t("e.g. 20")) + "\"></label>" +
    "<label class=\"recommend-field\">" + esc(t("Charge to (%)")) + "<input name=\"target_soc\" type=\"number\" " +
    "min=\"1\" max=\"100\" step=\"1\" inputmode=\"numeric\" value=\"" + DEFAULTS.target_soc + "\"></label></div>" +
    "<label class=\"recommend-field\">" + esc(t("Prefer")) + "<select name=\"prefer\">" +
    "<option value=\"balanced\">" + esc(t("balance time and cost")) + "</option>" +
    "<option value=\"time\">" + esc(t("least time")) + "</option>" +
    "<option value=\"cost\">" + esc(t("least cost")) + "</option></select></label>" +
    "<div class=\"recommend-actions\">" +
    "<button type=\"button\" id=\"recommend-pick\" aria-pressed=\"false\">" + esc(t("Recommend here")) + "</button>" +
    "<button type=\"button\" id=\"recommend-pick-destination\" aria-pressed=\"false\">" +
    esc(t("+ destination")) + "</button>" +
    "<button type=\"button\" id=\"recommend-clear\">" + esc(t("Clear")) + "</button>" +
    "</div>" +
    "<p id=\"recommend-hint\" class=\"recommend-hint\" role=\"status\" aria-live=\"polite\"></p>" +
    "<p id=\"recommend-error\" class=\"recommend-error\" role=\"alert\" hidden></p>" +
    "<ol id=\"recommend-results\" class=\"recommend-results\"></ol>" +
    "</form>";
  }

  // ---------- map drawing ----------

  function pointIcon(cls, text, title) {
    return L.divIcon({
      className: "recommend-icon",
      html: "<div class=\"" + cls + "\" title=\"" + esc(title) + "\">" + esc(text) + "</div>",
      iconSize: [22, 22],
      iconAnchor: [11, 11]
    });
  }

  function optionIcon(option) {
    var s = option.station || {};
    var cls = "recommend-option is-" + esc(option.kind || "charge") +
      (option.rank === 1 ? " is-best" : "");
    return L.divIcon({
      className: "recommend-icon",
      html: "<div class=\"" + cls + "\" data-station-id=\"" + esc(s.id) + "\" data-rank=\"" +
        esc(option.rank) + "\" title=\"" + esc(option.rank + ". " + (s.name || s.id)) + "\">" +
        esc(option.rank) + "</div>",
      iconSize: [28, 28],
      iconAnchor: [14, 14]
    });
  }

  function line(from, to, cls, isBest) {
    return L.polyline([from, to], {
      className: cls, interactive: false, weight: isBest ? 4 : 3,
      color: isBest ? "#1a56db" : "#52606d", opacity: isBest ? 0.9 : 0.7,
      dashArray: isBest ? null : "6 6"
    });
  }

  // The hub's `why` is English (its facts are the row's figures); other languages get
  // the lead said here: the objective for #1, the difference to #1 for the others.
  var LEADS = {
    time: function () { return t("fastest"); },
    cost: function () { return t("cheapest"); },
    balanced: function () { return t("best balance of time and cost"); }
  };

  function why(option, best, prefer) {
    if (i18n.locale === "en" || !best) return option.why;
    if (option.rank === 1) return LEADS[prefer] ? LEADS[prefer]() : option.why;
    var dt = Math.round(Number(option.total_minutes) - Number(best.total_minutes));
    var dc = Number(option.total_cost) - Number(best.total_cost);
    var same = t("the same time");
    var later = dt === 0 ? same : (dt > 0 ? "+" : "−") + minutes(Math.abs(dt));
    var dearer = (dc >= 0 ? "+" : "−") + money(Math.abs(dc).toFixed(2), option.currency);
    return t("#{rank}: {minutes} and {money} vs #1", {
      rank: option.rank, minutes: later, money: dearer
    });
  }

  function rowHtml(option, best, prefer) {
    var s = option.station || {};
    var kind = option.kind === "swap" ? "swap" : "charge";
    var action = kind === "swap" ? t("swap") : t("charge {time} to {soc}", {
      time: minutes(option.charge_minutes), soc: percent(option.target_soc)
    });
    return "<li class=\"recommend-result is-" + kind + "\" data-station-id=\"" + esc(s.id) +
      "\" data-rank=\"" + esc(option.rank) + "\" tabindex=\"0\">" +
      "<div class=\"recommend-result-head\"><span class=\"recommend-rank\">" + esc(option.rank) +
      "</span><span class=\"recommend-station\">" + esc(s.name || s.id) + "</span>" +
      "<span class=\"recommend-kind\">" + esc(kind === "swap" ? t("swap") : t("charge")) + "</span></div>" +
      "<div class=\"recommend-figures\">" +
      "<span class=\"recommend-total-minutes\">" + esc(minutes(option.total_minutes)) + "</span>" +
      "<span class=\"recommend-total-cost\">" +
      esc(money(option.total_cost, option.currency)) + "</span>" +
      "<span class=\"recommend-arrival\">" + esc(t("arrive at {soc}", { soc: percent(option.arrival_soc) })) +
      "</span></div>" + (ev.availability ? ev.availability.badge(option) : "") +
      "<div class=\"recommend-breakdown\">" + esc(t("drive {km} km · wait {wait}", {
        km: i18n.number(Number(option.drive_km).toFixed(1)), wait: minutes(option.wait_minutes)
      })) + " · " + esc(action) + "</div>" +
      "<p class=\"recommend-why\">" + esc(why(option, best, prefer)) + "</p></li>";
  }

  // ---------- the panel ----------

  function setUp(map, panel, container) {
    if (!panel) return;
    var API = ev.map.api;
    panel.innerHTML = formHtml();
    var form = panel.querySelector("#recommend-form");
    var toggle = panel.querySelector(".recommend-toggle");
    var hint = panel.querySelector("#recommend-hint");
    var errorBox = panel.querySelector("#recommend-error");
    var results = panel.querySelector("#recommend-results");
    var pickStart = panel.querySelector("#recommend-pick");
    var pickDestination = panel.querySelector("#recommend-pick-destination");
    var pointLayer = L.layerGroup().addTo(map);
    var optionLayer = L.layerGroup().addTo(map);
    var state = { start: null, destination: null, picking: null, options: [], seq: 0, inflight: null };
    var markers = {}; // station id -> option marker
    var zooming = false;

    function showError(text) {
      errorBox.textContent = text || "";
      errorBox.hidden = !text;
    }

    function setHint(text) { hint.textContent = text; }

    function setPicking(mode) {
      state.picking = mode;
      container.classList.toggle("is-picking", !!mode);
      // On a phone the sheet steps aside while the driver taps the map.
      panel.classList.toggle("is-minimised", !!mode && ev.sheets.isPhone());
      pickStart.setAttribute("aria-pressed", String(mode === "start"));
      pickDestination.setAttribute("aria-pressed", String(mode === "destination"));
      setHint(HINTS[mode || "idle"]());
    }

    function readForm() {
      var vehicle = form.elements.vehicle.value;
      var soc = form.elements.soc.value.trim();
      var target = form.elements.target_soc.value.trim();
      if (!vehicle) return { error: t("Choose a vehicle first.") };
      if (!/^\d{1,3}(\.\d+)?$/.test(soc) || Number(soc) > 100) {
        return { error: t("Enter the battery level now, from 0 to 100 %.") };
      }
      if (!/^\d{1,3}$/.test(target) || Number(target) < 1 || Number(target) > 100) {
        return { error: t("Enter the level to charge to, from 1 to 100 %.") };
      }
      return {
        body: {
          vehicle_id: vehicle, soc: Number(soc), target_soc: Number(target),
          min_arrival_soc: DEFAULTS.min_arrival_soc, prefer: form.elements.prefer.value
        }
      };
    }

    function drawPoints() {
      pointLayer.clearLayers();
      if (state.start) {
        L.marker(state.start, {
          icon: pointIcon("recommend-start", "", t("You are here")), zIndexOffset: 2000,
          keyboard: false, interactive: false
        }).addTo(pointLayer);
      }
      if (state.destination) {
        L.marker(state.destination, {
          icon: pointIcon("recommend-destination", "⚑", t("Destination")), zIndexOffset: 2000,
          keyboard: false, interactive: false
        }).addTo(pointLayer);
      }
    }

    function select(stationId, shouldPan) {
      var rows = results.querySelectorAll(".recommend-result");
      Array.prototype.forEach.call(rows, function (row) {
        var on = row.dataset.stationId === stationId;
        row.classList.toggle("is-selected", on);
        if (on) row.setAttribute("aria-current", "true"); else row.removeAttribute("aria-current");
        if (on && !shouldPan && row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
      });
      Object.keys(markers).forEach(function (id) {
        var node = markers[id].getElement();
        if (node) node.firstChild.classList.toggle("is-selected", id === stationId);
      });
      if (shouldPan && markers[stationId]) panTo(markers[stationId].getLatLng());
    }

    // Leaflet drops a new view asked for mid-zoom, so wait for a running zoom to end.
    function panTo(at) {
      if (zooming) { map.once("zoomend", function () { panTo(at); }); return; }
      var zoom = Math.max(map.getZoom(), PAN_ZOOM);
      if (zoom === map.getZoom()) map.panTo(at); else map.setView(at, zoom);
    }

    // Show the start and every option, clear of both panels, close enough to tell them apart.
    function fitTo(points) {
      ev.map.fitPoints(points, FIT_MAX_ZOOM);
    }

    function drawOptions(options) {
      optionLayer.clearLayers();
      markers = {};
      var points = [state.start];
      if (state.destination) points.push(state.destination);
      options.forEach(function (option) {
        var s = option.station || {};
        var at = L.latLng(s.lat, s.lon);
        var isBest = option.rank === 1;
        points.push(at);
        line(state.start, at, "recommend-line", isBest).addTo(optionLayer);
        if (state.destination) {
          line(at, state.destination, "recommend-line recommend-line-onward", isBest)
            .addTo(optionLayer);
        }
        var marker = L.marker(at, {
          icon: optionIcon(option), zIndexOffset: 1000 + 10 * (options.length - option.rank),
          title: s.name || s.id, riseOnHover: true
        });
        marker.on("click", function () { select(s.id, false); });
        markers[s.id] = marker.addTo(optionLayer);
      });
      var prefer = form.elements.prefer.value;
      results.innerHTML = options.map(function (option) {
        return rowHtml(option, options[0], prefer);
      }).join("");
      if (options.length) fitTo(points);
    }

    function clearOptions() {
      optionLayer.clearLayers();
      markers = {};
      results.innerHTML = "";
    }

    function recommend() {
      if (!state.start) return;
      var read = readForm();
      if (read.error) { showError(read.error); return; }
      var body = read.body;
      body.at = { lat: state.start.lat, lon: state.start.lng };
      body.to = state.destination ?
        { lat: state.destination.lat, lon: state.destination.lng } : null;
      var seq = ++state.seq;
      if (state.inflight) state.inflight.abort();
      state.inflight = new AbortController();
      showError("");
      setHint(HINTS.loading());
      panel.classList.add("is-loading");
      sendJson(API + "/recommendations", {
        method: "POST", signal: state.inflight.signal, body: JSON.stringify(body),
        headers: { Accept: "application/json", "Content-Type": "application/json" }
      }).then(function (answer) {
        if (seq !== state.seq) return;
        var options = (answer.options || []).map(normalise).sort(function (a, b) {
          return a.rank - b.rank;
        });
        drawOptions(options);
        setHint(!options.length ?
          t("No station in reach — try a higher battery level or another place.") :
          state.destination ?
            i18n.nt("{count} option on the way to your destination — tap one to see it.",
              "{count} options on the way to your destination — tap one to see it.", options.length) :
            i18n.nt("{count} option from here — tap one to see it.",
              "{count} options from here — tap one to see it.", options.length));
      }).catch(function (err) {
        if (seq !== state.seq || err.name === "AbortError") return;
        clearOptions();
        setHint(HINTS.idle());
        showError(t("Could not recommend: {reason}", { reason: err.message }));
      }).then(function () {
        if (seq === state.seq) panel.classList.remove("is-loading");
      });
    }

    function startPicking(mode) {
      if (state.picking === mode) { setPicking(null); return; }
      var read = readForm();
      if (read.error) { showError(read.error); return; }
      showError("");
      setPicking(mode);
    }

    function onMapClick(e) {
      var shift = e.originalEvent && e.originalEvent.shiftKey;
      if (state.picking === "destination" || (shift && (state.picking || state.start))) {
        state.destination = e.latlng;
        if (state.picking === "destination") setPicking(null);
      } else if (state.picking === "start") {
        state.start = e.latlng;
        setPicking(null);
      } else {
        return;
      }
      drawPoints();
      recommend();
    }

    function clearAll() {
      state.seq++;
      if (state.inflight) state.inflight.abort();
      state.start = null;
      state.destination = null;
      panel.classList.remove("is-loading");
      drawPoints();
      clearOptions();
      showError("");
      setPicking(null);
    }

    function collapse(collapsed) {
      panel.classList.toggle("is-collapsed", collapsed);
      form.hidden = collapsed;
      toggle.setAttribute("aria-expanded", String(!collapsed));
      toggle.textContent = collapsed ? "+" : "–";
    }

    // A car is swap-capable when the catalogue names operators whose swap bays fit it.
    function vehicleLabel(v) {
      var swap = (v.swap_operator_ids || []).length ? " · " + t("battery swap") : "";
      return v.brand + " " + v.model + " — " + i18n.number(v.usable_battery_kwh) + " kWh" + swap;
    }

    function loadVehicles() {
      var select = form.elements.vehicle;
      sendJson(API + "/vehicles").then(function (body) {
        var items = body.items || [];
        select.innerHTML = "<option value=\"\">" +
          esc(items.length ? t("choose a vehicle…") : t("no vehicles known")) + "</option>" +
          items.map(function (v) {
            return "<option value=\"" + esc(v.id) + "\"" +
              ((v.swap_operator_ids || []).length ? " data-swap=\"true\"" : "") + ">" +
              esc(vehicleLabel(v)) + "</option>";
          }).join("");
        var mine = ev.account && ev.account.vehicleId();
        if (mine) select.value = mine;
        else if (items.length === 1) select.value = items[0].id;
      }).catch(function (err) {
        select.innerHTML = "<option value=\"\">" + esc(t("vehicles unavailable")) + "</option>";
        showError(t("Could not load vehicles: {reason}", { reason: err.message }));
      });
    }

    toggle.addEventListener("click", function () { collapse(!panel.classList.contains("is-collapsed")); });
    pickStart.addEventListener("click", function () { startPicking("start"); });
    pickDestination.addEventListener("click", function () { startPicking("destination"); });
    panel.querySelector("#recommend-clear").addEventListener("click", clearAll);
    form.addEventListener("submit", function (e) { e.preventDefault(); recommend(); });
    form.addEventListener("change", function () {
      if (state.start && !state.picking) recommend();
    });
    results.addEventListener("click", function (e) {
      var row = e.target.closest(".recommend-result");
      if (row) select(row.dataset.stationId, true);
    });
    results.addEventListener("keydown", function (e) {
      var row = e.target.closest(".recommend-result");
      if (row && (e.key === "Enter" || e.key === " ")) {
        e.preventDefault();
        select(row.dataset.stationId, true);
      }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && state.picking) setPicking(null);
    });
    map.on("click", onMapClick);
    panel.querySelector(".sheet-close").addEventListener("click", function () {
      setPicking(null);
      ev.sheets.close();
      document.getElementById("open-recommend").focus();
    });
    ev.recommend = {
      useVehicle: function (id) { if (id) form.elements.vehicle.value = id; }
    };
    map.on("zoomstart", function () { zooming = true; });
    map.on("zoomend", function () { zooming = false; });
    setHint(HINTS.idle());
    loadVehicles();
  }

  setUp(ev.map.map, document.getElementById("recommend-panel"), document.getElementById("map"));
})();
