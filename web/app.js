// Shared by the three areas: sign-in with an API key kept in this tab's sessionStorage (never in a URL),
// calls to the JSON API with it, and safe DOM building (text only, no HTML from data).
const storeKey = (area) => `leadrelay.${area}.key`;

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
}

export const money = (minor, currency = 'GBP') => new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minor / 100);

/** A table whose cells carry their column's name, so on a phone each row can stack as a card (see app.css). */
export function table(headers, rows) {
  for (const row of rows) [...row.children].forEach((cell, i) => { if (headers[i]) cell.dataset.label = headers[i]; });
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, rows));
}

/**
 * Signs in with a key of one of `roles`, checked by calling `probe`; then runs `render(api)`. With
 * `emailLink` (the portal), a person may instead ask for a sign-in link, and following it signs this tab in.
 */
export async function start({ area, roles, probe, render, emailLink }) {
  const main = document.querySelector('main');
  const linkToken = emailLink && new URLSearchParams(location.hash.slice(1)).get('sign-in');
  let linkRefused;
  if (linkToken) {
    // The token is spent at once; it leaves the address bar (and history) before anything else runs.
    history.replaceState(null, '', location.pathname);
    const res = await fetch(`${emailLink}/use`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: linkToken }) });
    const body = await res.json();
    if (res.status === 201) sessionStorage.setItem(storeKey(area), body.key);
    else linkRefused = body.message;
  }
  const key = sessionStorage.getItem(storeKey(area));
  const api = async (method, path, body) => {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${sessionStorage.getItem(storeKey(area))}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const signOut = () => { sessionStorage.removeItem(storeKey(area)); location.reload(); };
  const showSignIn = (message) => {
    const error = el('p', { id: 'sign-in-error', role: 'alert', class: 'error' }, message ?? '');
    // The key input has no name, so even without JavaScript it is never sent in a URL or form body.
    const input = el('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'sign-in-error' });
    const form = el('form', { method: 'post', onsubmit: async (e) => {
      e.preventDefault();
      sessionStorage.setItem(storeKey(area), input.value.trim());
      const r = await api('GET', probe);
      if (r.status === 200) return location.reload();
      sessionStorage.removeItem(storeKey(area));
      error.textContent = r.status === 403 ? `This page needs a key with the role ${roles.join(' or ')}.` : (r.body?.message ?? `Sign-in failed (${r.status})`);
    } }, el('label', { for: 'api-key' }, `Your ${roles.join(' or ')} API key`), input, el('button', { type: 'submit' }, 'Sign in'), error);
    main.replaceChildren(el('h2', {}, 'Sign in'), form, emailLink ? linkForm() : '');
  };
  const linkForm = () => {
    const sent = el('p', { id: 'link-sent', role: 'status' });
    const address = el('input', { id: 'sign-in-email', type: 'email', autocomplete: 'email', required: true });
    return el('form', { method: 'post', onsubmit: async (e) => {
      e.preventDefault();
      const r = await fetch(emailLink, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: address.value.trim() }) });
      sent.textContent = r.status === 202
        ? 'If that address belongs to a partner, a sign-in link is on its way: check your email.'
        : ((await r.json()).problems?.[0]?.reason ?? `Could not send a link (${r.status})`);
    } }, el('h2', {}, 'Or get a sign-in link by email'), el('label', { for: 'sign-in-email' }, 'Your contact email'), address, el('button', { type: 'submit' }, 'Email me a link'), sent);
  };
  if (!key) return showSignIn(linkRefused);
  // A key revoked, or an emailed-link session past its hours, goes back to sign-in with the reason.
  const probed = await api('GET', probe);
  if (probed.status === 401) {
    sessionStorage.removeItem(storeKey(area));
    return showSignIn(`${probed.body?.message ?? 'Your key no longer works'}: sign in again.`);
  }
  document.querySelector('header').append(el('button', { type: 'button', class: 'sign-out', onclick: signOut }, 'Sign out'));
  render(api, main).catch((err) => showSignIn(err.message));
}

/** Shows the API's `problems` next to each named field (`body.fields.<name>` or `body.<name>`), and the rest at the top. */
export function showProblems(form, answer, fieldFor) {
  form.querySelectorAll('.field-error').forEach((n) => { n.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
  const summary = form.querySelector('.form-error');
  summary.textContent = '';
  for (const p of answer.problems ?? [{ field: '', reason: answer.message ?? 'refused' }]) {
    const input = fieldFor(p.field);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      document.getElementById(`${input.id}-error`).textContent = p.reason;
    } else summary.textContent += `${p.field ? `${p.field}: ` : ''}${p.reason} `;
  }
}

/** Someone is filling in a form inside `container` (or has a disclosure open): polling must not redraw it under them. */
export const isEditing = (container) => Boolean(container.querySelector('details[open]'))
  || (container.contains(document.activeElement) && document.activeElement.matches('input, select, textarea'));

/** Re-renders a section every `ms`, keeping it current without a reload. */
export function every(ms, fn) {
  fn();
  return setInterval(fn, ms);
}
