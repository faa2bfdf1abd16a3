// Karakana's pages in the browser: what plain HTML cannot do alone.
//
// - The outbox: a form marked `data-api` (labour, parts, notes, photos,
//   the timer) is kept in IndexedDB and sent to the API in order, each
//   change with its own Idempotency-Key, so a change the server got before
//   the connection dropped is never applied twice. While the connection is
//   down the changes wait, and the page says how many; a change the server
//   refuses is shown with the reason, never dropped.
// - Live pages: an element with `data-events` listens to server-sent
//   events and asks htmx for its fragment again when the floor changes,
//   polling instead when the browser cannot hold the stream.
// - The shift's clock keeps counting on every page.
// Without this script every form still works as a plain post.
(function () {
  "use strict";

  var DB_NAME = "karakana";
  var STORE = "outbox";
  var FAILED = "failed";
  var RETRY_MS = 15000;

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // Whose changes these are: a phone may be shared, and each person's
  // changes go with their own session only.
  var me = (document.querySelector('meta[name="user"]') || {}).content || "";
  var needsSignIn = false;
  var words = (document.getElementById("words") || { dataset: {} }).dataset;
  var bar = document.getElementById("outbox");

  // ---- IndexedDB -------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
        db.createObjectStore(FAILED, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(store, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var result = work(t.objectStore(store));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function all(store) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var request = db.transaction(store, "readonly").objectStore(store).getAll();
        request.onsuccess = function () {
          resolve((request.result || []).filter(function (item) { return item.user === me; }));
        };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  // ---- What the bar says --------------------------------------------

  function say(text, offline) {
    if (!bar) return;
    bar.hidden = !text;
    bar.classList.toggle("offline", !!offline);
    bar.textContent = text || "";
  }

  function waitingText(count) {
    var many = words.waitingMany || "{count}";
    var one = words.waitingOne || many;
    return count === 1 ? one : many.replace(/\d+/, String(count));
  }

  function render() {
    return Promise.all([all(STORE), all(FAILED)]).then(function (lists) {
      var waiting = lists[0], failed = lists[1];
      if (!bar) return;
      bar.innerHTML = "";
      var offline = !navigator.onLine;
      if (!waiting.length && !failed.length) {
        bar.hidden = !offline;
        bar.classList.toggle("offline", offline);
        if (offline) bar.textContent = words.offline || "";
        return;
      }
      bar.hidden = false;
      bar.classList.toggle("offline", offline);
      var again = null;
      if (waiting.length && needsSignIn) {
        again = document.createElement("a");
        again.href = "/login?next=" + encodeURIComponent(location.pathname);
        again.textContent = words.signin || "";
        again.className = "button secondary small";
      }
      if (waiting.length) {
        var line = document.createElement("p");
        line.style.margin = "0";
        line.textContent = waitingText(waiting.length) + ": " +
          waiting.map(function (item) { return item.what; }).join(", ") +
          (offline ? ". " + (words.offline || "") : "");
        line.setAttribute("data-waiting", String(waiting.length));
        bar.appendChild(line);
        if (again) bar.appendChild(again);
      }
      if (failed.length) {
        var list = document.createElement("ul");
        failed.forEach(function (item) {
          var li = document.createElement("li");
          li.className = "failed";
          li.textContent = (words.failed || "{what}: {why}")
            .replace("{what}", item.what || item.url)
            .replace("{why}", item.why || "");
          var dismiss = document.createElement("button");
          dismiss.type = "button";
          dismiss.className = "secondary small";
          dismiss.textContent = words.dismiss || "OK";
          dismiss.addEventListener("click", function () {
            tx(FAILED, "readwrite", function (s) { return s.delete(item.id); }).then(render);
          });
          li.appendChild(dismiss);
          list.appendChild(li);
        });
        bar.appendChild(list);
      }
    });
  }

  // ---- Keeping and sending changes -----------------------------------

  // Keeps a form's change in the outbox; resolves to its entry.
  function keep(form, input) {
    var entry = {
      user: me,
      key: newKey(),
      url: form.dataset.api,
      what: form.dataset.what || form.dataset.api,
      page: location.pathname,
      at: new Date().toISOString(),
    };
    if (form.enctype === "multipart/form-data") {
      var file = input && input.files && input.files[0];
      if (!file) return Promise.resolve(null);
      entry.kind = "file";
      entry.field = input.name;
      entry.file = file;
      entry.fileName = file.name || "photo.jpg";
    } else {
      entry.kind = "json";
      var body = {};
      new FormData(form).forEach(function (value, name) {
        if (name !== "_csrf" && typeof value === "string") body[name] = value;
      });
      // A timer change says when it was made, however late it is sent.
      if (form.hasAttribute("data-at")) body.at = entry.at;
      entry.body = body;
    }
    return tx(STORE, "readwrite", function (s) { return s.add(entry); }).then(function (id) {
      entry.id = id;
      return entry;
    });
  }

  // A change kept for later, shown where it will land until the server has
  // it (the page's fragment is fetched again then).
  function preview(form, entry) {
    var section = form.closest("section");
    if (!section) return;
    var label = document.createElement("span");
    label.className = "waiting-label";
    label.textContent = words.queued || "";
    if (form.hasAttribute("data-at")) {
      var state = section.querySelector(".timer-state");
      if (state) {
        state.textContent = entry.what;
        state.classList.remove("running");
        state.appendChild(label);
      }
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
      return;
    }
    var item = document.createElement("p");
    item.className = "queued card-line";
    if (entry.kind === "file") {
      if (entry.file.type && entry.file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(entry.file);
        img.alt = entry.fileName;
        img.className = "thumb";
        item.appendChild(img);
      } else {
        item.appendChild(document.createTextNode(entry.fileName));
      }
    } else {
      var summary = [];
      form.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
        if (field.tagName === "SELECT") {
          var option = field.options[field.selectedIndex];
          if (option) summary.push(option.text.split(" — ")[0]);
        } else if (field.value) {
          summary.push(field.value);
        }
      });
      item.textContent = summary.join(" · ");
    }
    item.appendChild(label);
    form.insertAdjacentElement("beforebegin", item);
  }

  // The API's reasons shown next to the form's fields, what was typed kept.
  function showErrors(form, error) {
    form.querySelectorAll(".field-error[data-js]").forEach(function (p) { p.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
    var fields = (error && error.fields) || {};
    var shown = false;
    Object.keys(fields).forEach(function (name) {
      var field = form.querySelector('[name="' + name + '"]');
      if (!field) return;
      var message = document.createElement("p");
      message.className = "field-error";
      message.dataset.js = "";
      message.id = (field.id || name) + "-error";
      message.textContent = fields[name].join("; ");
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", message.id);
      field.insertAdjacentElement("afterend", message);
      if (!shown) { field.focus(); shown = true; }
    });
    if (!shown && error && error.message) {
      var general = document.createElement("p");
      general.className = "field-error";
      general.dataset.js = "";
      general.setAttribute("role", "alert");
      general.textContent = error.message;
      form.insertAdjacentElement("afterbegin", general);
    }
  }

  function send(entry) {
    var init = {
      method: "POST",
      credentials: "same-origin",
      headers: { "Idempotency-Key": entry.key, "X-CSRF-Token": csrf },
    };
    if (entry.kind === "file") {
      var data = new FormData();
      data.append(entry.field || "file", entry.file, entry.fileName);
      init.body = data;
    } else {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(entry.body || {});
    }
    return fetch(entry.url, init);
  }

  var flushing = null;
  var sentSome = false;
  // What became of each change sent, by its key: "sent", or the error.
  var outcomes = {};
  // The form each change of this page came from, by its key.
  var forms = {};

  // Sends what waits, oldest first. Stops at the first change that cannot
  // be sent now (no connection, the server busy), to keep their order.
  function flush() {
    if (flushing) return flushing;
    flushing = all(STORE).then(function loop(waiting) {
      if (!waiting.length) return null;
      var entry = waiting[0];
      say(words.sending || "…");
      return send(entry).then(function (response) {
        if (response.ok) {
          sentSome = true;
          outcomes[entry.key] = "sent";
          return tx(STORE, "readwrite", function (s) { return s.delete(entry.id); })
            .then(function () { return loop(waiting.slice(1)); });
        }
        // The session ended (or this page is older than it): nothing more
        // can be sent until the technician signs in again; the changes wait.
        if (response.status === 401) return "signin";
        return response.json().catch(function () { return {}; }).then(function (body) {
          var error = (body && body.error) || {};
          var later = response.status >= 500 || response.status === 429 ||
            (response.status === 409 && /Idempotency-Key/.test(error.message || ""));
          if (later) return "later";
          outcomes[entry.key] = error;
          // A change refused while its form is on the page is shown there,
          // with what was typed, rather than in the list of failures.
          var form = forms[entry.key];
          if (form && document.body.contains(form) && response.status === 422) {
            return tx(STORE, "readwrite", function (s) { return s.delete(entry.id); })
              .then(function () { return loop(waiting.slice(1)); });
          }
          var why = error.message || String(response.status);
          if (error.fields) {
            why += ": " + Object.keys(error.fields).map(function (f) {
              return f + " " + error.fields[f].join("; ");
            }).join(", ");
          }
          return tx(FAILED, "readwrite", function (s) {
            return s.add({ user: me, url: entry.url, what: entry.what, why: why, page: entry.page, key: entry.key });
          }).then(function () {
            return tx(STORE, "readwrite", function (s) { return s.delete(entry.id); });
          }).then(function () { return loop(waiting.slice(1)); });
        });
      }, function () { return "later"; });
    }).then(function (outcome) {
      flushing = null;
      needsSignIn = outcome === "signin";
      return render().then(function () {
        if (outcome !== "later" && sentSome) {
          sentSome = false;
          refresh();
          if (bar && bar.hidden) say(words.sent || "");
          setTimeout(function () { render(); }, 4000);
        }
      });
    }, function () { flushing = null; });
    return flushing;
  }

  // The page's own fragment again, with what the server now holds.
  function refresh() {
    var target = document.querySelector("#order, #work, #queue, #board, #stats");
    if (target && window.htmx) {
      htmx.ajax("GET", location.pathname + location.search, { target: "#" + target.id, swap: "outerHTML" });
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-online-only]") && !navigator.onLine) {
      event.preventDefault();
      render();
      say(words.offline || "", true);
      return;
    }
    if (!form.matches("form[data-api]") || !window.indexedDB) return;
    event.preventDefault();
    var chosen = null;
    if (form.enctype === "multipart/form-data") {
      chosen = form.karakanaChosen || Array.prototype.find.call(
        form.querySelectorAll("input[type=file]"),
        function (input) { return input.files && input.files.length; });
    }
    keep(form, chosen).then(function (entry) {
      if (!entry) return;
      forms[entry.key] = form;
      if (!navigator.onLine) {
        preview(form, entry);
        form.reset();
        return render();
      }
      return render().then(flush).then(function () {
        var outcome = outcomes[entry.key];
        if (outcome === "sent" || outcome === undefined) {
          // Sent, or waiting for the connection: the outbox has it.
          if (outcome === undefined) preview(form, entry);
          form.reset();
          showErrors(form, null);
        } else {
          showErrors(form, outcome);
        }
      });
    });
  });

  // A photo or a voice note goes as soon as it is taken.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches("input[type=file][data-autosend]") && input.files && input.files.length) {
      input.form.karakanaChosen = input;
      if (input.form.requestSubmit) input.form.requestSubmit();
      else input.form.submit();
    }
  });

  window.addEventListener("online", function () { render().then(flush); });

  // Signing out leaves nothing of this person's pages for the next one to
  // open offline; their waiting changes stay, theirs alone, until they are
  // back.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[action='/logout']") || !("caches" in window) || form.dataset.cleared) return;
    event.preventDefault();
    form.dataset.cleared = "yes";
    caches.delete("karakana-pages-v1").catch(function () {}).then(function () { form.submit(); });
  }, true);
  window.addEventListener("offline", function () { render(); });
  setInterval(function () {
    all(STORE).then(function (waiting) {
      if (waiting.length && navigator.onLine && !needsSignIn) flush();
    });
  }, RETRY_MS);

  // ---- Live pages ------------------------------------------------------

  function listen(element) {
    var url = element.dataset.events;
    var id = element.id;
    var poll = null;
    function changed() {
      var current = document.getElementById(id);
      if (current && window.htmx) htmx.trigger(current, "changed");
    }
    function fallBack() {
      if (!poll) poll = setInterval(changed, RETRY_MS);
    }
    if (!window.EventSource) return fallBack();
    var source = new EventSource(url);
    source.addEventListener("changed", changed);
    source.addEventListener("ready", function () {
      if (poll) { clearInterval(poll); poll = null; }
    });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) fallBack();
    };
  }

  // ---- Booking in: a new vehicle's fields only when one is being typed ----

  function showNewVehicle() {
    var chosen = document.querySelector('input[name="vehicle_id"]:checked');
    var fields = document.querySelector(".new-vehicle");
    if (!fields || !document.querySelector('input[name="vehicle_id"]')) return;
    fields.hidden = !!(chosen && chosen.value);
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "vehicle_id") showNewVehicle();
  });
  document.addEventListener("htmx:afterSwap", showNewVehicle);

  // ---- The shift's clock -------------------------------------------------

  function tick() {
    document.querySelectorAll("time[data-since]").forEach(function (clock) {
      var since = Date.parse(clock.dataset.since);
      if (isNaN(since)) return;
      var seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
      var pattern = words.duration || "{h} h {m} min";
      var minutes = Math.floor((seconds % 3600) / 60);
      clock.textContent = pattern
        .replace("{h}", String(Math.floor(seconds / 3600)))
        .replace("{m}", (minutes < 10 ? "0" : "") + minutes);
    });
  }

  // ---- Keeping the technician's orders for offline --------------------

  function keepForOffline() {
    if (!navigator.onLine || !("caches" in window)) return;
    document.querySelectorAll("a[data-keep-offline]").forEach(function (link) {
      fetch(link.href, { credentials: "same-origin" }).catch(function () {});
    });
  }

  function start() {
    showNewVehicle();
    document.querySelectorAll("[data-events]").forEach(listen);
    tick();
    setInterval(tick, 30000);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js").then(function () {
        return navigator.serviceWorker.ready;
      }).then(keepForOffline).catch(function () {});
    }
    render().then(function () { if (navigator.onLine) flush(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
