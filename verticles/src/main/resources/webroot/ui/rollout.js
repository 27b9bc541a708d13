// The endpoint's rollout as its judge sees it: the steps as a timeline, the target against live on shared charts with
// the limits and the judged windows shaded, every verdict as a row with its figures and reasons, pause/resume/abort,
// and a form to start one. Then the mirror comparison report with its mismatch samples shown as diffs.
import { api, h, renderIfChanged, state, table } from './api.js';
import { rolloutCharts } from './charts.js';
import { mismatchDiff } from './diff.js';
import { rolloutStartForm } from './rolloutstart.js';

const enc = encodeURIComponent;

/** The steps' labels and the rollout's index of each (-2 replaying, -1 mirroring first, then the live steps). */
function steps(plan) {
  const out = [];
  if (plan.replay_first) out.push([`replay ${plan.replay_first}`, -2]);
  if (plan.mirror_first) out.push([`mirror ${plan.mirror_first}%`, -1]);
  return out.concat(plan.steps.map((s, i) => [`${s}%`, i]));
}

/** "5 minutes", "1 minute", "73 seconds". */
export const span = s => (s % 60 ? `${s} seconds` : s === 60 ? '1 minute' : `${s / 60} minutes`);
const time = s => new Date(s * 1000).toLocaleTimeString([], { hour12: false });
const num = v => (typeof v === 'number' ? String(+v.toFixed(2)) : '-');

/** One row per verdict: the step, its window, the outcome and what the judge compared. */
function verdictRows(r) {
  return r.verdicts.map(v => {
    const f = v.figures || {};
    const replay = f.replay_compared !== undefined; // a replay: recorded answers against the target's
    return [v.step, `${time(v.from)}–${time(v.to)}`, state(v.outcome),
      num(replay ? f.replay_compared : f.target_answers), replay ? 'recorded' : num(f.live_answers),
      num(f.target_error_rate), num(f.live_error_rate), num(f.target_p99_ms), num(f.live_p99_ms),
      f.agreement === undefined ? '-' : `${num(f.agreement)} (${num(replay ? f.replay_compared : f.mirror_compared)})`,
      v.reasons.join('; ') || (f.compared_with_live === false ? 'live too quiet: absolute limits only' : '')];
  });
}

function limits(plan) {
  return `Limits: error rate ≤ ${plan.max_error_rate} % and ≤ live's + ${plan.max_error_rate_increase}, p99 ≤ `
    + `${plan.max_p99_ratio} × live's, at least ${plan.min_requests} answers a window`
    + (plan.mirror_first || plan.replay_first ? `, agreement ≥ ${plan.min_agreement} %` : '')
    + (plan.replay_first ? `; replays ${plan.replay_first} recorded requests first at ${plan.replay_rate}/s` : '')
    + `; every ${plan.interval}.`;
}

export function rolloutView(endpoint, view, onChanged) {
  const head = h('div', {});
  const chartsBox = h('div', { class: 'charts', id: 'rollout-charts' });
  const verdicts = h('div', { id: 'verdicts' });
  const replayed = h('div', { id: 'replay-mismatches' });
  const replayDiff = h('div', {});
  const message = h('p', { class: 'message', role: 'alert' });
  const startForm = rolloutStartForm(endpoint, onChanged);
  const path = '/endpoints/' + enc(endpoint) + '/rollout';
  let feed = null;

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
    if (!r) return h('p', { class: 'empty' }, 'No rollout on this endpoint yet.');
    const live = r.status === 'Running' || r.status === 'Paused';
    const timeline = h('ol', { class: 'timeline' }, steps(r.plan).map(([label, at]) => {
      const n = r.verdicts.filter(v => v.step === label).length;
      const ended = r.status === 'RolledBack' || r.status === 'Aborted';
      const cls = at < r.step || r.status === 'Succeeded' ? 'done' : at === r.step ? (ended ? 'failed' : 'current')
        : 'todo';
      return h('li', { class: cls }, h('strong', {}, label), n ? ` ${n} window${n > 1 ? 's' : ''} judged` : '');
    }));
    return [
      h('p', {}, `Deployment ${r.plan.deployment}: `, h('span', { class: 'state state-' + r.status.toLowerCase(),
        id: 'rollout-status' }, r.status), r.reason ? ` (${r.reason})` : ''),
      h('p', { class: 'limits' }, limits(r.plan)),
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
    root: h('section', {}, h('h2', {}, 'Rollout'), head, message, chartsBox, verdicts, replayed, replayDiff,
      startForm.root),
    /** Redraws from the endpoint's deployments and its rollout (GET …/rollouts, read by the page). */
    async refresh(names, r) {
      renderIfChanged(head, r, render);
      renderIfChanged(verdicts, r && r.verdicts, () => (r ? table('Verdicts, one per judged window (shaded on the '
        + 'charts)', ['step', 'window', 'outcome', 'target answers', 'live answers', 'target error %', 'live error %',
        'target p99 ms', 'live p99 ms', 'agreement % (compared)', 'reasons'], verdictRows(r), 'No window judged yet.')
        : []));
      // the last replay's mismatches: the recorded answer against the target's, as a diff
      const replay = r && [...r.verdicts].reverse().find(v => v.figures && v.figures.mismatches);
      renderIfChanged(replayed, replay ? replay.figures.mismatches : [], list => (list.length ? table(
        'Replayed answers that differ from the recorded ones', ['request', 'kind', 'differing paths', ''],
        list.map(m => [m.request_id, m.kind, m.paths.join(', '), h('button', { type: 'button', class: 'show-diff',
          onclick: () => replayDiff.replaceChildren(mismatchDiff({ request_id: m.request_id, kind: m.kind,
            paths: m.paths, live_status: m.recorded_status, live_body: m.recorded_body, mirror_status: m.replay_status,
            mirror_body: m.replay_body }, ['recorded', 'replayed'])) }, 'Show diff')]), '') : []));
      startForm.hide(!!r && (r.status === 'Running' || r.status === 'Paused'));
      await startForm.update(names);
      chartsBox.hidden = !r;
      if (!r) return;
      if (!feed) feed = rolloutCharts(chartsBox);
      feed(await api('GET', `${path}/load?seconds=${view.seconds}`), r);
    },
  };
}

export function mirrorView(endpoint, view) {
  const body = h('div', {});
  const samples = h('div', { id: 'mismatches' });
  const diff = h('div', {});
  return {
    root: h('section', { id: 'mirror-report' }, h('h2', {}, 'Mirrored answers compared'), body, samples, diff),
    async refresh() {
      const r = await api('GET', `/endpoints/${enc(endpoint)}/mirror-report?seconds=${view.seconds}`);
      const rows = r.mirrors.map(m => [m.deployment, m.compared,
        m.agreement_percent === null ? '-' : m.agreement_percent + ' %',
        `${m.mismatched.status} / ${m.mismatched.structure} / ${m.mismatched.value}`, m.not_compared,
        m.mirror.p99_ms]);
      renderIfChanged(body, [rows, view.seconds], () => table(`Last ${span(view.seconds)}`, ['shadow', 'compared',
        'agreed', 'status / structure / value mismatches', 'not compared', 'mirror p99 ms'], rows,
      `Nothing was mirrored in the last ${span(view.seconds)}.`));
      // the newest mismatches first, ten of them; each opens as a diff of the two bodies
      const recent = r.mirrors.flatMap(m => m.mismatches.map(s => ({ ...s, deployment: m.deployment })))
        .sort((a, b) => b.at - a.at).slice(0, 10);
      renderIfChanged(samples, recent, list => (list.length ? table('Mismatch samples, newest first', ['shadow',
        'request', 'kind', 'differing paths', ''], list.map(s => [s.deployment, s.request_id, s.kind,
        s.paths.join(', '), h('button', { type: 'button', class: 'show-diff', onclick: () => diff.replaceChildren(
          mismatchDiff(s)) }, 'Show diff')]), '') : []));
    },
  };
}
