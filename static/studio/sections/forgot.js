// #/forgot: an email address → a reset link by mail, if an account has it (the page never says whether).
import { lang, t } from '/static/i18n.js';
import { el } from '/static/ui.js';

export default {
  id: 'forgot',
  public: true,
  nav: null,
  strings: {
    en: {
      'forgot.title': 'Forgot your password?',
      'forgot.hint': 'Give the email of your account: we send it a link to choose a new password.',
      'forgot.email': 'Email',
      'forgot.submit': 'Send me a link',
      'forgot.sent': 'If an account exists for {email}, a link is on its way. It works for an hour.',
      'forgot.back': 'Back to sign-in',
    },
    fr: {
      'forgot.title': 'Mot de passe oublié ?',
      'forgot.hint': 'Indiquez l\'e-mail de votre compte : nous lui envoyons un lien pour choisir un nouveau mot de passe.',
      'forgot.email': 'E-mail',
      'forgot.submit': 'M\'envoyer un lien',
      'forgot.sent': 'Si un compte existe pour {email}, un lien est en route. Il fonctionne pendant une heure.',
      'forgot.back': 'Retour à la connexion',
    },
  },
  render(view, ctx) {
    const sent = el('p', { class: 'panel', role: 'status', dataset: { testid: 'forgot-sent' }, hidden: true });
    const form = el('form', { class: 's-form panel', dataset: { testid: 'forgot-form' } },
      el('p', { class: 'hint', text: t('forgot.hint') }),
      el('label', { class: 'label', for: 'forgot-email', text: t('forgot.email') }),
      el('input', { class: 'field', id: 'forgot-email', name: 'email', type: 'email', required: true, maxLength: 254,
        autocomplete: 'username', value: ctx.user ? ctx.user.email : '', dataset: { testid: 'forgot-email' } }),
      el('p', { class: 'form-error', dataset: { testid: 'form-error' }, role: 'alert', hidden: true }),
      el('button', { class: 'btn btn-primary btn-block', type: 'submit', dataset: { testid: 'forgot-submit' },
        text: t('forgot.submit') }));
    ctx.bindForm(form, {
      submit: async (values) => {
        const email = values.email.trim();
        await ctx.api('POST', '/api/auth/reset', { body: { email, lang } });
        sent.textContent = t('forgot.sent', { email });
        sent.hidden = false;
        form.hidden = true;
      },
    });
    view.append(
      el('div', { class: 's-head' }, el('h1', { text: t('forgot.title') })),
      form, sent,
      el('p', { class: 's-links' }, el('a', { href: '#/', dataset: { testid: 'forgot-back' }, text: t('forgot.back') })),
    );
  },
};
