// The cluster page (nodes and the instances on each) and the endpoint list.
import { api, h, table, pairs, renderIfChanged, state } from './api.js';

const gib = b => (b === null || b === undefined ? 'undeclared' : (b / 2 ** 30).toFixed(1) + ' GiB');
const cores = m => (m === null || m === undefined ? 'undeclared' : m / 1000 + ' cores');

export function clusterPage() {
  const body = h('div', {});
  const root = h('section', { 'aria-labelledby': 'cluster-title' }, h('h1', { id: 'cluster-title' }, 'Cluster'), body);
  return {
    root,
    async refresh() {
      renderIfChanged(body, await api('GET', '/cluster'), c => [
        table('Nodes', ['node', 'roles', 'instance types', 'instances / capacity', 'cpu', 'memory', 'leaving'],
          c.nodes.map(n => [n.name, (n.roles.length ? n.roles : ['all']).join(', '), n.instance_types.join(', '),
            `${n.instances.length} / ${n.capacity}`, cores(n.cpu_millis), gib(n.memory_bytes), n.leaving ? 'yes' : 'no']),
          'No node has joined yet.'),
        ...c.nodes.map(n => h('section', { class: 'node' }, h('h2', {}, 'Instances on ' + n.name),
          table('Instances on ' + n.name, ['instance', 'endpoint / deployment', 'state', 'reason'],
            n.instances.map(i => [i.id, `${i.endpoint} / ${i.deployment}`, state(i.state), i.reason || '']),
            'No instance runs here.')))]);
    },
  };
}

export function endpointsPage() {
  const body = h('div', {});
  const root = h('section', { 'aria-labelledby': 'endpoints-title' }, h('h1', { id: 'endpoints-title' }, 'Endpoints'), body);
  return {
    root,
    async refresh() {
      renderIfChanged(body, await api('GET', '/endpoints'), list => table('Endpoints', ['endpoint', 'state', 'auth', 'traffic', 'mirror'],
        (list.value || []).map(e => [
          h('a', { href: '#/endpoint/' + encodeURIComponent(e.name), class: 'endpoint-link' }, e.name),
          state(e.provisioning_state), e.auth_mode, pairs(e.traffic), pairs(e.mirror_traffic)]),
        'No endpoint yet: create one with `sluice online-endpoint create`.'));
    },
  };
}
