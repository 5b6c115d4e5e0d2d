// evroam search: places (cities, districts, expressways; Chinese, pinyin or English) and
// stations by name, from GET /api/v1/places.
(function () {
  "use strict";

  var ev = window.evroam;
  var t = ev.i18n.t, esc = ev.i18n.esc;
  var form = document.getElementById("search-form");
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var items = [];
  var active = -1;
  var timer = null;
  var seq = 0;
  var KIND = {
    city: function () { return t("city"); }, district: function () { return t("district"); },
    province: function () { return t("province"); }, corridor: function () { return t("expressway"); },
    station: function () { return t("station"); }
  };

  function label(item) {
    var zh = ev.i18n.locale === "zh-CN";
    return zh ? (item.name_zh || item.name) : (item.name || item.name_zh);
  }

  function render() {
    list.innerHTML = items.map(function (item, i) {
      var other = ev.i18n.locale === "zh-CN" ? item.name : item.name_zh;
      return "<li role=\"option\" id=\"search-option-" + i + "\" data-index=\"" + i + "\"" +
        " aria-selected=\"" + (i === active) + "\"><span class=\"name\">" + esc(label(item)) +
        (other && other !== label(item) ? " <span class=\"muted\">" + esc(other) + "</span>" : "") +
        "</span><span class=\"kind\">" + esc(KIND[item.kind] ? KIND[item.kind]() : item.kind) +
        (item.context ? " · " + esc(item.context) : "") + "</span></li>";
    }).join("") || "<li class=\"muted\" role=\"option\" aria-disabled=\"true\">" +
      esc(t("Nothing found")) + "</li>";
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    if (active >= 0) input.setAttribute("aria-activedescendant", "search-option-" + active);
    else input.removeAttribute("aria-activedescendant");
  }

  function hide() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function go(item) {
    hide();
    input.value = label(item);
    ev.map.map.setView([item.lat, item.lon], item.zoom || 12);
    if (item.kind === "station" && item.station_id) ev.station.show(item.station_id);
    else if (ev.sheets.isPhone()) ev.sheets.close();
  }

  function search(now) {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) { items = []; hide(); return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      var c = ev.map.map.getCenter();
      ev.map.getJson(ev.map.api + "/places?q=" + encodeURIComponent(q) + "&lat=" +
        c.lat.toFixed(4) + "&lon=" + c.lng.toFixed(4) + "&limit=8").then(function (body) {
        if (mine !== seq) return;
        items = body.items || [];
        active = items.length ? 0 : -1;
        render();
      }).catch(function () { items = []; hide(); });
    }, now ? 0 : 200);
  }

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-expanded", "false");
  input.addEventListener("input", function () { search(false); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!items.length) return;
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      render();
    } else if (e.key === "Escape") {
      hide();
    }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (items.length && !list.hidden) go(items[Math.max(0, active)]);
    else search(true);
  });
  list.addEventListener("click", function (e) {
    var li = e.target.closest("li[data-index]");
    if (li) go(items[Number(li.dataset.index)]);
  });
  document.addEventListener("click", function (e) {
    if (!form.contains(e.target)) hide();
  });
})();
