/* Team pages: behaviour from data attributes and htmx, no inline scripts (the CSP refuses them).
   Everything here also works from the keyboard; without JavaScript the forms post normally. */
(function () {
  "use strict";

  function announce(text) {
    const region = document.getElementById("pages-status");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  /* Menus made of <details>: close on Escape and when clicking elsewhere. */
  function initMenus() {
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
        if (!menu.contains(event.target)) menu.removeAttribute("open");
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
        menu.removeAttribute("open");
        const summary = menu.querySelector("summary");
        if (summary) summary.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMenus();
  });

  window.portalPages = { announce: announce };
})();
