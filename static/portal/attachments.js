/* A task's attachments: drop files on the zone or choose them, see the upload's progress, and
   the section is replaced by the server's answer (the list, and a note per file). Plain
   XMLHttpRequest for its upload progress; without JavaScript the form posts normally. */
(function () {
  "use strict";

  function announce(text) {
    const region = document.getElementById("pages-status");
    if (region && text) region.textContent = text;
  }

  function replaceSection(html) {
    const old = document.getElementById("attachments");
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const fresh = holder.querySelector("#attachments");
    if (!old || !fresh) return;
    old.replaceWith(fresh);
    const notes = fresh.querySelectorAll(".attach-notes li");
    if (notes.length) announce(Array.from(notes).map(function (n) { return n.textContent; }).join(" "));
  }

  function post(form, data, progress) {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    if (progress) {
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) progress.value = Math.round((event.loaded * 100) / event.total);
      });
    }
    xhr.addEventListener("load", function () {
      if (xhr.status === 200 || xhr.status === 422) {
        replaceSection(xhr.responseText);
      } else if (xhr.status === 413) {
        announce("The files are too large to send at once.");
      } else {
        const plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
        announce(plain && xhr.responseText.length < 300 ? xhr.responseText
          : "The upload failed (" + xhr.status + "). Reload the page and try again.");
      }
      if (progress) progress.hidden = true;
    });
    xhr.addEventListener("error", function () {
      announce("The portal could not be reached. Check the connection and try again.");
      if (progress) progress.hidden = true;
    });
    xhr.send(data);
  }

  function upload(form, files) {
    if (!files.length) {
      announce("Choose one or more files to attach.");
      return;
    }
    const data = new FormData(form);
    data.delete("files");
    files.forEach(function (file) { data.append("files", file, file.name); });
    post(form, data, form.querySelector("progress"));
  }

  document.addEventListener("change", function (event) {
    const input = event.target;
    if (input.matches && input.matches("[data-attach-form] input[type=file]") && input.files.length) {
      upload(input.form, Array.from(input.files));
    }
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.matches("[data-attach-form]")) {
      event.preventDefault();
      upload(form, Array.from(form.querySelector("input[type=file]").files));
    } else if (form.matches("[data-attach-delete]")) {
      event.preventDefault();
      post(form, new FormData(form), null);
    }
  });

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      const zone = event.target.closest && event.target.closest("[data-attach-drop]");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("attach-drop-over");
    });
  });
  document.addEventListener("dragleave", function (event) {
    const zone = event.target.closest && event.target.closest("[data-attach-drop]");
    if (zone) zone.classList.remove("attach-drop-over");
  });
  document.addEventListener("drop", function (event) {
    const zone = event.target.closest && event.target.closest("[data-attach-drop]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("attach-drop-over");
    upload(zone.closest("form"), Array.from(event.dataTransfer.files));
  });
})();
