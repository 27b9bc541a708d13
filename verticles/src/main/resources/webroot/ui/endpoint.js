// One endpoint: its traffic controls, deployments (state, instances, autoscale figures), live charts per
// deployment over the chosen window (5, 15 or 60 minutes, ending now), the rollout, the mirror report and the last
// lines of a deployment's log.
import { api, h, renderIfChanged, table, state } from './api.js';
import { deploymentCharts } from './charts.js';
import { trafficControls } from './traffic.js';
import { rolloutView, mirrorView } from './rollout.js';

const enc = encodeURIComponent;

function scaleText(d) {
  const s = d.scale_status;
  if (!s) return `fixed at ${d.instance_count}`;
  const set = d.scale_settings;
  return `autoscaled ${set.min_instances}–${set.max_instances}: ${s.current_instances} now, utilization `
    + `${s.utilization_percentage} % (target ${set.target_utilization_percentage} %); ${s.reason}`;
}

function deploymentCard(d) {
  return h('article', { class: 'deployment', id: 'deployment-' + d.name },
    h('h3', {}, d.name, ' ', state(d.provisioning_state)),
    h('p', {}, `${d.instance_type || ''} · `, h('span', { class: 'scale' }, scaleText(d))),
    table('Instances of ' + d.name, ['instance', 'node', 'state', 'reason'],
      (d.instances || []).map(i => [i.id, i.node, state(i.state), i.reason || '']), 'No instance yet.'));
}

function logsView(endpoint) {
  const select = h('select', { id: 'logs-deployment', 'aria-label': 'deployment' });
  const out = h('pre', { class: 'logs', tabindex: 0 });
  const message = h('p', { class: 'message', role: 'alert' });
  async function show(ev) {
    ev.preventDefault();
    message.textContent = '';
    try {
      const r = await api('POST', `/endpoints/${enc(endpoint)}/deployments/${enc(select.value)}/getLogs`, { tail: 100 });
      out.textContent = r.content || '(empty)';
    } catch (e) {
      message.className = 'message error';
      message.textContent = `Logs not read (${e.status}): ${e.message}`;
    }
  }
  return {
    root: h('section', {}, h('h2', {}, 'Logs'),
      h('form', { onsubmit: show }, select, h('button', { type: 'submit' }, 'Show the last 100 lines')), message, out),
    update(names) {
      if ([...select.options].map(o => o.value).join() !== names.join()) {
        select.replaceChildren(...names.map(n => h('option', { value: n }, n)));
      }
    },
  };
}

const WINDOWS = [['300', '5 minutes'], ['900', '15 minutes'], ['3600', '60 minutes'],
  ['rollout', 'since the rollout began']];

/** The seconds the charts span: the choice, or from 30 s before the rollout's first window up to now (1–60 min). */
function windowSeconds(choice, rollout) {
  if (choice !== 'rollout') return Number(choice);
  if (!rollout) return 300;
  const start = rollout.verdicts.length ? rollout.verdicts[0].from : rollout.window_start;
  return Math.min(3600, Math.max(60, Math.round(Date.now() / 1000 - start + 30)));
}

export function endpointPage(name) {
  const view = { seconds: 300 };
  const windowSelect = h('select', { id: 'window', onchange: () => page.refresh() },
    WINDOWS.map(([s, label]) => h('option', { value: s }, label)));
  const title = h('h1', {}, name);
  const summary = h('p', {});
  const deployments = h('div', { class: 'cards' });
  const chartsBox = h('div', { class: 'charts' });
  const chartSlots = new Map();
  const views = {};
  const page = {
    root: null,
    async refresh() {
      const [ep, list, rollouts] = await Promise.all([api('GET', '/endpoints/' + enc(name)),
        api('GET', `/endpoints/${enc(name)}/deployments`), api('GET', `/endpoints/${enc(name)}/rollouts`)]);
      const rollout = rollouts.value[0] || null;
      view.seconds = windowSeconds(windowSelect.value, rollout);
      const names = (list.value || []).map(d => d.name);
      const docs = await Promise.all(names.map(d => api('GET', `/endpoints/${enc(name)}/deployments/${enc(d)}`)));
      renderIfChanged(summary, [ep.provisioning_state, ep.auth_mode, ep.scoring_uri], ([st, auth, uri]) => [
        state(st), ` auth ${auth} · scoring URI `, h('code', {}, uri || '')]);
      views.traffic.update(ep, names);
      renderIfChanged(deployments, docs, ds => ds.map(deploymentCard));
      views.logs.update(names);
      const loads = await Promise.all(names.map(d =>
        api('GET', `/endpoints/${enc(name)}/deployments/${enc(d)}/load?seconds=${view.seconds}`)));
      names.forEach((d, i) => {
        if (!chartSlots.has(d)) {
          const slot = h('div', { class: 'chart', id: 'chart-' + d });
          chartsBox.append(slot);
          chartSlots.set(d, deploymentCharts(slot, d));
        }
        chartSlots.get(d)(loads[i]);
      });
      await Promise.all([views.rollout.refresh(names, rollout), views.mirror.refresh()]);
    },
  };
  views.traffic = trafficControls(name, () => page.refresh());
  views.rollout = rolloutView(name, view, () => page.refresh());
  views.mirror = mirrorView(name, view);
  views.logs = logsView(name);
  page.root = h('section', { class: 'endpoint' }, h('p', {}, h('a', { href: '#/endpoints' }, '← Endpoints')), title,
    summary, h('p', { class: 'window' }, h('label', {}, 'Charts and reports over the last ', windowSelect)),
    views.traffic.root, h('section', {}, h('h2', {}, 'Deployments'), deployments),
    h('section', {}, h('h2', {}, 'Load'), chartsBox), views.rollout.root, views.mirror.root,
    views.logs.root);
  return page;
}
