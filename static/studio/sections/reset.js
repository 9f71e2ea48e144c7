// #/reset/<token>: a new password from a reset link; every other sign-in of the account ends (public).
import { PASSWORD_STRINGS, renderLinkPage } from '/static/studio/sections/choose-password.js';

export default {
  id: 'reset',
  public: true,
  nav: null,
  strings: {
    en: {
      ...PASSWORD_STRINGS.en,
      'reset.title': 'Choose a new password',
      'reset.hint': 'Your other sign-ins end when you save it.',
      'reset.submit': 'Save my new password',
      'reset.done': 'Your new password is saved.',
    },
    fr: {
      ...PASSWORD_STRINGS.fr,
      'reset.title': 'Choisissez un nouveau mot de passe',
      'reset.hint': 'Vos autres connexions prennent fin quand vous l\'enregistrez.',
      'reset.submit': 'Enregistrer mon nouveau mot de passe',
      'reset.done': 'Votre nouveau mot de passe est enregistré.',
    },
  },
  render(view, ctx) {
    renderLinkPage(view, ctx, { prefix: 'reset', path: '/api/auth/reset/confirm' });
  },
};
