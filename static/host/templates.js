// The host's last started bodies of a game kind, as templates for the next one: the newest first, at most 5,
// kept on this device in localStorage `vitrine.templates.<kind>`.
import { readStore, writeStore } from '/static/live.js';

const TEMPLATES = 5;

/** The kind's templates that `valid(body)` accepts (a body from an older page may lack a field). */
export function readTemplates(kind, valid = () => true) {
  try {
    const list = JSON.parse(readStore(`vitrine.templates.${kind}`) || '[]');
    return Array.isArray(list) ? list.filter((body) => body && typeof body === 'object' && valid(body)) : [];
  } catch {
    return [];
  }
}

/** Puts `body` first (once: the same body started again moves up). */
export function keepTemplate(kind, body) {
  const same = JSON.stringify(body);
  const list = [body, ...readTemplates(kind).filter((b) => JSON.stringify(b) !== same)].slice(0, TEMPLATES);
  writeStore(`vitrine.templates.${kind}`, JSON.stringify(list));
}
