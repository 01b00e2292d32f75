/* Team pages: behaviour from data attributes and htmx, no inline scripts (the CSP refuses them)
   and no Alpine expressions of our own. Every action also works from the keyboard, and without
   JavaScript the forms post normally and the server redirects back. */
(function () {
  "use strict";

  let clearTimer = null;

  /* One status line for the page: read by screen readers (role=status) and shown as a toast. */
  function announce(text) {
    const region = document.getElementById("pages-status");
    if (!region || !text) return;
    region.textContent = text;
  }

  function isVisible(element) {
    return Boolean(element && element.offsetParent !== null);
  }

  /* Menus made of <details>: close on Escape and when clicking elsewhere; the summary says
     whether its menu is open (aria-expanded) where the template asks for it. */
  function initMenus() {
    document.addEventListener("toggle", function (event) {
      const menu = event.target;
      if (!menu.matches || !menu.matches("details[data-menu]")) return;
      const summary = menu.querySelector("summary[aria-expanded]");
      if (summary) summary.setAttribute("aria-expanded", menu.open ? "true" : "false");
    }, true);
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

  /* Requests that fail say why in the status line instead of failing silently. */
  function initErrors() {
    document.body.addEventListener("htmx:responseError", function (event) {
      const xhr = event.detail.xhr;
      let text = "Something went wrong (" + xhr.status + "). Reload the page and try again.";
      const plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
      if (plain && xhr.responseText && xhr.responseText.length < 300) text = xhr.responseText;
      else if (xhr.status === 403) text = "You may not change this team's tasks.";
      else if (xhr.status === 404) text = "That task is no longer there. Reload the page.";
      announce(text);
    });
    document.body.addEventListener("htmx:sendError", function () {
      announce("The portal could not be reached. Check the connection and try again.");
    });
  }

  /* The board: column switcher (phones), drag and drop, the card menu, take, show more. */
  function initBoard() {
    const board = document.querySelector("[data-board]");
    if (!board || !window.htmx) return;
    const switcher = document.querySelector("[data-board-switcher]");
    let dragged = null;

    function showColumn(status) {
      board.querySelectorAll(".board-column").forEach(function (column) {
        column.classList.toggle("is-current", column.dataset.column === status);
      });
      if (!switcher) return;
      switcher.querySelectorAll("a").forEach(function (link) {
        if (link.dataset.column === status) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      });
    }

    function focusCard(id, status) {
      const card = document.getElementById(id);
      const target = card && card.querySelector("[data-card-focus]");
      if (isVisible(target)) {
        target.focus();
        return;
      }
      // On a phone the card went to a column that is not shown: offer the way there.
      const link = switcher && switcher.querySelector('a[data-column="' + status + '"]');
      if (link) link.focus();
    }

    // A filtered or grouped board is read again after a move or take: the moved card gets
    // focus back when the page comes (the same card may be in several lanes: the first).
    const FOCUS_KEY = "portal-board-focus";
    const reloads = board.hasAttribute("data-reloads");
    if (reloads) {
      const key = window.sessionStorage.getItem(FOCUS_KEY);
      window.sessionStorage.removeItem(FOCUS_KEY);
      const again = key && board.querySelector('[data-key="' + CSS.escape(key) + '"] [data-card-focus]');
      if (again && isVisible(again)) again.focus();
    }
    function remember(card) {
      if (reloads) window.sessionStorage.setItem(FOCUS_KEY, card.dataset.key);
    }

    function move(card, status) {
      if (!card || !status || card.dataset.status === status) return Promise.resolve(false);
      remember(card);
      return window.htmx
        .ajax("POST", card.dataset.moveUrl, { source: board, values: { status: status }, swap: "none" })
        .then(function () { return true; });
    }

    if (switcher) {
      switcher.addEventListener("click", function (event) {
        const link = event.target.closest("a[data-column]");
        if (!link) return;
        event.preventDefault();
        showColumn(link.dataset.column);
        window.history.replaceState(null, "", link.getAttribute("href"));
      });
    }

    board.addEventListener("submit", function (event) {
      const form = event.target;
      const card = form.closest("[data-card]");
      if (!card) return;
      if (form.matches("[data-move-form]")) {
        event.preventDefault();
        // The menu's "Move to ..." button that was pressed carries the status.
        const status = event.submitter ? event.submitter.value : "";
        move(card, status).then(function (moved) { if (moved) focusCard(card.id, status); });
      } else if (form.matches("[data-take-form]")) {
        event.preventDefault();
        remember(card);
        window.htmx
          .ajax("POST", form.action, { source: board, target: "#" + card.id, swap: "outerHTML" })
          .then(function () { focusCard(card.id, card.dataset.status); });
      }
    });

    board.addEventListener("click", function (event) {
      const more = event.target.closest("[data-more]");
      if (!more) return;
      event.preventDefault();
      const list = more.parentElement;
      const before = list.querySelectorAll("[data-card]").length;
      window.htmx
        .ajax("GET", more.dataset.url, { source: board, target: more, swap: "outerHTML" })
        .then(function () {
          const first = list.querySelectorAll("[data-card]")[before];
          if (first) focusCard(first.id, first.dataset.status);
        });
    });

    if (!board.hasAttribute("data-can-move")) return;

    function clearTargets() {
      board.querySelectorAll(".is-drop-target").forEach(function (column) {
        column.classList.remove("is-drop-target");
      });
    }

    board.addEventListener("dragstart", function (event) {
      const card = event.target.closest && event.target.closest('[data-card][draggable="true"]');
      if (!card) return;
      dragged = card;
      card.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.key);
    });
    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("is-dragging");
      dragged = null;
      clearTargets();
    });
    board.addEventListener("dragover", function (event) {
      const column = event.target.closest(".board-column");
      if (!column || !dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!column.classList.contains("is-drop-target")) {
        clearTargets();
        column.classList.add("is-drop-target");
      }
    });
    board.addEventListener("drop", function (event) {
      const column = event.target.closest(".board-column");
      if (!column || !dragged) return;
      event.preventDefault();
      const card = dragged;
      clearTargets();
      move(card, column.dataset.column);
    });
  }

  /* GET forms leave empty fields out of the address, so a shared link shows only real filters. */
  function initCleanForms() {
    document.addEventListener("submit", function (event) {
      const form = event.target;
      if (!form.matches("form[data-clean-get]")) return;
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && !field.disabled && field.value === "" && field.type !== "checkbox") {
          field.disabled = true;
          window.setTimeout(function () { field.disabled = false; }, 0);
        }
      });
    });
  }

  /* Messages swapped in by the server (htmx out-of-band) fade like announce()'s. */
  function initStatusLine() {
    const region = document.getElementById("pages-status");
    if (!region || !window.MutationObserver) return;
    new MutationObserver(function () {
      window.clearTimeout(clearTimer);
      if (region.textContent) {
        clearTimer = window.setTimeout(function () { region.textContent = ""; }, 8000);
      }
    }).observe(region, { childList: true, characterData: true, subtree: true });
  }

  /* Forms marked data-warn-unsaved: once something is typed, leaving the page (a link, closing
     the tab, reloading) asks first; saving the form does not. A form that came back with errors
     holds unsaved input too. */
  function initUnsavedWarning() {
    const forms = Array.from(document.querySelectorAll("form[data-warn-unsaved]"));
    if (!forms.length) return;
    const dirty = new Set(forms.filter(function (form) {
      return form.querySelector(".errorlist") !== null;
    }));
    forms.forEach(function (form) {
      const mark = function () { dirty.add(form); };
      form.addEventListener("input", mark);
      form.addEventListener("change", mark);
      form.addEventListener("submit", function () { dirty.delete(form); });
    });
    window.addEventListener("beforeunload", function (event) {
      if (!dirty.size) return;
      event.preventDefault();
      event.returnValue = "";
    });
  }

  /* Preview of a text box (comments): the server renders it with the page's own Markdown
     renderer (one endpoint, the form's CSRF token); the answer is sanitised HTML. Pressed
     again (a toggle: aria-pressed), the button shows the box. Delegated, so comments that
     htmx swaps in work too. */
  function initPreview() {
    document.addEventListener("click", function (event) {
      const button = event.target.closest ? event.target.closest("button[data-preview]") : null;
      if (!button) return;
      const source = document.getElementById(button.dataset.previewSource);
      const target = document.getElementById(button.getAttribute("aria-controls"));
      const form = button.closest("form");
      if (!source || !target || !form) return;
      const field = source.closest(".pages-field") || source;
      if (button.getAttribute("aria-pressed") === "true") {
        button.setAttribute("aria-pressed", "false");
        target.hidden = true;
        field.hidden = false;
        source.focus();
        return;
      }
      const body = new FormData();
      body.append("text", source.value);
      const token = form.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(button.dataset.preview, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      }).then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) throw new Error(text.length < 300 ? text : "");
          return text;
        });
      }).then(function (html) {
        target.innerHTML = html;
        target.hidden = false;
        field.hidden = true;
        button.setAttribute("aria-pressed", "true");
      }).catch(function (error) {
        announce(error.message || "The preview could not be shown. Try again.");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initPreview();
    initStatusLine();
    initUnsavedWarning();
    initMenus();
    initCleanForms();
    initErrors();
    initBoard();
  });

  window.portalPages = { announce: announce };
})();
