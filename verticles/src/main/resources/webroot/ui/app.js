// Sign-in, navigation and polling. The admin token lives in sessionStorage (this tab's session only); a link
// ending in #token=… signs in too, and the fragment never reaches the server. Pages poll the REST API every 2 s
// (docs/dashboard.md): no page holds a server connection open.
import { api, ApiError, clearToken, h, setToken, token } from './api.js';
import { clusterPage, endpointsPage } from './pages.js';
import { endpointPage } from './endpoint.js';

const POLL_MS = 2000;
const main = document.getElementById('main');
const status = document.getElementById('status');
const signout = document.getElementById('signout');
let page = null;
let timer = null;

function signInForm(problem) {
  signout.hidden = true;
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true });
  main.replaceChildren(h('section', { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Paste the admin token: a node writes it to $SLUICE_HOME/admin-token.'),
    h('form', { id: 'signin', onsubmit: signIn }, h('label', { for: 'token' }, 'Admin token'), input,
      h('button', { type: 'submit' }, 'Sign in')),
    problem ? h('p', { class: 'message error', role: 'alert', id: 'signin-error' }, problem) : null));
  input.focus();
}

async function signIn(ev) {
  ev.preventDefault();
  setToken(ev.target.token.value.trim());
  try {
    await api('GET', '/endpoints');
  } catch (e) {
    clearToken();
    signInForm(e instanceof ApiError && e.status === 401 ? 'That is not the admin token of this cluster.'
      : `The node did not answer (${e.message}).`);
    return;
  }
  if (!/^#\/(endpoints|cluster|endpoint\/.+)$/.test(location.hash)) {
    history.replaceState(null, '', location.pathname + location.search + '#/endpoints');
  }
  show();
}

/** A link ending in #token=… signs in: the token is kept and the fragment leaves the address bar at once. */
function tokenFromLink() {
  const fragment = location.hash.match(/^#token=(.+)$/);
  if (fragment) {
    setToken(decodeURIComponent(fragment[1]));
    history.replaceState(null, '', location.pathname + location.search + '#/endpoints');
  }
}

function show() {
  clearTimeout(timer);
  page = null;
  tokenFromLink();
  if (!token()) {
    signInForm();
    return;
  }
  signout.hidden = false;
  const hash = location.hash;
  const next = hash.startsWith('#/endpoint/') ? endpointPage(decodeURIComponent(hash.slice('#/endpoint/'.length)))
    : hash === '#/cluster' ? clusterPage() : endpointsPage();
  page = next;
  main.replaceChildren(next.root);
  poll(next);
}

async function poll(p) {
  try {
    await p.refresh();
    if (p === page) status.textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (p !== page) return;
    if (e instanceof ApiError && e.status === 401) {
      clearToken();
      signInForm('The admin token was refused: sign in again.');
      return;
    }
    status.textContent = `Not updated: ${e.message}`;
  }
  if (p === page) timer = setTimeout(() => poll(p), POLL_MS);
}

signout.addEventListener('click', () => {
  clearToken();
  show();
});
window.addEventListener('hashchange', show);
show();
