// evroam privacy tab: consent to the usage report, the report itself, a download of
// everything we hold, and erasing the account (ADR 0010).
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n, api = ev.api;
  var t = i18n.t, esc = i18n.esc, money = i18n.money;

  function byHour(hours) {
    var max = Math.max.apply(null, hours.concat([1]));
    var W = 240, H = 60, bw = W / 24;
    return "<svg class=\"usage-hours\" viewBox=\"0 0 " + W + " " + (H + 12) + "\" role=\"img\" aria-label=\"" +
      esc(t("Charges by hour of the day")) + "\">" + hours.map(function (n, h) {
        var height = (n / max) * H;
        return "<rect x=\"" + (h * bw).toFixed(1) + "\" y=\"" + (H - height).toFixed(1) + "\" width=\"" +
          (bw - 1).toFixed(1) + "\" height=\"" + height.toFixed(1) + "\"><title>" +
          esc(h + ":00 " + n) + "</title></rect>";
      }).join("") + [0, 6, 12, 18].map(function (h) {
        return "<text x=\"" + (h * bw).toFixed(1) + "\" y=\"" + (H + 11) + "\">" + h + "</text>";
      }).join("") + "</svg>";
  }

  function usageHtml(u) {
    return "<div class=\"figure-row usage-figures\">" +
      "<div class=\"figure\">" + esc(t("Charges")) + "<b id=\"usage-sessions\">" + esc(i18n.number(u.sessions)) +
      "</b></div><div class=\"figure\">" + esc(t("Spent")) + "<b>" + esc(money(u.total_spend)) + "</b></div>" +
      "<div class=\"figure\">" + esc(t("Saved by discounts")) + "<b>" + esc(money(u.discount_savings)) +
      "</b></div><div class=\"figure\">" + esc(t("Average per charge")) + "<b>" +
      esc(i18n.number(u.average_kwh, 1)) + " kWh</b></div></div>" + byHour(u.by_hour) +
      (u.favourite_places.length ? "<p>" + esc(t("Where you charge most: {places}", {
        places: u.favourite_places.map(function (p) { return p.name; }).join(", ")
      })) + "</p>" : "");
  }

  function render(panel) {
    panel.textContent = t("Loading…");
    api.get("/me/consent").then(function (consent) {
      if (!panel.isConnected) return;
      panel.innerHTML = "<h3 class=\"section-title\">" + esc(t("Usage report")) + "</h3>" +
        "<label class=\"check\"><input type=\"checkbox\" id=\"consent\"" +
        (consent.usage_analytics ? " checked" : "") + "> " +
        esc(t("Build my usage report from my charges (you can withdraw this any time)")) + "</label>" +
        (consent.updated_at ? "<p class=\"muted\">" + esc(t("Last changed {at}", {
          at: i18n.dateTime(consent.updated_at) })) + "</p>" : "") +
        "<div id=\"usage\"></div>" +
        "<h3 class=\"section-title\">" + esc(t("Your data")) + "</h3><div class=\"button-row\">" +
        "<a class=\"button\" id=\"export\" href=\"" + esc(api.base) + "/me/export\" download>" +
        esc(t("Download everything we hold (JSON)")) + "</a></div>" +
        "<h3 class=\"section-title\">" + esc(t("Delete account")) + "</h3><p class=\"muted\">" +
        esc(t("Your name, login, cars and consent are erased. Receipts and payments stay, under a pseudonym, as long as the law requires.")) +
        "</p><p id=\"erase-error\" class=\"error-text\" role=\"alert\" hidden></p>" +
        "<div class=\"button-row\"><button type=\"button\" class=\"button danger\" id=\"erase\">" +
        esc(t("Delete my account")) + "</button></div>";
      panel.querySelector("#consent").addEventListener("change", function (e) {
        api.put("/me/consent", { usage_analytics: e.target.checked }).then(function () { render(panel); });
      });
      panel.querySelector("#erase").addEventListener("click", function () { erase(panel); });
      if (consent.usage_analytics) showUsage(panel.querySelector("#usage"));
    }).catch(function (err) { panel.textContent = err.message; });
  }

  function showUsage(box) {
    box.textContent = t("Loading…");
    api.get("/me/usage").then(function (u) { box.innerHTML = usageHtml(u); })
      .catch(function (err) { box.textContent = err.message; });
  }

  function erase(panel) {
    var button = panel.querySelector("#erase");
    if (button.dataset.confirm !== "yes") {
      button.dataset.confirm = "yes";
      button.textContent = t("Yes, delete it for good");
      return;
    }
    button.disabled = true;
    api.del("/me").then(function () {
      return api.post("/auth/sign-out").catch(function () { /* already gone */ });
    }).then(function () { return ev.account.refresh(); }).catch(function (err) {
      button.disabled = false;
      var box = panel.querySelector("#erase-error");
      box.textContent = err.status === 409 ? t("Stop your charge first, then delete the account.") : err.message;
      box.hidden = false;
    });
  }

  ev.account.addTab({ id: "privacy", label: function () { return t("Privacy"); }, render: render });
})();
