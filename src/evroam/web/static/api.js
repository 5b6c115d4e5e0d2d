// evroam api: JSON requests to the hub with the session cookie (same origin), problem
// details as errors, and an Idempotency-Key for each money-moving request.
(function () {
  "use strict";

  var ev = window.evroam;
  var root = (document.getElementById("map") || document.body).dataset;
  var API = (root.api || "/api/v1").replace(/\/$/, "");

  function problemText(body, status) {
    var detail = body && body.detail;
    if (typeof detail === "string" && detail) return detail;
    return (body && body.title) || ev.i18n.t("request failed (HTTP {status})", { status: status });
  }

  // A key the server keeps with the request: a retry sends the same one.
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // request("POST", "/wallet/top-ups", {amount: "50.00"}, {key: "…"}) → Promise(body)
  function request(method, path, body, options) {
    var headers = { Accept: "application/json" };
    var init = { method: method, credentials: "same-origin", headers: headers };
    if (body !== undefined && body !== null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (options && options.key) headers["Idempotency-Key"] = options.key;
    var url = path.charAt(0) === "/" && path.indexOf(API) !== 0 ? API + path : path;
    return fetch(url, init).then(function (resp) {
      if (resp.status === 204) return null;
      return resp.json().catch(function () { return {}; }).then(function (answer) {
        if (!resp.ok) {
          var error = new Error(problemText(answer, resp.status));
          error.status = resp.status;
          error.problem = answer;
          throw error;
        }
        return answer;
      });
    });
  }

  ev.api = {
    base: API, request: request, newKey: newKey, problemText: problemText,
    get: function (path) { return request("GET", path); },
    post: function (path, body, options) { return request("POST", path, body, options); },
    put: function (path, body) { return request("PUT", path, body); },
    del: function (path) { return request("DELETE", path); }
  };
})();
