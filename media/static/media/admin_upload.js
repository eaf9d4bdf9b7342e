/* Lesson media in the Wagtail admin. media/wagtail_hooks.py loads this on every
   admin page, with its configuration (limit, URLs, Chinese texts) in
   #zhixue-media-admin-config; it acts only where it finds its targets:

   1. wagtailmedia's upload forms. The add and edit forms are sent with
      XMLHttpRequest so the editor sees a progress bar (percent, MB sent, speed, time
      left) and can cancel; the chooser modal's upload tab is sent by wagtailmedia's
      own jQuery code, which a jQuery prefilter gives the same bar. Files above
      ZHIXUE_MEDIA_MAX_UPLOAD_MB are refused before a byte is sent (the server
      refuses them too: media/upload_handlers.py).
   2. Elements marked data-zhixue-media-status (our templates for wagtailmedia's list
      and edit page) follow the processing status live, and the edit page's retry
      button posts without leaving the page.

   Each progress update dispatches "zhixue:upload-progress" on the form (detail:
   percent, loaded, total); the browser test listens to it. */
(() => {
  "use strict";

  const configElement = document.getElementById("zhixue-media-admin-config");
  if (!configElement) {
    return;
  }
  const config = JSON.parse(configElement.textContent);
  const text = config.text;
  const MB = 1024 * 1024;
  const PENDING = new Set(["uploaded", "processing"]);
  const POLL_MS = 2000;
  const SPEED_WINDOW_MS = 5000;

  /* Django-style "%(name)s" placeholders, as in the msgids. */
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (match, key) =>
      key in values ? String(values[key]) : match,
    );
  }

  const megabytes = (bytes) => (bytes / MB).toFixed(1);

  function timeText(seconds) {
    const s = Math.max(1, Math.round(seconds));
    if (s >= 3600) {
      return format(text.hours, {
        hours: Math.floor(s / 3600),
        minutes: Math.floor((s % 3600) / 60),
      });
    }
    if (s >= 60) {
      return format(text.minutes, { minutes: Math.floor(s / 60), seconds: s % 60 });
    }
    return format(text.seconds, { seconds: s });
  }

  const absolute = (url) => new URL(url, window.location.href);
  const escapeRegExp = (value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const editPath = new RegExp(
    `^${escapeRegExp(config.editUrl).replace("/0/", "/\\d+/")}$`,
  );

  /* "page" for wagtailmedia's add and edit forms, "chooser" for the modal's upload
     tab, null for every other form. */
  function uploadKind(form) {
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") {
      return null;
    }
    const path = absolute(form.action).pathname;
    if (config.chooserUploadUrls.includes(path)) {
      return "chooser";
    }
    if (config.addUrls.includes(path) || editPath.test(path)) {
      return "page";
    }
    return null;
  }

  const chosenFiles = (form) =>
    Array.from(form.querySelectorAll('input[type="file"]')).flatMap((input) =>
      Array.from(input.files || []),
    );

  /* ---- buttons ------------------------------------------------------------- */

  const SUBMIT = 'button[type="submit"], button:not([type]), input[type="submit"]';
  const submitButtons = (form) => Array.from(form.querySelectorAll(SUBMIT));

  function lockButtons(form) {
    const buttons = submitButtons(form);
    buttons.forEach((button) => {
      button.disabled = true;
      // Wagtail's w-progress controller (the "Uploading…" spinner) re-enables its
      // button after 30 s; an upload may take far longer.
      button.dataset.wProgressDurationValue = String(24 * 3600 * 1000);
    });
    return buttons;
  }

  function unlockButtons(buttons) {
    // After w-progress has switched itself on (it does so in a timeout of its own).
    window.setTimeout(() => {
      buttons.forEach((button) => {
        delete button.dataset.wProgressDurationValue;
        if (button.hasAttribute("data-w-progress-loading-value")) {
          button.setAttribute("data-w-progress-loading-value", "false");
        }
        button.disabled = false;
      });
    });
  }

  /* ---- the progress panel -------------------------------------------------- */

  class Meter {
    constructor() {
      this.samples = [[performance.now(), 0]];
    }

    /* Bytes per second over the last few seconds. */
    add(loaded) {
      const now = performance.now();
      this.samples.push([now, loaded]);
      while (this.samples.length > 2 && now - this.samples[0][0] > SPEED_WINDOW_MS) {
        this.samples.shift();
      }
      const [t0, b0] = this.samples[0];
      return now > t0 ? ((loaded - b0) * 1000) / (now - t0) : 0;
    }
  }

  class UploadPanel {
    constructor(form, { name = "", onCancel = null } = {}) {
      this.form = form;
      this.meter = new Meter();
      form.querySelectorAll(".zhixue-upload").forEach((old) => old.remove());

      this.element = document.createElement("div");
      this.element.className = "zhixue-upload";
      this.title = this.append("p", "zhixue-upload__title");
      const row = this.append("div", "zhixue-upload__row");
      this.bar = document.createElement("progress");
      this.bar.max = 100;
      this.bar.value = 0;
      this.bar.setAttribute("aria-label", text.progressLabel);
      this.percent = document.createElement("span");
      this.percent.className = "zhixue-upload__percent";
      this.percent.textContent = "0%";
      row.append(this.bar, this.percent);
      if (onCancel) {
        this.cancel = document.createElement("button");
        this.cancel.type = "button";
        this.cancel.className = "button button-small button-secondary";
        this.cancel.textContent = text.cancel;
        this.cancel.addEventListener("click", onCancel);
        row.append(this.cancel);
      }
      this.detail = this.append("p", "zhixue-upload__detail");
      this.message = this.append("p", "zhixue-upload__message");
      this.message.setAttribute("role", "status");
      if (name) {
        this.title.textContent = format(text.uploading, { name });
      }
      form.append(this.element);
    }

    append(tag, className) {
      const node = document.createElement(tag);
      node.className = className;
      this.element.append(node);
      return node;
    }

    progress(loaded, total) {
      const percent = total > 0 ? Math.min(100, Math.floor((loaded * 100) / total)) : 0;
      this.bar.value = percent;
      this.percent.textContent = `${percent}%`;
      const parts = [
        format(text.sent, { sent: megabytes(loaded), total: megabytes(total) }),
      ];
      const speed = this.meter.add(loaded);
      if (speed > 0) {
        parts.push(format(text.speed, { speed: megabytes(speed) }));
        if (loaded < total) {
          parts.push(format(text.left, { time: timeText((total - loaded) / speed) }));
        }
      }
      this.detail.textContent = parts.join(" · ");
      this.form.dispatchEvent(
        new CustomEvent("zhixue:upload-progress", {
          bubbles: true,
          detail: { percent: Number(this.bar.value), loaded, total },
        }),
      );
    }

    sent() {
      this.message.textContent = text.saving;
      if (this.cancel) {
        this.cancel.hidden = true;
      }
    }

    stopped(message, { error = false } = {}) {
      this.element.classList.toggle("zhixue-upload--error", error);
      this.message.textContent = message;
      if (this.cancel) {
        this.cancel.hidden = true;
      }
    }

    /* Only a message (a file refused before sending). */
    static refuse(form, message) {
      const panel = new UploadPanel(form);
      panel.element.querySelector(".zhixue-upload__row").hidden = true;
      panel.stopped(message, { error: true });
      return panel;
    }
  }

  /* ---- while a file is on its way ------------------------------------------ */

  const uploading = new WeakSet();
  let activeUploads = 0;

  function warnOnLeave(event) {
    event.preventDefault();
    event.returnValue = text.leave; // newer browsers show a text of their own
    return text.leave;
  }

  function startUpload(form) {
    activeUploads += 1;
    uploading.add(form);
    window.addEventListener("beforeunload", warnOnLeave);
  }

  function endUpload(form) {
    if (uploading.delete(form)) {
      activeUploads -= 1;
    }
    if (!activeUploads) {
      window.removeEventListener("beforeunload", warnOnLeave);
    }
  }

  /* The form came back with errors: show that page as the browser would have. */
  function showPage(html) {
    const next = new DOMParser().parseFromString(html, "text/html");
    const main = document.getElementById("main");
    const nextMain = next.getElementById("main");
    if (!main || !nextMain) {
      document.open();
      document.write(html);
      document.close();
      return;
    }
    // Stimulus connects the controllers inside the new content by itself.
    document.title = next.title;
    main.replaceWith(document.adoptNode(nextMain));
    window.scrollTo(0, 0);
  }

  function sendPageForm(form, submitter) {
    const files = chosenFiles(form);
    const data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    const action = absolute(form.action).href;
    const xhr = new XMLHttpRequest();
    const buttons = lockButtons(form);
    const panel = new UploadPanel(form, {
      name: files.map((file) => file.name).join(", "),
      onCancel: () => xhr.abort(),
    });
    startUpload(form);

    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) {
        panel.progress(event.loaded, event.total);
      }
    });
    xhr.upload.addEventListener("load", () => panel.sent());
    xhr.addEventListener("load", () => {
      endUpload(form);
      const landed = xhr.responseURL ? absolute(xhr.responseURL).href : action;
      // Redirected (saved): go where wagtailmedia sent us. The 204 is
      // MediaUploadMiddleware declining to render that page for the XHR.
      if (xhr.status === 204 || landed !== action) {
        window.location.assign(landed);
        return;
      }
      const type = xhr.getResponseHeader("Content-Type") || "";
      if (xhr.status === 200 && type.includes("text/html")) {
        showPage(xhr.responseText);
        return;
      }
      const message =
        xhr.status === 413 // a proxy's own limit (nginx client_max_body_size)
          ? text.tooLarge
          : format(text.failedStatus, { status: xhr.status });
      panel.stopped(message, { error: true });
      unlockButtons(buttons);
    });
    xhr.addEventListener("error", () => {
      endUpload(form);
      panel.stopped(text.failedNetwork, { error: true });
      unlockButtons(buttons);
    });
    xhr.addEventListener("abort", () => {
      endUpload(form);
      panel.stopped(text.cancelled);
      unlockButtons(buttons);
    });

    xhr.open("POST", action);
    xhr.setRequestHeader(config.uploadHeader, "1");
    xhr.send(data);
  }

  // Capture phase: before wagtailmedia's own submit handler in the chooser modal.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const kind = uploadKind(form);
      if (!kind) {
        return;
      }
      const files = chosenFiles(form);
      if (!files.length) {
        return; // nothing to upload: the form goes as usual
      }
      if (uploading.has(form)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (files.some((file) => file.size > config.maxBytes)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        UploadPanel.refuse(form, text.tooLarge);
        unlockButtons(submitButtons(form));
        return;
      }
      if (kind === "chooser") {
        return; // wagtailmedia sends it; the prefilter below shows the progress
      }
      event.preventDefault();
      if (!form.checkValidity()) {
        // Say so now rather than after sending a large file.
        form.reportValidity();
        unlockButtons(submitButtons(form));
        return;
      }
      sendPageForm(form, event.submitter);
    },
    true,
  );

  /* The chooser modal's upload tab: wagtailmedia posts it with $.ajax(FormData). */
  function watchChooserUploads() {
    const $ = window.jQuery;
    if (!$ || !$.ajaxPrefilter) {
      return;
    }
    $.ajaxPrefilter((options, originalOptions, jqXHR) => {
      if (!(options.data instanceof FormData)) {
        return;
      }
      const path = absolute(options.url).pathname;
      if (!config.chooserUploadUrls.includes(path)) {
        return;
      }
      const form = Array.from(document.querySelectorAll("form")).find(
        (candidate) =>
          uploadKind(candidate) === "chooser" &&
          absolute(candidate.action).pathname === path,
      );
      if (!form) {
        return;
      }
      const buttons = lockButtons(form);
      const panel = new UploadPanel(form, {
        name: chosenFiles(form)
          .map((file) => file.name)
          .join(", "),
        onCancel: () => jqXHR.abort(),
      });
      const makeXhr = options.xhr;
      options.xhr = function xhrWithProgress(...args) {
        const xhr = makeXhr.apply(this, args);
        xhr.upload.addEventListener("progress", (event) => {
          if (event.lengthComputable) {
            panel.progress(event.loaded, event.total);
          }
        });
        xhr.upload.addEventListener("load", () => panel.sent());
        return xhr;
      };
      startUpload(form);
      jqXHR.always(() => endUpload(form));
      jqXHR.fail((xhr, status) => {
        if (status === "abort") {
          panel.stopped(text.cancelled);
        } else {
          const message = format(text.failedStatus, { status: xhr.status });
          panel.stopped(message, { error: true });
        }
        unlockButtons(buttons);
      });
    });
  }

  /* ---- processing status --------------------------------------------------- */

  // The edit page reloads when processing ends, unless the editor has typed.
  document.addEventListener("input", (event) => {
    const form = event.target && event.target.form;
    if (form && uploadKind(form) === "page") {
      form.dataset.zhixueChanged = "true";
    }
  });

  function renderStatus(element, state) {
    const before = element.dataset.status;
    element.dataset.status = state.status;
    const pending = PENDING.has(state.status);
    const label = element.querySelector("[data-zhixue-status-label]");
    if (label) {
      label.textContent = config.statuses[state.status] || state.status;
    }
    element.querySelectorAll("progress").forEach((bar) => {
      bar.value = state.progress;
      bar.textContent = `${state.progress}%`;
    });
    element.querySelectorAll("[data-zhixue-status-percent]").forEach((node) => {
      node.textContent = `${state.progress}%`;
    });
    element.querySelectorAll("[data-zhixue-when-pending]").forEach((node) => {
      node.hidden = !pending;
    });
    element.querySelectorAll("[data-zhixue-when-failed]").forEach((node) => {
      node.hidden = state.status !== "failed";
    });
    const reason = element.querySelector("[data-zhixue-status-reason]");
    if (reason) {
      reason.textContent = state.failure_reason || "";
      reason.hidden = !state.failure_reason;
    }
    const finished = PENDING.has(before) && !pending;
    if (finished && element.hasAttribute("data-zhixue-reload-when-done")) {
      // Not under the editor's hands: typed changes, a chosen file, an upload.
      const busy =
        activeUploads > 0 || document.querySelector("form[data-zhixue-changed]");
      const note = element.querySelector("[data-zhixue-status-note]");
      if (busy && note) {
        note.textContent = text.finished;
        note.hidden = false;
      } else {
        window.location.reload(); // duration, resolution and renditions are known now
      }
    }
  }

  async function pollStatuses() {
    const pending = Array.from(
      document.querySelectorAll("[data-zhixue-media-status]"),
    ).filter((element) => PENDING.has(element.dataset.status));
    if (pending.length && !document.hidden) {
      const ids = [
        ...new Set(pending.map((element) => element.dataset.zhixueMediaStatus)),
      ];
      try {
        const response = await fetch(`${config.statusUrl}?ids=${ids.join(",")}`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.ok) {
          const states = await response.json();
          pending.forEach((element) => {
            const state = states[element.dataset.zhixueMediaStatus];
            if (state) {
              renderStatus(element, state);
            }
          });
        }
      } catch (error) {
        // Offline for a moment: the next round tries again.
      }
    }
    // Also finds lists that appear later (a search, the chooser modal).
    window.setTimeout(pollStatuses, POLL_MS);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-zhixue-retry")) {
      return;
    }
    event.preventDefault();
    const element = form.closest("[data-zhixue-media-status]");
    const button = form.querySelector("button");
    const note = element && element.querySelector("[data-zhixue-status-note]");
    button.disabled = true;
    let message = "";
    try {
      // The retry view redirects to the processing screen: no need to load it.
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",
      });
      if (response.type === "opaqueredirect" || response.ok) {
        renderStatus(element, { status: "uploaded", progress: 0, failure_reason: "" });
      } else {
        message = format(text.retryFailed, { status: response.status });
      }
    } catch (error) {
      message = text.failedNetwork;
    }
    button.disabled = false;
    if (note) {
      note.textContent = message;
      note.hidden = !message;
    }
  });

  watchChooserUploads();
  window.setTimeout(pollStatuses, POLL_MS);
})();
