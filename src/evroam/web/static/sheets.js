// evroam sheets: one panel at a time — a side panel on a desktop, a bottom sheet on a phone.
(function () {
  "use strict";

  var PHONE = window.matchMedia("(max-width: 720px)");
  var listeners = [];
  var current = null;

  function sheets() { return document.querySelectorAll(".sheet"); }

  function buttonFor(id) {
    return document.querySelector(".tool[data-sheet='" + id + "']");
  }

  function close() {
    if (!current) return;
    var was = current;
    current = null;
    was.hidden = true;
    var button = buttonFor(was.id);
    if (button) button.setAttribute("aria-expanded", "false");
    document.body.classList.remove("has-sheet");
    listeners.forEach(function (fn) { fn(null, was); });
  }

  function open(id, options) {
    var sheet = document.getElementById(id);
    if (!sheet) return null;
    if (current === sheet) return sheet;
    Array.prototype.forEach.call(sheets(), function (other) {
      if (other !== sheet) {
        other.hidden = true;
        var b = buttonFor(other.id);
        if (b) b.setAttribute("aria-expanded", "false");
      }
    });
    sheet.hidden = false;
    current = sheet;
    var button = buttonFor(id);
    if (button) button.setAttribute("aria-expanded", "true");
    document.body.classList.add("has-sheet");
    if (options && options.focus) {
      var first = sheet.querySelector("h2, .sheet-title");
      if (first) { first.setAttribute("tabindex", "-1"); first.focus({ preventScroll: true }); }
    }
    listeners.forEach(function (fn) { fn(sheet, null); });
    return sheet;
  }

  function toggle(id) {
    if (current && current.id === id) close(); else open(id, { focus: true });
  }

  // The part of the map no sheet or bar covers, as padding in pixels (for fitBounds).
  function mapPadding(mapEl) {
    var box = mapEl.getBoundingClientRect();
    var pad = { top: 12, left: 12, bottom: 12, right: 12 };
    var bar = document.querySelector(".topbar");
    if (bar) pad.top = Math.max(pad.top, bar.getBoundingClientRect().bottom - box.top + 8);
    if (current) {
      var r = current.getBoundingClientRect();
      if (PHONE.matches) pad.bottom = Math.max(pad.bottom, box.bottom - r.top + 8);
      else pad.left = Math.max(pad.left, r.right - box.left + 8);
    }
    // Never pad away more than 70 % of the map: a fit must stay a fit.
    pad.top = Math.min(pad.top, box.height * 0.35);
    pad.bottom = Math.min(pad.bottom, box.height * 0.7 - pad.top);
    pad.left = Math.min(pad.left, box.width * 0.7);
    return pad;
  }

  function onChange(fn) { listeners.push(fn); }

  Array.prototype.forEach.call(document.querySelectorAll(".tool[data-sheet]"), function (b) {
    b.addEventListener("click", function () { toggle(b.dataset.sheet); });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".sheet .sheet-close"), function (b) {
    b.addEventListener("click", function () {
      var opener = current && buttonFor(current.id);
      close();
      if (opener) opener.focus();
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && current && !document.querySelector("#map.is-picking")) close();
  });

  var lang = document.getElementById("lang");
  if (lang) {
    lang.addEventListener("change", function () {
      var url = new URL(location.href);
      url.searchParams.set("lang", lang.value);
      location.href = url.toString();
    });
  }

  window.evroam = window.evroam || {};
  window.evroam.sheets = {
    open: open, close: close, toggle: toggle, onChange: onChange, mapPadding: mapPadding,
    isPhone: function () { return PHONE.matches; },
    current: function () { return current; }
  };
  if (!PHONE.matches) open("panel");
})();

// Installable: the service worker keeps the shell (works at localhost and over HTTPS).
(function () {
  "use strict";
  var root = (document.getElementById("map") || {}).dataset || {};
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register((root.root || "") + "/sw.js").catch(function () {
        // The app works without it.
      });
    });
  }
})();
