// The player's games tray: one widget per running game (polls, quizzes, giveaways: interactions/index.js lists
// the kinds), made from the snapshot's `interactions` and `you.interactions`, and kept live by the frames whose
// type starts with a kind's name (`poll.`, `quiz.`…): a `<kind>.started` makes a new widget, an ended game stays
// with its result for a while (LINGER_MS, or until the next game of its kind), then goes.
import { t } from '/static/i18n.js';
import { el } from '/static/ui.js';
import * as widgets from '/static/player/interactions/index.js';

const LINGER_MS = 20000;
const END_TYPES = new Set(['ended', 'drawn']);

/**
 * `mount`: the tray's element (its header toggles it; `.games-list` holds the widgets), `send(frame)`: the
 * socket's send (false when not connected), `showId`. The widgets' ctx is {mount, send, showId, you(), now(),
 * linger(ms)}: now() is Date.now() on the server's clock (from the snapshot frame's ts, as deal.js does);
 * linger(ms) asks that the ended card stay at least that long (a quiz's won code, to be copied).
 */
export function createGames({ mount, send, showId }) {
  const list = mount.querySelector('.games-list');
  const toggle = mount.querySelector('.games-toggle');
  const count = mount.querySelector('.games-count');
  const slots = new Map(); // kind → {id, kind, widget, node, ended, timer}
  let offset = 0;
  let you = null;

  const now = () => Date.now() + offset;

  function setOpen(open) {
    mount.dataset.collapsed = String(!open);
    toggle.setAttribute('aria-expanded', String(open));
    list.hidden = !open;
  }

  // the header folds the games away: the pinned card and the chat keep their room
  toggle.addEventListener('click', () => setOpen(mount.dataset.collapsed === 'true'));

  function paint() {
    mount.hidden = slots.size === 0;
    count.textContent = slots.size > 1 ? String(slots.size) : '';
  }

  function drop(kind) {
    const slot = slots.get(kind);
    if (!slot) return;
    clearTimeout(slot.timer);
    try { slot.widget.destroy(); } catch (err) { console.error('vitrine game widget failed', err); }
    slot.node.remove();
    slots.delete(kind);
    paint();
  }

  /** Scrolls the tray so that the slot's foot (a result, a won code) is in sight. */
  function reveal(slot) {
    const below = slot.node.getBoundingClientRect().bottom - mount.getBoundingClientRect().bottom;
    if (below > 0) mount.scrollTop += below + 12;
  }

  function linger(slot, ms) {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => { if (slots.get(slot.kind) === slot) drop(slot.kind); }, ms);
  }

  function end(slot) {
    slot.ended = true;
    slot.node.dataset.ended = '';
    slot.close.hidden = false;
    linger(slot, LINGER_MS);
  }

  function make(game, mine) {
    const kind = game && game.kind;
    if (!kind || !Object.hasOwn(widgets, kind) || typeof game.id !== 'string') return;
    drop(kind); // the next game of a kind replaces the last one's result
    const body = el('div', { class: 'game-body' });
    const slot = { id: game.id, kind, ended: false, timer: null };
    slot.close = el('button', { type: 'button', class: 'game-close', 'data-testid': 'game-close', hidden: true,
      'aria-label': t('games.close'), title: t('games.close'), text: '×', onclick: () => drop(kind) });
    slot.node = el('div', { class: 'game-slot', dataset: { kind, id: game.id } }, body, slot.close);
    list.append(slot.node);
    slot.widget = widgets[kind]({
      mount: body, send, showId, you: () => you, now,
      linger: (ms) => {
        if (slots.get(kind) !== slot || !slot.ended) return;
        linger(slot, Math.max(ms, LINGER_MS));
        reveal(slot);
      },
    });
    slots.set(kind, slot);
    slot.widget.set(game, mine || null);
    if (game.status !== 'running') end(slot);
    setOpen(true); // a new game opens the tray
    paint();
  }

  const call = (slot, method, ...args) => {
    try { return slot.widget[method](...args); } catch (err) { console.error('vitrine game widget failed', err); }
    return undefined;
  };

  return {
    /** The snapshot of every connection: its running games and the viewer's own entries in them. */
    snapshot(data, meta = {}) {
      if (typeof meta.ts === 'number') offset = meta.ts - Date.now();
      you = data.you || null;
      const running = (Array.isArray(data.interactions) ? data.interactions : []).filter((g) => g && g.id);
      const mine = (you && you.interactions) || {};
      for (const [kind, slot] of [...slots]) { // a game that ended while we were away is not known to have
        if (!slot.ended && !running.some((g) => g.id === slot.id)) drop(kind);
      }
      for (const game of running) {
        const slot = slots.get(game.kind);
        if (slot && slot.id === game.id) call(slot, 'set', game, mine[game.id] || null);
        else make(game, mine[game.id]);
      }
      paint();
    },

    /** A frame whose type starts with a kind's name: true when it was a game's. */
    event(frame) {
      const [kind, what] = String(frame.type).split('.', 2);
      if (!what || !Object.hasOwn(widgets, kind)) return false;
      const data = frame.data || {};
      if (what === 'started') {
        make(data[kind], null);
        return true;
      }
      const slot = slots.get(kind);
      if (!slot) return true;
      call(slot, 'event', frame.type, data);
      if (END_TYPES.has(what) && data[kind] && data[kind].id === slot.id && !slot.ended) {
        end(slot);
        reveal(slot);
      }
      return true;
    },

    /** An `error` frame: true when it answers a widget's frame (its data.key is the game's id). */
    error(err) {
      if (!err || typeof err.key !== 'string') return false;
      for (const slot of slots.values()) {
        if (slot.id === err.key) return Boolean(call(slot, 'error', err));
      }
      return false;
    },
  };
}

