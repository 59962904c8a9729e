import { el, every, isEditing, money, start, table } from './app.js';

start({
  area: 'ops', roles: ['operator'], probe: '/api-keys?role=operator',
  async render(api, main) {
    const config = await (await fetch('/app/config.json')).json();
    const workflowUrl = (workflowId) => `${config.temporalUiOrigin}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
    const counts = el('section', { 'aria-labelledby': 'counts-h' });
    const partners = el('section', { 'aria-labelledby': 'partners-h' });
    const leads = el('section', { 'aria-labelledby': 'leads-h' });
    const returns = el('section', { 'aria-labelledby': 'returns-h' });
    const invoices = el('section', { 'aria-labelledby': 'invoices-h' });
    main.replaceChildren(counts, returns, partners, invoices, leads);
    const names = new Map();
    const partnerName = async (id) => {
      if (!names.has(id)) names.set(id, api('GET', `/partners/${id}`).then((r) => (r.status === 200 ? r.body.name : id)));
      return names.get(id);
    };

    const showCounts = async () => {
      const c = (await api('GET', '/reports/lead-counts')).body;
      const today = new Map(c.today.map((t) => [t.status, t.leads]));
      counts.replaceChildren(el('h2', { id: 'counts-h' }, 'Leads per status'),
        table(['Status', 'Now', `Created today (since ${new Date(c.todayStartsAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })})`],
          c.now.map((s) => el('tr', { 'data-status': s.status }, el('td', {}, s.status.replaceAll('_', ' ')), el('td', {}, s.leads), el('td', {}, today.get(s.status) ?? 0)))));
    };

    // The review queue: each pending return with its evidence, a note, and Approve / Deny.
    const drawReturns = async () => {
      const items = (await api('GET', '/returns?status=pending')).body.items;
      const rows = await Promise.all(items.map(async (r) => {
        const note = el('input', { id: `note-${r.id}`, type: 'text', maxlength: 1000 });
        const error = el('p', { class: 'error', role: 'alert' });
        const decide = async (decision) => {
          const answer = await api('POST', `/returns/${r.id}/decision`, { decision, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
          if (answer.status !== 200) return void (error.textContent = answer.body.message);
          document.activeElement?.blur();
          await drawReturns();
        };
        return el('tr', { 'data-return-lead': r.leadId },
          el('td', {}, new Date(r.requestedAt).toLocaleString('en-GB')), el('td', {}, await partnerName(r.partnerId)),
          el('td', {}, el('code', {}, r.leadId.slice(0, 8))), el('td', {}, r.reason.replaceAll('_', ' ')), el('td', {}, r.evidence ?? '—'),
          el('td', {}, money(r.amountMinor, r.currency)), el('td', {}, new Date(r.decideBy).toLocaleString('en-GB')),
          el('td', {}, el('label', { for: note.id }, 'Decision note'), note,
            el('button', { type: 'button', onclick: () => decide('approve') }, 'Approve'),
            el('button', { type: 'button', class: 'secondary', onclick: () => decide('deny') }, 'Deny'), error));
      }));
      returns.replaceChildren(el('h2', { id: 'returns-h' }, 'Returns awaiting a decision'),
        items.length === 0 ? el('p', {}, 'None waiting.') : table(['Requested', 'Partner', 'Lead', 'Reason', 'Evidence', 'Credit', 'Decide by', 'Decision'], rows));
    };

    const showReturns = () => (isEditing(returns) ? undefined : drawReturns());

    // Invoices are issued on day 1 for the month before, so that month is shown first.
    const lastMonth = new Date(new Date().getFullYear(), new Date().getMonth() - 1, 15).toISOString().slice(0, 7);
    const monthInput = el('input', { id: 'invoice-month', type: 'month', value: lastMonth, onchange: () => showInvoices() });
    const invoiceRows = el('div');
    invoices.replaceChildren(el('h2', { id: 'invoices-h' }, 'Invoices'), el('label', { for: 'invoice-month' }, 'Month supplied'), monthInput, invoiceRows);
    let invoiceAsk = 0;
    const showInvoices = async () => {
      // Only the latest month asked for draws, whichever answer comes back last.
      const mine = ++invoiceAsk;
      const list = await api('GET', `/invoices?period=${encodeURIComponent(monthInput.value)}&limit=500`);
      if (mine !== invoiceAsk) return;
      if (list.status !== 200) return void invoiceRows.replaceChildren(el('p', { class: 'error', role: 'alert' }, list.body.message));
      const rows = await Promise.all(list.body.items.map(async (i) => el('tr', { 'data-invoice': i.number },
        el('td', {}, i.series === 'credit_note' ? `${i.number} (credit note)` : i.number), el('td', {}, await partnerName(i.partnerId)),
        el('td', {}, money(i.netMinor, i.currency)), el('td', {}, money(i.vatMinor, i.currency)), el('td', {}, money(i.grossMinor, i.currency)),
        el('td', {}, new Date(i.issuedAt).toLocaleDateString('en-GB')), el('td', {}, i.emailedAt ? 'yes' : 'not yet'))));
      if (mine === invoiceAsk) invoiceRows.replaceChildren(rows.length === 0 ? el('p', {}, `No invoices for ${monthInput.value}.`) : table(['Number', 'Partner', 'Net', 'VAT', 'Total', 'Issued', 'Emailed'], rows));
    };

    const showLeads = async () => {
      const items = (await api('GET', '/leads?limit=200')).body.items;
      leads.replaceChildren(el('h2', { id: 'leads-h' }, 'Latest leads'),
        table(['Created', 'Lead type', 'Status', 'Workflow'], items.map((l) => el('tr', { 'data-lead-id': l.id },
          el('td', {}, new Date(l.createdAt).toLocaleString('en-GB')), el('td', {}, l.leadType), el('td', {}, l.status.replaceAll('_', ' '), l.reason ? el('small', {}, ` — ${l.reason}`) : ''),
          el('td', {}, el('a', { href: workflowUrl(l.workflowId), target: '_blank', rel: 'noopener' }, 'Open in Temporal'))))));
    };

    // Many partners: the first 25 by name, or those whose name holds what the operator types.
    const filter = el('input', { id: 'partner-filter', type: 'search', 'aria-label': 'Find partners by name', placeholder: 'Find partners by name', onchange: () => showPartners() });
    const partnerRows = el('div', {}, 'Loading partners…');
    partners.replaceChildren(el('h2', { id: 'partners-h' }, 'Partners'), filter, partnerRows);
    let asked = 0;
    const showPartners = async () => {
      // Only the latest request draws: a slow unfiltered list never overwrites a search that came after it.
      const mine = ++asked;
      const list = (await api('GET', `/partners?limit=25${filter.value ? `&name=${encodeURIComponent(filter.value)}` : ''}`)).body.items;
      // One partner whose figures can't be read shows as such; it never hides the others.
      const rows = await Promise.all(list.map((p) => partnerRow(p).catch(() => el('tr', { 'data-partner': p.name }, el('td', {}, p.name), el('td', {}, p.status), el('td', { colspan: 5 }, 'figures unavailable')))));
      if (mine === asked) partnerRows.replaceChildren(table(['Partner', 'Status', 'Caps used', 'Balance', 'Deliveries', 'Circuit', 'p50 response (day)'], rows));
    };
    const partnerRow = async (p) => {
      const [c, stats] = await Promise.all([api('GET', `/partners/${p.id}/capacity`), api('GET', `/partners/${p.id}/delivery-stats`)]);
      const cap = c.body;
      const caps = cap.windows.filter((w) => w.cap !== null).map((w) => `${w.window} ${w.counted + w.held}/${w.cap}`).join(', ') || 'no caps';
      const toggle = el('button', { type: 'button', class: 'secondary', 'aria-label': `${cap.paused ? 'Resume' : 'Pause'} ${p.name}`, onclick: async () => {
        await api('PUT', `/partners/${p.id}/delivery-status`, { status: cap.paused ? 'online' : 'offline' });
        showPartners();
      } }, cap.paused ? 'Resume' : 'Pause');
      const p50 = stats.body.lastDay.p50Ms;
      return el('tr', { 'data-partner': p.name },
        el('td', {}, p.name), el('td', {}, p.status), el('td', {}, caps),
        el('td', {}, money(cap.balanceMinor, cap.currency ?? 'GBP'), cap.creditLimitMinor === null ? '' : ` (limit ${money(cap.creditLimitMinor, cap.currency ?? 'GBP')})`),
        el('td', {}, cap.paused ? `paused by ${cap.pause?.by ?? 'operator'}` : 'online', ' ', toggle),
        el('td', {}, cap.circuit.state.replace('_', ' ')),
        el('td', {}, p50 === null ? '—' : `${p50} ms`));
    };
    every(5000, () => Promise.all([showCounts(), showLeads(), showReturns()]));
    await Promise.all([showPartners(), showInvoices()]);
  },
});
