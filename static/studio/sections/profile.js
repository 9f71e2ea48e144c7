// #/profile: the signed-in account (name, email, role) and a new password (everyone signed in).
import { PASSWORD_STRINGS, passwordInputs } from '/static/studio/sections/choose-password.js';
import { t } from '/static/i18n.js';
import { el } from '/static/ui.js';

export default {
  id: 'profile',
  order: 90,
  roles: ['admin', 'seller', 'host', 'viewer', 'brand'],
  nav: 'profile.nav',
  strings: {
    en: {
      ...PASSWORD_STRINGS.en,
      'profile.nav': 'My account',
      'profile.about': 'Your name, email and password.',
      'profile.title': 'My account',
      'profile.name': 'Name',
      'profile.email': 'Email',
      'profile.role': 'Role',
      'profile.password_title': 'Change my password',
      'profile.password_hint': 'Your other sign-ins end; this one goes on.',
      'profile.current': 'Current password',
      'profile.submit': 'Change my password',
      'profile.done': 'Your password is changed.',
    },
    fr: {
      ...PASSWORD_STRINGS.fr,
      'profile.nav': 'Mon compte',
      'profile.about': 'Votre nom, votre e-mail et votre mot de passe.',
      'profile.title': 'Mon compte',
      'profile.name': 'Nom',
      'profile.email': 'E-mail',
      'profile.role': 'Rôle',
      'profile.password_title': 'Changer mon mot de passe',
      'profile.password_hint': 'Vos autres connexions prennent fin ; celle-ci continue.',
      'profile.current': 'Mot de passe actuel',
      'profile.submit': 'Changer mon mot de passe',
      'profile.done': 'Votre mot de passe est changé.',
    },
  },
  render(view, ctx) {
    const user = ctx.user;
    const facts = [['profile.name', user.name], ['profile.email', user.email], ['profile.role', t(`studio.role.${user.role}`)]];
    const form = el('form', { class: 's-form panel', dataset: { testid: 'profile-password-form' } },
      el('h2', { text: t('profile.password_title') }),
      el('p', { class: 'hint', text: t('profile.password_hint') }),
      el('label', { class: 'label', for: 'profile-current', text: t('profile.current') }),
      el('input', { class: 'field', id: 'profile-current', name: 'current_password', type: 'password', required: true,
        maxLength: 200, autocomplete: 'current-password', dataset: { testid: 'profile-current' } }),
      ...passwordInputs('new_password'),
      el('p', { class: 'form-error', dataset: { testid: 'form-error' }, role: 'alert', hidden: true }),
      el('button', { class: 'btn btn-primary btn-block', type: 'submit', dataset: { testid: 'profile-submit' },
        text: t('profile.submit') }));
    ctx.bindForm(form, {
      fields: { bad_credentials: 'current_password', weak_password: 'new_password' },
      submit: async (values, node) => {
        const body = { current_password: values.current_password, new_password: values.new_password };
        ctx.signedIn(await ctx.api('POST', '/api/auth/password', { body }));
        node.reset();
        ctx.toast(t('profile.done'), 'success');
      },
    });
    view.append(
      el('div', { class: 's-head' }, el('h1', { text: t('profile.title') })),
      el('dl', { class: 'panel s-facts', dataset: { testid: 'profile-facts' } },
        facts.flatMap(([key, value]) => [el('dt', { text: t(key) }), el('dd', { text: value || '' })])),
      form,
    );
  },
};
