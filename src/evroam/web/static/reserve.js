// evroam reservations: "Reserve 15 min" on a free pile whose partner takes reservations
// (OCPI RESERVABLE, ADR 0027), then the partner's answer in the pile's row.
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n, api = ev.api;
  var t = i18n.t, esc = i18n.esc;
  var MINUTES = 15;
  var POLL_MS = 1500;

  var STATUS = {
    requested: function () { return t("Reservation asked of the operator…"); },
    reserved: function (r) { return t("Reserved for you until {time}", { time: i18n.time(r.expires_at) }); },
    rejected: function (r) { return t("The operator refused: {reason}", { reason: r.reason || "" }); },
    timeout: function () { return t("The operator did not answer."); },
    failed: function (r) { return t("The operator refused: {reason}", { reason: r.reason || "" }); },
    expired: function () { return t("Reservation ended."); },
    cancelled: function () { return t("Reservation cancelled."); }
  };

  // A reservation that ended without the pile being held can be asked again at once.
  var AGAIN = { rejected: true, timeout: true, failed: true, expired: true, cancelled: true };

  var mine = {}; // pile id -> the driver's latest reservation there

  // The station sheet re-renders on every live change: the answer lives here.
  function remember(r) {
    mine[r.pile_id] = r;
    ev.station.rerender();
    if (r.status === "requested") {
      setTimeout(function () {
        api.get("/reservations/" + encodeURIComponent(r.id)).then(remember, function () {
          remember(r); // the hub did not answer this time: ask again
        });
      }, POLL_MS);
    }
  }

  function reserveButton(pile, label) {
    return "<button type=\"button\" class=\"button reserve\" data-pile-id=\"" + esc(pile.id) + "\">" +
      esc(label) + "</button>";
  }

  ev.station.addPileAction(function (pile, station) {
    var r = mine[pile.id];
    var can = !station.is_swap && pile.is_reservable && pile.status === "available";
    if (r) {
      return "<p class=\"reservation notice\" role=\"status\">" +
        esc(STATUS[r.status] ? STATUS[r.status](r) : r.status) + "</p>" +
        (AGAIN[r.status] && can ? reserveButton(pile, t("Try again")) : "");
    }
    return can ? reserveButton(pile, t("Reserve {minutes} min", { minutes: MINUTES })) : "";
  });
  document.getElementById("station-body").addEventListener("click", function (e) {
    var button = e.target.closest(".reserve");
    if (!button || !ev.account.requireSignIn(t("Sign in to reserve this pile."))) return;
    button.disabled = true;
    var pileId = button.dataset.pileId;
    api.post("/reservations", { pile_id: pileId, minutes: MINUTES }).then(remember)
      .catch(function (err) { remember({ pile_id: pileId, status: "failed", reason: err.message }); });
  });
})();
