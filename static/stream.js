// A show's stream in a <video>, for the player and the host's preview: its state told as it is, and a stream
// that fails (an error such as a 404 or an unplayable source, or no data for a while) tried again with
// backoff until it plays. HLS plays where the browser plays it natively (hls.js is not vendored here).
import { safeUrl } from '/static/ui.js';

const RETRY_MS = [5000, 10000, 20000, 30000]; // then every 30 s
const STALL_MS = 15000; // this long starting, or stalled, with no frame: unavailable

/**
 * `onState(state)` hears each change: "none" (no stream URL), "starting", "playing", "unavailable" (a retry is
 * planned), "stopped". play(url) starts (or keeps) a stream; stop() pauses it and plans nothing.
 */
export function watchStream(video, { onState = () => {} } = {}) {
  let src = null;
  let state = 'stopped';
  let tries = 0;
  let retry = null;
  let stall = null;

  function set(next) {
    if (next === state) return;
    state = next;
    onState(state);
  }

  function clearTimers() {
    clearTimeout(retry);
    clearTimeout(stall);
    retry = null;
    stall = null;
  }

  function watchdog() {
    clearTimeout(stall);
    stall = setTimeout(fail, STALL_MS);
  }

  function load() {
    clearTimers();
    if (!src) return;
    set('starting');
    video.src = src; // even the same URL again: setting it loads the source anew
    watchdog();
    const playing = video.play();
    if (playing) playing.catch(() => { /* an unplayable source also fires `error`; autoplay refused: the watchdog */ });
  }

  function fail() {
    if (!src || retry) return;
    clearTimers();
    set('unavailable');
    retry = setTimeout(load, RETRY_MS[Math.min(tries, RETRY_MS.length - 1)]);
    tries += 1;
  }

  video.addEventListener('playing', () => {
    if (!src) return;
    clearTimers();
    tries = 0;
    set('playing');
  });
  video.addEventListener('error', fail);
  video.addEventListener('waiting', () => { // out of data mid-play: `playing` again when it comes back
    if (src && state === 'playing' && !stall) watchdog();
  });

  return {
    get state() { return state; },
    play(url) {
      const next = safeUrl(url);
      if (!next) {
        this.stop();
        set('none');
        return;
      }
      if (next === src && state !== 'stopped') return;
      src = next;
      tries = 0;
      load();
    },
    stop() {
      src = null;
      clearTimers();
      if (video.currentSrc) video.pause();
      set('stopped');
    },
  };
}
