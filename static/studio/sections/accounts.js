// #/accounts (admin): every account with its role, status and creation date; create one with a password or
// invite it by email; change a role; suspend and restore (confirmed in the page); send an invitation again.
import { errorText, formatDate, lang, t } from '/static/i18n.js';
import { el } from '/static/ui.js';

const ROLES = ['seller', 'host', 'admin'];

export default {
  id: 'accounts',
  order: 80,
  roles: ['admin'],
  nav: 'accounts.nav',
  strings: {
    en: {
      'accounts.nav': 'Accounts',
      'accounts.about': 'Invite sellers and hosts, change roles, suspend.',
      'accounts.title': 'Accounts',
      'accounts.new': 'New account',
      'accounts.email': 'Email',
      'accounts.name': 'Name',
      'accounts.name_hint': 'Optional: the start of the email otherwise.',
      'accounts.role': 'Role',
      'accounts.how': 'How it signs in',
      'accounts.invite': 'Invite by email: it chooses its password',
      'accounts.with_password': 'I set a first password',
      'accounts.password': 'First password',
      'accounts.create': 'Create',
      'accounts.invited_toast': 'Invitation sent to {email}.',
      'accounts.created_toast': 'Account {email} created.',
      'accounts.empty': 'No account yet.',
      'accounts.created': 'Created {date}',
      'accounts.status.active': 'Active',
      'accounts.status.invited': 'Invited',
      'accounts.status.suspended': 'Suspended',
      'accounts.you': 'You',
      'accounts.role_label': 'Role of {email}',
      'accounts.role_confirm': 'Make {email} a {role}? Its current sign-ins end.',
      'accounts.role_ok': 'Change the role',
      'accounts.role_toast': '{email} is now a {role}.',
      'accounts.suspend': 'Suspend',
      'accounts.suspend_confirm': 'Suspend {email}? It is signed out everywhere at once and cannot sign in until restored.',
      'accounts.suspend_toast': '{email} is suspended.',
      'accounts.restore': 'Restore',
      'accounts.restore_confirm': 'Restore {email}? It can sign in again.',
      'accounts.restore_toast': '{email} can sign in again.',
      'accounts.resend': 'Send the invitation again',
      'accounts.resend_confirm': 'Send {email} a new invitation? The previous link stops working.',
      'accounts.resend_ok': 'Send',
    },
    fr: {
      'accounts.nav': 'Comptes',
      'accounts.about': 'Invitez vendeurs et animateurs, changez les rôles, suspendez.',
      'accounts.title': 'Comptes',
      'accounts.new': 'Nouveau compte',
      'accounts.email': 'E-mail',
      'accounts.name': 'Nom',
      'accounts.name_hint': 'Facultatif : sinon le début de l\'e-mail.',
      'accounts.role': 'Rôle',
      'accounts.how': 'Comment il se connecte',
      'accounts.invite': 'Invitation par e-mail : il choisit son mot de passe',
      'accounts.with_password': 'Je fixe un premier mot de passe',
      'accounts.password': 'Premier mot de passe',
      'accounts.create': 'Créer',
      'accounts.invited_toast': 'Invitation envoyée à {email}.',
      'accounts.created_toast': 'Compte {email} créé.',
      'accounts.empty': 'Aucun compte pour l\'instant.',
      'accounts.created': 'Créé le {date}',
      'accounts.status.active': 'Actif',
      'accounts.status.invited': 'Invité',
      'accounts.status.suspended': 'Suspendu',
      'accounts.you': 'Vous',
      'accounts.role_label': 'Rôle de {email}',
      'accounts.role_confirm': 'Donner à {email} le rôle {role} ? Ses connexions en cours prennent fin.',
      'accounts.role_ok': 'Changer le rôle',
      'accounts.role_toast': '{email} a maintenant le rôle {role}.',
      'accounts.suspend': 'Suspendre',
      'accounts.suspend_confirm': 'Suspendre {email} ? Il est déconnecté partout à l\'instant et ne peut plus se connecter avant d\'être rétabli.',
      'accounts.suspend_toast': '{email} est suspendu.',
      'accounts.restore': 'Rétablir',
      'accounts.restore_confirm': 'Rétablir {email} ? Il pourra se connecter à nouveau.',
      'accounts.restore_toast': '{email} peut se connecter à nouveau.',
      'accounts.resend': 'Renvoyer l\'invitation',
      'accounts.resend_confirm': 'Envoyer une nouvelle invitation à {email} ? Le lien précédent ne fonctionnera plus.',
      'accounts.resend_ok': 'Envoyer',
    },
  },
  async render(view, ctx) {
    const { items } = await ctx.api('GET', '/api/accounts');
    view.append(
      el('div', { class: 's-head' }, el('h1', { text: t('accounts.title') })),
      createForm(ctx),
      items.length
        ? el('ul', { class: 's-list', dataset: { testid: 'accounts-list' } }, items.map((account) => row(account, ctx)))
        : el('p', { class: 's-empty', text: t('accounts.empty') }),
    );
  },
};

function roleName(role) {
  return t(`studio.role.${role}`);
}

function status(account) {
  if (account.suspended_at) return 'suspended';
  return account.invited ? 'invited' : 'active';
}

function createForm(ctx) {
  const password = el('input', { class: 'field', id: 'account-password', name: 'password', type: 'password',
    minLength: 8, maxLength: 200, autocomplete: 'new-password', dataset: { testid: 'account-password' } });
  const passwordPart = el('div', { class: 's-form', hidden: true },
    el('label', { class: 'label', for: 'account-password', text: t('accounts.password') }), password);
  const how = (value, key) => el('label', { class: 'acc-choice' },
    el('input', { type: 'radio', name: 'how', value, checked: value === 'invite', dataset: { testid: `account-how-${value}` },
      onchange: () => {
        passwordPart.hidden = value !== 'password';
        password.required = value === 'password';
      } }),
    el('span', { text: t(key) }));
  const form = el('form', { class: 's-form panel acc-new', dataset: { testid: 'account-form' } },
    el('h2', { text: t('accounts.new') }),
    el('div', { class: 's-grid' },
      el('div', { class: 's-form' },
        el('label', { class: 'label', for: 'account-email', text: t('accounts.email') }),
        el('input', { class: 'field', id: 'account-email', name: 'email', type: 'email', required: true, maxLength: 254,
          autocomplete: 'off', dataset: { testid: 'account-email' } })),
      el('div', { class: 's-form' },
        el('label', { class: 'label', for: 'account-name', text: t('accounts.name') }),
        el('input', { class: 'field', id: 'account-name', name: 'name', maxLength: 100, autocomplete: 'off',
          placeholder: t('accounts.name_hint'), dataset: { testid: 'account-name' } }))),
    el('label', { class: 'label', for: 'account-role', text: t('accounts.role') }),
    el('select', { class: 'field', id: 'account-role', name: 'role', dataset: { testid: 'account-role' } },
      ROLES.map((role) => el('option', { value: role, text: roleName(role) }))),
    el('fieldset', { class: 'acc-how', dataset: { errorFor: 'how' } },
      el('legend', { class: 'label', text: t('accounts.how') }),
      how('invite', 'accounts.invite'), how('password', 'accounts.with_password')),
    passwordPart,
    el('p', { class: 'form-error', dataset: { testid: 'form-error' }, role: 'alert', hidden: true }),
    el('div', { class: 's-actions' }, el('button', { class: 'btn btn-primary', type: 'submit',
      dataset: { testid: 'account-submit' }, text: t('accounts.create') })));
  ctx.bindForm(form, {
    fields: { email_taken: 'email', invalid_email: 'email', weak_password: 'password' },
    submit: async (values) => {
      const email = values.email.trim();
      const body = { email, role: values.role, ...(values.name.trim() ? { name: values.name.trim() } : {}) };
      if (values.how === 'password') body.password = values.password;
      else body.lang = lang;
      await ctx.api('POST', '/api/accounts', { body });
      ctx.toast(t(values.how === 'password' ? 'accounts.created_toast' : 'accounts.invited_toast', { email }), 'success');
      ctx.refresh();
    },
  });
  return form;
}

/** One account: who, its role (a select for the others), its status, and what may be done. */
function row(account, ctx) {
  const self = ctx.user && account.id === ctx.user.id;
  const state = status(account);
  const email = account.email;
  /** Confirms, calls, says so, and renders the list again; a refusal is a toast. */
  const act = async (question, ok, danger, method, path, done, body) => {
    if (!await ctx.confirm(question, { confirm: ok, danger })) return false;
    try {
      await ctx.api(method, path, body ? { body } : {});
    } catch (err) {
      ctx.toast(err && err.error ? errorText(err.error) : t('err.generic'), 'error');
      return false;
    }
    ctx.toast(done, 'success');
    ctx.refresh();
    return true;
  };
  const role = el('select', { class: 'field acc-role', 'aria-label': t('accounts.role_label', { email }),
    disabled: self, dataset: { testid: 'account-role-select' } },
  ROLES.map((r) => el('option', { value: r, text: roleName(r), selected: r === account.role })));
  role.addEventListener('change', async () => {
    const name = roleName(role.value);
    const changed = await act(t('accounts.role_confirm', { email, role: name }), t('accounts.role_ok'), false, 'PUT',
      `/api/users/${encodeURIComponent(account.id)}/role`, t('accounts.role_toast', { email, role: name }),
      { role: role.value });
    if (!changed) role.value = account.role;
  });
  const id = encodeURIComponent(account.id);
  const buttons = [];
  if (state === 'invited') {
    buttons.push(el('button', { class: 'btn btn-small', type: 'button', dataset: { testid: 'account-resend' },
      text: t('accounts.resend'),
      onclick: () => act(t('accounts.resend_confirm', { email }), t('accounts.resend_ok'), false, 'POST',
        `/api/accounts/${id}/invite`, t('accounts.invited_toast', { email }), { lang }) }));
  }
  if (state === 'suspended') {
    buttons.push(el('button', { class: 'btn btn-small', type: 'button', dataset: { testid: 'account-restore' },
      text: t('accounts.restore'),
      onclick: () => act(t('accounts.restore_confirm', { email }), t('accounts.restore'), false, 'POST',
        `/api/accounts/${id}/restore`, t('accounts.restore_toast', { email })) }));
  } else if (!self) {
    buttons.push(el('button', { class: 'btn btn-small btn-danger', type: 'button', dataset: { testid: 'account-suspend' },
      text: t('accounts.suspend'),
      onclick: () => act(t('accounts.suspend_confirm', { email }), t('accounts.suspend'), true, 'POST',
        `/api/accounts/${id}/suspend`, t('accounts.suspend_toast', { email })) }));
  }
  return el('li', { class: 's-row acc-row', dataset: { testid: 'account-row', email, status: state } },
    el('div', { class: 'acc-who' },
      el('strong', { text: account.name }), self ? el('span', { class: 'badge', text: t('accounts.you') }) : null,
      el('span', { class: 'hint acc-email', text: email }),
      el('span', { class: 'hint', text: t('accounts.created', { date: formatDate(account.created_at,
        { day: 'numeric', month: 'short', year: 'numeric' }) }) })),
    el('span', { class: `badge acc-status acc-${state}`, dataset: { testid: 'account-status' },
      text: t(`accounts.status.${state}`) }),
    role,
    el('div', { class: 's-actions acc-actions' }, buttons));
}
