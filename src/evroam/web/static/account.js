// evroam account sheet: sign up / sign in with a password (HttpOnly session cookie),
// then tabs — wallet (balance, sandbox top-up, history), cars, and those other modules add
// (charges and receipts, privacy) through evroam.account.addTab.
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n, api = ev.api;
  var t = i18n.t, esc = i18n.esc, money = i18n.money;
  var CAR_KEY = "evroam_car"; // the VIN of the car used for recommendations
  var TOP_UP_STEPS = ["50", "100", "200"];

  var body = document.getElementById("account-body");
  var state = { me: null, known: false, cars: [], mode: "sign-in", tab: "wallet", notice: "" };
  var tabs = [];
  var listeners = [];
  var catalogue = null; // GET /vehicles, once

  var KIND = {
    top_up: function () { return t("Top-up"); },
    hold: function () { return t("Held for a charge"); },
    settlement: function () { return t("Charge paid"); },
    release: function () { return t("Hold returned"); },
    expiry: function () { return t("Hold expired and returned"); },
    refund: function () { return t("Refund"); }
  };

  function field(label, input) {
    return "<label class=\"form-field\">" + esc(label) + input + "</label>";
  }

  function errorBox(id) {
    return "<p id=\"" + id + "\" class=\"error-text\" role=\"alert\" hidden></p>";
  }

  function showError(id, err) {
    var box = document.getElementById(id);
    if (!box) return;
    box.textContent = err ? (err.message || String(err)) : "";
    box.hidden = !err;
  }

  function busy(form, isBusy) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) {
      b.disabled = isBusy;
    });
  }

  // ---------- signed out ----------

  function signedOutHtml() {
    var up = state.mode === "sign-up";
    return (state.notice ? "<p class=\"notice\" role=\"status\">" + esc(state.notice) + "</p>" : "") +
      "<form id=\"auth-form\" class=\"auth-form\" novalidate>" +
      "<h3 class=\"section-title\">" + esc(up ? t("Create an account") : t("Sign in")) + "</h3>" +
      (up ? field(t("Your name"), "<input name=\"name\" autocomplete=\"name\" required maxlength=\"100\">") : "") +
      field(t("Email or phone number"), "<input name=\"login\" autocomplete=\"username\" " +
        "inputmode=\"email\" required maxlength=\"254\">") +
      field(up ? t("Password (at least 8 characters)") : t("Password"),
        "<input name=\"password\" type=\"password\" required minlength=\"" + (up ? 8 : 1) +
        "\" autocomplete=\"" + (up ? "new-password" : "current-password") + "\">") +
      errorBox("auth-error") +
      "<div class=\"button-row\"><button type=\"submit\" class=\"button primary\">" +
      esc(up ? t("Create account") : t("Sign in")) + "</button>" +
      "<button type=\"button\" class=\"button\" id=\"auth-switch\">" +
      esc(up ? t("I have an account") : t("Create an account")) + "</button></div></form>";
  }

  function submitAuth(form) {
    var up = state.mode === "sign-up";
    var data = {
      login: form.elements.login.value.trim(), password: form.elements.password.value
    };
    if (up) data.name = form.elements.name.value.trim();
    if (!data.login || !data.password || (up && !data.name)) {
      showError("auth-error", new Error(t("Fill in every field.")));
      return;
    }
    busy(form, true);
    api.post(up ? "/auth/sign-up" : "/auth/sign-in", data).then(function (me) {
      state.notice = "";
      setMe(me);
    }).catch(function (err) {
      busy(form, false);
      showError("auth-error", err.status === 401 ? new Error(t("Wrong login or password.")) :
        err.status === 409 ? new Error(t("An account already uses this login — sign in instead.")) : err);
    });
  }

  // ---------- signed in: shell and tabs ----------

  function signedInHtml() {
    var me = state.me;
    var bar = tabs.map(function (tab) {
      var on = tab.id === state.tab;
      return "<button type=\"button\" role=\"tab\" class=\"account-tab\" id=\"tab-" + tab.id +
        "\" data-tab=\"" + tab.id + "\" aria-selected=\"" + on + "\" aria-controls=\"account-tab-panel\"" +
        (on ? "" : " tabindex=\"-1\"") + ">" + esc(tab.label()) + "</button>";
    }).join("");
    return "<div class=\"account-hello\"><span>" + esc(t("Signed in as {name}", { name: me.name })) +
      "</span><button type=\"button\" class=\"button\" id=\"sign-out\">" + esc(t("Sign out")) +
      "</button></div>" +
      "<div class=\"account-tabs\" role=\"tablist\" aria-label=\"" + esc(t("Account")) + "\">" + bar + "</div>" +
      "<div id=\"account-tab-panel\" class=\"account-tab-panel\" role=\"tabpanel\" aria-labelledby=\"tab-" +
      esc(state.tab) + "\"></div>";
  }

  function render() {
    if (!state.known) { body.textContent = t("Loading…"); return; }
    if (!state.me) {
      body.innerHTML = signedOutHtml();
      var form = body.querySelector("#auth-form");
      form.addEventListener("submit", function (e) { e.preventDefault(); submitAuth(form); });
      body.querySelector("#auth-switch").addEventListener("click", function () {
        state.mode = state.mode === "sign-up" ? "sign-in" : "sign-up";
        render();
        body.querySelector("input").focus();
      });
      return;
    }
    body.innerHTML = signedInHtml();
    body.querySelector("#sign-out").addEventListener("click", signOut);
    var list = body.querySelector(".account-tabs");
    list.addEventListener("click", function (e) {
      var tab = e.target.closest("[role=tab]");
      if (tab) showTab(tab.dataset.tab, true);
    });
    list.addEventListener("keydown", moveTab);
    renderTab();
  }

  function moveTab(e) {
    var step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    var at = tabs.findIndex(function (tab) { return tab.id === state.tab; });
    showTab(tabs[(at + step + tabs.length) % tabs.length].id, true);
  }

  function showTab(id, focus) {
    state.tab = id;
    render();
    if (focus) body.querySelector("#tab-" + id).focus();
  }

  function renderTab() {
    var panel = body.querySelector("#account-tab-panel");
    var tab = tabs.find(function (x) { return x.id === state.tab; }) || tabs[0];
    if (panel && tab) tab.render(panel);
  }

  function signOut() {
    api.post("/auth/sign-out").catch(function () { /* the cookie goes either way */ })
      .then(function () { setMe(null); });
  }

  // ---------- wallet ----------

  function walletHtml(w) {
    var lines = (w.history || []).map(function (line) {
      var change = Number(line.available_change) || -Number(line.held_change) || 0;
      return "<li class=\"wallet-line kind-" + esc(line.kind) + "\"><div class=\"figure-row\"><span>" +
        esc(KIND[line.kind] ? KIND[line.kind]() : line.kind) + "</span><b class=\"amount\">" +
        esc((change > 0 ? "+" : "") + money(change.toFixed(2))) + "</b></div>" +
        "<div class=\"muted\">" + esc(i18n.dateTime(line.at)) + "</div></li>";
    }).join("");
    return "<div class=\"figure-row wallet-figures\">" +
      "<div class=\"figure\">" + esc(t("Available")) + "<b id=\"wallet-available\">" +
      esc(money(w.available, w.currency)) + "</b></div>" +
      "<div class=\"figure\">" + esc(t("Held for charges")) + "<b id=\"wallet-held\">" +
      esc(money(w.held, w.currency)) + "</b></div>" +
      (Number(w.owed) > 0 ? "<div class=\"figure\">" + esc(t("Owed")) + "<b>" +
        esc(money(w.owed, w.currency)) + "</b></div>" : "") + "</div>" +
      "<form id=\"top-up-form\" class=\"top-up\" novalidate><h3 class=\"section-title\">" +
      esc(t("Top up")) + "</h3><div class=\"button-row\">" +
      TOP_UP_STEPS.map(function (a) {
        return "<button type=\"button\" class=\"button amount-step\" data-amount=\"" + a + "\">" +
          esc(money(a)) + "</button>";
      }).join("") + "</div>" +
      field(t("Amount (CNY)"), "<input name=\"amount\" inputmode=\"decimal\" value=\"100\" " +
        "pattern=\"\\d{1,7}(\\.\\d{1,2})?\">") + errorBox("top-up-error") +
      "<div class=\"button-row\"><button type=\"submit\" class=\"button primary\">" +
      esc(t("Top up")) + "</button></div></form><div id=\"payment\"></div>" +
      "<h3 class=\"section-title\">" + esc(t("History")) + "</h3>" +
      (lines ? "<ul class=\"history wallet-history\">" + lines + "</ul>" :
        "<p class=\"muted\">" + esc(t("Nothing yet.")) + "</p>");
  }

  function renderWallet(panel) {
    panel.textContent = t("Loading…");
    api.get("/wallet").then(function (w) {
      if (!panel.isConnected) return;
      panel.innerHTML = walletHtml(w);
      var form = panel.querySelector("#top-up-form");
      panel.querySelectorAll(".amount-step").forEach(function (b) {
        b.addEventListener("click", function () { form.elements.amount.value = b.dataset.amount; });
      });
      form.addEventListener("submit", function (e) { e.preventDefault(); startTopUp(form, panel); });
    }).catch(function (err) { panel.textContent = err.message; });
  }

  function startTopUp(form, panel) {
    var amount = form.elements.amount.value.trim();
    if (!/^\d{1,7}(\.\d{1,2})?$/.test(amount) || !(Number(amount) > 0)) {
      showError("top-up-error", new Error(t("Enter an amount in yuan, e.g. 100 or 88.50.")));
      return;
    }
    showError("top-up-error", null);
    busy(form, true);
    api.post("/wallet/top-ups", { amount: amount }, { key: api.newKey() }).then(function (intent) {
      busy(form, false);
      showPayment(panel.querySelector("#payment"), intent, panel);
    }).catch(function (err) { busy(form, false); showError("top-up-error", err); });
  }

  // The sandbox provider "pays" on the hub; a real provider's page opens instead.
  function showPayment(box, intent, panel) {
    var sandbox = intent.confirm_url.indexOf("/wallet/top-ups/sandbox/") >= 0;
    box.innerHTML = "<div class=\"notice payment\"><p>" + esc(sandbox ?
      t("Sandbox payment of {amount}: no real money moves.", { amount: money(intent.amount) }) :
      t("Pay {amount} with the payment provider.", { amount: money(intent.amount) })) + "</p>" +
      errorBox("payment-error") + "<div class=\"button-row\">" + (sandbox ?
        "<button type=\"button\" class=\"button primary\" id=\"pay\">" +
        esc(t("Pay {amount}", { amount: money(intent.amount) })) + "</button>" :
        "<a class=\"button primary\" href=\"" + esc(intent.confirm_url) + "\">" + esc(t("Pay")) + "</a>") +
      "<button type=\"button\" class=\"button\" id=\"pay-cancel\">" + esc(t("Cancel")) + "</button></div></div>";
    box.querySelector("#pay-cancel").addEventListener("click", function () { box.innerHTML = ""; });
    var pay = box.querySelector("#pay");
    if (!pay) return;
    pay.addEventListener("click", function () {
      pay.disabled = true;
      api.post(intent.confirm_url).then(function () {
        renderWallet(panel);
        notify();
      }).catch(function (err) { pay.disabled = false; showError("payment-error", err); });
    });
  }

  // ---------- cars ----------

  function loadCatalogue() {
    if (!catalogue) {
      catalogue = api.get("/vehicles").then(function (b) { return b.items || []; });
      catalogue.catch(function () { catalogue = null; });
    }
    return catalogue;
  }

  function modelOptions(items) {
    var brands = {};
    items.forEach(function (v) { (brands[v.brand] = brands[v.brand] || []).push(v); });
    return "<option value=\"\">" + esc(t("choose a model…")) + "</option>" +
      Object.keys(brands).sort().map(function (brand) {
        return "<optgroup label=\"" + esc(brand) + "\">" + brands[brand].map(function (v) {
          return "<option value=\"" + esc(v.id) + "\">" + esc(v.brand + " " + v.model) + "</option>";
        }).join("") + "</optgroup>";
      }).join("");
  }

  function carsHtml(items) {
    var chosen = carForRecommendations();
    var list = state.cars.map(function (car) {
      var on = chosen && chosen.vin === car.vin;
      return "<li class=\"car\" data-vin=\"" + esc(car.vin) + "\"><div class=\"figure-row\"><b>" +
        esc(car.brand + " " + car.model) + "</b>" + (on ? "<span class=\"pill-muted\">" +
        esc(t("used for recommendations")) + "</span>" : "") + "</div>" +
        "<div class=\"muted\">" + esc(t("VIN {vin} · delivered {date}", {
          vin: car.vin, date: i18n.dateTime(car.delivery_date + "T12:00:00+08:00", { dateStyle: "medium" })
        })) + "</div>" + (!on && car.catalogue_id ? "<button type=\"button\" class=\"button use-car\">" +
        esc(t("Use for recommendations")) + "</button>" : "") + "</li>";
    }).join("");
    var today = new Date().toISOString().slice(0, 10);
    return (list ? "<ul class=\"history cars\">" + list + "</ul>" :
      "<p class=\"muted\">" + esc(t("No car yet: add yours to get recommendations for it.")) + "</p>") +
      "<form id=\"car-form\" novalidate><h3 class=\"section-title\">" + esc(t("Add a car")) + "</h3>" +
      field(t("Model"), "<select name=\"model\" required>" + modelOptions(items) + "</select>") +
      field(t("VIN (17 characters)"), "<input name=\"vin\" maxlength=\"17\" autocapitalize=\"characters\" " +
        "autocomplete=\"off\" spellcheck=\"false\">") +
      field(t("Delivered on"), "<input name=\"delivery_date\" type=\"date\" value=\"" + today + "\">") +
      errorBox("car-error") + "<div class=\"button-row\"><button type=\"submit\" class=\"button primary\">" +
      esc(t("Add car")) + "</button></div></form>";
  }

  function renderCars(panel) {
    panel.textContent = t("Loading…");
    loadCatalogue().then(function (items) {
      if (!panel.isConnected) return;
      panel.innerHTML = carsHtml(items);
      var form = panel.querySelector("#car-form");
      form.addEventListener("submit", function (e) { e.preventDefault(); addCar(form, items, panel); });
      panel.querySelectorAll(".use-car").forEach(function (b) {
        b.addEventListener("click", function () {
          localStorage.setItem(CAR_KEY, b.closest(".car").dataset.vin);
          renderCars(panel);
          notify();
        });
      });
    }).catch(function (err) { panel.textContent = err.message; });
  }

  function addCar(form, items, panel) {
    var model = items.find(function (v) { return v.id === form.elements.model.value; });
    var vin = form.elements.vin.value.replace(/\s/g, "").toUpperCase();
    if (!model) { showError("car-error", new Error(t("Choose your car's model."))); return; }
    if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) {
      showError("car-error", new Error(t("A VIN has 17 letters and digits (no I, O or Q).")));
      return;
    }
    busy(form, true);
    api.post("/accounts/me/vehicles", {
      vin: vin, brand: model.brand, model: model.model, catalogue_id: model.id,
      delivery_date: form.elements.delivery_date.value
    }).then(function () {
      if (!carForRecommendations()) localStorage.setItem(CAR_KEY, vin);
      return loadCars();
    }).then(function () { renderCars(panel); notify(); })
      .catch(function (err) { busy(form, false); showError("car-error", err); });
  }

  function loadCars() {
    return api.get("/accounts/me/vehicles").then(function (b) { state.cars = b.items || []; });
  }

  function carForRecommendations() {
    var usable = state.cars.filter(function (c) { return c.catalogue_id; });
    var vin = localStorage.getItem(CAR_KEY);
    return usable.find(function (c) { return c.vin === vin; }) || usable[0] || null;
  }

  // ---------- state ----------

  function notify() { listeners.forEach(function (fn) { fn(state.me); }); }

  function setMe(me) {
    state.me = me;
    state.known = true;
    state.cars = [];
    if (!me) {
      state.tab = "wallet";
      state.mode = "sign-in";
      render();
      notify();
      return Promise.resolve();
    }
    return loadCars().catch(function () { /* shown on the cars tab */ })
      .then(function () { render(); notify(); });
  }

  function refresh() {
    return api.get("/accounts/me").then(setMe, function () { return setMe(null); });
  }

  // Open the sheet asking to sign in first, e.g. to charge.
  function requireSignIn(reason) {
    if (state.me) return true;
    state.notice = reason || "";
    render();
    ev.sheets.open("account-panel", { focus: true });
    return false;
  }

  function addTab(tab) {
    tabs.push(tab);
    if (state.me) render();
  }

  addTab({ id: "wallet", label: function () { return t("Wallet"); }, render: renderWallet });
  addTab({ id: "cars", label: function () { return t("Cars"); }, render: renderCars });

  ev.sheets.onChange(function (opened) {
    if (opened && opened.id === "account-panel" && state.me) renderTab();
  });

  ev.account = {
    me: function () { return state.me; },
    cars: function () { return state.cars.slice(); },
    vehicleId: function () { var car = carForRecommendations(); return car && car.catalogue_id; },
    onChange: function (fn) { listeners.push(fn); },
    addTab: addTab,
    showTab: function (id) { ev.sheets.open("account-panel"); showTab(id, false); },
    requireSignIn: requireSignIn,
    refresh: refresh
  };

  // The recommendation form starts from the account's car.
  ev.account.onChange(function () {
    var id = ev.account.vehicleId();
    if (id && ev.recommend) ev.recommend.useVehicle(id);
  });
  render();
  refresh();
})();
