// The staff's sign-in, shared by the studio and the host control room: kept for every tab of this browser
// until its token expires, as {token, role, expires_at (ms)} under one localStorage key. A change in one tab
// reaches the others through the `storage` event on SESSION_KEY.
import { readStore, writeStore } from '/static/live.js';

export const SESSION_KEY = 'vitrine.host.session';

/** The sign-in this browser keeps, while its token has not expired; else null. */
export function readSession() {
  let session = null;
  try { session = JSON.parse(readStore(SESSION_KEY) || 'null'); } catch { session = null; }
  const valid = session && typeof session.token === 'string' && Number(session.expires_at) > Date.now();
  return valid ? session : null;
}

/** Keeps the answer of a sign-in (POST /api/auth/token and the routes answering like it); null forgets. */
export function writeSession(answer) {
  if (!answer) {
    writeStore(SESSION_KEY, null);
    return null;
  }
  const ttl = Number(answer.expires_in) > 0 ? Number(answer.expires_in) : 3600;
  const session = { token: answer.access_token, role: (answer.user && answer.user.role) || null,
    expires_at: Date.now() + ttl * 1000 };
  writeStore(SESSION_KEY, JSON.stringify(session));
  return session;
}
