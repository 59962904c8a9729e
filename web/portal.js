import { el, every, isEditing, money, start, table } from './app.js';

start({
  area: 'portal', roles: ['partner'], probe: '/portal/me', emailLink: '/portal/magic-link',
  async render(api, main) {
    const me = (await api('GET', '/portal/me')).body;
    const details = el('section', { 'aria-labelledby': 'details-h' });
    const leads = el('section', { 'aria-labelledby': 'leads-h' });
    const capacity = el('section', { 'aria-labelledby': 'capacity-h' });
    const returns = el('section', { 'aria-labelledby': 'returns-h' });
    const statement = el('section', { 'aria-labelledby': 'statement-h' });
    const invoices = el('section', { 'aria-labelledby': 'invoices-h' });
    main.replaceChildren(details, leads, returns, capacity, statement, invoices);
    // The reasons (and which need evidence) are the policy's; without a policy no Return button is shown.
    const policy = await api('GET', '/portal/return-policy').then((r) => (r.status === 200 ? r.body : null));
    let returned = new Map();
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

    const showReturns = async () => {
      const items = (await api('GET', '/portal/returns')).body.items;
      returned = new Map(items.map((r) => [r.leadId, r]));
      returns.replaceChildren(el('h2', { id: 'returns-h' }, 'Returns'),
        policy ? el('p', {}, `You may return a lead within ${policy.windowHours} hours of its delivery.`) : el('p', {}, 'Your account has no return policy: ask your account manager.'),
        items.length === 0 ? el('p', {}, 'No returns yet.') : table(['Requested', 'Lead', 'Reason', 'Amount', 'State', 'Note'], items.map((r) => el('tr', { 'data-return-lead': r.leadId },
          el('td', {}, new Date(r.requestedAt).toLocaleString('en-GB')), el('td', {}, el('code', {}, r.leadId.slice(0, 8))), el('td', {}, r.reason.replaceAll('_', ' ')),
          el('td', {}, money(r.amountMinor, r.currency)), el('td', { class: 'status' }, r.status), el('td', {}, r.decisionNote ?? (r.status === 'pending' ? `decision due by ${new Date(r.decideBy).toLocaleString('en-GB')}` : ''))))));
    };

    const showInvoices = async () => {
      const items = (await api('GET', '/portal/invoices')).body.items;
      const download = async (invoice) => {
        const r = await api('GET', `/portal/invoices/${invoice.id}/pdf-link`);
        if (r.status !== 200) return void (document.getElementById(`pdf-error-${invoice.id}`).textContent = r.body.message);
        // The presigned link asks the browser to save the file; following it is a download, not a page change.
        el('a', { href: r.body.url, download: `${invoice.number}.pdf` }).click();
      };
      invoices.replaceChildren(el('h2', { id: 'invoices-h' }, 'Invoices'), items.length === 0 ? el('p', {}, 'No invoices yet.') : table(['Number', 'Month', 'Net', 'VAT', 'Total', 'Due', 'PDF'], items.map((i) => el('tr', { 'data-invoice': i.number },
        el('td', {}, i.series === 'credit_note' ? `${i.number} (credit note)` : i.number), el('td', {}, i.period),
        el('td', {}, money(i.netMinor, i.currency)), el('td', {}, money(i.vatMinor, i.currency)), el('td', {}, money(i.grossMinor, i.currency)), el('td', {}, i.dueOn),
        el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': `Download PDF ${i.number}`, onclick: () => download(i) }, 'Download PDF'), el('span', { id: `pdf-error-${i.id}`, class: 'error', role: 'alert' }))))));
    };

    // A charged lead's Return form: reason from the policy, evidence where the policy asks for it.
    const returnForm = (l) => {
      const id = l.leadId;
      const reason = el('select', { id: `return-reason-${id}` }, policy.reasons.map((r) => el('option', { value: r.reason }, `${r.reason.replaceAll('_', ' ')}${r.evidenceRequired ? ' (evidence needed)' : ''}`)));
      const evidence = el('textarea', { id: `return-evidence-${id}`, rows: 2, maxlength: 2000 });
      const error = el('p', { id: `return-error-${id}`, class: 'error', role: 'alert' });
      const form = el('form', { onsubmit: async (e) => {
        e.preventDefault();
        const r = await api('POST', `/portal/leads/${id}/return`, { reason: reason.value, ...(evidence.value.trim() ? { evidence: evidence.value.trim() } : {}) });
        if (r.status !== 201) return void (error.textContent = r.body.problems?.map((p) => `${p.field.replace('body.', '')}: ${p.reason}`).join('; ') ?? r.body.message);
        document.activeElement?.blur();
        await Promise.all([showReturns(), showStatement()]);
        await showLeads();
      } }, el('label', { for: reason.id }, 'Reason'), reason, el('label', { for: evidence.id }, 'Evidence'), evidence, el('button', { type: 'submit' }, 'Return lead'), error);
      return el('details', { class: 'return' }, el('summary', {}, 'Return'), form);
    };
    const canReturn = (l) => policy && (l.status === 'accepted' || l.status === 'delivered') && !returned.has(l.leadId);

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
          : canReturn(l) ? returnForm(l) : returned.has(l.leadId) ? `return ${returned.get(l.leadId).status}` : '—';
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
    await Promise.all([showCapacity(), showStatement(), showReturns(), showInvoices()]);
    // Only re-read while nobody is typing a reason or has a Return form open, so polling never eats their words.
    every(5000, () => { if (!isEditing(leads)) showLeads(); });
  },
});
