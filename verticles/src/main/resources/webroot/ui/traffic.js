// The traffic and mirror controls of one endpoint: a percent per deployment, checked as the CLI checks
// "--traffic blue=90 green=10", then a confirmation step, then the same PATCH the CLI sends (with If-Match, so a
// change made meanwhile by someone else is refused with 409 rather than overwritten). The server's own validation
// message is shown as it is.
import { api, h, pairs, renderIfChanged } from './api.js';

/** A whole number of percent from 0 to 100, or an error in the CLI's words. */
function percent(field, name, raw) {
  const v = raw.trim();
  if (!/^\d{1,3}$/.test(v) || Number(v) > 100) {
    throw new Error(`${field}: '${name}=${v}': the percent must be a whole number from 0 to 100`);
  }
  return Number(v);
}

export function trafficControls(endpoint, onApplied) {
  const form = h('form', { class: 'traffic', 'aria-labelledby': 'traffic-title' });
  const message = h('p', { class: 'message', role: 'alert' });
  const confirm = h('div', { class: 'confirm', hidden: true });
  let editing = false;
  let current = null;

  function read() {
    const traffic = {}, mirror = {};
    for (const input of form.querySelectorAll('input[data-map]')) {
      const map = input.dataset.map === 'traffic' ? traffic : mirror;
      map[input.dataset.deployment] = percent(input.dataset.map, input.dataset.deployment, input.value);
    }
    return { traffic, mirror };
  }

  async function apply(change) {
    confirm.hidden = true;
    try {
      await api('PATCH', '/endpoints/' + encodeURIComponent(endpoint),
        { name: endpoint, traffic: change.traffic, mirror_traffic: change.mirror },
        { 'If-Match': String(current.revision) });
      message.className = 'message ok';
      message.textContent = `Applied: traffic ${pairs(change.traffic)}; mirror ${pairs(change.mirror)}.`;
      editing = false;
      onApplied();
    } catch (e) {
      message.className = 'message error';
      message.textContent = `Not applied (${e.status || 'error'}): ${e.message}`;
    }
  }

  function review(ev) {
    ev.preventDefault();
    message.textContent = '';
    let change;
    try {
      change = read();
    } catch (e) {
      message.className = 'message error';
      message.textContent = e.message;
      return;
    }
    const yes = h('button', { type: 'button', id: 'traffic-apply', onclick: () => apply(change) }, 'Apply');
    confirm.replaceChildren(
      h('p', {}, `Change the traffic of ${endpoint} from ${pairs(current.traffic)} to ${pairs(change.traffic)}, `
        + `and its mirror from ${pairs(current.mirror_traffic)} to ${pairs(change.mirror)}?`),
      yes, h('button', { type: 'button', onclick: () => { confirm.hidden = true; } }, 'Cancel'));
    confirm.hidden = false;
    yes.focus();
  }

  form.addEventListener('submit', review);
  form.addEventListener('input', () => { editing = true; });

  return {
    root: h('section', {}, h('h2', { id: 'traffic-title' }, 'Traffic'), form, confirm, message),
    /** Shows the endpoint's maps; leaves the inputs alone while the user is changing them. */
    update(ep, deployments) {
      current = ep;
      if (editing) return;
      renderIfChanged(form, [ep.traffic, ep.mirror_traffic, deployments], () => [
        h('div', { class: 'scroll' }, h('table', {}, h('caption', {}, 'Percent of requests per deployment'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'deployment'), h('th', { scope: 'col' }, 'live traffic'),
            h('th', { scope: 'col' }, 'mirrored'))),
          h('tbody', {}, deployments.map(d => h('tr', {}, h('th', { scope: 'row' }, d),
            ['traffic', 'mirror'].map(map => h('td', {}, h('input', {
              type: 'text', inputmode: 'numeric', size: 4, 'data-map': map, 'data-deployment': d,
              id: `${map}-${d}`, 'aria-label': `${map} percent for ${d}`,
              value: String((map === 'traffic' ? ep.traffic : ep.mirror_traffic)[d] || 0),
            }), ' %'))))))),
        h('button', { type: 'submit', id: 'traffic-review' }, 'Review change')]);
    },
  };
}
