// evroam availability: the chance a pile is free on arrival and how fresh the live status
// is (ADR 0039's fields free_chance, free_chance_basis, free_chance_in_min, status_age_s),
// in the station sheet, the recommendation rows and the trip's stops.
(function () {
  "use strict";

  var ev = window.evroam;
  var i18n = ev.i18n;
  var t = i18n.t, esc = i18n.esc;
  var STALE_S = 3600; // a status unchanged for an hour may no longer hold

  var BASIS = {
    station: function () { return t("from this station's usual hours"); },
    operator: function () { return t("from the operator's usual hours (little history here)"); },
    network: function () { return t("from the network's usual hours (little history here)"); },
    profile: function () { return t("from the status now and a typical day (no history yet)"); }
  };

  function percent(chance) { return i18n.number(Math.round(100 * Number(chance))) + " %"; }

  function level(chance) { return chance >= 0.6 ? "good" : chance >= 0.3 ? "fair" : "poor"; }

  // "status changed 4 minutes ago" from an age in seconds; stale after an hour.
  function age(seconds) {
    if (seconds == null) return null;
    var at = new Date(Date.now() - 1000 * Number(seconds));
    return { text: t("status changed {ago}", { ago: i18n.ago(at) }), stale: seconds > STALE_S };
  }

  function chanceText(item, minutes) {
    var when = minutes == null ? null : Math.round(Number(minutes));
    return when == null ? t("{chance} chance a pile is free on arrival", { chance: percent(item.free_chance) }) :
      t("{chance} chance a pile is free in {minutes} min", {
        chance: percent(item.free_chance), minutes: i18n.number(when)
      });
  }

  function meter(chance) {
    return "<span class=\"chance-meter\" aria-hidden=\"true\"><span style=\"width:" +
      Math.round(100 * chance) + "%\"></span></span>";
  }

  // A short line for a list row: "62 % free on arrival · status 4 min old".
  function badge(item) {
    var parts = [];
    if (item.free_chance != null) {
      parts.push("<span class=\"free-chance chance-" + level(item.free_chance) + "\">" +
        esc(t("{chance} free on arrival", { chance: percent(item.free_chance) })) + "</span>");
    }
    var fresh = age(item.status_age_s);
    if (fresh) {
      parts.push("<span class=\"status-age" + (fresh.stale ? " is-stale" : "") + "\">" +
        esc(fresh.text) + "</span>");
    }
    return parts.length ? "<div class=\"availability-badge\">" + parts.join(" · ") + "</div>" : "";
  }

  ev.station.addSection(function (s) {
    if (s.free_chance == null && s.status_age_s == null) return "";
    var html = "<div class=\"availability\">";
    if (s.free_chance != null) {
      html += "<div class=\"free-chance chance-" + level(s.free_chance) + "\">" +
        meter(s.free_chance) + "<strong>" + esc(chanceText(s, s.free_chance_in_min)) +
        "</strong></div>";
      if (BASIS[s.free_chance_basis]) {
        html += "<div class=\"free-chance-basis muted\">" + esc(BASIS[s.free_chance_basis]()) + "</div>";
      }
    }
    var fresh = age(s.status_age_s);
    if (fresh) {
      html += "<div class=\"status-age" + (fresh.stale ? " is-stale" : " muted") + "\">" +
        esc(fresh.text) + (fresh.stale ? " — " + esc(t("it may have changed since")) : "") + "</div>";
    }
    return html + "</div>";
  });

  // ---------- reliability (ADR 0040): a pile's score and what counted against it ----------

  var LOW_BELOW = 60;

  i18n.sayings["pile.reliability"] = function (p) {
    var facts = [];
    if (p.faults) facts.push(i18n.nt("{count} fault", "{count} faults", p.faults));
    if (p.offline_percent >= 1) {
      facts.push(t("off line {percent} % of the time", { percent: i18n.number(p.offline_percent) }));
    }
    if (p.failed_starts) {
      facts.push(i18n.nt("{count} failed start", "{count} failed starts", p.failed_starts));
    }
    if (p.reports) facts.push(i18n.nt("{count} driver report", "{count} driver reports", p.reports));
    var list = new Intl.ListFormat(i18n.locale, { type: "conjunction" });
    var said = facts.length ? list.format(facts) : t("no trouble");
    return t("reliability {score}/100: {facts} in {days} days", {
      score: p.score, days: p.days, facts: said
    });
  };

  function pileReliability(pile) {
    if (pile.reliability == null || pile.reliability >= 100) return "";
    var text = pile.reliability_said ? i18n.say(pile.reliability_said) :
      pile.reliability_note || t("reliability {score}/100", { score: pile.reliability });
    return "<p class=\"pile-reliability" + (pile.reliability < LOW_BELOW ? " is-low" : "") + "\">" +
      esc(text) + "</p>";
  }

  // A recommendation the car could only use through low-scored piles says so.
  function optionReliability(option) {
    if (option.reliability == null) return "";
    return "<div class=\"option-reliability is-low\">" + esc(t(
      "reliability {score}/100: ranked below stations with reliable piles", { score: option.reliability }
    )) + "</div>";
  }

  ev.station.addPileAction(pileReliability);

  ev.availability = {
    badge: function (item) { return badge(item) + optionReliability(item); }, percent: percent
  };
})();
