// Starting a rollout from the page: the options of `sluice online-endpoint rollout start`, each labelled with its CLI
// flag and showing the default the server applies when it is left empty (GET /api/rollout-defaults), the equivalent
// command line as you type, and the same POST the CLI sends. Values go as typed: the server checks them and its
// refusal, naming the field and the rule, is shown as it is.
import { api, h } from './api.js';

const FIELDS = [
  ['steps', 'percents of live traffic, each step judged before the next'],
  ['interval', 'each step\'s window, e.g. 30s or 2m'],
  ['min_requests', 'answers a window needs, else it is inconclusive'],
  ['max_error_rate', 'percent of server faults'],
  ['max_error_rate_increase', 'percent points over live\'s error rate'],
  ['max_p99_ratio', 'the target\'s p99 over live\'s'],
  ['mirror_first', 'percent of live traffic mirrored to the target before it gets any (0: no mirror phase)'],
  ['min_agreement', 'percent of mirrored answers that must agree with live\'s'],
  ['max_inconclusive', 'inconclusive windows in a row before the policy applies'],
  ['replay_first', 'recorded requests of the live deployments replayed to the target first (0: no replay)'],
  ['replay_rate', 'replayed requests a second'],
];
const flag = f => '--' + f.replace(/_/g, '-');
const shown = v => (Array.isArray(v) ? v.join(' ') : String(v));
const quoted = v => (/^[\w.%-]+$/.test(v) ? v : `"${v.replace(/(["\\$`])/g, '\\$1')}"`);

export function rolloutStartForm(endpoint, onStarted) {
  const deployment = h('select', { id: 'rollout-deployment' });
  const inputs = {};
  const policy = h('select', { id: 'rollout-on_inconclusive' });
  const deletePrevious = h('input', { type: 'checkbox', id: 'rollout-delete_previous' });
  const command = h('code', { id: 'rollout-command' });
  const message = h('p', { class: 'message', role: 'alert', id: 'rollout-start-message' });
  const grid = h('div', { class: 'fields' });
  let defaults = null;

  function spec() {
    const s = { deployment: deployment.value };
    for (const [f] of FIELDS) {
      if (inputs[f].value.trim() !== '') s[f] = inputs[f].value.trim();
    }
    if (policy.value !== defaults.on_inconclusive) s.on_inconclusive = policy.value;
    if (deletePrevious.checked) s.delete_previous = true;
    return s;
  }

  function showCommand() {
    const s = spec();
    command.textContent = `sluice online-endpoint rollout start -n ${quoted(endpoint)} --deployment `
      + quoted(s.deployment || '?') + Object.entries(s).filter(([k]) => k !== 'deployment')
        .map(([k, v]) => ' ' + flag(k) + (v === true ? '' : ' ' + quoted(String(v)))).join('');
  }

  async function start(ev) {
    ev.preventDefault();
    message.className = 'message';
    message.textContent = '';
    try {
      const r = await api('POST', '/endpoints/' + encodeURIComponent(endpoint) + '/rollout', spec());
      message.className = 'message ok';
      message.textContent = `Rollout of ${r.deployment} started at ${r.step_label}.`;
      form.reset();
      box.open = false;
      showCommand();
      onStarted();
    } catch (e) {
      message.className = 'message error';
      message.textContent = `Rollout not started (${e.status}): ${e.message}`;
    }
  }

  const form = h('form', { onsubmit: start, oninput: showCommand, onchange: showCommand },
    h('label', {}, 'deployment (--deployment) ', deployment), grid,
    h('label', {}, 'when windows stay inconclusive (--on-inconclusive) ', policy),
    h('label', {}, deletePrevious, ' delete the deployments that had the traffic before, once it succeeds '
      + '(--delete-previous)'),
    h('p', { class: 'command' }, 'The same from the CLI: ', command),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'rollout-start' }, 'Start rollout')));
  // folded until asked for: the page is about watching; starting is one click away
  const box = h('details', { class: 'rollout-start' }, h('summary', { id: 'rollout-start-open' }, 'Start a rollout'),
    form);

  return {
    root: h('div', {}, box, message),
    hide(hidden) {
      box.hidden = hidden;
    },
    /** The deployments that may be the target; the defaults are read once. */
    async update(names) {
      if (!defaults) {
        defaults = await api('GET', '/rollout-defaults');
        grid.replaceChildren(...FIELDS.map(([f, help]) => {
          inputs[f] = h('input', { id: 'rollout-' + f, placeholder: shown(defaults[f]), 'aria-describedby': 'help-' + f });
          return h('label', {}, `${f.replace(/_/g, ' ')} (${flag(f)}) `, inputs[f],
            h('small', { id: 'help-' + f }, ` default ${shown(defaults[f])}: ${help}`));
        }));
        policy.replaceChildren(...['hold', 'rollback'].map(p => h('option', { value: p, selected: p === defaults.on_inconclusive },
          p === defaults.on_inconclusive ? `${p} (default)` : p)));
      }
      if ([...deployment.options].map(o => o.value).join() !== names.join()) {
        const keep = deployment.value;
        deployment.replaceChildren(...names.map(n => h('option', { value: n, selected: n === keep }, n)));
      }
      showCommand();
    },
  };
}
