// The admin token (this browser session only) and the REST API under /api/ that every page reads.
const KEY = 'sluice.adminToken';

export const token = () => sessionStorage.getItem(KEY);
export const setToken = t => sessionStorage.setItem(KEY, t);
export const clearToken = () => sessionStorage.removeItem(KEY);

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** One call to the control plane with the admin token; the answer's JSON, or an ApiError with the server's words. */
export async function api(method, path, body, headers = {}) {
  const res = await fetch('/api' + path, {
    method,
    headers: { Authorization: 'Bearer ' + token(), 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!res.ok) {
    throw new ApiError(res.status, (json && json.error && json.error.message) || text || res.statusText);
  }
  return json;
}

/** An element with attributes and children; text is always text (never parsed as HTML). */
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** A table with a caption, head and rows (arrays of cells: text or elements). */
export function table(caption, head, rows, empty) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'scroll' }, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map(c => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map(r => h('tr', {}, r.map(c => h('td', {}, c)))))));
}

/** "blue=90 green=10", as the CLI writes a traffic map. */
export const pairs = m => Object.entries(m || {}).map(([k, v]) => `${k}=${v}`).join(' ') || '(none)';

export const state = s => h('span', { class: 'state state-' + String(s).toLowerCase() }, s);

/**
 * Replaces {@code box}'s children with what {@code render} makes of {@code data}, only when the data changed since
 * the last time: a page that polls every 2 s must not take the focus from a keyboard user or redraw for nothing.
 */
const rendered = new WeakMap();

export function renderIfChanged(box, data, render) {
  const json = JSON.stringify(data);
  if (rendered.get(box) === json) return;
  rendered.set(box, json);
  box.replaceChildren(...[render(data)].flat());
}

/** The next renderIfChanged of {@code box} redraws whatever the data (a form the user typed into, given back). */
export function forgetRendered(box) {
  rendered.delete(box);
}
