// The host's side of a game viewers play by choosing one option (a poll, a quiz): the start form (question,
// 2 to 6 options, seconds; a quiz adds its right option and an optional reward voucher), with the last 5
// started bodies as templates (localStorage `vitrine.templates.<kind>`), the live view (tallies or the count of
// answers, countdown, "End now" confirmed in the page) and the result. poll.js and quiz.js say what differs.
import { ApiError } from '/static/api.js';
import { clock, errorText, percent, plural, t } from '/static/i18n.js';
import { readStore, writeStore } from '/static/live.js';
import { el } from '/static/ui.js';

const TICK_MS = 250;
const TEMPLATES = 5;
const MIN_OPTIONS = 2;
const MAX_OPTIONS = 6;
const DEFAULT_DURATION_S = 60;

function readTemplates(kind) {
  try {
    const list = JSON.parse(readStore(`vitrine.templates.${kind}`) || '[]');
    return Array.isArray(list) ? list.filter((b) => b && typeof b.question === 'string' && Array.isArray(b.options)) : [];
  } catch {
    return [];
  }
}

function keepTemplate(kind, body) {
  const same = JSON.stringify(body);
  const list = [body, ...readTemplates(kind).filter((b) => JSON.stringify(b) !== same)].slice(0, TEMPLATES);
  writeStore(`vitrine.templates.${kind}`, JSON.stringify(list));
}

/**
 * A host widget module ({kind, label, create(ctx)}) for a ballot of `kind`, started at
 * POST /api/shows/{id}/`plural`. `quiz`: the form asks for the right option and a reward voucher, the live view
 * counts answers (a poll's shows its tally), the result shows the right option and how many found it.
 */
export function ballotWidget({ kind, plural: path, label, quiz = false }) {
  return { kind, label, create: (ctx) => createBallot(ctx, { kind, path, quiz }) };
}

function createBallot(ctx, { kind, path, quiz }) {
  const base = `/api/shows/${encodeURIComponent(ctx.showId)}/${path}`;
  const id = (name) => `${kind}-${name}`;
  const s = { game: null, timer: null, confirming: false, busy: false };

  // --- the start form ----------------------------------------------------------------------------

  const templates = el('div', { class: 'game-templates', 'data-testid': id('templates') });
  const question = el('input', { class: 'field', name: 'question', maxlength: 200, required: true,
    'data-testid': id('question'), autocomplete: 'off' });
  const optionList = el('ol', { class: 'game-option-fields' });
  const addOption = el('button', { type: 'button', class: 'btn btn-small btn-ghost', 'data-testid': id('add-option'),
    text: t('games.add_option'), onclick: () => { addRow(''); renderRows(); last('input').focus(); } });
  const duration = el('input', { class: 'field', type: 'number', inputmode: 'numeric', min: 5, max: 3600, step: 1,
    value: DEFAULT_DURATION_S, required: true, 'data-testid': id('duration') });
  const voucher = quiz ? el('input', { class: 'field', maxlength: 32, autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'off', 'data-testid': id('voucher') }) : null;
  const formError = el('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': id('error') });
  const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': id('start'),
    text: t(`games.start_${kind}`) });
  const form = el('form', { class: 'game-form', novalidate: true, onsubmit: start },
    templates,
    el('label', { class: 'f' }, el('span', { class: 'label', text: t('games.question') }), question),
    el('fieldset', { class: 'game-fieldset' },
      el('legend', { class: 'label', text: t(quiz ? 'games.options_quiz' : 'games.options') }), optionList, addOption),
    el('label', { class: 'f game-duration' }, el('span', { class: 'label', text: t('games.duration') }), duration),
    quiz ? el('label', { class: 'f' }, el('span', { class: 'label', text: t('games.voucher') }), voucher,
      el('small', { class: 'hint', text: t('games.voucher_hint') })) : null,
    formError, submit);

  const last = (selector) => [...optionList.querySelectorAll(selector)].pop();

  function addRow(text, right = false) {
    const index = optionList.children.length;
    const input = el('input', { class: 'field', maxlength: 80, value: text, autocomplete: 'off',
      'aria-label': t('games.option_n', { n: index + 1 }), 'data-testid': id(`option-${index}`) });
    const radio = quiz ? el('input', { type: 'radio', name: `${kind}-right`, class: 'game-right', checked: right,
      'aria-label': t('games.right_option'), title: t('games.right_option'), 'data-testid': id(`right-${index}`) }) : null;
    const remove = el('button', { type: 'button', class: 'btn btn-small btn-ghost game-remove', text: '×',
      'aria-label': t('games.remove_option'), title: t('games.remove_option'),
      onclick: (event) => { event.currentTarget.closest('li').remove(); renderRows(); } });
    optionList.append(el('li', { class: 'game-option-field' }, radio, input, remove));
  }

  /** Renumbers the rows (their labels and test ids follow their place) and allows 2 to 6 of them. */
  function renderRows() {
    [...optionList.children].forEach((row, index) => {
      const input = row.querySelector('input.field');
      input.setAttribute('aria-label', t('games.option_n', { n: index + 1 }));
      input.dataset.testid = id(`option-${index}`);
      const radio = row.querySelector('.game-right');
      if (radio) radio.dataset.testid = id(`right-${index}`);
      row.querySelector('.game-remove').disabled = optionList.children.length <= MIN_OPTIONS;
    });
    addOption.hidden = optionList.children.length >= MAX_OPTIONS;
  }

  function fill(body = {}) {
    question.value = body.question || '';
    optionList.replaceChildren();
    const texts = Array.isArray(body.options) && body.options.length >= MIN_OPTIONS ? body.options : ['', ''];
    texts.slice(0, MAX_OPTIONS).forEach((text, index) => addRow(String(text), quiz && body.answer === index));
    duration.value = body.duration_s || DEFAULT_DURATION_S;
    if (voucher) voucher.value = body.reward_voucher_id || '';
    renderRows();
  }

  function renderTemplates() {
    const list = readTemplates(kind);
    templates.hidden = !list.length;
    templates.replaceChildren(el('span', { class: 'label', text: t('games.templates') }),
      ...list.map((body, index) => el('button', { type: 'button', class: 'btn btn-small btn-ghost game-template',
        'data-testid': id(`template-${index}`), text: body.question, title: body.options.join(' · '),
        onclick: () => { fill(body); formError.hidden = true; } })));
  }

  function refuse(text, focus) {
    formError.textContent = text;
    formError.hidden = false;
    if (focus) focus.focus();
  }

  /** The form as the API's body, or null after saying what is missing. */
  function body() {
    const rows = [...optionList.children].map((row) => ({
      text: row.querySelector('input.field').value.trim(), right: Boolean(row.querySelector('.game-right:checked')),
    })).filter((row) => row.text);
    if (!question.value.trim()) return refuse(t('games.need_question'), question);
    if (rows.length < MIN_OPTIONS) return refuse(t('games.need_options'), optionList.querySelector('input.field'));
    const seconds = Math.round(Number(duration.value));
    if (!(seconds >= 5 && seconds <= 3600)) return refuse(t('games.need_duration'), duration);
    const data = { question: question.value.trim(), options: rows.map((row) => row.text), duration_s: seconds };
    if (quiz) {
      data.answer = rows.findIndex((row) => row.right);
      if (data.answer < 0) return refuse(t('games.need_right'), optionList.querySelector('.game-right'));
      if (voucher.value.trim()) data.reward_voucher_id = voucher.value.trim();
    }
    return data;
  }

  async function start(event) {
    event.preventDefault();
    formError.hidden = true;
    const data = body();
    if (!data || s.busy) return;
    s.busy = true;
    submit.disabled = true;
    try {
      const game = await ctx.request('POST', base, data);
      keepTemplate(kind, data);
      fill(); // the next one starts blank: this one is the first of the templates
      if (quiz && game) rights.set(game.id, data.options[data.answer]);
      set(game);
    } catch (err) {
      refuse(err instanceof ApiError ? errorText(err.error) : t('err.generic'));
    } finally {
      s.busy = false;
      submit.disabled = false;
    }
  }

  // --- the live view and the result --------------------------------------------------------------

  const rights = new Map(); // quiz id → its right option's text, as this page started it (the server tells no one)
  const liveQuestion = el('h3', { class: 'game-live-question', 'data-testid': id('live-question') });
  const rowsNode = el('ul', { class: 'game-tally', 'data-testid': id('tally') });
  const total = el('p', { class: 'game-live-total', 'data-testid': id('total') });
  const clockNode = el('span', { class: 'game-live-clock', role: 'timer', 'data-testid': id('clock') });
  const note = el('p', { class: 'hint game-live-note', 'data-testid': id('note') });
  const endButton = el('button', { type: 'button', class: 'btn btn-danger btn-block', 'data-testid': id('end'),
    text: t(`games.end_${kind}`), onclick: () => { s.confirming = true; render(); } });
  const endError = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const confirm = el('div', { class: 'game-confirm', role: 'group', 'data-testid': id('confirm') },
    el('p', { text: t('games.end_ask') }),
    el('div', { class: 'game-confirm-actions' },
      el('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': id('end-keep'), text: t('games.end_keep'),
        onclick: () => { s.confirming = false; render(); } }),
      el('button', { type: 'button', class: 'btn btn-danger', 'data-testid': id('end-yes'), text: t('games.end_yes'),
        onclick: end })));
  const head = el('div', { class: 'game-live-head' },
    el('span', { class: 'badge', 'data-testid': id('state') }), clockNode);
  const view = el('div', { class: 'game-live', 'data-testid': id('live') },
    head, liveQuestion, rowsNode, total, note, endButton, confirm, endError);
  const newTitle = el('h3', { class: 'game-new-title', text: t(`games.new_${kind}`) });
  ctx.mount.replaceChildren(view, newTitle, form);

  async function end(event) {
    const game = s.game;
    if (!game) return;
    const button = event.currentTarget;
    button.disabled = true;
    endError.hidden = true;
    try {
      set(await ctx.request('POST', `${base}/${encodeURIComponent(game.id)}/end`));
    } catch (err) {
      endError.textContent = err instanceof ApiError ? errorText(err.error) : t('err.generic');
      endError.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  const running = () => Boolean(s.game && s.game.status === 'running');

  function tick() {
    const left = s.game ? Number(s.game.ends_at_ms) - ctx.now() : 0;
    clockNode.textContent = running() ? (left > 0 ? clock(left) : t('games.closing')) : '';
  }

  function tally(game) {
    const votes = game.votes || {};
    const sum = Number(game.total) || 0;
    const right = game.correct_option_id || null;
    return (game.options || []).map((option) => {
      const n = Number(votes[option.id]) || 0;
      const bar = el('span', { class: 'game-tally-bar', 'aria-hidden': 'true' });
      bar.style.width = sum ? `${Math.round((100 * n) / sum)}%` : '0';
      const figures = quiz ? (option.id === right ? '✓' : '') : `${n} · ${percent(sum ? n / sum : 0)}`;
      return el('li', { class: `game-tally-row${option.id === right ? ' is-right' : ''}`,
        dataset: { option: option.id }, 'data-testid': id(`row-${option.id}`) },
      bar, el('span', { class: 'game-tally-text', text: option.text || '' }),
      el('span', { class: 'game-tally-n', text: figures }));
    });
  }

  function render() {
    const game = s.game;
    view.hidden = !game;
    const live = running();
    form.hidden = live;
    newTitle.hidden = live || !game;
    if (!live) s.confirming = false;
    if (!game) return;
    view.dataset.state = game.status;
    const badge = head.querySelector('.badge');
    badge.textContent = t(live ? 'games.running' : 'games.ended');
    badge.className = `badge ${live ? 'badge-live' : 'badge-ended'}`;
    liveQuestion.textContent = game.question || '';
    rowsNode.replaceChildren(...tally(game));
    if (quiz) {
      total.textContent = live || typeof game.correct !== 'number'
        ? plural('games.answers', Number(game.count) || 0)
        : `${plural('games.answers', Number(game.count) || 0)} · ${plural('games.correct', game.correct)}`;
      const known = rights.get(game.id);
      note.textContent = live && known ? t('games.answer_is', { answer: known }) : '';
    } else {
      total.textContent = plural('games.votes', Number(game.total) || 0);
      note.textContent = '';
    }
    note.hidden = !note.textContent;
    endButton.hidden = !live || s.confirming;
    confirm.hidden = !live || !s.confirming;
    if (!live) endError.hidden = true;
    tick();
  }

  function set(game) {
    clearInterval(s.timer);
    s.timer = null;
    const same = game && s.game && s.game.id === game.id;
    s.game = game && typeof game === 'object' ? { ...(same ? s.game : {}), ...game } : null;
    if (!same) s.confirming = false;
    if (running()) s.timer = setInterval(tick, TICK_MS);
    render();
    renderTemplates();
  }

  fill();
  renderTemplates();
  render();

  return {
    set,
    event(type, data) {
      const game = data[kind];
      if ((type === `${kind}.started` || type === `${kind}.ended`) && game && typeof game === 'object') {
        if (type === `${kind}.started` || (s.game && s.game.id === game.id)) set(game);
        return;
      }
      if (!s.game || s.game.status !== 'running' || data[`${kind}_id`] !== s.game.id) return;
      if (type === 'poll.results') Object.assign(s.game, { votes: data.votes || {}, total: Number(data.total) || 0 });
      else if (type === 'quiz.answers') s.game.count = Number(data.count) || 0;
      else return;
      render();
    },
    destroy() {
      clearInterval(s.timer);
      ctx.mount.replaceChildren();
    },
  };
}
