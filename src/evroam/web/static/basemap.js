// evroam base map: a configured tile source (WGS-84 or GCJ-02) with its attribution, or,
// with none, an offline map: Natural Earth land and coastline (npm world-atlas) under the
// scenario's expressway corridors and cities, drawn as a schematic (docs/map.md).
(function () {
  "use strict";

  var i18n = window.evroam.i18n;
  var t = i18n.t;

  // ---------- GCJ-02 (the offset coordinates Chinese map providers publish in) ----------
  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function outOfChina(lat, lon) {
    return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function dLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
    return r;
  }

  function dLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
    return r;
  }

  // WGS-84 → GCJ-02 (the published "eviltransform" series; ~1 m agreement).
  function toGcj02(lat, lon) {
    if (outOfChina(lat, lon)) return [lat, lon];
    var la = dLat(lon - 105.0, lat - 35.0);
    var lo = dLon(lon - 105.0, lat - 35.0);
    var rad = lat / 180.0 * Math.PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sq = Math.sqrt(magic);
    la = (la * 180.0) / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    lo = (lo * 180.0) / (A / sq * Math.cos(rad) * Math.PI);
    return [lat + la, lon + lo];
  }

  // A GCJ-02 tile layer drawn under WGS-84 data: tiles move by the offset at the view's
  // centre (it changes by metres across a city view), so stations sit on their streets.
  function gcjTileLayer(url, options) {
    var layer = L.tileLayer(url, options);
    function shift() {
      var map = layer._map;
      if (!map || !layer._container) return;
      var c = map.getCenter();
      var g = toGcj02(c.lat, c.lng);
      var here = map.project(c, map.getZoom());
      var there = map.project(L.latLng(g[0], g[1]), map.getZoom());
      var dx = Math.round(here.x - there.x), dy = Math.round(here.y - there.y);
      layer._container.style.marginLeft = dx + "px";
      layer._container.style.marginTop = dy + "px";
      layer._container.dataset.gcjShift = dx + "," + dy;
    }
    layer.on("add", function () {
      layer._map.on("moveend zoomend", shift);
      shift();
    });
    layer.on("remove", function (e) { e.target._map && e.target._map.off("moveend zoomend", shift); });
    layer.on("load", shift);
    return layer;
  }

  // ---------- offline: Natural Earth land, then the schematic ----------
  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    });
  }

  function addLand(map, vendor) {
    if (!window.topojson) return Promise.resolve(null);
    var pane = map.createPane("land");
    pane.style.zIndex = 150;
    return getJson(vendor + "/world-atlas/land-50m.json").then(function (topo) {
      var land = window.topojson.feature(topo, topo.objects.land);
      return L.geoJSON(land, {
        pane: "land", interactive: false, renderer: L.svg({ pane: "land", padding: 0.5 }),
        style: { className: "land", color: "#9fb3c8", weight: 1, fillColor: "#f6f3ea", fillOpacity: 1 }
      }).addTo(map);
    }).catch(function () { return null; });
  }

  function cityName(props) {
    return i18n.locale === "zh-CN" ? props.name_zh : props.name;
  }

  function addSchematic(map, api) {
    var pane = map.createPane("schematic");
    pane.style.zIndex = 350;
    pane.style.pointerEvents = "none";
    var roads = L.layerGroup().addTo(map);
    var labels = L.layerGroup().addTo(map);
    return getJson(api + "/basemap/schematic").then(function (body) {
      var cities = [];
      (body.features || []).forEach(function (f) {
        if (f.geometry.type === "LineString") {
          L.polyline(f.geometry.coordinates.map(function (p) { return [p[1], p[0]]; }), {
            pane: "schematic", interactive: false, className: "corridor",
            color: "#e8a33d", weight: 2, opacity: 0.75
          }).addTo(roads);
        } else if (f.geometry.type === "Point") {
          cities.push(f);
        }
      });
      function drawLabels() {
        labels.clearLayers();
        var zoom = map.getZoom();
        var view = map.getBounds().pad(0.2);
        cities.forEach(function (f) {
          var tier = f.properties.tier;
          var shown = zoom >= 7 || (zoom >= 5 && tier !== "3" && tier !== "4") ||
            tier === "1";
          var at = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
          if (!shown || !view.contains(at)) return;
          L.marker(at, {
            pane: "schematic", interactive: false, keyboard: false,
            icon: L.divIcon({
              className: "city-label tier-" + tier.replace(" ", "-"),
              html: i18n.esc(cityName(f.properties)), iconSize: null
            })
          }).addTo(labels);
        });
      }
      map.on("zoomend moveend", drawLabels);
      drawLabels();
      return body;
    }).catch(function () { return null; });
  }

  function addBaseLayer(map, el) {
    var url = el.dataset.tiles;
    if (url) {
      var options = {
        maxZoom: 19, attribution: i18n.esc(el.dataset.tilesAttribution || ""),
        className: "base-tiles"
      };
      var layer = el.dataset.tilesCrs === "gcj02" ?
        gcjTileLayer(url, options) : L.tileLayer(url, options);
      layer.addTo(map);
      return { kind: "tiles", layer: layer };
    }
    el.classList.add("no-tiles");
    map.attributionControl.addAttribution(
      t("Land: Natural Earth · expressways and cities: schematic"));
    var api = (el.dataset.api || "/api/v1").replace(/\/$/, "");
    var ready = addLand(map, el.dataset.vendor || "").then(function () {
      return addSchematic(map, api);
    });
    return { kind: "offline", ready: ready };
  }

  window.evroam = window.evroam || {};
  window.evroam.basemap = { addBaseLayer: addBaseLayer, toGcj02: toGcj02 };
})();
