// evroam trip sheet: from/to (places), the account's car, battery now → POST /trips, the
// stops drawn on the map and listed with charge/swap, SoC in → out, minutes and cost, and
// the planner's notes (or why no plan exists) in the page's language (ADR 0045).
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n;
  var t = i18n.t, esc = i18n.esc;
  var FIT_MAX_ZOOM = 12;
  var PLACE_LIMIT = 6;

  // ---------- the planner's sentences, by code ----------

  function place(name) {
    // The planner names the ends of a stretch "the start" / "the destination".
    if (name === "the start") return t("the start");
    if (name === "the destination") return t("the destination");
    return name;
  }

  i18n.sayings["trip.slower_chargers"] = function (p) {
    return t("Fast chargers (DC {fast_kw} kW and up) leave a gap on this route: {slow_stops} of " +
      "the {stops} stops use slower chargers (the slowest {slowest_kw} kW), so the trip is " +
      "slower than on fast chargers.", p);
  };
  i18n.sayings["trip.range_extender"] = function (p) {
    return t("{car} is an extended-range car: no charging stops keep its battery above " +
      "{floor} % on this route, so it drives about {battery_km} km on the battery and the " +
      "remaining {extender_km} km on its range extender.", p);
  };
  i18n.sayings["trip.no_plan"] = function (p) {
    return t("No plan for the {car}: no sequence of stops keeps it above the floor.", p);
  };
  i18n.sayings["trip.no_plan_gap"] = function (p) {
    return t("No plan for the {car}: between {from_name} (km {from_km} along the route) and " +
      "{to_name} (km {to_km}) there is no station it can use within reach; that stretch needs " +
      "a hop of about {hop_km} km by road, and the car covers about {range_km} km between " +
      "charges ({floor}–{target} %).", Object.assign({}, p, {
        from_name: place(p.from_name), to_name: place(p.to_name)
      }));
  };

  // ---------- formatting ----------

  function minutes(value) {
    var total = Math.round(Number(value) || 0);
    if (total < 60) return t("{minutes} min", { minutes: total });
    var m = total % 60;
    return t("{hours} h {minutes} min", { hours: Math.floor(total / 60), minutes: (m < 10 ? "0" : "") + m });
  }

  function percent(value) { return i18n.number(Math.round(Number(value) || 0)) + " %"; }
  function km(value) { return t("{km} km", { km: i18n.number(Math.round(Number(value) || 0)) }); }

  function placeLabel(item) {
    var zh = i18n.locale === "zh-CN";
    return zh ? (item.name_zh || item.name) : (item.name || item.name_zh);
  }

  // ---------- markup ----------

  function field(label, control) {
    return "<label class=\"recommend-field\">" + esc(label) + control + "</label>";
  }

  function placeField(name, label, placeholder) {
    return "<div class=\"trip-place\">" + field(label, "<input name=\"" + name + "\" id=\"trip-" +
      name + "\" type=\"search\" role=\"combobox\" aria-expanded=\"false\" aria-autocomplete=\"list\" " +
      "aria-controls=\"trip-" + name + "-results\" enterkeyhint=\"next\" autocomplete=\"off\" " +
      "placeholder=\"" + esc(placeholder) + "\">") +
      "<ul id=\"trip-" + name + "-results\" class=\"search-results trip-places\" role=\"listbox\" " +
      "aria-label=\"" + esc(t("Places found")) + "\" hidden></ul></div>";
  }

  function formHtml() {
    return "<form id=\"trip-form\" class=\"recommend-form trip-form\" autocomplete=\"off\" novalidate>" +
      placeField("from", t("From"), t("e.g. 上海 / Shanghai")) +
      placeField("to", t("To"), t("e.g. 南京 / Nanjing")) +
      field(t("Vehicle"), "<select name=\"car\"><option value=\"\">" +
        esc(t("loading vehicles…")) + "</option></select>") +
      "<div class=\"recommend-pair\">" +
      field(t("Battery now (%)"), "<input name=\"battery\" type=\"number\" min=\"0\" max=\"100\" " +
        "step=\"1\" inputmode=\"numeric\" value=\"80\">") +
      field(t("Prefer"), "<select name=\"objective\"><option value=\"time\">" + esc(t("least time")) +
        "</option><option value=\"cost\">" + esc(t("least cost")) + "</option></select>") +
      "</div><div class=\"recommend-actions\">" +
      "<button type=\"submit\" id=\"trip-plan\" class=\"button primary\">" + esc(t("Plan the trip")) +
      "</button><button type=\"button\" id=\"trip-clear\" class=\"button\">" + esc(t("Clear")) +
      "</button></div>" +
      "<p id=\"trip-status\" class=\"recommend-hint\" role=\"status\" aria-live=\"polite\"></p>" +
      "<p id=\"trip-error\" class=\"recommend-error\" role=\"alert\" hidden></p>" +
      "</form><div id=\"trip-result\" class=\"trip-result\"></div>";
  }

  function stopAction(stop) {
    if (stop.is_swap) return t("swap {time}", { time: minutes(stop.charge_minutes) });
    return t("charge {time} at {kw} kW {current}", {
      time: minutes(stop.charge_minutes), kw: i18n.number(Math.round(stop.power_kw)),
      current: stop.is_ac ? "AC" : "DC"
    });
  }

  function stopHtml(stop, index, currency) {
    var s = stop.station;
    var kind = stop.is_swap ? "swap" : "charge";
    return "<li class=\"trip-stop is-" + kind + "\" data-station-id=\"" + esc(s.id) + "\" " +
      "data-index=\"" + index + "\" tabindex=\"0\">" +
      "<div class=\"recommend-result-head\"><span class=\"recommend-rank\">" + (index + 1) +
      "</span><span class=\"recommend-station trip-stop-name\">" + esc(s.name) + "</span>" +
      "<span class=\"recommend-kind trip-stop-kind\">" + esc(stop.is_swap ? t("swap") : t("charge")) +
      "</span></div><div class=\"recommend-figures\">" +
      "<span class=\"trip-stop-soc\">" + esc(t("arrive {arrival} → leave {departure}", {
        arrival: percent(stop.arrival_soc), departure: percent(stop.departure_soc)
      })) + "</span><span class=\"trip-stop-cost\">" + esc(i18n.money(stop.cost, currency)) +
      "</span></div>" + (ev.availability ? ev.availability.badge(stop) : "") +
      "<div class=\"recommend-breakdown trip-stop-minutes\">" +
      esc(t("arrive {time} · wait {wait} · {action}", {
        time: i18n.time(stop.arrives_at), wait: minutes(stop.wait_minutes), action: stopAction(stop)
      })) + "</div></li>";
  }

  function summaryHtml(plan) {
    var stops = plan.stops.length;
    return "<h3 class=\"section-title\">" + esc(stops ?
      i18n.nt("{count} stop", "{count} stops", stops) : t("No stop needed")) + "</h3>" +
      "<div class=\"recommend-figures trip-summary\" id=\"trip-summary\">" +
      "<span class=\"trip-total-minutes\">" + esc(minutes(plan.total_minutes)) + "</span>" +
      "<span class=\"trip-total-km\">" + esc(km(plan.total_km)) + "</span>" +
      "<span class=\"trip-total-cost\">" + esc(i18n.money(plan.total_cost, plan.currency)) + "</span>" +
      "<span class=\"trip-arrival\">" + esc(t("arrive {time} with {soc}", {
        time: i18n.time(plan.arrives_at), soc: percent(plan.arrival_soc)
      })) + "</span></div>" +
      "<p class=\"recommend-breakdown\">" + esc(t("driving {drive} of {total}", {
        drive: minutes(plan.drive_minutes), total: minutes(plan.total_minutes)
      })) + "</p>";
  }

  function notesHtml(plan) {
    var notes = plan.note_details || (plan.notes || []).map(function (text) {
      return { code: "", params: {}, text: text };
    });
    if (!notes.length) return "";
    return "<ul class=\"trip-notes\" id=\"trip-notes\">" + notes.map(function (note) {
      return "<li class=\"trip-note\" data-code=\"" + esc(note.code) + "\">" +
        esc(i18n.say(note)) + "</li>";
    }).join("") + "</ul>";
  }

  // ---------- map ----------

  function endIcon(cls, text, title) {
    return L.divIcon({
      className: "recommend-icon",
      html: "<div class=\"" + cls + "\" title=\"" + esc(title) + "\">" + esc(text) + "</div>",
      iconSize: [22, 22], iconAnchor: [11, 11]
    });
  }

  function stopIcon(stop, index) {
    return L.divIcon({
      className: "recommend-icon",
      html: "<div class=\"recommend-option trip-stop-marker is-" + (stop.is_swap ? "swap" : "charge") +
        "\" data-station-id=\"" + esc(stop.station.id) + "\" title=\"" +
        esc((index + 1) + ". " + stop.station.name) + "\">" + (index + 1) + "</div>",
      iconSize: [28, 28], iconAnchor: [14, 14]
    });
  }

  // ---------- the sheet ----------

  function setUp(map, panel) {
    var body = panel.querySelector(".sheet-body");
    body.innerHTML = formHtml();
    var form = body.querySelector("#trip-form");
    var statusLine = body.querySelector("#trip-status");
    var errorBox = body.querySelector("#trip-error");
    var result = body.querySelector("#trip-result");
    var layer = L.layerGroup().addTo(map);
    var markers = {};
    var chosen = { from: null, to: null };
    var seq = 0;

    function showError(text) {
      errorBox.textContent = text || "";
      errorBox.hidden = !text;
    }

    // ----- places: each input suggests places as the driver types -----

    function placeBox(name) {
      var input = form.elements[name];
      var list = body.querySelector("#trip-" + name + "-results");
      var box = { items: [], timer: null, seq: 0 };

      function hide() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }

      function pick(item) {
        chosen[name] = { lat: item.lat, lon: item.lon, label: placeLabel(item) };
        input.value = chosen[name].label;
        hide();
      }

      function render() {
        list.innerHTML = box.items.map(function (item, i) {
          return "<li role=\"option\" data-index=\"" + i + "\" aria-selected=\"" + (i === 0) +
            "\"><span class=\"name\">" + esc(placeLabel(item)) + "</span>" +
            (item.context ? "<span class=\"kind\">" + esc(item.context) + "</span>" : "") + "</li>";
        }).join("") || "<li class=\"muted\" role=\"option\" aria-disabled=\"true\">" +
          esc(t("Nothing found")) + "</li>";
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }

      function find(q) {
        var c = map.getCenter();
        return ev.api.get("/places?q=" + encodeURIComponent(q) + "&lat=" + c.lat.toFixed(4) +
          "&lon=" + c.lng.toFixed(4) + "&limit=" + PLACE_LIMIT).then(function (b) {
          return b.items || [];
        });
      }

      input.addEventListener("input", function () {
        chosen[name] = null;
        clearTimeout(box.timer);
        var q = input.value.trim();
        if (!q) { box.items = []; hide(); return; }
        box.timer = setTimeout(function () {
          var mine = ++box.seq;
          find(q).then(function (items) {
            if (mine !== box.seq) return;
            box.items = items;
            render();
          }).catch(hide);
        }, 200);
      });
      input.addEventListener("keydown", function (e) {
        if (e.key === "Escape") hide();
        if (e.key === "Enter" && !list.hidden && box.items.length) {
          e.preventDefault();
          pick(box.items[0]);
        }
      });
      list.addEventListener("click", function (e) {
        var li = e.target.closest("li[data-index]");
        if (li) pick(box.items[Number(li.dataset.index)]);
      });
      document.addEventListener("click", function (e) {
        if (!list.contains(e.target) && e.target !== input) hide();
      });

      // The chosen place, or the first place found for what was typed.
      box.resolve = function () {
        if (chosen[name]) return Promise.resolve(chosen[name]);
        var q = input.value.trim();
        if (!q) return Promise.reject(new Error(name === "from" ?
          t("Enter where the trip starts.") : t("Enter where the trip goes.")));
        return find(q).then(function (items) {
          if (!items.length) throw new Error(t("No place called {name}.", { name: q }));
          pick(items[0]);
          return chosen[name];
        });
      };
      return box;
    }

    var places = { from: placeBox("from"), to: placeBox("to") };

    // ----- vehicles: the account's cars first, then every catalogue model -----

    var catalogue = [];

    function vehicleOptions() {
      var select = form.elements.car;
      var before = select.value;
      var cars = ev.account ? ev.account.cars().filter(function (c) { return c.catalogue_id; }) : [];
      var html = "<option value=\"\">" + esc(t("choose a vehicle…")) + "</option>";
      if (cars.length) {
        html += "<optgroup label=\"" + esc(t("Your cars")) + "\">" + cars.map(function (c) {
          return "<option value=\"" + esc(c.catalogue_id) + "\" data-vin=\"" + esc(c.vin) + "\">" +
            esc(c.brand + " " + c.model + " · " + c.vin.slice(-6)) + "</option>";
        }).join("") + "</optgroup>";
      }
      html += "<optgroup label=\"" + esc(t("All models")) + "\">" + catalogue.map(function (v) {
        return "<option value=\"" + esc(v.id) + "\">" + esc(v.brand + " " + v.model) + "</option>";
      }).join("") + "</optgroup>";
      select.innerHTML = html;
      var mine = ev.account && ev.account.vehicleId();
      select.value = mine || before || "";
    }

    ev.api.get("/vehicles").then(function (b) {
      catalogue = b.items || [];
      vehicleOptions();
    }).catch(function (err) {
      showError(t("Could not load vehicles: {reason}", { reason: err.message }));
    });
    if (ev.account) ev.account.onChange(vehicleOptions);

    // ----- the plan -----

    function clearPlan() {
      layer.clearLayers();
      markers = {};
      result.innerHTML = "";
    }

    function select(stationId, pan) {
      Array.prototype.forEach.call(result.querySelectorAll(".trip-stop"), function (row) {
        var on = row.dataset.stationId === stationId;
        row.classList.toggle("is-selected", on);
        if (on) row.setAttribute("aria-current", "true"); else row.removeAttribute("aria-current");
        if (on && !pan && row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
      });
      Object.keys(markers).forEach(function (id) {
        var node = markers[id].getElement();
        if (node) node.firstChild.classList.toggle("is-selected", id === stationId);
      });
      if (pan && markers[stationId]) map.panTo(markers[stationId].getLatLng());
    }

    function draw(plan, from, to) {
      clearPlan();
      var points = [L.latLng(from.lat, from.lon)];
      plan.stops.forEach(function (stop, i) {
        var at = L.latLng(stop.station.lat, stop.station.lon);
        points.push(at);
        var marker = L.marker(at, {
          icon: stopIcon(stop, i), zIndexOffset: 1500, title: stop.station.name, riseOnHover: true
        });
        marker.on("click", function () { select(stop.station.id, false); });
        markers[stop.station.id] = marker.addTo(layer);
      });
      points.push(L.latLng(to.lat, to.lon));
      L.polyline(points, {
        className: "trip-route", interactive: false, weight: 5, color: "#1a56db", opacity: 0.85
      }).addTo(layer);
      L.marker(points[0], {
        icon: endIcon("recommend-start", "", t("Start: {name}", { name: from.label })),
        zIndexOffset: 2000, keyboard: false, interactive: false
      }).addTo(layer);
      L.marker(points[points.length - 1], {
        icon: endIcon("recommend-destination", "⚑", t("Destination: {name}", { name: to.label })),
        zIndexOffset: 2000, keyboard: false, interactive: false
      }).addTo(layer);
      result.innerHTML = summaryHtml(plan) + notesHtml(plan) +
        "<ol class=\"recommend-results trip-stops\" id=\"trip-stops\">" +
        plan.stops.map(function (stop, i) { return stopHtml(stop, i, plan.currency); }).join("") +
        "</ol>";
      ev.map.fitPoints(points, FIT_MAX_ZOOM);
      // On a phone the form has done its job: bring the stops up in the sheet.
      if (ev.sheets.isPhone() && result.scrollIntoView) result.scrollIntoView({ block: "start" });
    }

    function readNumbers() {
      var vehicle = form.elements.car.value;
      var soc = form.elements.battery.value.trim();
      if (!vehicle) return { error: t("Choose a vehicle first.") };
      if (!/^\d{1,3}(\.\d+)?$/.test(soc) || Number(soc) > 100) {
        return { error: t("Enter the battery level now, from 0 to 100 %.") };
      }
      return { vehicle_id: vehicle, soc: Number(soc), prefer: form.elements.objective.value };
    }

    function plan() {
      var read = readNumbers();
      if (read.error) { showError(read.error); return; }
      var mine = ++seq;
      showError("");
      statusLine.textContent = t("Planning…");
      panel.classList.add("is-loading");
      Promise.all([places.from.resolve(), places.to.resolve()]).then(function (ends) {
        var from = ends[0], to = ends[1];
        return ev.api.post("/trips", {
          vehicle_id: read.vehicle_id, soc: read.soc, prefer: read.prefer,
          from: { lat: from.lat, lon: from.lon }, to: { lat: to.lat, lon: to.lon }
        }).then(function (answer) {
          if (mine !== seq) return;
          draw(answer, from, to);
          statusLine.textContent = t("{from} → {to}", { from: from.label, to: to.label });
        });
      }).catch(function (err) {
        if (mine !== seq) return;
        clearPlan();
        statusLine.textContent = "";
        var problem = err.problem;
        showError(problem && problem.code ? i18n.say(problem) : err.message);
      }).then(function () {
        if (mine === seq) panel.classList.remove("is-loading");
      });
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); plan(); });
    body.querySelector("#trip-clear").addEventListener("click", function () {
      seq++;
      clearPlan();
      showError("");
      statusLine.textContent = "";
      chosen.from = chosen.to = null;
      form.elements.from.value = "";
      form.elements.to.value = "";
    });
    result.addEventListener("click", function (e) {
      var row = e.target.closest(".trip-stop");
      if (row) select(row.dataset.stationId, true);
    });
    result.addEventListener("keydown", function (e) {
      var row = e.target.closest(".trip-stop");
      if (row && (e.key === "Enter" || e.key === " ")) {
        e.preventDefault();
        select(row.dataset.stationId, true);
      }
    });
  }

  var sheet = document.getElementById("trip-panel");
  if (sheet) setUp(ev.map.map, sheet);
})();
