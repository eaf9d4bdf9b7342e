/*
 * Zhixue exam answer sheet (exams/attempt.html).
 *
 * - Countdown: to the server's deadline, on the server's clock (the offset
 *   between server_now and this device's clock is measured at load). At zero
 *   the queue is flushed and the page reloads: the server has closed the
 *   attempt by then, with everything it received.
 * - Saving: a change to a question is saved after a short pause (debounce)
 *   with the next revision number. Unsent saves live in localStorage, keyed by
 *   the attempt, so a dropped network, a closed tab or a dead battery loses
 *   nothing that was typed: the queue is sent again, oldest first, with backoff,
 *   when the network is back or the page opens again (in question order; a newer change
 *   to a question replaces its unsent one). The server keeps the
 *   highest revision, so a late retry never undoes a newer answer.
 * - Submit: asks for confirmation (with the number of unanswered questions),
 *   sends what is queued, then submits; a second submit is harmless.
 *
 * - Leaving: hiding the page (another tab or app) and coming back are reported
 *   to the server, which logs them for the examiner.
 *
 * Test hook: window.zhixueAttempt = {pending(), saved(), offset()}.
 */
(function () {
  "use strict";
  const state = JSON.parse(document.getElementById("attempt-state").textContent);
  const sheet = document.querySelector("[data-sheet]");
  if (!sheet || state.submitted) return;

  const STORE = "zhixue-attempt-" + state.attempt;
  const DEBOUNCE_MS = 800;
  const RETRY_MS = [1000, 2000, 4000, 8000, 15000];
  const offset = Date.parse(state.server_now) - Date.now();
  const deadline = Date.parse(state.deadline);
  const status = document.querySelector("[data-save-status]");
  let queue = load();
  let sending = false;
  let failures = 0;
  let saved = 0;
  const timers = {};

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORE)) || {};
    } catch (error) {
      return {};
    }
  }
  function store() {
    try {
      localStorage.setItem(STORE, JSON.stringify(queue));
    } catch (error) {
      /* private mode: the queue still lives in memory */
    }
  }
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function say(text) {
    if (status) status.textContent = text;
  }

  function questionOf(element) {
    return element.closest("[data-position]");
  }
  function responseOf(question) {
    const type = question.dataset.type;
    const inputs = Array.from(question.querySelectorAll("input, textarea"));
    if (type === "single") {
      const checked = inputs.find((i) => i.checked);
      return checked ? checked.value : null;
    }
    if (type === "multiple") return inputs.filter((i) => i.checked).map((i) => i.value);
    if (type === "truefalse") {
      const checked = inputs.find((i) => i.checked);
      return checked ? checked.value === "true" : null;
    }
    if (type === "blank") return inputs.map((i) => i.value);
    return inputs[0].value;
  }
  function show(question, response) {
    const type = question.dataset.type;
    const inputs = Array.from(question.querySelectorAll("input, textarea"));
    if (type === "single" || type === "multiple") {
      const chosen = [].concat(response || []);
      inputs.forEach((i) => { i.checked = chosen.includes(i.value); });
    } else if (type === "truefalse") {
      inputs.forEach((i) => { i.checked = response !== null && i.value === String(response); });
    } else if (type === "blank") {
      inputs.forEach((i, n) => { i.value = (response || [])[n] || ""; });
    } else {
      inputs[0].value = response || "";
    }
  }
  function answered(response) {
    if (response === null || response === undefined) return false;
    if (Array.isArray(response)) return response.some((x) => x !== "");
    return response !== "";
  }
  function progress() {
    const questions = Array.from(sheet.querySelectorAll("[data-position]"));
    let count = 0;
    questions.forEach((question) => {
      const done = answered(responseOf(question));
      count += done ? 1 : 0;
      const link = document.querySelector('[data-nav="' + question.dataset.position + '"]');
      if (link) link.classList.toggle("is-answered", done);
    });
    document.querySelector("[data-answered]").textContent = count;
    const bar = document.querySelector("[data-progress]");
    bar.setAttribute("aria-valuenow", count);
    bar.querySelector(".progress__value").style.width = (100 * count) / state.total + "%";
    return count;
  }

  function changed(event) {
    const question = questionOf(event.target);
    if (!question) return;
    progress();
    const position = question.dataset.position;
    clearTimeout(timers[position]);
    timers[position] = setTimeout(() => {
      delete timers[position];
      enqueue(question);
    }, DEBOUNCE_MS);
  }
  function enqueue(question) {
    const position = question.dataset.position;
    const revision = Number(question.dataset.revision) + 1;
    question.dataset.revision = revision;
    queue[position] = { response: responseOf(question), revision: revision };
    store();
    send();
  }

  async function send() {
    if (sending) return;
    const positions = Object.keys(queue);
    if (!positions.length) {
      say(saved ? state.text.saved : "");
      return;
    }
    sending = true;
    say(state.text.saving);
    const position = positions[0];
    const item = queue[position];
    let retry = false;
    try {
      const response = await fetch(state.answer_url.replace(/0\/$/, position + "/"), {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(item),
      });
      if (response.status === 409) {
        localStorage.removeItem(STORE);
        window.location.reload();
        return;
      }
      if (response.ok || response.status === 400) {
        // 400: an answer the server can't take (the page shows the sheet again)
        if (queue[position] && queue[position].revision === item.revision) {
          delete queue[position];
          store();
        }
        saved += response.ok ? 1 : 0;
        failures = 0;
      } else {
        retry = true;
      }
    } catch (error) {
      retry = true;
    }
    sending = false;
    if (retry) {
      say(state.text.offline);
      const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
      failures += 1;
      setTimeout(send, wait);
    } else {
      send();
    }
  }

  function flushed(limitMs) {
    return new Promise((resolve) => {
      const started = Date.now();
      (function check() {
        if (!Object.keys(queue).length || Date.now() - started > limitMs) resolve();
        else setTimeout(check, 200);
      })();
    });
  }
  function flushNow() {
    Object.keys(timers).forEach((position) => {
      clearTimeout(timers[position]);
      delete timers[position];
      enqueue(sheet.querySelector('[data-position="' + position + '"]'));
    });
    failures = 0;
    send();
  }

  async function submit(confirmFirst) {
    flushNow();
    if (confirmFirst) {
      const missing = state.total - progress();
      const text = (missing ? state.text.unanswered.replace("%(n)s", missing) + "\n" : "") + state.text.confirm;
      if (!window.confirm(text)) return;
    }
    await flushed(15000);
    if (Object.keys(queue).length && confirmFirst) {
      say(state.text.offline);
      return;
    }
    try {
      await fetch(state.submit_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
      });
    } catch (error) {
      say(state.text.offline);
      return;
    }
    localStorage.removeItem(STORE);
    window.location.reload();
  }

  function tick() {
    const left = Math.max(0, deadline - (Date.now() + offset));
    const minutes = Math.floor(left / 60000);
    const seconds = Math.floor((left % 60000) / 1000);
    const clock = document.querySelector("[data-countdown]");
    clock.textContent = minutes + ":" + String(seconds).padStart(2, "0");
    clock.classList.toggle("is-short", left < 5 * 60000);
    if (left <= 0) {
      say(state.text.time_up);
      submit(false);
      return;
    }
    setTimeout(tick, 1000 - (Date.now() % 1000));
  }

  // Answers typed on this device but not yet sent (a previous visit) win over
  // the server's copy: they are newer.
  Object.keys(queue).forEach((position) => {
    const question = sheet.querySelector('[data-position="' + position + '"]');
    if (!question || queue[position].revision <= Number(question.dataset.revision)) {
      delete queue[position];
      return;
    }
    question.dataset.revision = queue[position].revision;
    show(question, queue[position].response);
  });
  store();
  sheet.addEventListener("change", changed);
  sheet.addEventListener("input", changed);
  document.querySelector("[data-submit]").addEventListener("click", () => submit(true));
  window.addEventListener("online", () => { failures = 0; send(); });
  window.addEventListener("pagehide", flushNow);
  document.addEventListener("visibilitychange", () => {
    fetch(state.events_url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ kind: document.hidden ? "hidden" : "visible" }),
    }).catch(() => {});
    if (document.hidden) flushNow();
  });
  progress();
  tick();
  send();
  window.zhixueAttempt = {
    pending: () => Object.keys(queue).length + Object.keys(timers).length,
    saved: () => saved,
    offset: () => offset,
  };
})();
