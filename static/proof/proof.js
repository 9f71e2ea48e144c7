// A giveaway's proof: /giveaways/{id}/proof (?entry=<your entry id>). Fetches GET /api/giveaways/{id}/proof and
// does the draw again here with Web Crypto: SHA-256(seed) must be the commitment published at the start, and the
// winners must be the entries with the smallest HMAC-SHA256(key = the seed's hex text, message = the entry id),
// compared as hex strings (server/live/interactions/giveaways/draw.py; tools/verify_giveaway.py does the same).
import { api } from '/static/api.js';
import { applyI18n, errorText, number, t } from '/static/i18n.js';
import { el, showIdFromPath } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const RETRY_MS = 5000;
const giveawayId = showIdFromPath();
const apiPath = `/api/giveaways/${encodeURIComponent(giveawayId)}/proof`;
const text = new TextEncoder();
const s = { proof: null, ranking: [], scores: new Map(), timer: null };

applyI18n();

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0); // code points, as Python compares str

/** The draw done again: {commitment: bool, winners: bool, expected: [entry ids]}; scores and ranking in `s`. The
 *  prize goes down the ranking: the first `winners + passed` entries were offered it, the `passed` ones let it go
 *  unclaimed, the rest are the winners, in the ranking's order. */
async function redo(proof) {
  const seed = text.encode(proof.seed);
  const commitment = hex(await crypto.subtle.digest('SHA-256', seed)) === proof.commitment;
  const key = await crypto.subtle.importKey('raw', seed, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const scored = await Promise.all(proof.entries.map(async (entry) => [entry,
    hex(await crypto.subtle.sign('HMAC', key, text.encode(entry)))]));
  s.scores = new Map(scored);
  s.ranking = scored.sort((a, b) => byText(a[1], b[1]) || byText(a[0], b[0])).map(([entry]) => entry);
  const passed = proof.passed || [];
  const offered = s.ranking.slice(0, proof.winners.length + passed.length);
  const expected = offered.filter((entry) => !passed.includes(entry));
  const winners = expected.length === proof.winners.length && expected.every((entry, i) => entry === proof.winners[i])
    && passed.every((entry) => offered.includes(entry));
  return { commitment, winners, expected };
}

function check(ok, okKey, badKey, vars = {}) {
  return el('li', { class: ok ? 'ok' : 'bad', dataset: { ok: String(ok) } },
    el('span', { class: 'proof-mark', 'aria-hidden': 'true', text: ok ? '✓' : '✗' }),
    el('span', { text: t(ok ? okKey : badKey, vars) }));
}

function render(proof, result) {
  const verified = result.commitment && result.winners;
  const title = $('verdict-title');
  title.textContent = t(verified ? 'proof.verified' : 'proof.mismatch');
  title.dataset.verified = String(verified);
  $('verdict-text').textContent = t(verified ? 'proof.verified_text' : 'proof.mismatch_text');
  $('checks').replaceChildren(
    check(result.commitment, 'proof.check_commitment', 'proof.check_commitment_bad'),
    check(result.winners, 'proof.check_winners', 'proof.check_winners_bad',
      { n: number(proof.winners.length), expected: result.expected.join(', ') }));
  $('winners').replaceChildren(...proof.winners.map((entry) => el('li', { dataset: { entry } },
    el('code', { class: 'proof-entry', text: entry }),
    el('small', { class: 'proof-score', text: t('proof.score', { score: (s.scores.get(entry) || '').slice(0, 16) }) }))));
  $('algorithm').textContent = proof.algorithm || '';
  $('commitment').textContent = proof.commitment;
  $('seed').textContent = proof.seed;
  $('entries').textContent = number(proof.entries.length);
  $('raw').href = apiPath;
  for (const id of ['verdict', 'mine', 'winners-card', 'how']) $(id).hidden = false;
  $('winners-card').hidden = !proof.winners.length;
}

/** "Is my entry there?": its rank in the draw, and whether it won. */
function findMine(entry) {
  const result = $('mine-result');
  const id = entry.trim();
  result.hidden = !id;
  if (!id) return;
  for (const li of $('winners').children) li.classList.toggle('is-mine', li.dataset.entry === id);
  const rank = s.ranking.indexOf(id) + 1;
  const state = !rank ? 'missing' : s.proof.winners.includes(id) ? 'won'
    : (s.proof.passed || []).includes(id) ? 'passed' : 'listed';
  result.dataset.state = state;
  result.textContent = t(`proof.mine_${state}`, { entry: id, rank: number(rank), n: number(s.ranking.length) });
}

$('mine-form').addEventListener('submit', (event) => {
  event.preventDefault();
  findMine($('mine-entry').value);
});

function problem(error, retry) {
  for (const id of ['loading', 'verdict', 'mine', 'winners-card', 'how']) $(id).hidden = true;
  $('problem').hidden = false;
  $('problem-text').textContent = error.code === 'interaction_running' ? t('proof.not_drawn') : errorText(error);
  $('problem-retry').hidden = !retry;
}

async function load() {
  clearTimeout(s.timer);
  let proof;
  try {
    proof = await api('GET', apiPath);
  } catch (err) {
    const running = err.error.code === 'interaction_running';
    problem(err.error, err.status === 0 || err.status >= 500);
    if (running) s.timer = setTimeout(load, RETRY_MS); // the draw is at the end: the page shows it then
    return;
  }
  if (!globalThis.crypto || !crypto.subtle) { // Web Crypto needs https (or localhost)
    problem({ code: 'proof_no_crypto', message: t('proof.no_crypto') }, false);
    return;
  }
  s.proof = proof;
  const result = await redo(proof);
  $('loading').hidden = true;
  $('problem').hidden = true;
  render(proof, result);
  const entry = new URLSearchParams(location.search).get('entry');
  if (entry) {
    $('mine-entry').value = entry;
    findMine(entry);
  }
}

$('problem-retry').addEventListener('click', () => {
  $('problem').hidden = true;
  $('loading').hidden = false;
  load();
});

if (giveawayId) load();
else problem({ code: 'interaction_not_found' }, false);
