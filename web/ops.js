import { el, every, money, start, table } from './app.js';

start({
  area: 'ops', roles: ['operator'], probe: '/api-keys?role=operator',
  async render(api, main) {
    const config = await (await fetch('/app/config.json')).json();
    const workflowUrl = (workflowId) => `${config.temporalUiOrigin}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
    const counts = el('section', { 'aria-labelledby': 'counts-h' });
    const partners = el('section', { 'aria-labelledby': 'partners-h' });
    const leads = el('section', { 'aria-labelledby': 'leads-h' });
    main.replaceChildren(counts, partners, leads);

    const showLeads = async () => {
      const items = (await api('GET', '/leads?limit=200')).body.items;
      const byStatus = new Map();
      for (const l of items) byStatus.set(l.status, (byStatus.get(l.status) ?? 0) + 1);
      counts.replaceChildren(el('h2', { id: 'counts-h' }, 'Leads per status (latest 200)'),
        table(['Status', 'Leads'], [...byStatus].sort().map(([s, n]) => el('tr', { 'data-status': s }, el('td', {}, s.replaceAll('_', ' ')), el('td', {}, n)))));
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
    every(5000, showLeads);
    await showPartners();
  },
});
