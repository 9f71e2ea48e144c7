// Every visible string of the pages, in English and French, chosen by navigator.language.
// In HTML: data-i18n="key" sets textContent, data-i18n-placeholder / data-i18n-aria / data-i18n-title
// set those attributes. In JS: t('key', {n: 3}).

const STRINGS = {
  en: {
    'app.name': 'Vitrine',
    'conn.connecting': 'Connecting…',
    'conn.reconnecting': 'Reconnecting…',
    'conn.live': 'Connected',
    'conn.gone': 'This show does not exist',
    'conn.closed': 'Disconnected',
    'status.live': 'LIVE',
    'status.scheduled': 'Soon',
    'status.ended': 'Ended',
    'viewers.label': 'People watching',
    'stage.starting': 'The stream is starting…',
    'stage.scheduled': 'The show starts soon',
    'stage.ended': 'This show has ended. Thanks for watching!',
    'stage.gone': 'This show does not exist.',
    'sound.on': 'Tap for sound',
    'sound.off': 'Mute',
    'product.none': 'A product will be presented soon',
    'product.size': 'Size',
    'product.only_left': 'Only {n} left',
    'product.sold_out': 'Sold out',
    'product.buy': 'Buy',
    'product.buy_soon': 'Buying opens soon',
    'product.soon': 'Soon',
    'product.sold': '{n} just sold!',
    'product.image': 'Photo of {title}',
    'chat.title': 'Chat',
    'chat.placeholder': 'Say something…',
    'chat.send': 'Send',
    'chat.empty': 'No messages yet. Say hi!',
    'chat.name_title': 'Pick a display name',
    'chat.name_hint': 'It is shown next to your messages.',
    'chat.name_placeholder': 'Your name',
    'chat.name_save': 'Join the chat',
    'chat.cancel': 'Cancel',
    'chat.offline': 'Not connected: your message was not sent',
    'chat.deleted': 'Message removed',
    'react.group': 'Reactions',
    'react.label': 'React: {kind}',
    'react.heart': 'Heart',
    'react.fire': 'Fire',
    'react.clap': 'Applause',
    'react.laugh': 'Laugh',
    'react.wow': 'Wow',
    'err.name_required': 'Pick a display name to chat.',
    'err.invalid_name': 'This display name is not valid.',
    'err.name_too_long': 'This display name is too long.',
    'err.invalid_text': 'Write something first.',
    'err.text_too_long': 'This message is too long.',
    'err.muted': 'The host has muted you in this show.',
    'err.blocked_word': 'Your message has a word this show does not allow.',
    'err.rate_limited': 'Slow down a little.',
    'err.show_ended': 'This show has ended.',
    'err.show_not_found': 'This show does not exist.',
    'err.show_not_live': 'The show is not live.',
    'err.not_show_host': 'Only this show\'s host may do this.',
    'err.bad_credentials': 'Wrong email or password.',
    'err.too_many_attempts': 'Too many failed sign-ins: try again in a few minutes.',
    'err.token_expired': 'Your session has expired: sign in again.',
    'err.bad_token': 'Your session is not valid: sign in again.',
    'err.network': 'The server cannot be reached. Check your connection.',
    'err.generic': 'Something went wrong.',
    'host.title': 'Host studio',
    'host.signin_title': 'Sign in to host',
    'host.signin_hint': 'Use the host account of this show.',
    'host.email': 'Email',
    'host.password': 'Password',
    'host.signin': 'Sign in',
    'host.signout': 'Sign out',
    'host.open_player': 'Viewer page',
    'host.controls': 'Show',
    'host.start': 'Go live',
    'host.end': 'End show',
    'host.end_confirm': 'Tap again to end',
    'host.viewers': 'Viewers',
    'host.reactions': 'Reactions',
    'host.products': 'Products',
    'host.no_products': 'This show has no products.',
    'host.pin': 'Pin',
    'host.unpin': 'Unpin',
    'host.pinned': 'Pinned',
    'host.in_stock': '{n} in stock',
    'host.chat': 'Chat moderation',
    'host.delete': 'Delete',
    'host.mute': 'Mute',
    'host.unmute': 'Unmute',
    'host.muted': 'muted',
    'host.blocklist': 'Blocked words',
    'host.blocklist_hint': 'One word or phrase per line. Chat messages containing them are refused.',
    'host.save': 'Save',
    'host.saved': 'Saved',
    'host.not_host': 'You are signed in, but not as this show\'s host.',
    'landing.title': 'Vitrine: live shopping on your own server',
    'landing.tagline': 'Live-stream shopping, on your own server.',
    'landing.lead': 'Vitrine runs live shows where a host presents products on video while viewers react, chat and buy, and links them to pop-up stores with QR codes.',
    'landing.f1.title': 'Live shows',
    'landing.f1.text': 'Pin a product and every viewer sees it at once, with sizes and live stock.',
    'landing.f2.title': 'Chat and reactions',
    'landing.f2.text': 'Floating hearts, a moderated chat, blocked words and mutes.',
    'landing.f3.title': 'Pop-up stores',
    'landing.f3.text': 'QR labels that open a phone checkout, with scans and orders counted.',
    'landing.f4.title': 'Yours to run',
    'landing.f4.text': 'One process on SQLite, or many behind Redis and PostgreSQL.',
    'landing.open_title': 'Open a show',
    'landing.show_id': 'Show id',
    'landing.watch': 'Watch',
    'landing.host': 'Host',
    'landing.demo': 'Try it: run “python -m server demo” and open the links it prints.',
    'landing.api': 'API description (OpenAPI)',
    'landing.health': 'Health check',
    'landing.metrics': 'Metrics',
  },
  fr: {
    'app.name': 'Vitrine',
    'conn.connecting': 'Connexion…',
    'conn.reconnecting': 'Reconnexion…',
    'conn.live': 'Connecté',
    'conn.gone': 'Cette émission n\'existe pas',
    'conn.closed': 'Déconnecté',
    'status.live': 'EN DIRECT',
    'status.scheduled': 'Bientôt',
    'status.ended': 'Terminé',
    'viewers.label': 'Spectateurs',
    'stage.starting': 'Le direct va commencer…',
    'stage.scheduled': 'L\'émission commence bientôt',
    'stage.ended': 'Cette émission est terminée. Merci d\'avoir regardé !',
    'stage.gone': 'Cette émission n\'existe pas.',
    'sound.on': 'Activer le son',
    'sound.off': 'Couper le son',
    'product.none': 'Un produit sera bientôt présenté',
    'product.size': 'Taille',
    'product.only_left': 'Plus que {n}',
    'product.sold_out': 'Épuisé',
    'product.buy': 'Acheter',
    'product.buy_soon': 'Achat bientôt disponible',
    'product.soon': 'Bientôt',
    'product.sold': '{n} vendu(s) à l\'instant !',
    'product.image': 'Photo : {title}',
    'chat.title': 'Discussion',
    'chat.placeholder': 'Écrire un message…',
    'chat.send': 'Envoyer',
    'chat.empty': 'Pas encore de message. Dites bonjour !',
    'chat.name_title': 'Choisissez un pseudo',
    'chat.name_hint': 'Il s\'affiche à côté de vos messages.',
    'chat.name_placeholder': 'Votre pseudo',
    'chat.name_save': 'Rejoindre la discussion',
    'chat.cancel': 'Annuler',
    'chat.offline': 'Hors ligne : votre message n\'est pas parti',
    'chat.deleted': 'Message supprimé',
    'react.group': 'Réactions',
    'react.label': 'Réagir : {kind}',
    'react.heart': 'Cœur',
    'react.fire': 'Feu',
    'react.clap': 'Bravo',
    'react.laugh': 'Rire',
    'react.wow': 'Waouh',
    'err.name_required': 'Choisissez un pseudo pour discuter.',
    'err.invalid_name': 'Ce pseudo n\'est pas valide.',
    'err.name_too_long': 'Ce pseudo est trop long.',
    'err.invalid_text': 'Écrivez d\'abord quelque chose.',
    'err.text_too_long': 'Ce message est trop long.',
    'err.muted': 'L\'animateur vous a rendu muet pour cette émission.',
    'err.blocked_word': 'Votre message contient un mot interdit dans cette émission.',
    'err.rate_limited': 'Doucement, un peu moins vite.',
    'err.show_ended': 'Cette émission est terminée.',
    'err.show_not_found': 'Cette émission n\'existe pas.',
    'err.show_not_live': 'L\'émission n\'est pas en direct.',
    'err.not_show_host': 'Seul l\'animateur de cette émission peut faire cela.',
    'err.bad_credentials': 'E-mail ou mot de passe incorrect.',
    'err.too_many_attempts': 'Trop d\'échecs de connexion : réessayez dans quelques minutes.',
    'err.token_expired': 'Votre session a expiré : reconnectez-vous.',
    'err.bad_token': 'Votre session n\'est pas valide : reconnectez-vous.',
    'err.network': 'Le serveur est injoignable. Vérifiez votre connexion.',
    'err.generic': 'Une erreur s\'est produite.',
    'host.title': 'Studio animateur',
    'host.signin_title': 'Connexion animateur',
    'host.signin_hint': 'Utilisez le compte animateur de cette émission.',
    'host.email': 'E-mail',
    'host.password': 'Mot de passe',
    'host.signin': 'Se connecter',
    'host.signout': 'Se déconnecter',
    'host.open_player': 'Page spectateur',
    'host.controls': 'Émission',
    'host.start': 'Lancer le direct',
    'host.end': 'Terminer',
    'host.end_confirm': 'Touchez encore pour terminer',
    'host.viewers': 'Spectateurs',
    'host.reactions': 'Réactions',
    'host.products': 'Produits',
    'host.no_products': 'Cette émission n\'a pas de produit.',
    'host.pin': 'Épingler',
    'host.unpin': 'Retirer',
    'host.pinned': 'Épinglé',
    'host.in_stock': '{n} en stock',
    'host.chat': 'Modération du chat',
    'host.delete': 'Supprimer',
    'host.mute': 'Rendre muet',
    'host.unmute': 'Rétablir',
    'host.muted': 'muet',
    'host.blocklist': 'Mots bloqués',
    'host.blocklist_hint': 'Un mot ou une expression par ligne. Les messages qui les contiennent sont refusés.',
    'host.save': 'Enregistrer',
    'host.saved': 'Enregistré',
    'host.not_host': 'Vous êtes connecté, mais pas comme animateur de cette émission.',
    'landing.title': 'Vitrine : le live shopping sur votre serveur',
    'landing.tagline': 'Le live shopping, sur votre propre serveur.',
    'landing.lead': 'Vitrine fait tourner des émissions en direct où un animateur présente des produits en vidéo pendant que les spectateurs réagissent, discutent et achètent, et les relie à des boutiques éphémères par QR codes.',
    'landing.f1.title': 'Émissions en direct',
    'landing.f1.text': 'Épinglez un produit : tous les spectateurs le voient aussitôt, avec tailles et stock en direct.',
    'landing.f2.title': 'Chat et réactions',
    'landing.f2.text': 'Cœurs flottants, chat modéré, mots bloqués et spectateurs rendus muets.',
    'landing.f3.title': 'Boutiques éphémères',
    'landing.f3.text': 'Des étiquettes QR qui ouvrent un paiement sur mobile, scans et commandes comptés.',
    'landing.f4.title': 'Chez vous',
    'landing.f4.text': 'Un processus sur SQLite, ou plusieurs derrière Redis et PostgreSQL.',
    'landing.open_title': 'Ouvrir une émission',
    'landing.show_id': 'Identifiant de l\'émission',
    'landing.watch': 'Regarder',
    'landing.host': 'Animer',
    'landing.demo': 'Essayez : lancez « python -m server demo » et ouvrez les liens affichés.',
    'landing.api': 'Description de l\'API (OpenAPI)',
    'landing.health': 'État du service',
    'landing.metrics': 'Métriques',
  },
};

function pickLanguage() {
  const tag = (typeof navigator !== 'undefined' && navigator.language) || 'en';
  return tag.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export const lang = pickLanguage();
/** The locale for numbers and money: the browser's own when it speaks the UI's language. */
export const locale = (() => {
  const tag = (typeof navigator !== 'undefined' && navigator.language) || '';
  return tag.toLowerCase().startsWith(lang) ? tag : (lang === 'fr' ? 'fr-FR' : 'en-US');
})();

export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The sentence for an error {code, message}: ours when we know the code, else the server's. */
export function errorText(error) {
  const code = error && error.code;
  if (code && (STRINGS[lang][`err.${code}`] || STRINGS.en[`err.${code}`])) return t(`err.${code}`);
  return (error && error.message) || t('err.generic');
}

const moneyFormats = new Map();

/** {amount: minor units, currency} → "189,00 €" / "€189.00". */
export function money(price) {
  if (!price || typeof price.amount !== 'number') return '';
  const currency = price.currency || 'EUR';
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' });
    }
    moneyFormats.set(currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(price.amount / 10 ** digits);
}

const numberFormat = new Intl.NumberFormat(locale);
const compactFormat = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });

export function number(n, { compact = false } = {}) {
  const value = Number(n) || 0;
  return (compact && value >= 10000 ? compactFormat : numberFormat).format(value);
}

/** Translates the static markup under root. */
export function applyI18n(root = document) {
  if (root === document) document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}
