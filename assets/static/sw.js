// Karakana's service worker: keeps the pages' shell (styles, scripts,
// htmx) and the technician's pages as last seen, so a phone that loses the
// workshop's connection still opens its orders; what is done offline waits
// in the page's outbox (app.js), not here.
"use strict";

var SHELL = "karakana-shell-v1";
var PAGES = "karakana-pages-v1";
var SHELL_FILES = [
  "/static/app.css",
  "/static/app.js",
  "/static/vendor/htmx-2.0.11.min.js",
  "/static/favicon.svg",
  "/static/manifest.webmanifest",
];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) { return cache.addAll(SHELL_FILES); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name !== SHELL && name !== PAGES;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// Pages a technician may need offline: their work, an order, its photos,
// the queue as last seen, their numbers.
function keptPage(url) {
  return /^\/(work(\/[0-9a-f-]+(\/files\/[0-9a-f-]+)?)?|queue|me\/stats)$/.test(url.pathname);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // htmx's fragments and the live streams always go to the server.
  if (request.headers.get("HX-Request") || url.pathname.endsWith("/events")) return;

  if (url.pathname.startsWith("/static/")) {
    // The shell: from the cache at once, refreshed behind.
    event.respondWith(caches.open(SHELL).then(function (cache) {
      return cache.match(request).then(function (cached) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        return cached || fresh;
      });
    }));
    return;
  }

  if (keptPage(url)) {
    // The network first; the page as last seen when it is down.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }, function () {
      return caches.open(PAGES).then(function (cache) {
        return cache.match(request, { ignoreSearch: true }).then(function (cached) {
          return cached || cache.match("/work");
        }).then(function (cached) {
          return cached || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
        });
      });
    }));
  }
});
