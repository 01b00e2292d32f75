/* The task list's bulk edit: "select all" and the count of selected rows. The form works
   without this script (each row's checkbox belongs to the bulk form). */
(function () {
  "use strict";

  function init() {
    const form = document.getElementById("bulk-form");
    if (!form) return;
    const all = document.getElementById("bulk-all");
    const rows = Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-row]"));
    const counter = document.getElementById("bulk-count");
    const panel = document.getElementById("bulk-panel");

    function update() {
      const chosen = rows.filter(function (box) { return box.checked; }).length;
      counter.textContent = chosen ? "(" + chosen + " selected)" : "(none selected)";
      if (all) {
        all.checked = chosen > 0 && chosen === rows.length;
        all.indeterminate = chosen > 0 && chosen < rows.length;
      }
    }

    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        rows.forEach(function (box) { box.checked = all.checked; });
        if (all.checked && panel) panel.open = true;
        update();
      });
    }
    rows.forEach(function (box) {
      box.addEventListener("change", function () {
        // The first row chosen opens the changes to make.
        if (box.checked && panel) panel.open = true;
        update();
      });
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
