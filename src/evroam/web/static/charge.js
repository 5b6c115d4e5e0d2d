// evroam charging: "Charge here" on a free pile → the quote and the hold explained →
// start → live kWh, power, SoC and cost (SSE, authenticated by the session cookie) →
// stop → the receipt with the station's name and each line; the account's Charges tab.
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n, api = ev.api;
  var t = i18n.t, esc = i18n.esc, money = i18n.money;
  var TARGETS = [10, 20, 40, 60];
  var DEFAULT_TARGET = 20;

  var sheet = document.getElementById("charge-sheet");
  var title = document.getElementById("charge-title");
  var body = document.getElementById("charge-body");
  var stream = null;
  var names = {}; // station id -> Promise(name)

  var STATUS = {
    requested: function () { return t("Starting…"); },
    charging: function () { return t("Charging"); },
    stopping: function () { return t("Stopping…"); },
    ended: function () { return t("Ended — waiting for the operator's charge record"); },
    billed: function () { return t("Paid"); },
    rejected: function () { return t("The operator did not start it"); },
    failed: function () { return t("It did not start"); }
  };
  var LINE = {
    electricity: function () { return t("Electricity"); },
    service: function () { return t("Service fee"); },
    parking: function () { return t("Parking"); },
    idle: function () { return t("Idle fee"); },
    discount: function () { return t("Brand discount"); },
    time: function () { return t("Charging time"); },
    flat: function () { return t("Session fee"); },
    reservation: function () { return t("Reservation"); },
    adjustment: function () { return t("Adjustment"); },
    overrun_cap: function () { return t("Not charged (overrun cap)"); }
  };

  // ---------- a line's description from its code and parameters (ADR 0045) ----------

  var PERIOD = {
    sharp: function () { return t("sharp peak"); },
    peak: function () { return t("peak"); },
    flat: function () { return t("flat"); },
    valley: function () { return t("valley"); },
    "after charging": function () { return t("after charging"); },
    reservation: function () { return t("reservation"); },
    min_price: function () { return t("minimum price"); },
    max_price: function () { return t("maximum price"); },
    "operator's record": function () { return t("operator's record"); }
  };
  var UNIT = {
    kWh: function () { return "kWh"; },
    min: function () { return t("min"); },
    h: function () { return t("h"); },
    session: function () { return t("session"); },
    record: function () { return t("record"); },
    "%": function () { return "%"; }
  };
  var NOTE = {
    "bill.note.free_minutes": function (p) {
      return t("after {free_minutes} free minutes", p);
    },
    "bill.note.free_minutes_capped": function (p) {
      return t("after {free_minutes} free minutes, capped at {cap} a session",
        Object.assign({}, p, { cap: money(p.cap, p.currency) }));
    },
    "bill.note.daily_cap": function (p) {
      return t("capped at {cap} a day", { cap: money(p.cap, p.currency) });
    },
    "bill.note.bound": function (p) { return t("the tariff's {bound}", { bound: period(p.bound) }); },
    "bill.note.operator_less": function () { return t("the operator billed less"); }
  };

  function period(name) {
    if (PERIOD[name]) return PERIOD[name]();
    if (/^\d{4}-\d{2}-\d{2}$/.test(name)) {
      return i18n.dateTime(name + "T12:00:00+08:00", { dateStyle: "medium", timeZone: "Asia/Shanghai" });
    }
    return name;
  }

  function withNote(text, p) {
    var note = p.note && NOTE[p.note];
    return note ? t("{text} ({note})", { text: text, note: note(p) }) : text;
  }

  i18n.sayings["bill.line"] = function (p) {
    return withNote(t("{period}, {quantity} {unit} × {unit_price}", {
      period: period(p.period), quantity: i18n.number(p.quantity),
      unit: UNIT[p.unit] ? UNIT[p.unit]() : p.unit, unit_price: money(p.unit_price, p.currency)
    }), p);
  };
  i18n.sayings["bill.discount"] = function (p) {
    var name = p.label === "discount.brand_first_year" ?
      t("{brand} first year", { brand: p.brand }) : p.name;
    return withNote(t("{name}, {percent} % of {base}", {
      name: name, percent: i18n.number(p.percent), base: money(p.base, p.currency)
    }), p);
  };
  i18n.sayings["receipt.overrun_cap"] = function (p) {
    return t("above the hold {hold} plus the overrun cap {cap}: not charged, disputed with " +
      "the operator", { hold: money(p.hold, p.currency), cap: money(p.cap, p.currency) });
  };

  function describe(line) {
    return line.code ? i18n.say({ code: line.code, params: line.params || {},
      text: line.description }) : line.description;
  }

  function statusText(s) { return STATUS[s] ? STATUS[s]() : s; }
  function lineName(kind) { return LINE[kind] ? LINE[kind]() : kind; }

  function stationName(id) {
    if (!names[id]) {
      names[id] = api.get("/stations/" + encodeURIComponent(id))
        .then(function (s) { return s.name; }, function () { return id; });
    }
    return names[id];
  }

  function closeStream() { if (stream) { stream.close(); stream = null; } }

  function open(heading, html) {
    closeStream();
    title.textContent = heading;
    body.innerHTML = html;
    ev.sheets.open("charge-sheet", { focus: true });
  }

  function linesTable(lines) {
    return "<table class=\"lines\"><tbody>" + lines.map(function (l) {
      return "<tr class=\"line kind-" + esc(l.kind) + "\"><td>" + esc(lineName(l.kind)) +
        "<div class=\"muted line-description\">" + esc(describe(l)) + "</div></td><td>" + esc(money(l.amount)) +
        "</td></tr>";
    }).join("") + "</tbody></table>";
  }

  // ---------- quote ----------

  function quoteView(pileId, station) {
    if (!ev.account.requireSignIn(t("Sign in to charge at this pile."))) return;
    open(t("Charge at {station}", { station: station.name }),
      "<form id=\"charge-form\" novalidate><label class=\"form-field\">" + esc(t("Charge up to")) +
      "<select name=\"kwh\">" + TARGETS.map(function (kwh) {
        return "<option value=\"" + kwh + "\"" + (kwh === DEFAULT_TARGET ? " selected" : "") + ">" +
          esc(i18n.number(kwh)) + " kWh</option>";
      }).join("") + "</select></label><div id=\"quote\" aria-live=\"polite\">" + esc(t("Loading…")) +
      "</div><p id=\"charge-error\" class=\"error-text\" role=\"alert\" hidden></p>" +
      "<div class=\"button-row\"><button type=\"submit\" class=\"button primary\" id=\"charge-start\">" +
      esc(t("Start charging")) + "</button></div></form>");
    var form = body.querySelector("#charge-form");
    var quote = function () { showQuote(pileId, Number(form.elements.kwh.value)); };
    form.elements.kwh.addEventListener("change", quote);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      start(pileId, Number(form.elements.kwh.value), form);
    });
    quote();
  }

  function showQuote(pileId, kwh) {
    var box = body.querySelector("#quote");
    api.post("/quotes", { pile_id: pileId, kwh: kwh, start_at: new Date().toISOString() })
      .then(function (q) {
        if (!box.isConnected) return;
        box.innerHTML = linesTable(q.lines) + "<p class=\"figure-row\"><span>" +
          esc(t("About {kwh} kWh now", { kwh: i18n.number(kwh) })) + "</span><b id=\"quote-total\">" +
          esc(money(q.total, q.currency)) + "</b></p><p class=\"notice\" id=\"hold-explained\">" +
          esc(t("Starting holds {hold} of your wallet while you charge. You pay only what the charge costs when the operator sends its record; the rest of the hold comes back at once.",
            { hold: money(q.hold, q.currency) })) + "</p>";
      }).catch(function (err) { if (box.isConnected) box.textContent = err.message; });
  }

  function start(pileId, kwh, form) {
    var error = body.querySelector("#charge-error");
    form.querySelector("button").disabled = true;
    var key = form.dataset.key || (form.dataset.key = api.newKey()); // a retry is the same start
    api.post("/charging-sessions", { pile_id: pileId, target_kwh: kwh }, { key: key })
      .then(function (session) { live(session); })
      .catch(function (err) {
        form.querySelector("button").disabled = false;
        error.textContent = err.status === 402 ?
          t("Not enough money in your wallet for the hold: top up first.") : err.message;
        error.hidden = false;
      });
  }

  // ---------- live ----------

  function figure(id, label, value) {
    return "<div class=\"figure\">" + esc(label) + "<b id=\"" + id + "\">" + esc(value) + "</b></div>";
  }

  function liveHtml(s) {
    return "<p class=\"charge-status\" id=\"charge-status\" role=\"status\">" + esc(statusText(s.status)) +
      "</p><div class=\"figure-row live-figures\">" +
      figure("live-kwh", t("Energy"), i18n.number(s.kwh, 2) + " kWh") +
      figure("live-power", t("Power"), s.power_kw == null ? "–" : i18n.number(s.power_kw, 1) + " kW") +
      figure("live-soc", t("Battery"), s.soc == null ? "–" : i18n.number(s.soc, 0) + " %") +
      figure("live-cost", t("Cost so far"), s.cost_so_far == null ? "–" : money(s.cost_so_far)) +
      "</div><p class=\"muted\">" + esc(t("{held} held on your wallet", { held: money(s.held) })) +
      "</p>" + (s.reason ? "<p class=\"error-text\">" + esc(s.reason) + "</p>" : "") +
      "<div class=\"button-row\">" + (s.status === "charging" || s.status === "requested" ?
        "<button type=\"button\" class=\"button primary\" id=\"charge-stop\">" + esc(t("Stop charging")) +
        "</button>" : "") + "</div>";
  }

  function live(session) {
    stationName(session.station_id).then(function (name) {
      open(name, "<div id=\"live\" data-session-id=\"" + esc(session.id) + "\"></div>");
      update(session);
      stream = new EventSource(api.base + "/charging-sessions/" + encodeURIComponent(session.id) +
        "/events");
      stream.addEventListener("progress", function (e) { update(JSON.parse(e.data)); });
      stream.addEventListener("end", function (e) {
        closeStream();
        var s = JSON.parse(e.data);
        if (s.status === "billed") receipt(s.id); else update(s);
      });
    });
  }

  function update(s) {
    var box = body.querySelector("#live");
    if (!box || box.dataset.sessionId !== s.id) return;
    box.innerHTML = liveHtml(s);
    var stop = box.querySelector("#charge-stop");
    if (stop) {
      stop.addEventListener("click", function () {
        stop.disabled = true;
        api.post("/charging-sessions/" + encodeURIComponent(s.id) + "/stop", null, { key: api.newKey() })
          .then(update).catch(function (err) { stop.disabled = false; alertIn(box, err); });
      });
    }
  }

  function alertIn(box, err) {
    var p = document.createElement("p");
    p.className = "error-text";
    p.setAttribute("role", "alert");
    p.textContent = err.message;
    box.appendChild(p);
  }

  // ---------- receipts ----------

  function receiptHtml(r, name) {
    return "<div class=\"receipt\" data-session-id=\"" + esc(r.session_id) + "\">" +
      "<p class=\"receipt-station\"><b>" + esc(name) + "</b><br><span class=\"muted\">" +
      esc(ev.map.operatorName(r.operator)) + " · " + esc(i18n.dateTime(r.started_at)) + " – " +
      esc(i18n.time(r.ended_at)) + "</span></p><p>" +
      esc(t("{kwh} kWh charged", { kwh: i18n.number(r.kwh, 2) })) + "</p>" + linesTable(r.lines) +
      "<p class=\"figure-row receipt-total\"><span>" + esc(t("You paid")) + "</span><b id=\"receipt-total\">" +
      esc(money(r.total)) + "</b></p>" + (Number(r.discount_total) > 0 ? "<p class=\"muted\">" +
        esc(t("The brand discount of {amount} is on us.", { amount: money(r.discount_total) })) + "</p>" : "") +
      "</div>";
  }

  function receipt(sessionId) {
    api.get("/receipts/" + encodeURIComponent(sessionId)).then(function (r) {
      return stationName(r.station_id).then(function (name) {
        open(t("Receipt"), receiptHtml(r, name));
      });
    }).catch(function (err) { open(t("Receipt"), "<p class=\"error-text\">" + esc(err.message) + "</p>"); });
  }

  function renderCharges(panel) {
    panel.textContent = t("Loading…");
    Promise.all([api.get("/charging-sessions"), api.get("/receipts")]).then(function (got) {
      var open_ = (got[0].items || []).filter(function (s) {
        return ["requested", "charging", "stopping", "ended"].indexOf(s.status) >= 0;
      });
      var receipts = got[1].items || [];
      return Promise.all(receipts.map(function (r) { return stationName(r.station_id); }))
        .then(function (stationNames) {
          if (!panel.isConnected) return;
          panel.innerHTML = (open_.length ? "<h3 class=\"section-title\">" + esc(t("Now")) + "</h3>" +
            "<ul class=\"history\">" + open_.map(function (s) {
              return "<li><button type=\"button\" class=\"button watch\" data-session-id=\"" + esc(s.id) +
                "\">" + esc(statusText(s.status) + " · " + i18n.number(s.kwh, 2) + " kWh") + "</button></li>";
            }).join("") + "</ul>" : "") +
            "<h3 class=\"section-title\">" + esc(t("Receipts")) + "</h3>" + (receipts.length ?
              "<ul class=\"history receipts\">" + receipts.map(function (r, i) {
                return "<li><button type=\"button\" class=\"button receipt-row\" data-session-id=\"" +
                  esc(r.session_id) + "\">" + esc(stationNames[i]) + " · " + esc(money(r.total)) +
                  " · " + esc(i18n.dateTime(r.ended_at)) + "</button></li>";
              }).join("") + "</ul>" : "<p class=\"muted\">" + esc(t("No charges yet.")) + "</p>");
          panel.querySelectorAll(".receipt-row").forEach(function (b) {
            b.addEventListener("click", function () { receipt(b.dataset.sessionId); });
          });
          panel.querySelectorAll(".watch").forEach(function (b) {
            b.addEventListener("click", function () {
              var s = open_.find(function (x) { return x.id === b.dataset.sessionId; });
              live(s);
            });
          });
        });
    }).catch(function (err) { panel.textContent = err.message; });
  }

  // ---------- wiring ----------

  ev.station.addPileAction(function (pile, station) {
    if (station.is_swap || pile.status !== "available") return "";
    return "<button type=\"button\" class=\"button primary charge-here\" data-pile-id=\"" +
      esc(pile.id) + "\">" + esc(t("Charge here")) + "</button>";
  });
  document.getElementById("station-body").addEventListener("click", function (e) {
    var button = e.target.closest(".charge-here");
    if (button) quoteView(button.dataset.pileId, ev.station.current() || {});
  });
  ev.sheets.onChange(function (opened, closed) { if (closed === sheet) closeStream(); });
  ev.account.addTab({ id: "charges", label: function () { return t("Charges"); }, render: renderCharges });
  ev.charge = { watch: live, receipt: receipt };
})();
