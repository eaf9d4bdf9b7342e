/*
 * Zhixue study-time tracking on a lesson page (courses/lesson_page.html).
 *
 * Opens a watch session (POST data-start-url), then sends heartbeats to
 * data-beat-url (the zero UUID replaced by the session id) strictly one at a
 * time: while one is on its way, newer beats wait in a single slot that keeps
 * only the latest. Each beat carries seq = previous + 1 and the token the
 * previous answer gave; a network failure resends the same seq and token with
 * backoff (the server answers a retry of a beat it already took "duplicate",
 * with the current token), so the chain never breaks.
 *
 * A beat describes the time since the previous beat, because that is the time
 * the server credits: "paused", "hidden" and "rate" are the state the page was
 * in since then, not the state after the event. (A "pause" beat reports the
 * playing that led up to it; a "visible" beat reports the hidden time before.)
 * Every play/pause, visibility and speed change sends a beat, so the state
 * after one beat is the state until the next.
 *
 * Media lessons: a beat for each "zhixue:playback" event of the player
 * (media/player.js); the session starts with the first of them, so merely
 * opening a lesson does not stop another tab's session. Other kinds: the
 * session starts on load and a "tick" goes every heartbeat_seconds while the
 * page is visible. Both: "hidden"/"visible" on visibilitychange and "close"
 * (keepalive) on pagehide; a page restored from the back-forward cache starts
 * a new session.
 *
 * Seeking past the watched part (study.seek_limit, growing with what is
 * played at an allowed speed) is undone here at once; the server's verdict
 * (status seek_blocked, seek_to) has the last word.
 *
 * Test hook: window.zhixueStudy = {sessionId(), sessionSeconds(),
 * lastResult(), seekLimit()}.
 */
(function () {
  "use strict";
  if (window.zhixueStudy) return;

  const RETRY_MS = [1000, 2000, 4000, 8000, 15000, 30000];
  const REQUEST_TIMEOUT_MS = 20000;
  const MESSAGE_MS = 6000;
  const SEEK_SLACK_S = 2;
  const MAX_PLAY_STEP_S = 3; // a bigger jump between timeupdates is a seek
  const ZERO_UUID = "00000000-0000-0000-0000-000000000000";
  const PRESENCE_EVENTS = ["pointerdown", "keydown", "touchstart", "scroll", "wheel"];

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function clock(seconds) {
    const total = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(total / 3600);
    const m = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
    const s = String(total % 60).padStart(2, "0");
    return h ? h + ":" + m + ":" + s : m + ":" + s;
  }

  function round(value) {
    return Math.round((Number(value) || 0) * 100) / 100;
  }

  // Two beats that waited in the slot become one covering both stretches.
  function merge(older, newer) {
    return {
      event: newer.event,
      position: newer.position,
      paused: older.paused && newer.paused,
      hidden: older.hidden || newer.hidden,
      rate: Math.max(older.rate, newer.rate),
    };
  }

  function retryable(status) {
    return status === 408 || status === 429 || status >= 500;
  }

  // keepalive: the request outlives the page (a beat sent as it goes away);
  // the timeout turns a request that never returns into a retry.
  function post(url, body, keepalive, timeout) {
    const options = {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(body || {}),
    };
    if (!timeout || !window.AbortController) return fetch(url, options);
    const controller = new AbortController();
    options.signal = controller.signal;
    const timer = setTimeout(() => controller.abort(), timeout);
    return fetch(url, options).finally(() => clearTimeout(timer));
  }

  class Tracker {
    constructor(root, config) {
      this.root = root;
      this.config = config;
      this.media = config.kind === "media";
      this.startUrl = root.dataset.startUrl;
      this.beatUrl = root.dataset.beatUrl;
      this.video = this.media
        ? root.querySelector("[data-zx-player] video, [data-zx-player] audio")
        : null;
      this.maxRate = Number(config.max_rate) || 1;
      this.beatMs = (Number(config.heartbeat_seconds) || 15) * 1000;
      this.baseLimit = config.seek_limit === null ? null : Number(config.seek_limit) || 0;
      this.furthest = 0;
      this.lastTime = 0;
      this.played = false;

      this.state = "new"; // new | starting | running | suspended | stopped
      this.session = null; // {id, token, seq}
      this.pending = null;
      this.flight = null; // {sessionId, body, seq, token, attempt, mark, merged, timer, waiting}
      this.restarted = false;
      this.startAttempt = 0;
      this.interactions = 0;
      this.acked = 0;
      this.prev = this.now();
      this.seconds = 0;
      this.last = null;
      this.ticker = null;
      this.pausedForIdle = false;
      this.messageTimers = {};

      this.timeEl = root.querySelector("[data-zx-session-time]");
      this.coverageEl = root.querySelector("[data-zx-coverage]");
      this.completedEl = root.querySelector("[data-zx-completed]");
      this.dialog = root.querySelector("[data-zx-idle]");
      this.continueButton = root.querySelector("[data-zx-idle-continue]");
    }

    hook() {
      return {
        sessionId: () => (this.session ? this.session.id : null),
        sessionSeconds: () => this.seconds,
        lastResult: () => this.last,
        seekLimit: () => this.limit(),
      };
    }

    start() {
      if (this.media && !this.video) return; // no player: nothing can be studied
      this.bindPage();
      if (this.media) {
        this.bindVideo();
      } else {
        this.ensureSession();
      }
    }

    // Reading lessons: a beat every heartbeat_seconds while the page is seen.
    startTicker() {
      clearInterval(this.ticker);
      this.ticker = setInterval(() => {
        if (!document.hidden) this.enqueue("tick");
      }, this.beatMs);
    }

    // ---- the state a beat reports --------------------------------------------

    now() {
      const video = this.video;
      return {
        position: video ? video.currentTime : 0,
        paused: video ? video.paused : false,
        hidden: document.hidden,
        rate: video ? video.playbackRate : 1,
      };
    }

    snapshot(event, detail) {
      const now = this.now();
      if (detail) {
        now.position = detail.position;
        now.paused = detail.paused;
        now.rate = detail.rate;
      }
      const body = {
        event,
        position: round(now.position),
        paused: this.prev.paused,
        hidden: this.prev.hidden,
        rate: this.prev.rate,
      };
      this.prev = now;
      return body;
    }

    enqueue(event, detail) {
      if (this.state === "stopped" || this.state === "suspended") return;
      const body = this.snapshot(event, detail);
      if (this.media && this.state === "new" && !detail) return; // not studying yet
      this.pending = this.pending ? merge(this.pending, body) : body;
      this.ensureSession();
      this.pump();
    }

    // ---- the session ----------------------------------------------------------

    ensureSession() {
      if (this.state !== "new") return;
      this.state = "starting";
      post(this.startUrl, {}, false, REQUEST_TIMEOUT_MS).then(
        (response) => {
          if (response.status === 201) {
            return response.json().then((data) => this.started(data));
          }
          if (retryable(response.status)) return this.startFailed();
          return this.stop("broken");
        },
        () => this.startFailed(),
      ).catch(() => this.startFailed()); // an answer that is not JSON
    }

    started(data) {
      if (this.state !== "starting") return;
      this.state = "running";
      this.startAttempt = 0;
      this.session = { id: data.session_id, token: data.token, seq: 0 };
      this.seconds = 0;
      this.renderTime();
      if (data.max_rate) this.maxRate = Number(data.max_rate);
      if (data.heartbeat_seconds) this.beatMs = Number(data.heartbeat_seconds) * 1000;
      this.baseLimit = data.seek_limit === null ? null : Number(data.seek_limit) || 0;
      this.message("offline", false);
      if (!this.media && !this.ticker) this.startTicker();
      this.pump();
    }

    startFailed() {
      if (this.state !== "starting") return;
      const delay = RETRY_MS[Math.min(this.startAttempt, RETRY_MS.length - 1)];
      this.startAttempt += 1;
      if (this.startAttempt > 1) this.message("offline", true);
      setTimeout(() => {
        if (this.state !== "starting") return;
        this.state = "new";
        this.ensureSession();
      }, delay);
    }

    // The chain broke (a replayed or forged answer): one fresh session.
    restart(body) {
      if (this.restarted) return this.stop("broken");
      this.restarted = true;
      this.session = null;
      this.flight = null;
      this.pending = this.pending ? merge(body, this.pending) : body;
      this.state = "new";
      this.ensureSession();
    }

    stop(reason) {
      this.state = "stopped";
      this.pending = null;
      if (this.flight) clearTimeout(this.flight.timer);
      this.flight = null;
      clearInterval(this.ticker);
      this.ticker = null;
      this.hideDialog();
      this.message("offline", false);
      if (reason) this.message(reason, true);
    }

    // ---- heartbeats -------------------------------------------------------------

    beatUrlFor(sessionId) {
      return this.beatUrl.replace(ZERO_UUID, sessionId);
    }

    pump() {
      if (this.state !== "running" || this.flight || !this.pending) return;
      const body = this.pending;
      this.pending = null;
      this.flight = {
        sessionId: this.session.id,
        body,
        seq: this.session.seq + 1,
        token: this.session.token,
        attempt: 0,
        mark: 0,
        merged: false,
        timer: null,
        waiting: false,
      };
      this.send();
    }

    send() {
      const flight = this.flight;
      flight.waiting = false;
      flight.mark = this.interactions;
      const payload = Object.assign({}, flight.body, {
        seq: flight.seq,
        token: flight.token,
        present: this.interactions > this.acked,
      });
      // The server measures the time between beats as they arrive, so the
      // position goes as it is now, not as it was when the beat was queued.
      if (this.video && !this.video.seeking) payload.position = round(this.video.currentTime);
      post(this.beatUrlFor(flight.sessionId), payload, true, REQUEST_TIMEOUT_MS).then(
        (response) => {
          if (this.flight !== flight) return;
          if (response.ok) {
            return response.json().then(
              (result) => this.answered(flight, result),
              () => this.failed(flight),
            );
          }
          if (retryable(response.status)) return this.failed(flight);
          return this.stop("broken");
        },
        () => {
          if (this.flight === flight) this.failed(flight);
        },
      );
    }

    failed(flight) {
      const delay = RETRY_MS[Math.min(flight.attempt, RETRY_MS.length - 1)];
      flight.attempt += 1;
      if (flight.attempt > 1) this.message("offline", true);
      flight.waiting = true;
      flight.timer = setTimeout(() => this.retry(flight), delay);
    }

    retry(flight) {
      if (this.flight !== flight || !flight.waiting) return;
      clearTimeout(flight.timer);
      // Same seq and token, the freshest data: a first try that did arrive is
      // answered "duplicate" and these data go again as the next beat.
      if (this.pending) {
        flight.body = merge(flight.body, this.pending);
        flight.merged = true;
        this.pending = null;
      }
      this.send();
    }

    answered(flight, result) {
      this.flight = null;
      this.last = result;
      if (result.status === "replayed" || result.status === "forged") {
        return this.restart(flight.body);
      }
      if (result.status === "closed") return this.stop("closed");
      this.session.seq = flight.seq;
      this.session.token = result.token;
      if (result.status === "duplicate") {
        if (flight.merged && !this.pending) this.pending = flight.body;
      } else {
        this.acked = Math.max(this.acked, flight.mark);
      }
      this.message("offline", false);
      this.render(result);
      if (result.status === "seek_blocked" && result.seek_to !== null) {
        this.blockedAt(Number(result.seek_to));
      }
      if (result.status === "idle") this.askPresence();
      this.pump();
    }

    // ---- the page ---------------------------------------------------------------

    bindPage() {
      const mark = () => {
        this.interactions += 1;
      };
      for (const name of PRESENCE_EVENTS) {
        window.addEventListener(name, mark, { capture: true, passive: true });
      }
      document.addEventListener("visibilitychange", () => {
        this.enqueue(document.hidden ? "hidden" : "visible");
      });
      window.addEventListener("pagehide", () => this.close());
      window.addEventListener("pageshow", (event) => {
        if (event.persisted) this.resume();
      });
      window.addEventListener("online", () => {
        if (this.flight && this.flight.waiting) this.retry(this.flight);
      });
      if (this.continueButton) {
        this.continueButton.addEventListener("click", () => this.presenceConfirmed());
      }
    }

    // Leaving the page: the last beat closes the session (its answer is lost).
    close() {
      if (this.state !== "running") return;
      const flight = this.flight;
      if (flight && !flight.waiting) {
        // A beat is on its way and the next token with its answer: the
        // session closes by itself (the next start or the sweeper).
        this.suspend();
        return;
      }
      let body = this.snapshot("close");
      let seq = this.session.seq + 1;
      let token = this.session.token;
      if (flight) {
        clearTimeout(flight.timer);
        body = merge(flight.body, body);
        seq = flight.seq;
        token = flight.token;
      } else if (this.pending) {
        body = merge(this.pending, body);
      }
      body.event = "close";
      const payload = Object.assign(body, {
        seq,
        token,
        present: this.interactions > this.acked,
      });
      post(this.beatUrlFor(this.session.id), payload, true).catch(() => {});
      this.suspend();
    }

    suspend() {
      this.state = "suspended";
      if (this.flight) clearTimeout(this.flight.timer);
      this.flight = null;
      this.pending = null;
      this.session = null;
    }

    // Back from the back-forward cache: the old session was closed.
    resume() {
      if (this.state !== "suspended") return;
      this.state = "new";
      this.restarted = false;
      this.prev = this.now();
      if (!this.media || (this.video && !this.video.paused)) this.ensureSession();
    }

    // ---- media ------------------------------------------------------------------

    bindVideo() {
      const video = this.video;
      document.addEventListener("zhixue:playback", (event) => {
        const detail = event.detail || {};
        if (!event.target.contains(video)) return;
        if (detail.event === "play") this.played = true;
        if (detail.event === "ratechange" || detail.event === "play") {
          this.message("rate", detail.rate > this.maxRate + 1e-6);
        }
        this.enqueue(detail.event || "heartbeat", detail);
      });
      video.addEventListener("timeupdate", () => this.trackFurthest());
      video.addEventListener("seeking", () => this.checkSeek());
    }

    limit() {
      if (this.baseLimit === null) return null;
      return Math.max(this.baseLimit, this.furthest);
    }

    trackFurthest() {
      const video = this.video;
      const at = video.currentTime;
      const step = at - this.lastTime;
      const normal =
        !video.paused &&
        !video.seeking &&
        !document.hidden &&
        video.playbackRate <= this.maxRate + 1e-6;
      if (normal && step > 0 && step <= MAX_PLAY_STEP_S) {
        this.furthest = Math.max(this.furthest, at);
      }
      this.lastTime = at;
    }

    checkSeek() {
      const video = this.video;
      const limit = this.limit();
      if (limit !== null && video.currentTime > limit + SEEK_SLACK_S) {
        video.currentTime = limit;
        // A resume position the player restores before any play is not the
        // member's doing: put it back quietly.
        if (this.played) this.flash("seek");
      }
      this.lastTime = video.currentTime;
    }

    blockedAt(position) {
      this.baseLimit = position;
      this.furthest = Math.min(this.furthest, position);
      if (this.video && Math.abs(this.video.currentTime - position) > 0.5) {
        this.video.currentTime = position;
      }
      this.flash("seek");
    }

    // ---- presence ---------------------------------------------------------------

    askPresence() {
      if (!this.dialog || !this.dialog.hidden) return;
      if (this.video && !this.video.paused) {
        this.pausedForIdle = true;
        this.video.pause();
      }
      this.dialog.hidden = false;
      if (this.continueButton) this.continueButton.focus();
    }

    hideDialog() {
      if (this.dialog) this.dialog.hidden = true;
    }

    presenceConfirmed() {
      this.interactions += 1;
      this.hideDialog();
      if (this.video && this.pausedForIdle) {
        this.pausedForIdle = false;
        this.video.play().catch(() => this.enqueue("tick")); // play sends a beat
      } else {
        this.enqueue("tick");
      }
    }

    // ---- display ----------------------------------------------------------------

    render(result) {
      this.seconds = Number(result.session_seconds) || 0;
      this.renderTime();
      if (this.coverageEl) {
        this.coverageEl.textContent = Math.round((Number(result.coverage) || 0) * 100) + "%";
      }
      if (!this.media && Number(result.coverage) >= 1) {
        clearInterval(this.ticker); // the reading time is all credited
        this.ticker = null;
      }
      if (result.completed) {
        this.baseLimit = null; // a completed lesson may be watched in any order
        this.message("seek", false);
        if (this.completedEl) this.completedEl.hidden = false;
      }
    }

    renderTime() {
      if (this.timeEl) this.timeEl.textContent = clock(this.seconds);
    }

    message(name, show) {
      const element = this.root.querySelector('[data-zx-message="' + name + '"]');
      if (!element) return;
      clearTimeout(this.messageTimers[name]);
      element.hidden = !show;
    }

    flash(name) {
      this.message(name, true);
      this.messageTimers[name] = setTimeout(() => this.message(name, false), MESSAGE_MS);
    }
  }

  function init() {
    const root = document.querySelector("[data-zx-study]");
    const config = document.getElementById("zx-study");
    if (!root || !config || window.zhixueStudy) return;
    const tracker = new Tracker(root, JSON.parse(config.textContent));
    window.zhixueStudy = tracker.hook();
    tracker.start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
