// Small DOM helpers shared by the pages. Text always goes in through textContent, never as HTML.

/** el('li', {class: 'msg', dataset: {id}}, 'text', otherNode): strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The id after /watch/ or /host/ in the page's path. */
export function showIdFromPath(pathname = location.pathname) {
  const parts = pathname.split('/').filter(Boolean);
  return parts.length >= 2 ? decodeURIComponent(parts[1]) : '';
}

let toastBox = null;

const toastTimers = new WeakMap();

/**
 * A short message at the top of the page for `ms`. The same message again while it shows does not stack a
 * second one: the first counts it ("×2") and stays `ms` longer from now.
 */
export function toast(text, kind = 'info', ms = 3500) {
  if (!toastBox) {
    toastBox = el('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastBox);
  }
  let node = [...toastBox.children].find((n) => n.dataset.text === text && n.dataset.kind === kind);
  if (node) {
    const count = Number(node.dataset.count) + 1;
    node.dataset.count = String(count);
    const badge = node.querySelector('.toast-count');
    badge.textContent = `×${count}`;
    badge.hidden = false;
    toastBox.append(node); // the newest at the bottom, as a new one would be
    clearTimeout(toastTimers.get(node));
  } else {
    node = el('div', { class: `toast toast-${kind}`, dataset: { text, kind, count: '1' } },
      el('span', { text }), el('span', { class: 'toast-count', hidden: true }));
    toastBox.append(node);
    while (toastBox.children.length > 3) toastBox.firstElementChild.remove();
  }
  const shown = node;
  toastTimers.set(shown, setTimeout(() => shown.remove(), ms));
  return node;
}

export const EMOJI = { heart: '❤️', fire: '🔥', clap: '👏', laugh: '😂', wow: '😮' };

export function emojiFor(kind) {
  return EMOJI[kind] || '✨';
}

/** A reaction's picture: our own SVG (no emoji font needed), or the emoji for a kind we do not draw. */
export function reactionIcon(kind, className = 'icon') {
  if (Object.hasOwn(EMOJI, kind)) {
    return el('img', { class: className, src: `/static/reactions/${kind}.svg`, alt: '', draggable: 'false' });
  }
  return el('span', { class: className, text: emojiFor(kind) });
}

/** Only http(s) or same-site URLs are used as image sources. */
export function safeUrl(url) {
  if (typeof url !== 'string' || !url) return '';
  try {
    const parsed = new URL(url, location.origin);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : '';
  } catch {
    return '';
  }
}

/** A random UUID (v4), also on plain-http pages where crypto.randomUUID is missing. */
export function randomKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How long a sheet that just opened ignores taps: the second tap of a double tap on the button that
 *  opened it would land on whatever slid in under the finger (the backdrop, a Pay button). */
export const SHEET_GUARD_MS = 600;

/** Opens a bottom sheet (a [hidden] overlay): focus goes in, Escape and the backdrop close it. For
 *  SHEET_GUARD_MS it carries `data-guarded`: its contents take no pointer events (CSS) and a tap on its
 *  backdrop does not close it. */
export function openSheet(sheet, { onClose, focus } = {}) {
  sheet.hidden = false;
  sheet.dataset.guarded = '';
  clearTimeout(sheet.vtGuard);
  sheet.vtGuard = setTimeout(() => delete sheet.dataset.guarded, SHEET_GUARD_MS);
  sheet.onkeydown = (event) => {
    if (event.key === 'Escape') closeSheet(sheet);
  };
  sheet.onclick = (event) => {
    if (event.target === sheet && !('guarded' in sheet.dataset)) closeSheet(sheet);
  };
  sheet.vtClose = onClose || null;
  if (!sheet.contains(document.activeElement)) sheet.vtReturn = document.activeElement;
  const target = focus || sheet.querySelector('input, select, button, a[href]');
  if (target) target.focus({ preventScroll: true });
}

export function closeSheet(sheet) {
  if (sheet.hidden) return;
  const inside = sheet.contains(document.activeElement) || document.activeElement === document.body;
  sheet.hidden = true;
  const done = sheet.vtClose;
  const back = sheet.vtReturn;
  sheet.vtClose = null;
  sheet.vtReturn = null;
  if (inside && back && back.isConnected && typeof back.focus === 'function') {
    back.focus({ preventScroll: true }); // back to the button that opened it
  }
  if (typeof done === 'function') done();
}
