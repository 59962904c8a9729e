import { el, isEditing, showProblems, start, table } from './app.js';

// The form is built from the lead type's field definitions; every rule is the API's, shown as it answers.
const INPUT_TYPES = { number: 'number', integer: 'number', email: 'email', phone: 'tel', date: 'date', boolean: 'checkbox' };
const STATUSES = ['received', 'routing', 'awaiting_referral', 'delivering', 'awaiting_response', 'no_eligible_partner', 'delivered', 'declined_everywhere', 'cancelled', 'expired'];
const when = (iso) => new Date(iso).toLocaleString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

start({
  area: 'agent', roles: ['agent', 'operator'], probe: '/lead-types',
  async render(api, main) {
    const types = (await api('GET', '/lead-types')).body;
    const submitSection = el('section', { 'aria-labelledby': 'submit-h' });
    const leadSection = el('section', { 'aria-labelledby': 'lead-h', 'aria-live': 'polite' });
    const findInput = el('input', { id: 'find-lead', type: 'text', autocomplete: 'off' });
    const findSection = el('section', { 'aria-labelledby': 'find-h' }, el('h2', { id: 'find-h' }, 'Open a lead'),
      el('form', { onsubmit: (e) => { e.preventDefault(); showLead(findInput.value.trim()); } }, el('label', { for: 'find-lead' }, 'Lead ID'), findInput, el('button', { type: 'submit' }, 'Show lead')));

    // Search: the API filters (status, lead type, text in the id or unsealed fields); the page only shows the answer.
    const searchStatus = el('select', { id: 'search-status' }, el('option', { value: '' }, 'Any status'), STATUSES.map((st) => el('option', { value: st }, st.replaceAll('_', ' '))));
    const searchType = el('select', { id: 'search-type' }, el('option', { value: '' }, 'Any lead type'), types.map((t) => el('option', { value: t.name }, t.name)));
    const searchText = el('input', { id: 'search-text', type: 'search', autocomplete: 'off', placeholder: 'a name, postcode or lead id' });
    const results = el('div', { 'aria-live': 'polite' });
    const search = async () => {
      const q = new URLSearchParams({ limit: '50' });
      if (searchStatus.value) q.set('status', searchStatus.value);
      if (searchType.value) q.set('leadType', searchType.value);
      if (searchText.value.trim()) q.set('q', searchText.value.trim());
      const r = await api('GET', `/leads?${q}`);
      if (r.status !== 200) return void results.replaceChildren(el('p', { class: 'error', role: 'alert' }, r.body.message));
      results.replaceChildren(r.body.items.length === 0 ? el('p', {}, 'No leads match.') : table(['Created', 'Lead type', 'Details', 'Status', ''], r.body.items.map((l) => el('tr', { 'data-lead-id': l.id },
        el('td', {}, new Date(l.createdAt).toLocaleString('en-GB')), el('td', {}, l.leadType),
        el('td', {}, Object.entries(l.fields).slice(0, 3).map(([k, v]) => `${k}: ${v}`).join(', ')),
        el('td', {}, l.status.replaceAll('_', ' ')),
        el('td', {}, el('button', { type: 'button', class: 'secondary', 'aria-label': `Open lead ${l.id}`, onclick: () => showLead(l.id) }, 'Open'))))));
    };
    const searchSection = el('section', { 'aria-labelledby': 'search-h' }, el('h2', { id: 'search-h' }, 'Search leads'),
      el('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); search(); } },
        el('div', {}, el('label', { for: 'search-status' }, 'With status'), searchStatus),
        el('div', {}, el('label', { for: 'search-type' }, 'Of lead type'), searchType),
        el('div', {}, el('label', { for: 'search-text' }, 'Containing text'), searchText),
        el('button', { type: 'submit' }, 'Search')),
      results);
    main.replaceChildren(submitSection, searchSection, findSection, leadSection);

    const typeSelect = el('select', { id: 'lead-type' }, types.map((t) => el('option', { value: t.name }, t.name)));
    const fieldsBox = el('div');
    const form = el('form', { novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const type = types.find((t) => t.name === typeSelect.value);
      const fields = {};
      for (const f of type.fields) {
        const input = document.getElementById(`field-${f.name}`);
        if (f.type === 'boolean') fields[f.name] = input.checked;
        else if (input.value !== '') fields[f.name] = (f.type === 'number' || f.type === 'integer') && !Number.isNaN(Number(input.value)) ? Number(input.value) : input.value;
      }
      const r = await api('POST', '/leads', { leadType: type.name, fields });
      if (r.status !== 202) return showProblems(form, r.body, (field) => document.getElementById(`field-${field.replace(/^body\.fields\./, '')}`));
      showProblems(form, {}, () => undefined);
      form.reset();
      showLead(r.body.id);
    } });
    const renderFields = () => {
      const type = types.find((t) => t.name === typeSelect.value);
      fieldsBox.replaceChildren(...(type?.fields ?? []).map((f) => {
        const id = `field-${f.name}`;
        const input = f.values
          ? el('select', { id, 'aria-describedby': `${id}-error` }, el('option', { value: '' }, '—'), f.values.map((v) => el('option', { value: v }, v)))
          : el('input', { id, type: INPUT_TYPES[f.type] ?? 'text', step: f.type === 'number' ? 'any' : undefined, 'aria-describedby': `${id}-error` });
        return el('div', {}, el('label', { for: id }, f.name, f.required ? ' (required)' : ''), input, el('p', { id: `${id}-error`, class: 'field-error', role: 'alert' }));
      }));
    };
    typeSelect.addEventListener('change', renderFields);
    renderFields();
    form.append(el('label', { for: 'lead-type' }, 'Lead type'), typeSelect, fieldsBox, el('p', { class: 'form-error', role: 'alert' }), el('button', { type: 'submit' }, 'Submit lead'));
    submitSection.append(el('h2', { id: 'submit-h' }, 'Submit a lead'), form);

    let poll;
    const showLead = async (id) => {
      clearInterval(poll);
      const render = async () => {
        const [lead, eligibility] = await Promise.all([api('GET', `/leads/${encodeURIComponent(id)}`), api('GET', `/leads/${encodeURIComponent(id)}/eligibility`)]);
        if (lead.status !== 200) {
          clearInterval(poll);
          return leadSection.replaceChildren(el('p', { class: 'error', role: 'alert' }, lead.body.message));
        }
        const l = lead.body;
        const method = types.find((t) => t.name === l.leadType)?.referralMethod;
        const waiting = l.status === 'awaiting_referral';
        const latest = eligibility.body.judgements.at(-1)?.report;
        const partners = latest?.profiles.flatMap((p) => p.assignments) ?? [];
        const referError = el('p', { id: 'refer-error', class: 'error', role: 'alert' });
        const refer = async (partnerId) => {
          const r = await api('POST', `/leads/${id}/refer`, partnerId ? { partnerId } : {});
          if (r.status >= 300) referError.textContent = r.body.message;
          else render();
        };
        const referSelect = el('select', { id: 'refer-partner' }, el('option', { value: '' }, 'Best eligible partners'), partners.map((a) => el('option', { value: a.partnerId }, a.partnerName)));
        leadSection.replaceChildren(
          el('h2', { id: 'lead-h' }, `Lead ${l.id}`),
          el('p', {}, 'Status: ', el('strong', { id: 'lead-status' }, l.status.replaceAll('_', ' ')), l.reason ? ` — ${l.reason}` : ''),
          waiting && method !== 'transfer' && method !== 'appointment'
            ? el('div', {}, el('label', { for: 'refer-partner' }, 'Refer to'), referSelect, el('button', { type: 'button', onclick: () => refer(referSelect.value) }, 'Refer'), referError)
            : '',
          method === 'transfer' ? await transferPart(id, waiting, render) : '',
          method === 'appointment' ? await appointmentPart(l, waiting, render) : '',
          el('h3', {}, 'Deliveries'),
          table(['Partner', 'Status', 'Reason'], l.deliveries.map((d) => el('tr', {}, el('td', {}, d.partnerName), el('td', {}, d.status.replaceAll('_', ' ')), el('td', {}, d.reason ?? '')))),
          el('h3', {}, 'Eligibility: why each partner can or cannot take it'),
          partners.length === 0 ? el('p', {}, 'Not judged yet.') : table(['Partner', 'Eligible', 'Criteria'], partners.map((a) => el('tr', { 'data-partner': a.partnerName },
            el('td', {}, a.partnerName),
            el('td', { class: a.eligible ? 'pass' : 'fail' }, a.eligible ? 'yes' : 'no'),
            el('td', {}, el('ul', {}, a.checks.map((c) => el('li', { class: c.passed ? 'pass' : 'fail' }, `${c.passed ? '✓' : '✗'} ${c.criterion}: ${c.detail}`))))))),
        );
      };
      await render();
      // Live: the transfer's dials and rings show within two seconds; a half-filled form is never redrawn.
      poll = setInterval(() => { if (!isEditing(leadSection)) render(); }, 2000);
    };

    // Transfer: the agent gives the consumer's call SID and presses Transfer; each dial, ring and answer then shows as it happens.
    const transferPart = async (id, waiting, render) => {
      const t = await api('GET', `/leads/${id}/transfer`);
      const sid = el('input', { id: 'call-sid', type: 'text', autocomplete: 'off', 'aria-describedby': 'call-sid-error', placeholder: 'CA…' });
      const error = el('p', { id: 'call-sid-error', class: 'error', role: 'alert' });
      const press = async () => {
        const r = await api('POST', `/leads/${id}/transfer`, { consumerCallSid: sid.value.trim() });
        if (r.status !== 202) return void (error.textContent = r.body.problems?.[0]?.reason ?? r.body.message);
        document.activeElement?.blur();
        render();
      };
      return el('div', { id: 'transfer' }, el('h3', {}, 'Telephone transfer'),
        waiting && t.status === 404 ? el('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); press(); } },
          el('div', {}, el('label', { for: 'call-sid' }, "Consumer's call SID"), sid), el('button', { type: 'submit' }, 'Transfer'), error) : '',
        t.status === 200 ? [
          el('p', {}, 'Transfer: ', el('strong', { id: 'transfer-status' }, t.body.status)),
          el('ol', { id: 'transfer-steps' }, t.body.steps.map((st) => el('li', { 'data-step': st.step }, `${new Date(st.at).toLocaleTimeString('en-GB')} ${st.partnerName ? `${st.partnerName}: ` : ''}${st.step.replaceAll('_', ' ')}${st.detail ? ` — ${st.detail}` : ''}`))),
        ] : '');
    };

    // Appointments: a free slot of an eligible partner, booked in one step (the API holds it and refers the lead).
    const appointmentPart = async (l, waiting, render) => {
      const id = l.id;
      const partnerName = (partnerId) => l.deliveries.find((d) => d.partnerId === partnerId)?.partnerName ?? '';
      const booked = (await api('GET', `/leads/${id}/appointments`)).body?.items ?? [];
      const part = el('div', { id: 'appointments' }, el('h3', {}, 'Appointment'),
        booked.length ? el('ul', {}, booked.map((a) => el('li', { 'data-appointment': a.status }, `${a.status}: ${partnerName(a.partnerId)} ${when(a.start)}–${new Date(a.end).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`))) : '');
      if (!waiting) return part;
      const offer = await api('GET', `/leads/${id}/slots`);
      if (offer.status !== 200) return part.append(el('p', { class: 'error', role: 'alert' }, offer.body.message)), part;
      const slots = el('select', { id: 'slot' }, offer.body.partners.map((p) => el('optgroup', { label: p.partnerName },
        p.slots.map((sl) => el('option', { value: JSON.stringify({ partnerId: p.partnerId, start: sl.start }) }, `${p.partnerName}: ${when(sl.start)}${sl.free > 1 ? ` (${sl.free} places)` : ''}`)))));
      const error = el('p', { id: 'slot-error', class: 'error', role: 'alert' });
      const book = async () => {
        const r = await api('POST', `/leads/${id}/appointments`, JSON.parse(slots.value));
        if (r.status !== 201) return void (error.textContent = r.body.message);
        document.activeElement?.blur();
        render();
      };
      part.append(offer.body.partners.every((p) => p.slots.length === 0) ? el('p', {}, 'No free slots in the next 14 days.')
        : el('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); book(); } }, el('div', {}, el('label', { for: 'slot' }, 'Free slots'), slots), el('button', { type: 'submit' }, 'Book appointment'), error));
      return part;
    };
  },
});
