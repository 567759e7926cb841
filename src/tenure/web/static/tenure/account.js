// The account page: tabs that load on demand and remember the last one, and the
// "Log an interaction" dialog that keeps keyboard focus where the person was.
// Without this script the tabs are links to ?tab=<name> and the button opens the log form's page.
(function () {
  "use strict";

  var STORAGE_KEY = "tenure.account.tab";

  function remember(name) {
    try { window.localStorage.setItem(STORAGE_KEY, name); } catch (e) { /* storage off: the URL still says */ }
  }

  function remembered() {
    try { return window.localStorage.getItem(STORAGE_KEY); } catch (e) { return null; }
  }

  function setupTabs(root) {
    var tabs = Array.prototype.slice.call(root.querySelectorAll('[role="tab"]'));
    var panel = root.querySelector('[role="tabpanel"]');
    if (!tabs.length || !panel) { return; }

    function byName(name) {
      for (var i = 0; i < tabs.length; i++) { if (tabs[i].dataset.tab === name) { return tabs[i]; } }
      return null;
    }

    function mark(tab) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
      });
      panel.setAttribute("aria-labelledby", tab.id);
    }

    function urlFor(name, page) {
      var url = new URL(window.location.href);
      url.searchParams.set("tab", name);
      if (page) { url.searchParams.set("page", page); } else { url.searchParams.delete("page"); }
      return url;
    }

    // Show ``tab``: mark it, load its partial, remember it; ``how`` is "push" (a click),
    // "replace" (the remembered tab on arrival) or "none" (back/forward).
    function show(tab, how, page) {
      mark(tab);
      remember(tab.dataset.tab);
      var source = tab.dataset.url + (page ? "?page=" + encodeURIComponent(page) : "");
      panel.setAttribute("aria-busy", "true");
      window.htmx.ajax("GET", source, { target: panel, swap: "innerHTML" }).then(function () {
        panel.setAttribute("aria-busy", "false");
      });
      var url = urlFor(tab.dataset.tab, page);
      if (how === "push") { window.history.pushState({ tab: tab.dataset.tab, page: page || null }, "", url); }
      if (how === "replace") { window.history.replaceState({ tab: tab.dataset.tab, page: page || null }, "", url); }
    }

    var active = tabs.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0] || tabs[0];
    mark(active);

    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        if (tab.getAttribute("aria-selected") === "true" && !new URL(window.location.href).searchParams.get("page")) { return; }
        show(tab, "push");
      });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") { next = tabs[(index + 1) % tabs.length]; }
        else if (event.key === "ArrowLeft") { next = tabs[(index - 1 + tabs.length) % tabs.length]; }
        else if (event.key === "Home") { next = tabs[0]; }
        else if (event.key === "End") { next = tabs[tabs.length - 1]; }
        if (!next) { return; }
        event.preventDefault();
        next.focus();
        show(next, "push");
      });
    });

    // Pages inside a tab (the timeline, the history) stay in the tab.
    panel.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-tab-page]") : null;
      if (!link) { return; }
      var target = new URL(link.href);
      var tab = byName(target.searchParams.get("tab"));
      if (!tab) { return; }
      event.preventDefault();
      show(tab, "push", target.searchParams.get("page"));
      panel.focus();
    });

    window.addEventListener("popstate", function () {
      var params = new URL(window.location.href).searchParams;
      var tab = byName(params.get("tab")) || tabs[0];
      show(tab, "none", params.get("page"));
    });

    // Arriving without ?tab= opens the tab used last.
    if (!new URL(window.location.href).searchParams.get("tab")) {
      var last = byName(remembered());
      if (last && last !== active) { show(last, "replace"); }
    } else {
      remember(active.dataset.tab);
    }
  }

  function setupLogDialog() {
    var opener = document.getElementById("log-open");
    var dialog = document.getElementById("log-dialog");
    var status = document.getElementById("log-status");
    if (!opener || !dialog || typeof dialog.showModal !== "function") { return; }
    opener.setAttribute("role", "button");
    opener.addEventListener("click", function (event) {
      event.preventDefault();
      if (status) { status.hidden = true; status.textContent = ""; }
      dialog.showModal();
      var first = dialog.querySelector("#log-panel select, #log-panel input, #log-panel textarea");
      if (first) { first.focus(); }
    });
    opener.addEventListener("keydown", function (event) {
      if (event.key === " ") { event.preventDefault(); opener.click(); }
    });
    dialog.addEventListener("close", function () { opener.focus(); });

    // After the form comes back: logged → close and say so, focus back on the button;
    // refused → focus the first field with an error, inside the dialog.
    document.body.addEventListener("htmx:afterSettle", function (event) {
      var panel = dialog.querySelector("#log-panel");
      if (!panel || !dialog.open || !panel.contains(event.target) && event.target !== panel) { return; }
      if (panel.querySelector('[role="status"]')) {
        if (status) { status.textContent = "Interaction logged."; status.hidden = false; }
        panel.querySelector('[role="status"]').remove();
        dialog.close();
        return;
      }
      var wrong = panel.querySelector(".errorlist, [role=alert]");
      if (wrong) {
        var field = wrong.parentElement.querySelector("input, select, textarea");
        (field || wrong).focus();
      }
    });
  }

  function start() {
    var root = document.querySelector("[data-account-tabs]");
    if (root && window.htmx) { setupTabs(root); }
    setupLogDialog();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
