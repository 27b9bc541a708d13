// The endpoint's rollout as a timeline of steps with each verdict's figures, its pause/resume/abort buttons, and the
// mirror comparison report.
import { api, h, renderIfChanged, table } from './api.js';

function steps(plan) {
  const out = plan.mirror_first ? [`mirror ${plan.mirror_first}%`] : [];
  return out.concat(plan.steps.map(s => `${s}%`));
}

const figures = f => Object.entries(f || {}).map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toFixed(3) : v}`)
  .join(', ');

export function rolloutView(endpoint, onChanged) {
  const body = h('div', {});
  const message = h('p', { class: 'message', role: 'alert' });
  const path = '/endpoints/' + encodeURIComponent(endpoint) + '/rollout';

  async function act(verb) {
    try {
      await api('POST', path + '/' + verb);
      message.className = 'message ok';
      message.textContent = `Rollout ${verb}: done.`;
      onChanged();
    } catch (e) {
      message.className = 'message error';
      message.textContent = `Rollout ${verb} refused (${e.status}): ${e.message}`;
    }
  }

  function render(r) {
    if (!r) {
      return h('p', { class: 'empty' }, 'No rollout on this endpoint yet: start one with '
        + '`sluice online-endpoint rollout start`.');
    }
    const live = r.status === 'Running' || r.status === 'Paused';
    const timeline = h('ol', { class: 'timeline' }, steps(r.plan).map((label, i) => {
      const verdicts = r.verdicts.filter(v => v.step === label);
      const cls = i < r.step || r.status === 'Succeeded' ? 'done' : i === r.step ? 'current' : 'todo';
      return h('li', { class: cls }, h('strong', {}, label),
        verdicts.length ? h('ul', {}, verdicts.map(v => h('li', { class: 'verdict-' + v.outcome.toLowerCase() },
          `${v.outcome}: ${figures(v.figures)}`, v.reasons.length ? ` (${v.reasons.join('; ')})` : ''))) : '');
    }));
    return [
      h('p', {}, `Deployment ${r.plan.deployment}: `, h('span', { class: 'state state-' + r.status.toLowerCase(),
        id: 'rollout-status' }, r.status), r.reason ? ` (${r.reason})` : '', `, every ${r.plan.interval}.`),
      timeline,
      h('div', { class: 'buttons' },
        h('button', { type: 'button', id: 'rollout-pause', disabled: r.status !== 'Running', onclick: () => act('pause') },
          'Pause'),
        h('button', { type: 'button', id: 'rollout-resume', disabled: r.status !== 'Paused',
          onclick: () => act('resume') }, 'Resume'),
        h('button', { type: 'button', id: 'rollout-abort', disabled: !live, onclick: () => {
          if (window.confirm(`Abort the rollout of ${r.plan.deployment}? The traffic goes back to what it was.`)) {
            act('abort');
          }
        } }, 'Abort')),
    ];
  }

  return {
    root: h('section', {}, h('h2', {}, 'Rollout'), body, message),
    async refresh() {
      renderIfChanged(body, (await api('GET', path + 's')).value[0] || null, render);
    },
  };
}

export function mirrorView(endpoint) {
  const body = h('div', {});
  return {
    root: h('section', {}, h('h2', {}, 'Mirrored answers compared'), body),
    async refresh() {
      const r = await api('GET', '/endpoints/' + encodeURIComponent(endpoint) + '/mirror-report?seconds=900');
      const rows = r.mirrors.map(m => [m.deployment, m.compared,
        m.agreement_percent === null ? '-' : m.agreement_percent + ' %',
        `${m.mismatched.status} / ${m.mismatched.structure} / ${m.mismatched.value}`, m.not_compared,
        m.mirror.p99_ms]);
      renderIfChanged(body, rows, rs => table('Last 15 minutes', ['shadow', 'compared', 'agreed',
        'status / structure / value mismatches', 'not compared', 'mirror p99 ms'], rs,
        'Nothing was mirrored in the last 15 minutes.'));
    },
  };
}
