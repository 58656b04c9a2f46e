// Comforts for debates: a live preview while writing, and reply forms that open in place.
// Every page works without this file: "Preview" buttons and reply pages do the same.
(() => {
  "use strict";
  const timers = new WeakMap();

  function csrfToken(form) {
    const field = form && form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function previewUrl() {
    const holder = document.querySelector("[data-preview-url]");
    return holder ? holder.dataset.previewUrl : null;
  }

  function previewTarget(textarea) {
    const spec = textarea.dataset.previewTarget;
    if (spec === "next") {
      return textarea.closest("form").querySelector(".preview");
    }
    return document.getElementById(spec);
  }

  function showPreview(textarea) {
    const url = previewUrl();
    const target = previewTarget(textarea);
    if (!url || !target) {
      return;
    }
    if (!textarea.value.trim()) {
      target.hidden = true;
      target.textContent = "";
      return;
    }
    const form = textarea.closest("form");
    const data = new FormData();
    data.append("body", textarea.value);
    data.append("csrf_token", csrfToken(form));
    fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form) },
    })
      .then((response) => response.text())
      .then((html) => {
        // The server returns HTML it has sanitized, or an escaped error message.
        target.innerHTML = html;
        target.hidden = false;
      })
      .catch(() => {
        target.hidden = true;
      });
  }

  document.addEventListener("input", (event) => {
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.dataset.previewTarget) {
      return;
    }
    clearTimeout(timers.get(textarea));
    timers.set(textarea, setTimeout(() => showPreview(textarea), 400));
  });

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.reply-link") : null;
    const template = document.getElementById("reply-form-template");
    if (!link || !template) {
      return;
    }
    event.preventDefault();
    const article = link.closest("article");
    const next = article.nextElementSibling;
    if (next && next.classList.contains("inline-reply")) {
      next.querySelector("textarea").focus();
      return;
    }
    const form = template.content.firstElementChild.cloneNode(true);
    form.action = link.href;
    article.after(form);
    form.querySelector("textarea").focus();
  });
})();
