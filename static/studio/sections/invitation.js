// #/invitation/<token>: an invited account chooses its password and is signed in (public: signed out).
import { PASSWORD_STRINGS, renderLinkPage } from '/static/studio/sections/choose-password.js';

export default {
  id: 'invitation',
  public: true,
  nav: null,
  strings: {
    en: {
      ...PASSWORD_STRINGS.en,
      'invitation.title': 'Welcome to Vitrine',
      'invitation.hint': 'Choose the password of your account to sign in.',
      'invitation.submit': 'Choose my password',
      'invitation.done': 'Your password is set: welcome!',
    },
    fr: {
      ...PASSWORD_STRINGS.fr,
      'invitation.title': 'Bienvenue sur Vitrine',
      'invitation.hint': 'Choisissez le mot de passe de votre compte pour vous connecter.',
      'invitation.submit': 'Choisir mon mot de passe',
      'invitation.done': 'Votre mot de passe est choisi : bienvenue !',
    },
  },
  render(view, ctx) {
    renderLinkPage(view, ctx, { prefix: 'invitation', path: '/api/auth/invitation' });
  },
};
