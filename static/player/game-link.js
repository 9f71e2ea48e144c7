// A store screen's code opens the player at a game: /watch/{show}#game=<id> (server/links.py game()). Once that
// game's card is in the games tray (static/player/games.js: a .game-slot with data-id), the tray opens and
// scrolls to it, and the card is marked for a few seconds; a later #game=… on the same page (scanned again) too.
// Without a tray on the page, nothing happens.

const MARK_MS = 6000;

/** The game id in the address's fragment (`#game=pol_…`), or null. */
export function linkedGame(hash = location.hash) {
  const id = new URLSearchParams(String(hash).replace(/^#/, '')).get('game');
  return id && /^[A-Za-z0-9_]{1,32}$/.test(id) ? id : null;
}

/** Opens the tray at the game's card; false while the card is not there yet. */
function bring(tray, id) {
  const slot = [...tray.querySelectorAll('.game-slot')].find((node) => node.dataset.id === id);
  if (!slot) return false;
  const toggle = tray.querySelector('.games-toggle');
  if (tray.dataset.collapsed === 'true' && toggle) toggle.click();
  slot.scrollIntoView({ block: 'nearest' });
  slot.dataset.linked = '';
  setTimeout(() => delete slot.dataset.linked, MARK_MS);
  return true;
}

export function followGameLinks(tray) {
  if (!tray) return;
  let wanted = linkedGame();
  const look = () => {
    if (wanted && bring(tray, wanted)) wanted = null;
  };
  new MutationObserver(look).observe(tray, { childList: true, subtree: true });
  window.addEventListener('hashchange', () => {
    wanted = linkedGame();
    look();
  });
  look();
}

followGameLinks(document.getElementById('games'));
