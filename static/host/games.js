// The host page's Games panel: one tab per kind that interactions/index.js lists (poll, quiz, giveaway), each
// with its widget, loaded from GET /api/shows/{id}/interactions (a kind's running game, else its last one) and
// kept live by the host's socket frames whose type starts with the kind's name, as the player routes them.
import { t } from '/static/i18n.js';
import { el } from '/static/ui.js';
import * as modules from '/static/host/interactions/index.js';

const END_TYPES = new Set(['ended', 'drawn']);

/**
 * `mount`: the panel's element (`.games-tabs` and `.games-panes` inside), `showId`, `request(method, path,
 * body)`: the page's API call with the host's token (it throws ApiError). Each widget's ctx is
 * {mount, showId, request, now()}: now() is Date.now() on the server's clock (setClock(ts) from the snapshot).
 */
export function createGames({ mount, showId, request }) {
  const tabs = mount.querySelector('.games-tabs');
  const panes = mount.querySelector('.games-panes');
  const kinds = new Map(); // kind → {widget, tab, pane}
  let offset = 0;
  let loading = 0;
  const now = () => Date.now() + offset;

  function select(kind) {
    for (const [name, entry] of kinds) {
      entry.tab.setAttribute('aria-selected', String(name === kind));
      entry.tab.tabIndex = name === kind ? 0 : -1;
      entry.pane.hidden = name !== kind;
    }
  }

  const call = (entry, method, ...args) => {
    try { entry.widget[method](...args); } catch (err) { console.error('vitrine game widget failed', err); }
  };

  function mark(kind, game) {
    const entry = kinds.get(kind);
    if (entry && game && typeof game === 'object') entry.tab.dataset.running = String(game.status === 'running');
  }

  for (const [name, module] of Object.entries(modules)) {
    const kind = module.kind || name;
    const tab = el('button', { type: 'button', role: 'tab', class: 'btn games-tab', id: `games-tab-${kind}`,
      'aria-controls': `games-pane-${kind}`, 'data-testid': `games-tab-${kind}`, text: t(module.label),
      onclick: () => select(kind) });
    const pane = el('div', { role: 'tabpanel', class: 'games-pane', id: `games-pane-${kind}`,
      'aria-labelledby': `games-tab-${kind}`, 'data-testid': `games-pane-${kind}` });
    tabs.append(tab);
    panes.append(pane);
    kinds.set(kind, { tab, pane, widget: module.create({ mount: pane, showId, request, now }) });
  }
  tabs.addEventListener('keydown', (event) => { // the arrow keys move between the tabs
    const names = [...kinds.keys()];
    const at = names.findIndex((name) => kinds.get(name).tab === document.activeElement);
    if (at < 0 || !['ArrowLeft', 'ArrowRight'].includes(event.key)) return;
    const next = names[(at + (event.key === 'ArrowRight' ? 1 : names.length - 1)) % names.length];
    select(next);
    kinds.get(next).tab.focus();
  });
  select(kinds.keys().next().value);

  return {
    setClock(serverMs) {
      if (typeof serverMs === 'number') offset = serverMs - Date.now();
    },

    /** Each kind's running game, else its newest, else null: on every (re)connection of the socket. */
    async load() {
      const mine = ++loading;
      let listing;
      try {
        listing = await request('GET', `/api/shows/${encodeURIComponent(showId)}/interactions`);
      } catch (err) {
        console.error('vitrine: the games could not be loaded', err);
        return;
      }
      if (mine !== loading) return; // a newer load answers for a newer connection
      const games = Array.isArray(listing && listing.interactions) ? listing.interactions : [];
      for (const [kind, entry] of kinds) {
        const own = games.filter((g) => g && g.kind === kind); // newest first
        const game = own.find((g) => g.status === 'running') || own[0] || null;
        mark(kind, game);
        call(entry, 'set', game);
      }
    },

    /** A frame whose type starts with a kind's name: true when it was a game's. */
    event(frame) {
      const [kind, what] = String(frame.type).split('.', 2);
      const entry = what && kinds.get(kind);
      if (!entry) return false;
      const data = frame.data || {};
      if (what === 'started' || END_TYPES.has(what)) mark(kind, data[kind]);
      call(entry, 'event', frame.type, data);
      return true;
    },
  };
}
