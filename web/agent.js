import { el, showProblems, start, table } from './app.js';

// The form is built from the lead type's field definitions; every rule is the API's, shown as it answers.
const INPUT_TYPES = { number: 'number', integer: 'number', email: 'email', phone: 'tel', date: 'date', boolean: 'checkbox' };

start({
  area: 'agent', roles: ['agent', 'operator'], probe: '/lead-types',
  async render(api, main) {
    const types = (await api('GET', '/lead-types')).body;
    const submitSection = el('section', { 'aria-labelledby': 'submit-h' });
    const leadSection = el('section', { 'aria-labelledby': 'lead-h', 'aria-live': 'polite' });
    const findInput = el('input', { id: 'find-lead', type: 'text', autocomplete: 'off' });
    const findSection = el('section', { 'aria-labelledby': 'find-h' }, el('h2', { id: 'find-h' }, 'Open a lead'),
      el('form', { onsubmit: (e) => { e.preventDefault(); showLead(findInput.value.trim()); } }, el('label', { for: 'find-lead' }, 'Lead ID'), findInput, el('button', { type: 'submit' }, 'Show lead')));
    main.replaceChildren(submitSection, findSection, leadSection);

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
          l.status === 'awaiting_referral'
            ? el('div', {}, el('label', { for: 'refer-partner' }, 'Refer to'), referSelect, el('button', { type: 'button', onclick: () => refer(referSelect.value) }, 'Refer'), referError)
            : '',
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
      poll = setInterval(render, 3000);
    };
  },
});
