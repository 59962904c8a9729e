import { el, every, money, start, table } from './app.js';

start({
  area: 'portal', roles: ['partner'], probe: '/portal/me',
  async render(api, main) {
    const me = (await api('GET', '/portal/me')).body;
    const details = el('section', { 'aria-labelledby': 'details-h' });
    const leads = el('section', { 'aria-labelledby': 'leads-h' });
    const capacity = el('section', { 'aria-labelledby': 'capacity-h' });
    const statement = el('section', { 'aria-labelledby': 'statement-h' });
    main.replaceChildren(details, leads, capacity, statement);
    details.append(el('h2', { id: 'details-h' }, me.name), el('dl', {}, el('dt', {}, 'Email'), el('dd', {}, me.email ?? '—'), el('dt', {}, 'Timezone'), el('dd', {}, me.timezone ?? '—')));

    const showCapacity = async (c) => {
      c ??= (await api('GET', '/portal/capacity')).body;
      const toggle = el('button', { type: 'button', onclick: async () => showCapacity((await api('PUT', '/portal/status', { status: c.paused ? 'online' : 'offline' })).body) }, c.paused ? 'Go online' : 'Go offline');
      capacity.replaceChildren(
        el('h2', { id: 'capacity-h' }, 'Deliveries and caps'),
        el('p', {}, 'You are ', el('strong', { id: 'online-status' }, c.paused ? 'offline' : 'online'), c.paused ? ': no leads are sent to you.' : ': leads are sent to you.', ' ', toggle),
        table(['Window', 'Period', 'Cap', 'Used', 'Held', 'Remaining'], c.windows.map((w) => el('tr', {}, el('td', {}, w.window), el('td', {}, w.key ?? '—'), el('td', {}, w.cap ?? 'no cap'), el('td', {}, w.counted), el('td', {}, w.held), el('td', {}, w.remaining ?? '—')))),
      );
    };

    const showStatement = async () => {
      const s = (await api('GET', '/portal/statement')).body;
      const currency = s.items[0]?.currency ?? 'GBP';
      statement.replaceChildren(
        el('h2', { id: 'statement-h' }, 'Statement'),
        el('p', {}, 'Balance: ', el('strong', { id: 'balance' }, money(s.balanceMinor, currency))),
        table(['Date', 'Description', 'Amount'], s.items.map((t) => el('tr', {}, el('td', {}, new Date(t.occurredAt).toLocaleString('en-GB')), el('td', {}, t.description ?? t.kind), el('td', {}, money(t.amountMinor, t.currency ?? currency))))),
      );
    };

    // Answers and countdowns: the list is re-read every few seconds, the countdowns tick every second.
    const showLeads = async () => {
      const items = (await api('GET', '/portal/leads')).body.items.slice().reverse();
      const answer = async (leadId, decision, reason) => {
        const r = await api('POST', `/portal/leads/${leadId}/${decision}`, decision === 'decline' ? { reason } : undefined);
        if (r.status !== 200) document.getElementById(`answer-error-${leadId}`).textContent = r.body.message;
        else await Promise.all([showLeads(), showStatement(), showCapacity()]);
      };
      leads.replaceChildren(el('h2', { id: 'leads-h' }, 'Your leads'), items.length === 0 ? el('p', {}, 'No leads delivered yet.') : table(['Lead', 'Details', 'Price', 'Status', 'Answer'], items.map((l) => {
        const reasonId = `reason-${l.leadId}`;
        const reason = el('input', { id: reasonId, type: 'text', maxlength: 500 });
        const actions = l.status === 'awaiting_response'
          ? [
              el('p', {}, 'Answer within ', el('span', { class: 'countdown', 'data-respond-by': l.respondBy, role: 'timer' }, '…')),
              el('button', { type: 'button', onclick: () => answer(l.leadId, 'accept') }, 'Accept'),
              el('label', { for: reasonId }, 'Reason to decline'), reason,
              el('button', { type: 'button', class: 'secondary', onclick: () => answer(l.leadId, 'decline', reason.value) }, 'Decline'),
              el('p', { id: `answer-error-${l.leadId}`, class: 'error', role: 'alert' }),
            ]
          : '—';
        return el('tr', { 'data-lead-id': l.leadId },
          el('td', {}, l.leadType, el('br'), el('small', {}, new Date(l.deliveredAt ?? Date.now()).toLocaleString('en-GB'))),
          el('td', {}, el('dl', {}, Object.entries(l.fields).map(([k, v]) => [el('dt', {}, k), el('dd', {}, v === null ? '—' : String(v))]))),
          el('td', {}, money(l.priceMinor, l.currency)),
          el('td', { class: 'status' }, l.status.replaceAll('_', ' ')),
          el('td', {}, actions));
      })));
      tick();
    };
    const tick = () => document.querySelectorAll('.countdown').forEach((n) => {
      const left = Math.max(0, Math.round((Date.parse(n.dataset.respondBy) - Date.now()) / 1000));
      n.textContent = `${Math.floor(left / 60)}m ${String(left % 60).padStart(2, '0')}s`;
    });
    setInterval(tick, 1000);
    await Promise.all([showCapacity(), showStatement()]);
    // Only re-read while nobody is typing a decline reason, so polling never eats their words.
    every(5000, () => { if (!document.activeElement?.id?.startsWith('reason-')) showLeads(); });
  },
});
