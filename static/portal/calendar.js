/* The calendar: drag a task to another day and drop it there. The drop posts the same form as
   the task's "Move" menu (the keyboard's and the fallback's way), then reloads the page. */
(function () {
  "use strict";

  function init() {
    const calendar = document.querySelector("[data-calendar]");
    if (!calendar) return;
    const token = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
    let dragged = null;

    calendar.addEventListener("dragstart", function (event) {
      dragged = event.target.closest && event.target.closest("[data-move]");
      if (!dragged) return;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.dataset.task);
    });
    calendar.addEventListener("dragend", function () {
      dragged = null;
      calendar.querySelectorAll(".is-drop-target").forEach(function (d) { d.classList.remove("is-drop-target"); });
    });
    calendar.addEventListener("dragover", function (event) {
      const day = event.target.closest && event.target.closest("[data-day]");
      if (!dragged || !day) return;
      event.preventDefault();
      calendar.querySelectorAll(".is-drop-target").forEach(function (d) { if (d !== day) d.classList.remove("is-drop-target"); });
      day.classList.add("is-drop-target");
    });
    calendar.addEventListener("drop", function (event) {
      const day = event.target.closest && event.target.closest("[data-day]");
      if (!dragged || !day) return;
      event.preventDefault();
      const body = new FormData();
      body.append("due", day.dataset.day);
      body.append("csrfmiddlewaretoken", token || "");
      const status = document.getElementById("pages-status");
      fetch(dragged.dataset.move, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          if (response.ok) { window.location.reload(); return null; }
          return response.text().then(function (text) { if (status) status.textContent = text; });
        })
        .catch(function () {
          if (status) status.textContent = "The portal could not be reached. Check the connection and try again.";
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
