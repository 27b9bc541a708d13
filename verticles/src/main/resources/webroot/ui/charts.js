// Live charts drawn by uPlot (the uplot webjar, served under lib/): per deployment, answers per second with the error
// rate, and p50/p99 latency; for a rollout, the target against live on the same axes with the rollout's limits as
// dashed lines, the mirror's agreement, and the judged windows shaded. The x axis is always the chosen window ending
// now. window.sluiceCharts holds them by id, so tests (and curious users in the console) can read what is drawn.
const charts = (window.sluiceCharts = window.sluiceCharts || {});
const HEIGHT = 200;
const SHADES = { PASS: 'rgba(22,163,74,0.13)', FAIL: 'rgba(220,38,38,0.16)', INCONCLUSIVE: 'rgba(107,114,128,0.16)',
  current: 'rgba(37,99,235,0.08)' };

const width = el => Math.max(260, Math.min(el.clientWidth || 600, 960));
const upFromZero = (u, min, max) => [0, Math.max(1, max)];

/** Shades each of u.sluiceWindows ({from, to, outcome, step}) behind the lines, its start marked and labelled. */
function shade(u) {
  const ctx = u.ctx;
  const { top, height } = u.bbox;
  ctx.save();
  ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const w of u.sluiceWindows || []) {
    const x0 = Math.max(u.bbox.left, u.valToPos(w.from, 'x', true));
    const x1 = Math.min(u.bbox.left + u.bbox.width, u.valToPos(w.to, 'x', true));
    if (x1 <= x0) continue;
    ctx.fillStyle = SHADES[w.outcome] || SHADES.current;
    ctx.fillRect(x0, top, x1 - x0, height);
    ctx.fillStyle = 'rgba(17,24,39,0.45)';
    ctx.fillRect(x0, top, Math.max(1, devicePixelRatio), height);
    if (w.step) ctx.fillText(w.step, x0 + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
  }
  ctx.restore();
}

function make(el, id, title, series, axes, scales) {
  if (charts[id] && charts[id].root.isConnected) return charts[id];
  const u = new uPlot({
    title, width: width(el), height: HEIGHT, scales: { x: { time: true }, ...scales },
    series: [{ label: 'time' }, ...series], axes: [{}, ...axes], cursor: { drag: { x: false, y: false } },
    hooks: { drawClear: [shade] },
  }, [[], ...series.map(() => [])], el);
  charts[id] = u;
  return u;
}

/** Every step of the window [from, to] as x, and the entry of the series for each (or undefined). */
function steps(load, series) {
  const by = new Map(series.map(s => [s.second, s]));
  const step = load.step || 1;
  const x = [], at = [];
  for (let t = load.from - (((load.from % step) + step) % step); t <= load.to; t += step) {
    x.push(t);
    at.push(by.get(t));
  }
  return { x, at };
}

const answered = (s, f) => (s && s.answers ? s[f] : null);

/** The two charts of one deployment, made once and fed on every refresh. */
export function deploymentCharts(el, deployment) {
  const rate = make(el, deployment + ':rate', `${deployment}: answers per second and error rate`, [
    { label: 'answers/s', stroke: '#2563eb', width: 2, scale: 'n' },
    { label: 'error rate %', stroke: '#dc2626', width: 1.5, scale: '%' },
  ], [
    { scale: 'n', label: 'answers/s' },
    { scale: '%', side: 1, label: 'errors %', grid: { show: false } },
  ], { n: { range: upFromZero }, '%': { range: [0, 100] } });
  const latency = make(el, deployment + ':latency', `${deployment}: latency (ms)`, [
    { label: 'p50 ms', stroke: '#16a34a', width: 2, scale: 'ms' },
    { label: 'p99 ms', stroke: '#9333ea', width: 2, scale: 'ms' },
  ], [{ scale: 'ms', label: 'ms' }], { ms: { range: upFromZero } });
  return load => {
    const { x, at } = steps(load, load.series);
    const step = load.step || 1;
    rate.setData([x, at.map(s => (s ? s.answers / step : 0)), at.map(s => answered(s, 'error_rate_percent'))]);
    latency.setData([x, at.map(s => answered(s, 'p50_ms')), at.map(s => answered(s, 'p99_ms'))]);
  };
}

const dashed = (label, stroke) => ({ label, stroke, width: 1.5, dash: [6, 4], scale: 'y' });

/**
 * A rollout's three charts: error rate and p99 of the target against live (the judge's two sides), each with the
 * rollout's limits, and the agreement of the copies mirrored to the target. Fed with GET …/rollout/load and the
 * rollout (its plan's limits, its verdicts' windows).
 */
export function rolloutCharts(el) {
  const line = (label, stroke) => ({ label, stroke, width: 2, scale: 'y' });
  const y = label => [{ scale: 'y', label }];
  const errors = make(el, 'rollout:errors', 'Error rate, target against live (%)', [line('target %', '#dc2626'),
    line('live %', '#2563eb'), dashed('max error rate', '#7f1d1d'), dashed('live + max increase', '#b45309')],
  y('%'), { y: { range: (u, min, max) => [0, Math.max(2, max)] } });
  const p99 = make(el, 'rollout:p99', 'p99 latency, target against live (ms)', [line('target p99', '#9333ea'),
    line('live p99', '#2563eb'), dashed('max p99 (ratio x live, ≥ live + noise)', '#7f1d1d')], y('ms'), { y: { range: upFromZero } });
  const agreement = make(el, 'rollout:agreement', 'Mirrored answers agreeing with live (%)', [
    line('agreement %', '#0f766e'), dashed('min agreement', '#7f1d1d')], y('%'), { y: { range: [0, 100] } });
  return (load, rollout) => {
    const plan = rollout.plan;
    const windows = rollout.verdicts.map(v => ({ from: v.from, to: v.to, outcome: v.outcome, step: v.step }));
    if (rollout.status === 'Running') {
      windows.push({ from: rollout.window_start, to: rollout.window_end, outcome: 'current', step: rollout.step_label });
    }
    const { x, at: target } = steps(load, load.target);
    const live = steps(load, load.live).at;
    const mirror = steps(load, load.mirror).at;
    const liveErr = live.map(s => answered(s, 'error_rate_percent'));
    const liveP99 = live.map(s => answered(s, 'p99_ms'));
    for (const u of [errors, p99, agreement]) u.sluiceWindows = windows;
    errors.setData([x, target.map(s => answered(s, 'error_rate_percent')), liveErr, x.map(() => plan.max_error_rate),
      liveErr.map(v => (v === null ? null : v + plan.max_error_rate_increase))]);
    p99.setData([x, target.map(s => answered(s, 'p99_ms')), liveP99,
      liveP99.map(v => (v === null ? null : Math.max(v * plan.max_p99_ratio, v + load.p99_noise_ms)))]);
    agreement.root.hidden = !plan.mirror_first && !mirror.some(s => s && s.compared);
    agreement.setData([x, mirror.map(s => (s && s.compared ? s.agreement_percent : null)),
      x.map(() => plan.min_agreement)]);
  };
}

window.addEventListener('resize', () => {
  for (const u of Object.values(charts)) {
    if (u.root.isConnected) u.setSize({ width: width(u.root.parentElement), height: HEIGHT });
  }
});
