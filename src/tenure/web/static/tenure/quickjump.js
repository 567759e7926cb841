/* Quick-jump: Ctrl+K (Cmd+K on a Mac) opens a dialog that finds accounts, people, plans and
 * tasks as you type, from /search/jump/?q= (the same rule and permissions as /search/).
 *
 * Keyboard: type, ArrowDown/ArrowUp move through the results, Enter opens the highlighted
 * one (or the full results page when none is highlighted), Escape closes the dialog and
 * focus goes back where it was. No framework; requests are debounced and a newer request
 * cancels the one in flight, so results never arrive out of order.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var MIN_TERM = 2;

  function start() {
    var form = document.querySelector("form.find[data-jump-url]");
    if (!form || typeof HTMLDialogElement === "undefined") return;
    var jumpUrl = form.getAttribute("data-jump-url");
    var searchUrl = form.getAttribute("action");

    var dialog = document.createElement("dialog");
    dialog.className = "quickjump";
    dialog.setAttribute("aria-labelledby", "qj-title");
    dialog.innerHTML =
      '<h2 id="qj-title" class="visually-hidden">Jump to</h2>' +
      '<label for="qj-input">Jump to an account, person, plan or task</label>' +
      '<input id="qj-input" type="text" role="combobox" autocomplete="off" spellcheck="false"' +
      ' aria-autocomplete="list" aria-expanded="false" aria-controls="qj-list">' +
      '<ul id="qj-list" role="listbox" aria-label="Results"></ul>' +
      '<p id="qj-status" class="muted" role="status" aria-live="polite"></p>' +
      '<p class="qj-keys muted">↑ ↓ to choose, Enter to open, Esc to close</p>';
    document.body.appendChild(dialog);
    var input = dialog.querySelector("#qj-input");
    var list = dialog.querySelector("#qj-list");
    var status = dialog.querySelector("#qj-status");

    var returnFocus = null;
    var timer = null;
    var inFlight = null;
    var options = [];
    var active = -1;

    function open() {
      if (dialog.open) return;
      returnFocus = document.activeElement;
      dialog.showModal();
      input.focus();
      input.select();
      if (input.value.trim().length >= MIN_TERM) schedule();
    }

    function setActive(index) {
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(url) {
      window.location.assign(url);
    }

    function option(id, label, detail, url) {
      var li = document.createElement("li");
      li.id = id;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-url", url);
      var name = document.createElement("span");
      name.className = "qj-label";
      name.textContent = label;
      li.appendChild(name);
      if (detail) {
        var more = document.createElement("span");
        more.className = "qj-detail";
        more.textContent = detail;
        li.appendChild(more);
      }
      li.addEventListener("click", function () { go(url); });
      return li;
    }

    function render(term, data) {
      list.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var count = 0;
      data.groups.forEach(function (group) {
        // Listbox > group > option; the group's title is drawn by CSS from data-title.
        var inner = document.createElement("ul");
        inner.setAttribute("role", "group");
        inner.setAttribute("aria-label", group.title);
        inner.setAttribute("data-title", group.title);
        inner.className = "qj-group";
        group.results.forEach(function (hit) {
          var li = option("qj-opt-" + options.length, hit.label, hit.detail, hit.url);
          options.push(li);
          inner.appendChild(li);
          count += 1;
        });
        list.appendChild(inner);
      });
      var all = option(
        "qj-opt-" + options.length,
        "See all results for “" + term + "”",
        "",
        searchUrl + "?q=" + encodeURIComponent(term)
      );
      all.classList.add("qj-all");
      options.push(all);
      list.appendChild(all);
      input.setAttribute("aria-expanded", "true");
      status.textContent = count
        ? count + (count === 1 ? " result" : " results")
        : "Nothing you may see matches “" + term + "”.";
    }

    function clear(message) {
      list.textContent = "";
      options = [];
      setActive(-1);
      input.setAttribute("aria-expanded", "false");
      status.textContent = message;
    }

    function fetchResults() {
      var term = input.value.trim();
      if (term.length < MIN_TERM) {
        clear(term ? "Type at least " + MIN_TERM + " letters." : "");
        return;
      }
      if (inFlight) inFlight.abort();
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      inFlight = controller;
      fetch(jumpUrl + "?q=" + encodeURIComponent(term), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() === term) render(term, data);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          clear("The search did not answer; press Enter for the full results page.");
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchResults, DEBOUNCE_MS);
    }

    input.addEventListener("input", schedule);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (options.length) setActive((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (options.length) setActive(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (active >= 0 && options[active]) {
          go(options[active].getAttribute("data-url"));
        } else if (input.value.trim().length >= MIN_TERM) {
          go(searchUrl + "?q=" + encodeURIComponent(input.value.trim()));
        }
      }
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close(); // a click on the backdrop
    });
    dialog.addEventListener("close", function () {
      window.clearTimeout(timer);
      if (inFlight) inFlight.abort();
      if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
      returnFocus = null;
    });

    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
        event.preventDefault();
        if (dialog.open) dialog.close();
        else open();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
