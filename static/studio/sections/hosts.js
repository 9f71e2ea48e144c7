// The studio's hosts (sellers): the hosts allowed to sell my products in their shows. Grant one by the email
// of its account, revoke one (after a confirmation): it can no longer add my products to new shows.
import { ApiError } from '/static/api.js';
import { errorText, t } from '/static/i18n.js';
import { el } from '/static/ui.js';

const strings = {
  en: {
    'hosts.nav': 'Hosts',
    'hosts.about': 'The hosts allowed to sell your products in their shows.',
    'hosts.title': 'Hosts who sell my products',
    'hosts.hint': 'A host you allow can put your products in its shows. Ask the host for the email of its Vitrine account.',
    'hosts.email': 'The host\'s email',
    'hosts.grant': 'Allow',
    'hosts.granted': '{email} may sell your products.',
    'hosts.empty': 'No host may sell your products yet.',
    'hosts.revoke': 'Revoke',
    'hosts.revoke_confirm': 'Stop {email} from adding your products to new shows? Shows that have them keep them.',
    'hosts.revoked': '{email} may no longer add your products to new shows.',
  },
  fr: {
    'hosts.nav': 'Animateurs',
    'hosts.about': 'Les animateurs autorisés à vendre vos produits pendant leurs émissions.',
    'hosts.title': 'Animateurs qui vendent mes produits',
    'hosts.hint': 'Un animateur autorisé peut mettre vos produits dans ses émissions. Demandez-lui l\'e-mail de son compte Vitrine.',
    'hosts.email': 'E-mail de l\'animateur',
    'hosts.grant': 'Autoriser',
    'hosts.granted': '{email} peut vendre vos produits.',
    'hosts.empty': 'Aucun animateur ne peut encore vendre vos produits.',
    'hosts.revoke': 'Retirer',
    'hosts.revoke_confirm': 'Empêcher {email} d\'ajouter vos produits à de nouvelles émissions ? Les émissions qui les ont les gardent.',
    'hosts.revoked': '{email} ne peut plus ajouter vos produits à de nouvelles émissions.',
  },
};

function hostRow(ctx, host, draw) {
  const revoke = async () => {
    const sure = await ctx.confirm(t('hosts.revoke_confirm', { email: host.email }),
      { confirm: t('hosts.revoke'), danger: true });
    if (!sure) return;
    const answer = await ctx.api('DELETE', `/api/sellers/me/hosts/${encodeURIComponent(host.id)}`);
    ctx.toast(t('hosts.revoked', { email: host.email }), 'success');
    draw(answer.hosts);
  };
  return el('li', { class: 's-row h-row', dataset: { testid: 'host-row', email: host.email } },
    el('span', { class: 'h-who' }, el('strong', { text: host.name }), el('span', { class: 'hint', text: host.email })),
    el('button', { type: 'button', class: 'btn btn-small btn-danger', dataset: { testid: 'host-revoke' },
      text: t('hosts.revoke'), onclick: () => revoke().catch((err) => ctx.toast(errorText(err instanceof ApiError ? err.error : null), 'error')) }));
}

export default {
  id: 'hosts',
  order: 30,
  roles: ['seller'],
  nav: 'hosts.nav',
  strings,
  async render(view, ctx) {
    const { hosts } = await ctx.api('GET', '/api/sellers/me/hosts');
    const list = el('ul', { class: 's-list', dataset: { testid: 'hosts-list' } });
    const draw = (items) => {
      list.replaceChildren(...(items.length ? items.map((host) => hostRow(ctx, host, draw))
        : [el('li', { class: 's-empty', dataset: { testid: 'hosts-empty' }, text: t('hosts.empty') })]));
    };
    const email = el('input', { class: 'field', id: 'h-email', type: 'email', name: 'email', required: true,
      maxlength: 254, autocomplete: 'off', inputmode: 'email', dataset: { testid: 'host-email' } });
    const form = el('form', { class: 's-form h-form', dataset: { testid: 'host-grant-form' } },
      el('label', { class: 'label', for: 'h-email', text: t('hosts.email') }),
      el('div', { class: 'h-grant' }, el('div', { class: 'h-field' }, email),
        el('button', { type: 'submit', class: 'btn btn-primary', dataset: { testid: 'host-grant' },
          text: t('hosts.grant') })),
      el('p', { class: 'form-error', role: 'alert', hidden: true, dataset: { testid: 'form-error' } }));
    ctx.bindForm(form, {
      fields: { host_not_found: 'email' },
      submit: async (values) => {
        const answer = await ctx.api('POST', '/api/sellers/me/hosts', { body: { email: values.email.trim() } });
        ctx.toast(t('hosts.granted', { email: values.email.trim() }), 'success');
        email.value = '';
        draw(answer.hosts);
      },
    });
    view.append(el('div', { class: 's-head' }, el('h1', { text: t('hosts.title') })),
      el('p', { class: 'hint', text: t('hosts.hint') }), form, list);
    draw(hosts);
  },
};
