/*
 * Zhixue lesson player. The browser's own controls do play/seek/volume/
 * fullscreen; this adds the source choice (hls.js, native HLS on Safari, or
 * the progressive fallback), quality, speed and captions controls, keyboard
 * shortcuts, resume and position saving (never before playback really started,
 * so leaving a page still loading cannot reset the saved position to 0).
 * Markup: media/_player.html.
 *
 * Every [data-zx-player] is set up on DOMContentLoaded; for markup inserted
 * later call window.ZhixuePlayer.init(root). Including the script twice is
 * harmless.
 *
 * Events for other modules: the container dispatches a bubbling CustomEvent
 * "zhixue:playback" on play, pause, seeked, ended, ratechange and every 15 s
 * while playing (event "heartbeat"), with
 *   detail = {assetId, position, rate, paused, hidden, event}
 * position in seconds, hidden = document.hidden, event = one of the names above.
 *
 * Test hook: window.zhixuePlayers holds one object per player:
 *   {element, video, hls, levels(), setQuality(index), currentLevel(), source()}
 * hls is the Hls instance or null; levels() -> [{index, height, bitrate}]
 * highest first; setQuality(-1) is auto; currentLevel() -> index of the level
 * playing now, or -1; source() -> "hls" | "native" | "fallback" ("" before a
 * source is attached, "error" once nothing could be played).
 */
(function () {
  "use strict";
  if (window.ZhixuePlayer) return;

  const SPEEDS = [0.75, 1, 1.25, 1.5, 2];
  const STORE = "zhixue.player.";
  const SAVE_EVERY_MS = 10000;
  const HEARTBEAT_MS = 15000;
  const RESUME_MARGIN_S = 5;
  const NOTE_VISIBLE_MS = 12000;
  const HLS_MIME = "application/vnd.apple.mpegurl";
  // Before the first play, buffer about one 4 s segment instead of hls.js's
  // 30 s or more: members on mobile data often open a lesson and never press
  // play. (maxBufferLength alone is only a floor; maxMaxBufferLength caps it.)
  const PRELOAD_BUFFER_S = 4;

  window.zhixuePlayers = window.zhixuePlayers || [];

  // localStorage throws in some private modes; preferences are a nicety.
  function readPref(name) {
    try {
      return window.localStorage.getItem(STORE + name);
    } catch (e) {
      return null;
    }
  }

  function writePref(name, value) {
    try {
      window.localStorage.setItem(STORE + name, value);
    } catch (e) {
      /* ignored */
    }
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function clock(seconds) {
    const total = Math.floor(seconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : String(m).padStart(2, "0") + ":" + s;
  }

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    return /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) || target.isContentEditable;
  }

  function levelLabel(level, all) {
    if (!level.height) return Math.round(level.bitrate / 1000) + " kbps";
    const twin = all.some((l) => l.index !== level.index && l.height === level.height);
    return level.height + "p" + (twin ? " " + Math.round(level.bitrate / 1000) + "k" : "");
  }

  class Player {
    constructor(element) {
      const data = element.dataset;
      this.element = element;
      this.video = element.querySelector("video, audio");
      this.quality = element.querySelector("[data-zx-quality]");
      this.qualityField = element.querySelector("[data-zx-quality-field]") || this.quality;
      this.speed = element.querySelector("[data-zx-speed]");
      this.captionsButton = element.querySelector("[data-zx-captions]");
      this.note = element.querySelector("[data-zx-resume]");
      this.errorBox = element.querySelector("[data-zx-error]");
      this.assetId = Number(data.assetId);
      this.master = data.src || "";
      this.fallback = data.fallback || "";
      this.resume = parseFloat(data.resume) || 0;
      this.knownDuration = parseFloat(data.duration) || 0;
      this.positionUrl = data.positionUrl || "";
      this.autoText = this.quality ? this.quality.options[0].text : "";
      this.autoPlayingText = data.labelAutoLevel || "{level}";

      this.hls = null;
      this.mode = "";
      this.playingLevel = -1;
      this.recoveredOnce = false;
      this.resumeDone = false;
      // No position is saved before playback has really started (the first
      // "playing") after the resume seek: a member who leaves while the media
      // is still loading would otherwise overwrite the saved position with 0.
      this.started = false;
      this.lastSaved = this.resume;
      this.saveTimer = null;
      this.beatTimer = null;
      this.seekSaveTimer = null;
      this.lastTrack = null;
      this.rate = 1;
    }

    start() {
      this.bindMedia();
      this.bindControls();
      this.bindPage();
      const rate = parseFloat(readPref("rate"));
      this.setRate(SPEEDS.indexOf(rate) >= 0 ? rate : 1);
      this.rate = this.video.playbackRate; // the remembered speed is not a change
      this.applyCaptionsPref();
      this.attach();
    }

    hook() {
      const player = this;
      return {
        element: this.element,
        video: this.video,
        get hls() {
          return player.hls;
        },
        levels: () => this.levels(),
        setQuality: (index) => this.setQuality(index),
        currentLevel: () => (this.mode === "hls" ? this.playingLevel : -1),
        source: () => this.mode,
      };
    }

    // ---- sources ----------------------------------------------------------

    attach() {
      if (this.master && window.Hls && window.Hls.isSupported()) {
        this.attachHls();
      } else if (this.master && this.video.canPlayType(HLS_MIME)) {
        this.attachUrl(this.master, "native", 0, false);
      } else {
        this.useFallback();
      }
    }

    attachHls() {
      const Hls = window.Hls;
      const hls = new Hls({
        startPosition: this.resumeTarget(this.knownDuration),
        maxBufferLength: PRELOAD_BUFFER_S,
        maxMaxBufferLength: PRELOAD_BUFFER_S,
      });
      this.hls = hls;
      this.mode = "hls";
      hls.on(Hls.Events.MANIFEST_PARSED, () => this.buildQuality());
      hls.on(Hls.Events.LEVEL_SWITCHED, (event, data) => {
        this.playingLevel = data.level;
        this.showAutoLevel();
      });
      hls.on(Hls.Events.ERROR, (event, data) => this.onHlsError(data));
      hls.attachMedia(this.video);
      hls.loadSource(this.master);
    }

    restoreBuffer() {
      const defaults = window.Hls.DefaultConfig;
      this.hls.config.maxBufferLength = defaults.maxBufferLength;
      this.hls.config.maxMaxBufferLength = defaults.maxMaxBufferLength;
    }

    onHlsError(data) {
      if (!data.fatal) return;
      if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && !this.recoveredOnce) {
        this.recoveredOnce = true;
        this.hls.recoverMediaError();
        return;
      }
      this.useFallback();
    }

    dropHls() {
      if (!this.hls) return;
      this.hls.destroy();
      this.hls = null;
      this.playingLevel = -1;
    }

    useFallback() {
      const at = this.video.currentTime || 0;
      const wasPlaying = !this.video.paused;
      this.dropHls();
      if (!this.fallback || this.mode === "fallback") {
        this.fail();
        return;
      }
      this.attachUrl(this.fallback, "fallback", at, wasPlaying);
    }

    attachUrl(url, mode, at, play) {
      this.mode = mode;
      this.started = false; // currentTime reads 0 until the new source seeks to "at"
      this.hideQuality();
      if (at > 0) {
        this.video.addEventListener("loadedmetadata", () => {
          this.video.currentTime = at;
        }, { once: true });
      }
      this.video.src = url;
      if (play) this.video.play().catch(() => {});
    }

    fail() {
      this.dropHls();
      this.mode = "error";
      this.hideQuality();
      this.stopTimers();
      this.element.classList.add("is-error");
      if (this.errorBox) this.errorBox.hidden = false;
    }

    onMediaError() {
      // In hls mode the media element errors come back through hls.js.
      if (this.mode === "native" || this.mode === "fallback") this.useFallback();
    }

    // ---- quality ----------------------------------------------------------

    levels() {
      if (!this.hls || !this.hls.levels) return [];
      return this.hls.levels
        .map((level, index) => ({ index, height: level.height || 0, bitrate: level.bitrate || 0 }))
        .sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);
    }

    buildQuality() {
      if (!this.quality) return;
      const levels = this.levels();
      while (this.quality.options.length > 1) this.quality.remove(1);
      for (const level of levels) {
        this.quality.add(new Option(levelLabel(level, levels), String(level.index)));
      }
      this.qualityField.hidden = levels.length < 2;
      this.quality.disabled = levels.length < 2;
      const wanted = readPref("quality");
      if (wanted && wanted !== "auto") {
        // Remembered as a height, since ladders differ between lessons.
        const pick = levels.find((level) => level.height && level.height <= Number(wanted));
        if (pick) this.setQuality(pick.index, false);
      }
    }

    hideQuality() {
      if (!this.quality) return;
      while (this.quality.options.length > 1) this.quality.remove(1);
      this.quality.value = "-1";
      this.quality.options[0].text = this.autoText;
      this.quality.disabled = true;
      this.qualityField.hidden = true;
    }

    setQuality(index, remember = true) {
      if (!this.hls) return;
      const level = this.hls.levels[index];
      const chosen = level ? index : -1;
      this.hls.currentLevel = chosen; // immediate switch: flushes the buffer
      if (this.quality) this.quality.value = String(chosen);
      if (remember) writePref("quality", level ? String(level.height) : "auto");
      this.showAutoLevel();
    }

    showAutoLevel() {
      if (!this.quality) return;
      const levels = this.levels();
      const playing = levels.find((level) => level.index === this.playingLevel);
      this.quality.options[0].text = this.quality.value === "-1" && playing
        ? this.autoPlayingText.replace("{level}", levelLabel(playing, levels))
        : this.autoText;
    }

    // ---- speed and captions -----------------------------------------------

    setRate(rate) {
      // defaultPlaybackRate survives a source switch; playbackRate does not.
      this.video.defaultPlaybackRate = rate;
      this.video.playbackRate = rate;
    }

    stepRate(direction) {
      const rate = this.video.playbackRate;
      const next = direction > 0
        ? SPEEDS.find((speed) => speed > rate + 0.01)
        : SPEEDS.slice().reverse().find((speed) => speed < rate - 0.01);
      if (next) this.setRate(next);
    }

    onRateChange() {
      // Fires for defaultPlaybackRate too, and again after a source switch.
      const rate = this.video.playbackRate;
      if (rate === this.rate) return;
      this.rate = rate;
      if (this.speed && SPEEDS.indexOf(rate) >= 0) this.speed.value = String(rate);
      writePref("rate", String(rate));
      this.emit("ratechange");
    }

    subtitleTracks() {
      return Array.from(this.video.textTracks || []).filter(
        (track) => track.kind === "subtitles" || track.kind === "captions",
      );
    }

    captionsOn() {
      return this.subtitleTracks().some((track) => track.mode === "showing");
    }

    setCaptions(on) {
      const tracks = this.subtitleTracks();
      if (!tracks.length) return;
      for (const track of tracks) {
        if (track.mode === "showing") {
          this.lastTrack = track;
          track.mode = "hidden";
        }
      }
      if (on) (this.lastTrack && tracks.includes(this.lastTrack) ? this.lastTrack : tracks[0]).mode = "showing";
      this.syncCaptionsButton();
    }

    toggleCaptions() {
      if (!this.subtitleTracks().length) return;
      const on = !this.captionsOn();
      this.setCaptions(on);
      writePref("captions", on ? "on" : "off");
    }

    applyCaptionsPref() {
      if (readPref("captions") === "off") this.setCaptions(false);
      this.syncCaptionsButton();
    }

    syncCaptionsButton() {
      if (this.captionsButton) this.captionsButton.setAttribute("aria-pressed", String(this.captionsOn()));
    }

    // ---- resume and saving ------------------------------------------------

    resumeTarget(duration) {
      const at = this.resume;
      return duration > 0 && at > RESUME_MARGIN_S && at < duration - RESUME_MARGIN_S ? at : -1;
    }

    onLoadedMetadata() {
      this.applyCaptionsPref();
      if (this.resumeDone) return;
      this.resumeDone = true;
      const duration = isFinite(this.video.duration) ? this.video.duration : this.knownDuration;
      const at = this.resumeTarget(duration);
      if (at < 0) return;
      if (Math.abs(this.video.currentTime - at) > 1) this.video.currentTime = at;
      this.showNote(at);
    }

    showNote(at) {
      if (!this.note) return;
      const text = this.note.querySelector("[data-zx-resume-text]");
      if (text) text.textContent = (text.dataset.template || "{time}").replace("{time}", clock(at));
      this.note.hidden = false;
    }

    hideNote() {
      if (this.note) this.note.hidden = true;
    }

    savePosition(position) {
      if (!this.started || !this.resumeDone) return;
      if (!this.positionUrl || !isFinite(position) || this.mode === "error") return;
      const rounded = Math.round(position * 10) / 10;
      if (Math.abs(rounded - this.lastSaved) < 1) return;
      const previous = this.lastSaved;
      this.lastSaved = rounded;
      // On failure forget this save so the next tick sends again.
      const undo = () => {
        if (this.lastSaved === rounded) this.lastSaved = previous;
      };
      fetch(this.positionUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ position: rounded }),
      }).then((response) => {
        if (!response.ok) undo();
      }, undo);
    }

    saveNow() {
      this.savePosition(this.video.currentTime);
    }

    startTimers() {
      if (this.saveTimer) return;
      this.saveTimer = setInterval(() => this.saveNow(), SAVE_EVERY_MS);
      this.beatTimer = setInterval(() => this.emit("heartbeat"), HEARTBEAT_MS);
    }

    stopTimers() {
      clearInterval(this.saveTimer);
      clearInterval(this.beatTimer);
      this.saveTimer = this.beatTimer = null;
    }

    emit(event) {
      const video = this.video;
      this.element.dispatchEvent(new CustomEvent("zhixue:playback", {
        bubbles: true,
        detail: {
          assetId: this.assetId,
          position: video.currentTime,
          rate: video.playbackRate,
          paused: video.paused,
          hidden: document.hidden,
          event,
        },
      }));
    }

    // ---- wiring -----------------------------------------------------------

    bindMedia() {
      const video = this.video;
      video.addEventListener("loadedmetadata", () => this.onLoadedMetadata());
      video.addEventListener("error", () => this.onMediaError());
      video.addEventListener("play", () => {
        if (this.hls) this.restoreBuffer();
        if (this.note && !this.note.hidden) setTimeout(() => this.hideNote(), NOTE_VISIBLE_MS);
        this.startTimers();
        this.emit("play");
      });
      video.addEventListener("playing", () => {
        if (this.resumeDone) this.started = true;
      });
      video.addEventListener("pause", () => {
        this.stopTimers();
        this.saveNow();
        this.emit("pause");
      });
      video.addEventListener("seeked", () => {
        // Dragging the seek bar fires many seeked events: save the last one.
        clearTimeout(this.seekSaveTimer);
        this.seekSaveTimer = setTimeout(() => this.saveNow(), 500);
        this.emit("seeked");
      });
      video.addEventListener("ended", () => {
        this.stopTimers();
        this.savePosition(isFinite(video.duration) ? video.duration : video.currentTime);
        this.emit("ended");
      });
      video.addEventListener("ratechange", () => this.onRateChange());
      if (video.textTracks) video.textTracks.addEventListener("change", () => this.syncCaptionsButton());
    }

    bindControls() {
      if (this.quality) {
        this.quality.addEventListener("change", () => this.setQuality(Number(this.quality.value)));
      }
      if (this.speed) {
        this.speed.addEventListener("change", () => this.setRate(Number(this.speed.value)));
      }
      if (this.captionsButton) {
        this.captionsButton.addEventListener("click", () => this.toggleCaptions());
      }
      if (this.note) {
        const restart = this.note.querySelector("[data-zx-restart]");
        const dismiss = this.note.querySelector("[data-zx-dismiss]");
        if (restart) restart.addEventListener("click", () => {
          this.video.currentTime = 0;
          this.hideNote();
        });
        if (dismiss) dismiss.addEventListener("click", () => this.hideNote());
      }
      // Capture phase: Chrome's native controls handle keys inside the video
      // element before they would bubble to us, doubling seeks and toggles.
      this.element.addEventListener("keydown", (event) => this.onKey(event), true);
    }

    bindPage() {
      document.addEventListener("visibilitychange", () => {
        if (document.hidden) this.saveNow();
      });
      window.addEventListener("pagehide", () => this.saveNow());
    }

    onKey(event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) return;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      if (event.target.tagName === "BUTTON" && (key === " " || key === "Enter")) return;
      const action = this.keyAction(key);
      if (!action) return;
      event.preventDefault();
      event.stopPropagation();
      action();
    }

    keyAction(key) {
      const video = this.video;
      switch (key) {
        case " ":
        case "k":
          return () => (video.paused ? video.play().catch(() => {}) : video.pause());
        case "ArrowLeft": return () => this.seekBy(-5);
        case "ArrowRight": return () => this.seekBy(5);
        case "j": return () => this.seekBy(-10);
        case "l": return () => this.seekBy(10);
        case "ArrowUp": return () => this.volumeBy(0.1);
        case "ArrowDown": return () => this.volumeBy(-0.1);
        case "m": return () => { video.muted = !video.muted; };
        case "f": return video.tagName === "VIDEO" ? () => this.toggleFullscreen() : null;
        case "c": return () => this.toggleCaptions();
        case "<": return () => this.stepRate(-1);
        case ">": return () => this.stepRate(1);
        default: return null;
      }
    }

    seekBy(seconds) {
      const video = this.video;
      const end = isFinite(video.duration) ? video.duration : this.knownDuration || Infinity;
      video.currentTime = Math.min(end, Math.max(0, video.currentTime + seconds));
    }

    volumeBy(step) {
      const video = this.video;
      video.volume = Math.round(Math.min(1, Math.max(0, video.volume + step)) * 100) / 100;
      if (step > 0) video.muted = false;
    }

    toggleFullscreen() {
      const fullscreen = document.fullscreenElement || document.webkitFullscreenElement;
      if (fullscreen) {
        (document.exitFullscreen || document.webkitExitFullscreen).call(document);
      } else if (this.element.requestFullscreen) {
        this.element.requestFullscreen().catch(() => {});
      } else if (this.element.webkitRequestFullscreen) {
        this.element.webkitRequestFullscreen();
      } else if (this.video.webkitEnterFullscreen) {
        this.video.webkitEnterFullscreen(); // iPhone: only the video can go fullscreen
      }
    }
  }

  function init(root) {
    const players = [];
    for (const element of (root || document).querySelectorAll("[data-zx-player]")) {
      if (element.zhixuePlayer) continue;
      const player = new Player(element);
      element.zhixuePlayer = player.hook();
      window.zhixuePlayers.push(element.zhixuePlayer);
      player.start();
      players.push(element.zhixuePlayer);
    }
    return players;
  }

  window.ZhixuePlayer = { init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => init());
  } else {
    init();
  }
})();
