// The traffic and mirror controls of one endpoint: a percent per deployment, checked as the CLI checks
// "--traffic blue=90 green=10", then a confirmation step, then the same PATCH the CLI sends, with If-Match naming
// the revision the form was opened on (the page keeps polling, but a poll never moves the form's base while it is
// being edited), so a change made meanwhile by someone else is refused with 412 rather than overwritten; the page
// then shows the new values. The server's own validation message is shown as it is.
import { api, h, pairs, renderIfChanged, forgetRendered } from './api.js';

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
  // the endpoint as last read, and as it was when the edit began (the revision a change is based on)
  let current = null;
  let base = null;

  function stopEditing() {
    editing = false;
    base = null;
    confirm.hidden = true;
    forgetRendered(form); // the next poll shows the endpoint's values again, not what was typed
  }

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
        { 'If-Match': String((base || current).revision) });
      message.className = 'message ok';
      message.textContent = `Applied: traffic ${pairs(change.traffic)}; mirror ${pairs(change.mirror)}.`;
      stopEditing();
      onApplied();
    } catch (e) {
      message.className = 'message error';
      if (e.status === 412) {
        // someone else changed the endpoint since the form was opened: nothing was written; show what is there now
        stopEditing();
        const now = await api('GET', '/endpoints/' + encodeURIComponent(endpoint)).catch(() => current);
        message.textContent = `Not applied (412): someone else changed ${endpoint} meanwhile; it is now traffic `
          + `${pairs(now.traffic)}, mirror ${pairs(now.mirror_traffic)}. Review your change again.`;
        onApplied();
      } else {
        message.textContent = `Not applied (${e.status || 'error'}): ${e.message}`;
      }
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
      yes, h('button', { type: 'button', id: 'traffic-cancel', onclick: () => { stopEditing(); onApplied(); } },
        'Cancel'));
    confirm.hidden = false;
    yes.focus();
  }

  form.addEventListener('submit', review);
  form.addEventListener('input', () => {
    if (!editing) {
      editing = true;
      base = current; // the revision the change will be based on
    }
  });

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
