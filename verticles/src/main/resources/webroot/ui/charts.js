// Live charts drawn by uPlot (the uplot webjar, served under lib/): answers per second with the error rate, and
// p50/p99 latency, per deployment over the last 15 minutes of the cluster's load picture. window.sluiceCharts holds
// them by id, so tests (and curious users in the console) can read what is drawn.
const charts = (window.sluiceCharts = window.sluiceCharts || {});
const HEIGHT = 200;

const width = el => Math.max(260, Math.min(el.clientWidth || 600, 960));

function make(el, id, title, series, axes, scales) {
  if (charts[id] && charts[id].root.isConnected) return charts[id];
  const u = new uPlot({
    title, width: width(el), height: HEIGHT, scales: { x: { time: true }, ...scales },
    series: [{ label: 'time' }, ...series], axes: [{}, ...axes], cursor: { drag: { x: false, y: false } },
  }, [[], ...series.map(() => [])], el);
  charts[id] = u;
  return u;
}

/** The two charts of one deployment, made once and fed on every refresh. */
export function deploymentCharts(el, deployment) {
  const rate = make(el, deployment + ':rate', `${deployment}: answers per second and error rate`, [
    { label: 'answers/s', stroke: '#2563eb', width: 2, scale: 'n' },
    { label: 'error rate %', stroke: '#dc2626', width: 1.5, scale: '%' },
  ], [
    { scale: 'n', label: 'answers/s' },
    { scale: '%', side: 1, label: 'errors %', grid: { show: false } },
  ], { n: { range: (u, min, max) => [0, Math.max(1, max)] }, '%': { range: [0, 100] } });
  const latency = make(el, deployment + ':latency', `${deployment}: latency (ms)`, [
    { label: 'p50 ms', stroke: '#16a34a', width: 2, scale: 'ms' },
    { label: 'p99 ms', stroke: '#9333ea', width: 2, scale: 'ms' },
  ], [{ scale: 'ms', label: 'ms' }], { ms: { range: (u, min, max) => [0, Math.max(1, max)] } });
  return load => {
    const bySecond = new Map(load.series.map(s => [s.second, s]));
    const x = [], answers = [], errors = [], p50 = [], p99 = [];
    for (let t = load.from; t <= load.to; t++) {
      const s = bySecond.get(t);
      x.push(t);
      answers.push(s ? s.answers : 0);
      errors.push(s && s.answers ? s.error_rate_percent : null);
      p50.push(s && s.answers ? s.p50_ms : null);
      p99.push(s && s.answers ? s.p99_ms : null);
    }
    rate.setData([x, answers, errors]);
    latency.setData([x, p50, p99]);
  };
}

window.addEventListener('resize', () => {
  for (const u of Object.values(charts)) {
    if (u.root.isConnected) u.setSize({ width: width(u.root.parentElement), height: HEIGHT });
  }
});
