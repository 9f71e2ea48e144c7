// Choosing a password twice, from a mailed link (#/invitation/<token>, #/reset/<token>) or on the profile:
// what those forms share. Not a section (sections.js does not list it).
import { el } from '/static/ui.js';
import { t } from '/static/i18n.js';

export const PASSWORD_STRINGS = {
  en: {
    'password.new': 'New password',
    'password.again': 'The same password again',
    'password.hint': 'At least 8 characters.',
    'password.mismatch': 'The two passwords differ.',
    'password.no_token': 'This link is incomplete: open the link from the email again.',
  },
  fr: {
    'password.new': 'Nouveau mot de passe',
    'password.again': 'Le même mot de passe, à nouveau',
    'password.hint': 'Au moins 8 caractères.',
    'password.mismatch': 'Les deux mots de passe diffèrent.',
    'password.no_token': 'Ce lien est incomplet : rouvrez le lien de l\'e-mail.',
  },
};

/** The two inputs of a new password (named `name`, and `name`_again), checked against each other. */
export function passwordInputs(name = 'password') {
  const first = el('input', { class: 'field', id: `pw-${name}`, name, type: 'password', required: true, minLength: 8,
    maxLength: 200, autocomplete: 'new-password', dataset: { testid: `pw-${name}` } });
  const again = el('input', { class: 'field', id: `pw-${name}-again`, name: `${name}_again`, type: 'password',
    required: true, maxLength: 200, autocomplete: 'new-password', dataset: { testid: `pw-${name}-again` } });
  const check = () => again.setCustomValidity(again.value && again.value !== first.value ? t('password.mismatch') : '');
  first.addEventListener('input', check);
  again.addEventListener('input', check);
  return [
    el('label', { class: 'label', for: first.id, text: t('password.new') }), first,
    el('p', { class: 'hint', text: t('password.hint') }),
    el('label', { class: 'label', for: again.id, text: t('password.again') }), again,
  ];
}

/**
 * A page that takes a mailed link's token (ctx.params[0]) and a new password, posts them to `path` (which
 * answers a sign-in), keeps the sign-in and goes to the studio's home.
 */
export function renderLinkPage(view, ctx, { prefix, path }) {
  const token = ctx.params[0] || '';
  view.append(el('div', { class: 's-head' }, el('h1', { text: t(`${prefix}.title`) })));
  if (!token) {
    view.append(el('p', { class: 'form-error', dataset: { testid: 'link-missing' }, text: t('password.no_token') }));
    return;
  }
  const form = el('form', { class: 's-form panel', dataset: { testid: `${prefix}-form` } },
    el('p', { class: 'hint', text: t(`${prefix}.hint`) }),
    ...passwordInputs(),
    el('p', { class: 'form-error', dataset: { testid: 'form-error' }, role: 'alert', hidden: true }),
    el('button', { class: 'btn btn-primary btn-block', type: 'submit', dataset: { testid: `${prefix}-submit` },
      text: t(`${prefix}.submit`) }));
  ctx.bindForm(form, {
    submit: async (values) => {
      const answer = await ctx.api('POST', path, { body: { token, password: values.password } });
      ctx.signedIn(answer);
      ctx.toast(t(`${prefix}.done`), 'success');
      ctx.navigate('#/');
    },
  });
  view.append(form);
}
