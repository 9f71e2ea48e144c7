// The one live client of a show's WebSocket (/ws/shows/{id}), shared by the player and the host page.
// It resumes by itself after a drop (since + epoch), de-duplicates broadcast frames by seq and chat
// messages by id, and keeps the viewer's signed identity in localStorage.

export const VIEWER_KEY = 'vitrine.viewer';
const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;
const PING_EVERY_MS = 20000;
const SILENCE_LIMIT_MS = 50000; // nothing heard for this long (not even a pong): the socket is dead
const NOT_FOUND = 4404;
const SEEN_CHAT_MAX = 2000;

export function readStore(key, kind = 'localStorage') {
  try { return window[kind].getItem(key); } catch { return null; }
}

export function writeStore(key, value, kind = 'localStorage') {
  try {
    if (value === null || value === undefined) window[kind].removeItem(key);
    else window[kind].setItem(key, value);
  } catch { /* private mode or storage full: the page still works, it just forgets */ }
}

/** The delay before reconnect attempt n (0-based): "equal jitter" over a doubling ceiling, so attempt 0
 *  waits 0.5-1 s, attempt 1 1-2 s, … and never more than 10 s; a restarted server is not hit all at once. */
export function backoff(attempt) {
  const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** (Math.min(attempt, 8) + 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * Opens the show's live channel and keeps it open.
 *   onSnapshot(data, {resumed, ts})  the first frame of every connection (ts: the server's clock, ms)
 *   onEvent(frame)               each broadcast frame {type, seq, ts, data}, once, in order
 *   onError(data)                an `error` reply {code, message}
 *   onStatus(status)             'connecting' | 'live' | 'reconnecting' | 'gone' | 'closed'
 * With `token` (a host's access token) the viewer identity is neither sent nor stored: the host is
 * known by the token, and a viewer tab in the same browser must keep its own identity.
 * `role: 'screen'` (a store's screen) keeps the socket out of the viewer count.
 */
export function connect({ showId, token = null, role = null, onSnapshot, onEvent, onError, onStatus }) {
  const call = (fn, ...args) => {
    if (typeof fn !== 'function') return;
    try { fn(...args); } catch (err) { console.error('vitrine live callback failed', err); }
  };
  let socket = null;
  let lastSeq = null;
  let epoch = null;
  let sentSince = null;
  let attempt = 0;
  let retryTimer = null;
  let pingTimer = null;
  let lastHeard = 0;
  let stopped = false;
  let status = null;
  const seenChat = new Set();

  const setStatus = (next) => {
    if (next !== status) {
      status = next;
      call(onStatus, next);
    }
  };

  const remember = (id) => {
    seenChat.add(id);
    if (seenChat.size > SEEN_CHAT_MAX) seenChat.delete(seenChat.values().next().value);
  };

  function url() {
    const query = new URLSearchParams();
    if (role) query.set('role', role);
    if (token) {
      query.set('token', token);
    } else {
      const viewer = readStore(VIEWER_KEY);
      if (viewer) query.set('viewer', viewer);
    }
    sentSince = lastSeq;
    if (lastSeq !== null) {
      query.set('since', String(lastSeq));
      if (epoch) query.set('epoch', epoch);
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/ws/shows/${encodeURIComponent(showId)}?${query}`;
  }

  function handle(frame) {
    if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
    const data = frame.data && typeof frame.data === 'object' ? frame.data : {};
    if (frame.type === 'snapshot') {
      // resumed: the events after our last seq follow, so we keep counting from it; otherwise we
      // start over from the snapshot's seq (first visit, or the server could not fill the gap)
      const resumed = sentSince !== null && data.recovered === true;
      if (!resumed) lastSeq = typeof data.seq === 'number' ? data.seq : null;
      if (typeof data.epoch === 'string') epoch = data.epoch;
      if (!token && data.you && typeof data.you.viewer_token === 'string') {
        writeStore(VIEWER_KEY, data.you.viewer_token);
      }
      for (const message of Array.isArray(data.chat) ? data.chat : []) remember(message.id);
      attempt = 0;
      setStatus('live');
      call(onSnapshot, data, { resumed, ts: typeof frame.ts === 'number' ? frame.ts : null });
      return;
    }
    if (frame.type === 'error') return call(onError, data);
    if (frame.type === 'pong') return;
    if (typeof frame.seq === 'number') {
      if (lastSeq !== null && frame.seq <= lastSeq) return;
      lastSeq = frame.seq;
    }
    if (frame.type === 'chat.message') {
      if (seenChat.has(data.id)) return;
      remember(data.id);
    }
    call(onEvent, { ...frame, data });
  }

  function open() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (stopped) return;
    setStatus(status === null || status === 'connecting' ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocket(url());
    } catch (err) {
      console.error('vitrine: cannot open the socket', err);
      return retry();
    }
    socket = ws;
    lastHeard = Date.now();
    ws.onopen = () => { lastHeard = Date.now(); };
    ws.onmessage = (event) => {
      if (ws !== socket) return;
      lastHeard = Date.now();
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      handle(frame);
    };
    ws.onclose = (event) => {
      if (ws !== socket) return;
      socket = null;
      if (stopped) return;
      if (event.code === NOT_FOUND) return setStatus('gone');
      retry();
    };
    ws.onerror = () => { /* onclose follows and retries */ };
  }

  function retry() {
    if (stopped || retryTimer) return;
    setStatus('reconnecting');
    retryTimer = setTimeout(open, backoff(attempt));
    attempt += 1;
  }

  function retryNow() {
    if (stopped || socket || status === 'gone') return;
    attempt = 0;
    open();
  }

  function onVisible() {
    if (document.visibilityState === 'visible') retryNow();
  }

  function keepAlive() {
    if (!socket) return;
    if (Date.now() - lastHeard > SILENCE_LIMIT_MS) { // stuck connecting, or a half-open socket
      const dead = socket;
      socket = null;
      dead.close();
      retry();
      return;
    }
    if (socket.readyState === WebSocket.OPEN) send({ type: 'ping', id: Date.now() });
  }

  function send(obj) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(obj));
    return true;
  }

  function close() {
    stopped = true;
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    window.removeEventListener('online', retryNow);
    document.removeEventListener('visibilitychange', onVisible);
    if (socket) socket.close(1000, 'bye');
    socket = null;
    setStatus('closed');
  }

  window.addEventListener('online', retryNow);
  document.addEventListener('visibilitychange', onVisible);
  pingTimer = setInterval(keepAlive, PING_EVERY_MS);
  open();
  return {
    send,
    close,
    get status() { return status; },
    get seq() { return lastSeq; },
  };
}
