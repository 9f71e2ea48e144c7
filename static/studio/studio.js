// The studio, /studio: where sellers, hosts and admins run their shop and their shows.
//
// Routes live in the URL's fragment, /studio#/<section>/<a>/<b>?k=v, so that secrets in links (an
// invitation's token) never reach a server log. The shell signs the user in (the session the host control
// room shares: /static/session.js), reads GET /api/auth/me, shows one navigation made of the sections the
// user's role may see, and renders the route's section.
//
// A section is a module in static/studio/sections/, listed in static/studio/sections.js:
//   export default {
//     id: 'products',               // its route: #/products, #/products/new, #/products/<id>…
//     order: 20,                    // its place in the navigation (smaller first; 50 when absent)
//     roles: ['seller', 'admin'],   // who may open it
//     public: false,                // true: it renders signed out too (invitation, reset, forgot)
//     nav: 'products.nav',          // the i18n key of its navigation entry; null: reached by links only
//     strings: { en: {...}, fr: {...} },
//     async render(view, ctx) {…},  // fills `view`; may return a cleanup function
//   };
// ctx: user, params (the route's segments after the id), query (URLSearchParams), api(method, path,
// {body, headers, raw}) (signs in again and retries when the token has ended; a FormData body goes as
// multipart; raw answers the Response), download(path, filename), navigate(hash), refresh(),
// confirm(text, {confirm, danger}) → Promise<boolean>, bindForm(form, {submit, fields}), toast(text, kind),
// signedIn(answer): keeps a sign-in a section received (an invitation, a reset, a new password).
import { ApiError, api as request } from '/static/api.js';
import { addStrings, applyI18n, errorText, formatDate, t } from '/static/i18n.js';
import { SESSION_KEY, readSession, writeSession } from '/static/session.js';
import * as registry from '/static/studio/sections.js';
import { el, toast } from '/static/ui.js';

const $ = (id) => document.getElementById(id);
const SECTIONS = Object.values(registry).sort((a, b) => (a.order ?? 50) - (b.order ?? 50) || a.id.localeCompare(b.id));
/** The codes of a token that no longer opens anything: the user signs in again. */
const ENDED = new Set(['auth_required', 'bad_token', 'token_expired', 'token_revoked', 'unauthorized']);
/** How often an open studio asks who it is (a suspension or a role change shows without a click). */
const CHECK_MS = 30_000;

addStrings({
  en: {
    'studio.title': 'Vitrine studio',
    'studio.nav': 'Studio',
    'studio.signin_title': 'Sign in to the studio',
    'studio.signin_hint': 'Sellers, hosts and admins run their shop and their shows here.',
    'studio.email': 'Email',
    'studio.password': 'Password',
    'studio.signin': 'Sign in',
    'studio.signout': 'Sign out',
    'studio.forgot': 'Forgot your password?',
    'studio.cancel': 'Cancel',
    'studio.confirm': 'Confirm',
    'studio.again_title': 'Sign in again',
    'studio.again_hint': 'Your session has ended. Sign in to go on where you were.',
    'studio.home': 'Home',
    'studio.home_title': 'Hello {name}',
    'studio.home_hint': 'What would you like to do?',
    'studio.not_yours': 'This page is not open to your account.',
    'studio.not_found': 'This page does not exist.',
    'studio.back_home': 'Back to the studio',
    'studio.loading': 'Loading…',
    'studio.suspended': 'This account is suspended. Ask an admin.',
    'studio.role.admin': 'Admin',
    'studio.role.seller': 'Seller',
    'studio.role.host': 'Host',
    'studio.role.viewer': 'Viewer',
    'studio.role.brand': 'Brand',
    'studio.viewer_note': 'This account has no studio pages: ask an admin for a seller or host account.',
    'studio.invalid.missing': 'Required.',
    'studio.invalid.string_too_short': 'At least {min_length} characters.',
    'studio.invalid.string_too_long': 'At most {max_length} characters.',
    'studio.invalid.too_short': 'At least {min_length}.',
    'studio.invalid.too_long': 'At most {max_length}.',
    'studio.invalid.greater_than_equal': 'At least {ge}.',
    'studio.invalid.greater_than': 'More than {gt}.',
    'studio.invalid.less_than_equal': 'At most {le}.',
    'studio.invalid.less_than': 'Less than {lt}.',
    'studio.invalid.string_pattern_mismatch': 'Not in the expected form.',
    'studio.invalid.int_parsing': 'A whole number, please.',
    'studio.invalid.int_type': 'A whole number, please.',
    'studio.invalid.datetime_parsing': 'A date and time, please.',
    'studio.invalid.browser': 'Check this field.',
    'studio.invalid.email': 'An email address, like name@example.com.',
    'studio.invalid.number': 'A number, please.',
    'studio.invalid.not_before': 'Not before {when}.',
    'studio.invalid.not_after': 'Not after {when}.',
  },
  fr: {
    'studio.title': 'Studio Vitrine',
    'studio.nav': 'Studio',
    'studio.signin_title': 'Connexion au studio',
    'studio.signin_hint': 'Vendeurs, animateurs et administrateurs gèrent ici leur boutique et leurs émissions.',
    'studio.email': 'E-mail',
    'studio.password': 'Mot de passe',
    'studio.signin': 'Se connecter',
    'studio.signout': 'Se déconnecter',
    'studio.forgot': 'Mot de passe oublié ?',
    'studio.cancel': 'Annuler',
    'studio.confirm': 'Confirmer',
    'studio.again_title': 'Reconnectez-vous',
    'studio.again_hint': 'Votre session a pris fin. Reconnectez-vous pour reprendre où vous en étiez.',
    'studio.home': 'Accueil',
    'studio.home_title': 'Bonjour {name}',
    'studio.home_hint': 'Que voulez-vous faire ?',
    'studio.not_yours': 'Cette page n\'est pas ouverte à votre compte.',
    'studio.not_found': 'Cette page n\'existe pas.',
    'studio.back_home': 'Retour au studio',
    'studio.loading': 'Chargement…',
    'studio.suspended': 'Ce compte est suspendu. Adressez-vous à un administrateur.',
    'studio.role.admin': 'Administrateur',
    'studio.role.seller': 'Vendeur',
    'studio.role.host': 'Animateur',
    'studio.role.viewer': 'Spectateur',
    'studio.role.brand': 'Marque',
    'studio.viewer_note': 'Ce compte n\'a pas de pages dans le studio : demandez un compte vendeur ou animateur à un administrateur.',
    'studio.invalid.missing': 'Obligatoire.',
    'studio.invalid.string_too_short': 'Au moins {min_length} caractères.',
    'studio.invalid.string_too_long': 'Au plus {max_length} caractères.',
    'studio.invalid.too_short': 'Au moins {min_length}.',
    'studio.invalid.too_long': 'Au plus {max_length}.',
    'studio.invalid.greater_than_equal': 'Au moins {ge}.',
    'studio.invalid.greater_than': 'Plus de {gt}.',
    'studio.invalid.less_than_equal': 'Au plus {le}.',
    'studio.invalid.less_than': 'Moins de {lt}.',
    'studio.invalid.string_pattern_mismatch': 'Pas dans la forme attendue.',
    'studio.invalid.int_parsing': 'Un nombre entier, s\'il vous plaît.',
    'studio.invalid.int_type': 'Un nombre entier, s\'il vous plaît.',
    'studio.invalid.datetime_parsing': 'Une date et une heure, s\'il vous plaît.',
    'studio.invalid.browser': 'Vérifiez ce champ.',
    'studio.invalid.email': 'Une adresse e-mail, comme nom@exemple.fr.',
    'studio.invalid.number': 'Un nombre, s\'il vous plaît.',
    'studio.invalid.not_before': 'Pas avant le {when}.',
    'studio.invalid.not_after': 'Pas après le {when}.',
  },
});
for (const section of SECTIONS) addStrings(section.strings);

const state = {
  session: readSession(),
  user: null,
  cleanup: null,
  again: null, // the pending "sign in again": a promise every ended call waits on
  rendering: 0,
};

applyI18n();

// --- the route --------------------------------------------------------------------------------------

/** '#/orders/o_1?status=paid' → {id: 'orders', params: ['o_1'], query}. '#/' and '' → home. */
function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map((part) => {
    try { return decodeURIComponent(part); } catch { return part; }
  });
  return { id: parts[0] || 'home', params: parts.slice(1), query: new URLSearchParams(search) };
}

function allowed(section, user) {
  if (section.public) return true;
  return Boolean(user) && (section.roles || []).includes(user.role);
}

// --- HTTP -------------------------------------------------------------------------------------------

/** A call with the user's token; a token that has ended asks for a sign-in, then the call runs again. */
async function call(method, path, { body, headers = {}, raw = false } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send(method, path, { body, headers, raw });
    } catch (err) {
      const ended = err instanceof ApiError && err.status === 401 && ENDED.has(err.error.code);
      if (!ended || !state.session || attempt > 0) throw err;
      await signInAgain(err.error); // throws when the user gives up or another account signs in
    }
  }
}

function send(method, path, { body, headers, raw }) {
  const token = state.session ? state.session.token : null;
  return request(method, path, { body, headers, token, raw, timeoutMs: 0 });
}

/** Downloads what `path` answers (a CSV, a PDF) as a file named by the server, else `filename`. */
async function download(path, filename) {
  const response = await call('GET', path, { raw: true });
  const disposition = response.headers.get('content-disposition') || '';
  const named = /filename="?([^";]+)"?/i.exec(disposition);
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { href: url, download: named ? named[1] : filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// --- signing in, again, and out ---------------------------------------------------------------------

/** Signs in with the form's email and password: the session is kept, the user read. */
async function signIn(email, password) {
  const answer = await request('POST', '/api/auth/token', { body: { email, password } });
  state.session = writeSession(answer);
  state.user = answer.user || null;
  return answer;
}

/** The "sign in again" sheet, once for every call that met the ended token: resolves when the same
 *  account is back (the calls run again); rejects when the user signs out or another account signs in. */
function signInAgain(error) {
  if (state.again) return state.again;
  const dialog = $('again');
  const form = $('again-form');
  const before = state.user;
  $('again-email').value = before ? before.email : '';
  $('again-password').value = '';
  $('again-why').textContent = error && error.code !== 'token_expired' && error.code !== 'auth_required'
    ? errorText(error) : t('studio.again_hint');
  state.again = new Promise((resolve, reject) => {
    const done = () => {
      form.onsubmit = null;
      $('again-cancel').onclick = null;
      dialog.oncancel = null;
      if (dialog.open) dialog.close();
      state.again = null;
    };
    const giveUp = () => {
      done();
      signOut();
      reject(error instanceof ApiError ? error : new ApiError(401, error));
    };
    bindForm(form, {
      submit: async (values) => {
        const answer = await signIn(values.email.trim(), values.password);
        done();
        if (before && answer.user && answer.user.id !== before.id) {
          reject(new ApiError(401, { code: 'signed_in_as_another' }));
          showStudio(); // another account: its own studio, from home
          return;
        }
        resolve();
      },
    });
    $('again-cancel').onclick = giveUp;
    dialog.oncancel = (event) => event.preventDefault(); // Escape does not drop the work under the sheet
  });
  dialog.showModal();
  $(before ? 'again-password' : 'again-email').focus();
  return state.again;
}

function signOut(message) {
  if (state.session) request('POST', '/api/auth/signout', { token: state.session.token, timeoutMs: 5000 }).catch(() => {});
  forget(message);
}

/** Forgets the sign-in here (the other tabs follow), and shows the sign-in form. */
function forget(message) {
  state.session = null;
  state.user = null;
  writeSession(null);
  render();
  if (message) showFormError($('signin-form'), message);
}

// Another tab signed in or out: this one follows.
window.addEventListener('storage', (event) => {
  if (event.key !== SESSION_KEY && event.key !== null) return;
  const session = readSession();
  if (!session) {
    if (state.session) forget();
    return;
  }
  if (!state.session || session.token !== state.session.token) {
    state.session = session;
    showStudio();
  }
});

$('signout').addEventListener('click', () => signOut());

bindForm($('signin-form'), {
  submit: async (values) => {
    await signIn(values.email.trim(), values.password);
    $('signin-password').value = '';
    showStudio();
  },
});

/** Reads who is signed in, then renders: the entry after a sign-in, a reload or another tab's change. */
async function showStudio() {
  if (!state.session) {
    render();
    return;
  }
  try {
    state.user = await request('GET', '/api/auth/me', { token: state.session.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      forget(ENDED.has(err.error.code) ? null : errorText(err.error));
      return;
    }
    if (err instanceof ApiError && err.status === 403) {
      forget(errorText(err.error));
      return;
    }
    banner(errorText(err instanceof ApiError ? err.error : null));
    return;
  }
  banner(null);
  render();
}

// An open studio hears of a suspension or a role change: when it comes back to the front, and now and then.
async function recheck() {
  if (!state.session || !state.user || state.again || document.hidden) return;
  try {
    const user = await request('GET', '/api/auth/me', { token: state.session.token });
    if (user.role !== state.user.role || user.id !== state.user.id) {
      state.user = user;
      render();
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && ENDED.has(err.error.code)) {
      signInAgain(err.error).then(() => showStudio(), () => {});
    } else if (err instanceof ApiError && err.status === 403) {
      forget(errorText(err.error));
    }
  }
}
document.addEventListener('visibilitychange', recheck);
setInterval(recheck, CHECK_MS);

// --- the page ---------------------------------------------------------------------------------------

function banner(text) {
  $('banner').hidden = !text;
  $('banner').textContent = text || '';
}

function roleName(role) {
  return t(`studio.role.${role}`);
}

function renderNav(current) {
  const nav = $('nav');
  const user = state.user;
  const entries = SECTIONS.filter((s) => s.nav && !s.public && allowed(s, user));
  nav.replaceChildren(...[{ id: 'home', nav: 'studio.home' }, ...entries].map((s) => el('a', {
    class: 's-nav-link', href: `#/${s.id}`, 'aria-current': s.id === current ? 'page' : undefined,
    dataset: { testid: `nav-${s.id}` }, text: t(s.nav),
  })));
  nav.hidden = !user;
  // on a phone the navigation is one row that scrolls sideways: the current entry is scrolled into it
  const active = nav.querySelector('[aria-current="page"]');
  if (user && active) {
    const [box, row] = [active.getBoundingClientRect(), nav.getBoundingClientRect()];
    if (box.left < row.left || box.right > row.right) nav.scrollLeft += box.left - row.left - (row.width - box.width) / 2;
  }
  $('who').hidden = !user;
  if (user) {
    // a long name is cut in the bar, the role after it stays in sight
    $('user').replaceChildren(el('span', { class: 's-user-name', text: user.name || user.email }),
      el('span', { class: 's-user-role', text: ` · ${roleName(user.role)}` }));
    $('user').dataset.role = user.role;
  }
}

/** Home: a card for each section the role opens. */
function renderHome(view) {
  const user = state.user;
  const entries = SECTIONS.filter((s) => s.nav && !s.public && allowed(s, user));
  view.append(
    el('div', { class: 's-head' }, el('h1', { text: t('studio.home_title', { name: user.name || user.email }) })),
    entries.length
      ? el('p', { class: 'hint', text: t('studio.home_hint') })
      : el('p', { class: 'hint', dataset: { testid: 'viewer-note' }, text: t('studio.viewer_note') }),
    el('div', { class: 's-cards' }, entries.map((s) => el('a', {
      class: 's-card', href: `#/${s.id}`, dataset: { testid: `home-${s.id}` },
    }, el('strong', { text: t(s.nav) }), s.strings && t(`${s.id}.about`) !== `${s.id}.about`
      ? el('span', { class: 'hint', text: t(`${s.id}.about`) }) : null))),
  );
}

function renderRefusal(view, key) {
  view.append(el('div', { class: 'panel s-refusal', dataset: { testid: 'studio-refusal' } },
    el('p', { text: t(key) }), el('a', { class: 'btn', href: '#/', text: t('studio.back_home') })));
}

/** Renders the route: the sign-in form, a section, or why not. */
async function render() {
  const ticket = ++state.rendering;
  if (typeof state.cleanup === 'function') {
    try { state.cleanup(); } catch (err) { console.error(err); }
  }
  state.cleanup = null;
  const { id, params, query } = route();
  const section = SECTIONS.find((s) => s.id === id);
  const view = $('view');
  view.replaceChildren();
  view.dataset.section = id;
  renderNav(id);
  const signedIn = Boolean(state.session && state.user);
  if (!signedIn && !(section && section.public)) {
    $('signin').hidden = false;
    view.hidden = true;
    $('signin-email').focus({ preventScroll: true });
    return;
  }
  $('signin').hidden = true;
  view.hidden = false;
  if (id === 'home') {
    renderHome(view);
    return;
  }
  if (!section) {
    renderRefusal(view, 'studio.not_found');
    return;
  }
  if (!allowed(section, state.user)) {
    renderRefusal(view, 'studio.not_yours');
    return;
  }
  try {
    const cleanup = await section.render(view, context(params, query));
    if (ticket !== state.rendering) {
      if (typeof cleanup === 'function') cleanup();
      return;
    }
    state.cleanup = cleanup || null;
    applyI18n(view);
  } catch (err) {
    if (ticket !== state.rendering) return;
    if (!(err instanceof ApiError)) console.error(err);
    view.append(el('p', { class: 'form-error', role: 'alert', dataset: { testid: 'view-error' },
      text: err instanceof ApiError ? errorText(err.error) : t('err.generic') }));
  }
}

function context(params, query) {
  return {
    user: state.user,
    params,
    query,
    api: call,
    download,
    navigate: (hash) => {
      if (location.hash === hash) render();
      else location.hash = hash;
    },
    refresh: () => render(),
    signedIn: (answer) => {
      state.user = answer.user || state.user;
      state.session = writeSession({ ...answer, user: state.user });
    },
    confirm,
    bindForm,
    toast,
  };
}

window.addEventListener('hashchange', () => {
  if (!state.again) render();
});

// --- confirmations ----------------------------------------------------------------------------------

/** An in-page confirmation: resolves true on Confirm, false on Cancel or Escape. */
function confirm(text, { confirm: label, danger = false } = {}) {
  const dialog = $('confirm');
  $('confirm-text').textContent = text;
  const ok = $('confirm-ok');
  ok.textContent = label || t('studio.confirm');
  ok.className = `btn ${danger ? 'btn-danger' : 'btn-primary'}`;
  return new Promise((resolve) => {
    dialog.returnValue = '';
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    ok.focus();
  });
}

// --- forms ------------------------------------------------------------------------------------------

/** The form's named values: one string per name, an array where a name repeats; files as File. */
function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form)) {
    if (name in values) values[name] = [].concat(values[name], value);
    else values[name] = value;
  }
  return values;
}

function clearErrors(form) {
  for (const node of form.querySelectorAll('.field-error')) node.remove();
  for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
  const line = form.querySelector('.form-error');
  if (line) {
    line.hidden = true;
    line.textContent = '';
  }
}

function showFormError(form, text) {
  let line = form.querySelector('.form-error');
  if (!line) {
    line = el('p', { class: 'form-error', role: 'alert', dataset: { testid: 'form-error' } });
    form.append(line);
  }
  line.textContent = text;
  line.hidden = false;
}

/** The input named `name` (the first of a group), or the place a section marked with data-error-for. */
function fieldNode(form, name) {
  const marked = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (marked) return marked;
  const found = form.elements.namedItem(name);
  if (!found) return null;
  return found instanceof RadioNodeList ? found[0] : found;
}

/** Shows `text` next to the field `name`; false when the form has no such field. */
function showFieldError(form, name, text) {
  const node = fieldNode(form, name);
  if (!node) return false;
  if (node.matches('input, select, textarea')) node.setAttribute('aria-invalid', 'true');
  const message = el('p', { class: 'field-error', role: 'alert', dataset: { testid: `error-${name}` }, text });
  if (node.matches('[data-error-for]')) node.append(message);
  else node.insertAdjacentElement('afterend', message);
  return true;
}

/** A refused field's sentence: ours for its type (with its limits), else the server's. */
function detailText(detail) {
  const key = `studio.invalid.${detail.type}`;
  const text = t(key, detail.ctx || {});
  return text !== key && !/\{\w+\}/.test(text) ? text : detail.message || t('err.generic');
}

/** Where a refused API field goes: the section's map, the field itself, else its shorter prefixes. */
function placeDetail(form, detail, fields) {
  const path = String(detail.field || '').replace(/^body\./, '');
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n -= 1) {
    const name = parts.slice(0, n).join('.');
    const target = fields[name] || name;
    if (showFieldError(form, target, detailText(detail))) return true;
  }
  return false;
}

/**
 * What the browser finds wrong with a field, in the page's language (the browser's own validationMessage is in
 * the browser's language, not the page's): the sentences the API's refusals use, with the field's limits.
 */
function validityText(node) {
  const v = node.validity;
  const dated = { date: { dateStyle: 'medium' }, 'datetime-local': { dateStyle: 'medium', timeStyle: 'short' } }[node.type];
  if (dated && v.rangeUnderflow) return t('studio.invalid.not_before', { when: formatDate(node.min, dated) });
  if (dated && v.rangeOverflow) return t('studio.invalid.not_after', { when: formatDate(node.max, dated) });
  if (v.valueMissing) return t('studio.invalid.missing');
  if (v.tooShort) return t('studio.invalid.string_too_short', { min_length: node.minLength });
  if (v.tooLong) return t('studio.invalid.string_too_long', { max_length: node.maxLength });
  if (v.rangeUnderflow) return t('studio.invalid.greater_than_equal', { ge: node.min });
  if (v.rangeOverflow) return t('studio.invalid.less_than_equal', { le: node.max });
  // a field that says what its form is (data-pattern-hint: a key of its section's strings) says it
  if ((v.typeMismatch || v.patternMismatch) && node.dataset.patternHint) return t(node.dataset.patternHint);
  if (v.typeMismatch && node.type === 'email') return t('studio.invalid.email');
  if (v.badInput && node.type === 'number') return t('studio.invalid.number');
  if (v.stepMismatch && node.type === 'number' && node.step === '1') return t('studio.invalid.int_parsing');
  if (v.patternMismatch) return t('studio.invalid.string_pattern_mismatch');
  return t('studio.invalid.browser');
}

/**
 * Binds a form: submit clears its errors, checks the inputs as the browser can (their limits are the API's),
 * runs `submit(values, form)` with its buttons disabled, and shows a refusal by the field it concerns.
 */
function bindForm(form, { submit, fields = {} }) {
  form.noValidate = true;
  form.onsubmit = async (event) => {
    event.preventDefault();
    clearErrors(form);
    const invalid = [...form.elements].filter((node) => node.willValidate && !node.checkValidity());
    if (invalid.length) {
      for (const node of invalid) {
        if (node.name) showFieldError(form, node.name, validityText(node));
      }
      invalid[0].focus();
      return;
    }
    const buttons = [...form.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    try {
      await submit(formValues(form), form);
    } catch (err) {
      if (!(err instanceof ApiError)) {
        console.error(err);
        showFormError(form, t('err.generic'));
        return;
      }
      const error = err.error || {};
      let placed = false;
      if (Array.isArray(error.details)) {
        for (const detail of error.details) placed = placeDetail(form, detail, fields) || placed;
      }
      if (!placed && error.code && fields[error.code]) placed = showFieldError(form, fields[error.code], errorText(error));
      if (!placed) showFormError(form, errorText(error));
      const first = form.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
    } finally {
      for (const button of buttons) if (button.isConnected) button.disabled = false;
    }
  };
}

showStudio();
