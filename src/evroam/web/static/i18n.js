// evroam i18n: the page's compiled catalogue (Babel .po → JSON, embedded by the server)
// and the browser's Intl API for numbers, money, dates and relative times.
(function () {
  "use strict";

  var node = document.getElementById("catalogue");
  var catalogue = { locale: document.documentElement.lang || "en", messages: {} };
  try { if (node) catalogue = JSON.parse(node.textContent); } catch (e) { /* English */ }
  var locale = catalogue.locale || "en";
  var messages = catalogue.messages || {};

  function fill(text, params) {
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return params[name] == null ? whole : String(params[name]);
    });
  }

  // t("Hello {name}", {name: "x"}): the message in the page's language.
  function t(message, params) {
    var found = messages[message];
    return fill(typeof found === "string" && found ? found : message, params);
  }

  // nt("{count} station", "{count} stations", n): plural forms from the catalogue.
  function nt(singular, plural, count, params) {
    var forms = messages[singular];
    var merged = Object.assign({ count: number(count) }, params || {});
    if (Array.isArray(forms) && forms.length) {
      var rule = new Intl.PluralRules(locale).select(count);
      return fill(forms.length === 1 || rule !== "one" ? forms[forms.length - 1] : forms[0],
        merged);
    }
    return fill(count === 1 ? singular : plural, merged);
  }

  function number(value, digits) {
    var options = digits == null ? {} :
      { minimumFractionDigits: digits, maximumFractionDigits: digits };
    return new Intl.NumberFormat(locale, options).format(Number(value));
  }

  // Money arrives as a decimal string (yuan, up to 4 places); shown with at least 2.
  function money(amount, currency) {
    var text = String(amount == null ? "0" : amount);
    var places = (text.split(".")[1] || "").replace(/0+$/, "").length;
    return new Intl.NumberFormat(locale, {
      style: "currency", currency: currency || "CNY", currencyDisplay: "narrowSymbol",
      minimumFractionDigits: Math.max(2, Math.min(4, places)),
      maximumFractionDigits: Math.max(2, Math.min(4, places))
    }).format(Number(text));
  }

  function dateTime(value, options) {
    var at = value instanceof Date ? value : new Date(value);
    if (isNaN(at)) return "";
    return new Intl.DateTimeFormat(locale, options || {
      dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Shanghai"
    }).format(at);
  }

  function time(value) {
    return dateTime(value, { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Shanghai" });
  }

  // "3 minutes ago" / "3分钟前"
  function ago(value, now) {
    var at = new Date(value);
    if (isNaN(at)) return "";
    var seconds = Math.round((at - (now || new Date())) / 1000);
    var rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    var abs = Math.abs(seconds);
    if (abs < 60) return rtf.format(seconds, "second");
    if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
    if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
    return rtf.format(Math.round(seconds / 86400), "day");
  }

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // The hub's sentences come with a code and parameters (ADR 0045): each module registers
  // how its codes read (sayings[code] = function (params) { return t("…", params); });
  // an unknown code falls back to the server's English text.
  var sayings = {};

  function say(message) {
    var said = message && sayings[message.code];
    if (said) return said(message.params || {});
    return (message && (message.text || message.detail)) || "";
  }

  window.evroam = window.evroam || {};
  window.evroam.i18n = {
    locale: locale, t: t, nt: nt, number: number, money: money, dateTime: dateTime,
    time: time, ago: ago, esc: esc, say: say, sayings: sayings
  };
})();
