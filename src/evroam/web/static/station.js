// evroam station sheet: every pile's connector, power and live status, price now and for
// the next 24 h, parking and idle fee (charging stations), swap stock/queue/wait.
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n;
  var t = i18n.t, nt = i18n.nt, esc = i18n.esc, money = i18n.money;

  var sheet = document.getElementById("station-sheet");
  var title = document.getElementById("station-title");
  var body = document.getElementById("station-body");
  var shown = null; // station id in the sheet
  var detail = null;
  var outlook = null;
  var sections = []; // fn(detail) -> html, registered by other modules (reservations, reliability)
  var pileActions = []; // fn(pile, detail) -> html for a pile's row

  var STATUS = {
    available: function () { return t("available"); },
    occupied: function () { return t("plugged in"); },
    charging: function () { return t("charging"); },
    reserved: function () { return t("reserved"); },
    offline: function () { return t("offline"); },
    faulted: function () { return t("faulted"); },
    unknown: function () { return t("unknown"); }
  };
  var CATEGORY = {
    free: function (n) { return nt("{count} free", "{count} free", n); },
    busy: function (n) { return nt("{count} busy", "{count} busy", n); },
    offline: function (n) { return nt("{count} offline", "{count} offline", n); },
    unknown: function (n) { return nt("{count} unknown", "{count} unknown", n); }
  };
  var PERIOD = {
    sharp: function () { return t("sharp peak"); }, peak: function () { return t("peak"); },
    flat: function () { return t("flat"); }, valley: function () { return t("valley"); },
    deep_valley: function () { return t("deep valley"); }
  };

  function periodName(kind) { return PERIOD[kind] ? PERIOD[kind]() : kind; }
  function statusName(s) { return STATUS[s] ? STATUS[s]() : s; }
  function isZero(text) { return /^0*(\.0*)?$/.test(String(text)); }

  function pilesLine(piles) {
    if (!piles) return "";
    return ["free", "busy", "offline", "unknown"].filter(function (k) { return piles[k]; })
      .map(function (k) {
        return "<span class=\"pill status-" + k + "\">" + esc(CATEGORY[k](piles[k])) + "</span>";
      }).join(" ") + " <span class=\"muted\">" +
      esc(t("of {total}", { total: i18n.number(piles.total || 0) })) + "</span>";
  }

  function priceNow(pn) {
    if (!pn) return esc(t("price not published"));
    var c = pn.currency;
    return esc(t("Now {price}/kWh", { price: money(pn.total_per_kwh, c) })) +
      " <span class=\"muted\">(" + esc(t("{period}: electricity {electricity} + service {service}", {
        period: periodName(pn.period), electricity: money(pn.electricity_per_kwh, c),
        service: money(pn.service_per_kwh, c)
      })) + ")</span>";
  }

  function parkingRule(p) {
    if (!p) return t("no parking information");
    if (p.fee_per_hour == null || isZero(p.fee_per_hour)) return t("free parking");
    var text = p.free_minutes ?
      t("first {minutes} min free, then {fee}/h", {
        minutes: p.free_minutes, fee: money(p.fee_per_hour, p.currency)
      }) : t("{fee}/h", { fee: money(p.fee_per_hour, p.currency) });
    if (p.daily_cap != null) text += t(", cap {cap}", { cap: money(p.daily_cap, p.currency) });
    return text;
  }

  function idleFee(s) {
    var f = s.idle_fee;
    if (!f || s.is_swap) return "";
    var text = t("{fee}/min from {minutes} min after charging ends", {
      fee: money(f.per_minute, f.currency), minutes: f.grace_minutes
    });
    if (f.cap != null) text += t(", cap {cap}", { cap: money(f.cap, f.currency) });
    return "<div class=\"idle-fee\">" + esc(t("Idle fee: {rule}", { rule: text })) + "</div>";
  }

  function swapBlock(s) {
    if (!s.is_swap) return "";
    if (!s.swap) return "<div class=\"swap\">" + esc(t("Battery swap station")) + "</div>";
    var wait = s.swap.queue_length * s.swap.swap_minutes;
    return "<div class=\"swap\">" + esc(t("Battery swap: {stock} in stock, queue {queue}, ~{minutes} min per swap", {
      stock: s.swap.batteries_in_stock, queue: s.swap.queue_length, minutes: s.swap.swap_minutes
    })) + "<br><strong class=\"swap-wait\">" + esc(wait ?
      t("Wait about {minutes} min", { minutes: wait }) : t("No queue now")) + "</strong></div>";
  }

  function powerLine(s) {
    if (s.is_swap || !(s.max_power_kw > 0)) return "";
    return "<div class=\"power\">" + esc(t("up to {kw} kW", { kw: i18n.number(s.max_power_kw) })) +
      " · " + esc((s.connectors || []).filter(function (c) { return c !== "swap"; })
        .map(ev.map.connectorName).join(", ")) + "</div>";
  }

  function freshness(s) {
    if (s.status_age_s != null) return ""; // the availability section says how fresh
    if (!s.updated_at) return "<div class=\"freshness muted\">" + esc(t("status time unknown")) + "</div>";
    return "<div class=\"freshness muted\">" + esc(t("status updated {ago}", { ago: i18n.ago(s.updated_at) })) +
      " <time datetime=\"" + esc(s.updated_at) + "\">(" + esc(i18n.time(s.updated_at)) + ")</time></div>";
  }

  function connectorText(c) {
    if (c == null) return "";
    if (typeof c === "string") return ev.map.connectorName(c);
    return ev.map.connectorName(c.standard) + " " + i18n.number(c.max_power_kw) + " kW";
  }

  function pileRows(s) {
    var list = s.piles_detail;
    if (!list || !list.length || s.is_swap) return "";
    var rows = list.map(function (p) {
      var actions = pileActions.map(function (fn) { return fn(p, s) || ""; }).join("");
      return "<li class=\"pile\" data-pile-id=\"" + esc(p.id) + "\" data-status=\"" + esc(p.status) + "\">" +
        "<div class=\"pile-head\"><span class=\"dot status-" + esc(p.category) + "\"></span>" +
        "<span class=\"pile-status\">" + esc(statusName(p.status)) + "</span>" +
        "<span class=\"pile-power\">" + esc(i18n.number(p.max_power_kw)) + " kW</span></div>" +
        "<div class=\"pile-connectors\">" + esc((p.connectors || []).map(connectorText).join(" · ")) + "</div>" +
        "<div class=\"pile-meta muted\">" + esc(p.id) +
        (p.status_at ? " · " + esc(i18n.ago(p.status_at)) : "") + "</div>" +
        (actions ? "<div class=\"pile-actions\">" + actions + "</div>" : "") + "</li>";
    });
    return "<h3 class=\"section-title\">" + esc(nt("{count} pile", "{count} piles", list.length)) +
      "</h3><ul class=\"piles-detail\">" + rows.join("") + "</ul>";
  }

  // Next 24 h: one stacked bar per hour, electricity below and service above.
  function outlookChart(points) {
    if (!points || !points.length) return "";
    var W = 320, H = 120, left = 34, bottom = 18, top = 8;
    var max = Math.max.apply(null, points.map(function (p) { return Number(p.total_per_kwh); }));
    var scale = (H - bottom - top) / (max || 1);
    var bw = (W - left) / points.length;
    var bars = points.map(function (p, i) {
      var e = Number(p.electricity_per_kwh) * scale, sv = Number(p.service_per_kwh) * scale;
      var x = left + i * bw;
      var label = i18n.time(p.at) + " " + periodName(p.period) + " " + money(p.total_per_kwh, p.currency);
      return "<g class=\"hour period-" + esc(p.period) + "\"><title>" + esc(label) + "</title>" +
        "<rect class=\"electricity\" x=\"" + x.toFixed(1) + "\" y=\"" + (H - bottom - e).toFixed(1) +
        "\" width=\"" + (bw - 1).toFixed(1) + "\" height=\"" + e.toFixed(1) + "\"></rect>" +
        "<rect class=\"service\" x=\"" + x.toFixed(1) + "\" y=\"" + (H - bottom - e - sv).toFixed(1) +
        "\" width=\"" + (bw - 1).toFixed(1) + "\" height=\"" + sv.toFixed(1) + "\"></rect></g>";
    }).join("");
    var ticks = points.map(function (p, i) {
      if (i % 6) return "";
      return "<text x=\"" + (left + i * bw).toFixed(1) + "\" y=\"" + (H - 4) + "\">" +
        esc(i18n.time(p.at)) + "</text>";
    }).join("");
    var axis = "<text x=\"0\" y=\"" + (top + 8) + "\">" + esc(money(max.toFixed(2), points[0].currency)) +
      "</text><text x=\"0\" y=\"" + (H - bottom) + "\">0</text>";
    return "<figure class=\"outlook\"><figcaption>" + esc(t("Price per kWh, next 24 h")) +
      " <span class=\"key electricity\"></span>" + esc(t("electricity")) +
      " <span class=\"key service\"></span>" + esc(t("service")) + "</figcaption>" +
      "<svg viewBox=\"0 0 " + W + " " + H + "\" role=\"img\" aria-label=\"" +
      esc(t("Price per kWh, next 24 h")) + "\">" + bars + ticks + axis + "</svg></figure>";
  }

  function render() {
    var s = detail;
    if (!s) return;
    title.textContent = s.name;
    body.innerHTML = "<div class=\"station-popup\" data-station-id=\"" + esc(s.id) + "\">" +
      "<div class=\"operator\">" + esc(ev.map.operatorName(s.operator)) + "</div>" +
      "<div class=\"address\">" + esc(s.address) + (s.city ? ", " + esc(s.city) : "") + "</div>" +
      "<div class=\"piles\">" + pilesLine(s.piles) + "</div>" + freshness(s) +
      sections.map(function (fn) { return fn(s) || ""; }).join("") + powerLine(s) +
      swapBlock(s) +
      "<div class=\"price-now\">" + priceNow(s.price_now) + "</div>" +
      (s.is_swap ? "" : outlookChart(outlook)) +
      "<div class=\"parking\">" + esc(t("Parking: {rule}", { rule: parkingRule(s.parking) })) + "</div>" +
      idleFee(s) + pileRows(s) + "</div>";
  }

  function show(id, summary) {
    shown = id;
    detail = summary || detail;
    if (!summary || summary.id !== id) detail = null;
    outlook = null;
    if (detail) render(); else { title.textContent = t("Station"); body.textContent = t("Loading…"); }
    ev.sheets.open("station-sheet");
    ev.map.refreshStation(id).then(function (full) {
      if (shown === id) { detail = full; render(); }
    }).catch(function (err) {
      if (shown === id && !detail) body.textContent = err.message;
    });
    ev.map.getJson(ev.map.api + "/stations/" + encodeURIComponent(id) + "/prices?hours=24")
      .then(function (answer) {
        if (shown === id) { outlook = answer.items; render(); }
      }).catch(function () { /* the chart is optional */ });
  }

  function updated(item) {
    if (shown === item.id && !sheet.hidden) {
      detail = Object.assign({}, detail || {}, item);
      render();
    }
  }

  ev.sheets.onChange(function (opened, closed) {
    if (closed === sheet) shown = null;
  });

  ev.station = {
    show: show, updated: updated, rerender: render,
    current: function () { return detail; },
    addSection: function (fn) { sections.push(fn); },
    addPileAction: function (fn) { pileActions.push(fn); }
  };
})();
