/* Tenure page layout helpers, no framework.
 *
 * 1. The "Menu" button that shows the main navigation on narrow screens (<= 720 px):
 *    it toggles aria-expanded; Escape closes the menu and returns focus to the button.
 * 2. Tables as stacked cards on phones: each body cell gets a data-label holding its
 *    column's heading text (colspans respected), and the table is marked data-cards so the
 *    stylesheet lays it out as one card per row. Tables added later by htmx are labelled too.
 */
(function () {
  "use strict";

  function setUpMenu() {
    var button = document.querySelector(".menu-button");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) return;
    function setOpen(open) {
      menu.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var open = !menu.classList.contains("open");
      setOpen(open);
      if (open) {
        var first = menu.querySelector("a, button");
        if (first) first.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        setOpen(false);
        button.focus();
      }
    });
  }

  function headings(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return null;
    var row = head.rows[head.rows.length - 1];
    var labels = [];
    for (var i = 0; i < row.cells.length; i++) {
      var cell = row.cells[i];
      var text = (cell.getAttribute("aria-label") || cell.textContent || "").replace(/\s+/g, " ").trim();
      text = text.replace(/[▲▼]/g, "").trim();
      for (var span = 0; span < (cell.colSpan || 1); span++) labels.push(text);
    }
    return labels;
  }

  function labelTable(table) {
    if (table.hasAttribute("data-cards") || table.closest("[data-keep-table]")) return;
    var labels = headings(table);
    if (!labels) return;
    for (var b = 0; b < table.tBodies.length; b++) {
      var rows = table.tBodies[b].rows;
      for (var r = 0; r < rows.length; r++) {
        var column = 0;
        var cells = rows[r].cells;
        for (var c = 0; c < cells.length; c++) {
          var label = labels[column];
          if (label && cells[c].tagName === "TD" && !cells[c].hasAttribute("data-label")) {
            cells[c].setAttribute("data-label", label);
          }
          column += cells[c].colSpan || 1;
        }
      }
    }
    table.setAttribute("data-cards", "");
  }

  function labelTables(root) {
    var tables = (root || document).querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) labelTable(tables[i]);
  }

  function start() {
    setUpMenu();
    labelTables(document);
    document.body.addEventListener("htmx:afterSettle", function () { labelTables(document); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
