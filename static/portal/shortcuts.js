/* Keyboard shortcuts of the team pages (docs/team-pages.md, "Keyboard"):
     /        focus the search box          c        new task
     j / k    next / previous task          Enter, o open the current task
     e        edit the current task         a        assign the current task to me (take)
     ?        this list (a <dialog>; Escape closes it)
   Tasks are the elements with data-task-url (list rows, board cards, calendar items), which
   also carry data-edit-url and data-take-url where the person may edit or take the task; a
   task's own page says the same on the element with data-task-page. No shortcut fires while
   typing in a field or with Ctrl, Alt or Meta held; each one says what it did in the page's
   status line (role=status), which screen readers read out. */
(function () {
  "use strict";

  const ITEM = "[data-task-url]";
  const CURRENT = "is-shortcut-current";
  const CARRIED = "portal.shortcuts.after-reload";
  let currentKey = "";

  function say(text) {
    const region = document.getElementById("pages-status");
    if (!region || !text) return;
    // The same words twice in a row are read again only if the region changes in between.
    if (region.textContent === text) region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 20);
  }

  function visible(element) {
    return Boolean(element) && element.getClientRects().length > 0;
  }

  function keyOf(item) {
    return item.dataset.key || item.dataset.task || item.dataset.taskKey || "this task";
  }

  function items() {
    return Array.prototype.filter.call(document.querySelectorAll(ITEM), visible);
  }

  function itemByKey(key) {
    return items().find(function (item) { return keyOf(item) === key; }) || null;
  }

  /* The task a shortcut acts on: the one holding the focus (reached with j/k or Tab), else
     the one j/k marked last, else the task of a task's own page. */
  function current() {
    const active = document.activeElement;
    const holding = active && active.closest ? active.closest(ITEM) : null;
    if (holding && visible(holding)) return holding;
    if (currentKey) {
      const marked = itemByKey(currentKey);
      if (marked) return marked;
    }
    return document.querySelector("[data-task-page]");
  }

  function mark(item) {
    document.querySelectorAll("." + CURRENT).forEach(function (other) {
      if (other !== item) other.classList.remove(CURRENT);
    });
    item.classList.add(CURRENT);
    currentKey = keyOf(item);
    const link = item.querySelector("a[href]");
    if (link) link.focus();
    item.scrollIntoView({ block: "nearest" });
    say("Task " + currentKey + " focused");
  }

  function step(direction) {
    const all = items();
    if (!all.length) {
      say("No tasks on this page.");
      return;
    }
    const at = all.indexOf(current());
    let next = at === -1 ? (direction > 0 ? 0 : all.length - 1) : at + direction;
    if (next < 0 || next >= all.length) {
      say(direction > 0 ? "Last task reached." : "First task reached.");
      next = Math.max(0, Math.min(all.length - 1, next));
    }
    mark(all[next]);
  }

  function open(item) {
    if (!item || !item.dataset.taskUrl) {
      say("Press j or k to choose a task first.");
      return;
    }
    window.location.assign(item.dataset.taskUrl);
  }

  /* The edit form of a task's page: its first field, focused. */
  function focusEditForm() {
    const form = document.getElementById("task-edit");
    const field = form && form.querySelector("input:not([type=hidden]), textarea, select");
    if (!field) return false;
    form.scrollIntoView({ block: "start" });
    field.focus();
    return true;
  }

  function edit(item) {
    if (!item) {
      say("Press j or k to choose a task first.");
      return;
    }
    const url = item.dataset.editUrl;
    if (!url) {
      say("You may not edit " + keyOf(item) + ".");
      return;
    }
    const target = new URL(url, window.location.href);
    if (target.pathname === window.location.pathname && focusEditForm()) {
      say("Editing " + keyOf(item));
      return;
    }
    window.location.assign(target.href);
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  /* "a": the board's Take (POST, with the CSRF token). On the board the card is replaced in
     place as its menu's Take does; elsewhere the page is read again to show the new assignee,
     and the outcome is said once it has loaded. */
  function take(item) {
    if (!item) {
      say("Press j or k to choose a task first.");
      return;
    }
    const key = keyOf(item);
    const url = item.dataset.takeUrl;
    if (!url) {
      say(key + " cannot be assigned to you here (only open tasks not yet yours, by leads and members).");
      return;
    }
    const card = item.closest("[data-board] [data-card]");
    if (card && window.htmx) {
      window.htmx
        .ajax("POST", url, { source: card, target: "#" + card.id, swap: "outerHTML" })
        .then(function () {
          const fresh = itemByKey(key);
          if (fresh) {
            fresh.classList.add(CURRENT);
            const link = fresh.querySelector("a[href]");
            if (link) link.focus();
          }
        });
      return;
    }
    say("Assigning " + key + " to you...");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    })
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) {
            const plain = (response.headers.get("Content-Type") || "").indexOf("text/plain") === 0;
            say(plain && text.length < 300 ? text : "Something went wrong (" + response.status + "). Reload the page and try again.");
            return;
          }
          const said = new DOMParser().parseFromString(text, "text/html").querySelector("[hx-swap-oob]");
          const message = said && said.textContent.trim() ? said.textContent.trim() : "Assigned to you: " + key;
          window.sessionStorage.setItem(CARRIED, JSON.stringify({ message: message, key: key }));
          window.location.reload();
        });
      })
      .catch(function () {
        say("The portal could not be reached. Check the connection and try again.");
      });
  }

  function newTask(dialog) {
    const links = dialog ? dialog.querySelectorAll("a[data-new-task]") : [];
    if (links.length === 1) {
      window.location.assign(links[0].href);
    } else if (links.length > 1) {
      showHelp(dialog, links[0]);
      say("Choose the team of the new task.");
    } else {
      say("You may not create tasks here.");
    }
  }

  function showHelp(dialog, focus) {
    if (!dialog || dialog.open) return;
    dialog.showModal();
    if (focus) focus.focus();
  }

  function typing(target) {
    if (!target || !target.closest) return false;
    return target.isContentEditable || Boolean(target.closest("input, textarea, select, [contenteditable]"));
  }

  function init() {
    const dialog = document.getElementById("shortcuts");
    const search = document.getElementById("site-search");
    let opener = null;

    if (dialog) {
      dialog.addEventListener("close", function () {
        if (opener && document.contains(opener)) opener.focus();
        opener = null;
      });
      document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          opener = button;
          showHelp(dialog, dialog.querySelector("[data-shortcuts-close]"));
        });
      });
    }

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
      if (dialog && dialog.open) return; // the dialog's own keys: Tab, Escape
      if (typing(event.target)) return;
      const key = event.key;
      // Enter on a link or a button does what it does; on nothing in particular it opens.
      if (key === "Enter") {
        const active = document.activeElement;
        if (active && active !== document.body && active.closest("a, button, summary, [tabindex]")) return;
        if (!currentKey) return;
      }
      const actions = {
        "/": function () {
          if (!search) return;
          search.focus();
          search.select();
        },
        "?": function () {
          opener = document.activeElement;
          showHelp(dialog, dialog && dialog.querySelector("[data-shortcuts-close]"));
        },
        c: function () { newTask(dialog); },
        j: function () { step(1); },
        k: function () { step(-1); },
        o: function () { open(current()); },
        Enter: function () { open(current()); },
        e: function () { edit(current()); },
        a: function () { take(current()); },
      };
      if (!Object.prototype.hasOwnProperty.call(actions, key)) return;
      event.preventDefault();
      actions[key]();
    });

    // A task's page opened for editing (e from a list): its form's first field, once the
    // browser has scrolled to the form (that scroll takes the focus away from any field).
    if (window.location.hash === "#task-edit") {
      const later = function () { window.setTimeout(focusEditForm, 0); };
      if (document.readyState === "complete") later();
      else window.addEventListener("load", later);
    }

    // What a take said before the page was read again, and the task it was about.
    const carried = window.sessionStorage.getItem(CARRIED);
    if (carried) {
      window.sessionStorage.removeItem(CARRIED);
      try {
        const said = JSON.parse(carried);
        const item = said.key && itemByKey(said.key);
        if (item) mark(item);
        say(said.message);
      } catch (error) {
        /* Not ours: ignore it. */
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
