// evroam service worker: keeps the app shell so the app opens like an app, even offline.
// Pages: network first, the cached shell when offline. Static files: cache first
// (their URLs carry the version). The API and live streams are never cached.
"use strict";

var CACHE = "evroam-shell-__VERSION__";
var SHELL = [
  "./",
  "./static/leaflet/leaflet.css",
  "./static/leaflet/leaflet.js",
  "./static/markercluster/MarkerCluster.css",
  "./static/markercluster/leaflet.markercluster.js",
  "./static/evroam/icon.svg"
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("evroam-shell-") === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") >= 0) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put("./", copy); });
      return response;
    }).catch(function () { return caches.match("./"); }));
    return;
  }
  if (url.pathname.indexOf("/static/") >= 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  }
});
