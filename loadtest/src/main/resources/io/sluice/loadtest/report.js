// Draws the load-test report's charts with uPlot (inlined above from the uplot webjar): latency per second,
// answers per second by status with the scenario's steps marked, and latency by percentile. DATA is the run.
(function () {
  const t = DATA.timeline;
  const x = t.map(s => s.second);
  const width = () => Math.max(300, Math.min(980, document.body.clientWidth - 10));
  const el = id => document.getElementById(id);
  const charts = (window.sluiceReportCharts = {});
  const fromZero = (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))];

  // a dashed line and the step's command where the scenario moved to another step
  const stepMarks = () => ({ hooks: { draw: [u => {
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#6b7280';
    ctx.fillStyle = '#374151';
    ctx.setLineDash([5, 4]);
    ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
    for (let i = 1; i < t.length; i++) {
      if (t[i].step === t[i - 1].step) continue;
      const px = u.valToPos(t[i].second - 0.5, 'x', true);
      ctx.beginPath();
      ctx.moveTo(px, u.bbox.top);
      ctx.lineTo(px, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.fillText(DATA.steps[t[i].step - 1] || 'step ' + t[i].step, px + 4, u.bbox.top + 14 * devicePixelRatio);
    }
    ctx.restore();
  }] } });

  charts.latency = new uPlot({
    title: 'Latency per second (ms)', width: width(), height: 260,
    scales: { x: { time: false }, y: { range: fromZero } },
    series: [{ label: 'second' }, { label: 'p50 ms', stroke: '#16a34a', width: 2 },
      { label: 'p99 ms', stroke: '#9333ea', width: 2 }],
    axes: [{ label: 'second of the run' }, { label: 'ms' }], plugins: [stepMarks()],
  }, [x, t.map(s => (s.answers ? s.p50_ms : null)), t.map(s => (s.answers ? s.p99_ms : null))], el('latency'));

  const colors = { 2: '#16a34a', 4: '#d97706', 5: '#dc2626' };
  const statuses = [...new Set(t.flatMap(s => Object.keys(s.by_status)))].sort();
  charts.status = new uPlot({
    title: 'Answers per second by status', width: width(), height: 260,
    scales: { x: { time: false }, y: { range: fromZero } },
    series: [{ label: 'second' }, ...statuses.map((st, i) => ({
      label: st, width: 2, stroke: colors[st[0]] || ['#2563eb', '#0891b2', '#4b5563'][i % 3],
    }))],
    axes: [{ label: 'second of the run' }, { label: 'answers per second' }], plugins: [stepMarks()],
  }, [x, ...statuses.map(st => t.map(s => s.by_status[st] || 0))], el('status'));

  // x is log10(1 / (1 - p)): 1 is 90 %, 2 is 99 %, 3 is 99.9 %
  const pct = v => +(100 * (1 - Math.pow(10, -v))).toFixed(Math.max(0, Math.ceil(v) - 1)) + '%';
  const c = DATA.curve;
  const top = c.length ? c[c.length - 1][0] : 1;
  charts.percentiles = new uPlot({
    title: 'Latency by percentile', width: width(), height: 260,
    scales: { x: { time: false, range: [0, Math.max(1, Math.ceil(top))] } },
    series: [{ label: 'percentile', value: (u, v) => (v === null ? '-' : pct(v)) },
      { label: 'latency ms', stroke: '#2563eb', width: 2 }],
    axes: [{ label: 'percentile', splits: u => [0, 0.30103, 1, 2, 3, 4, 5, 6].filter(v => v <= u.scales.x.max),
      values: (u, splits) => splits.map(pct) }, { label: 'ms' }],
  }, [c.map(p => p[0]), c.map(p => p[1])], el('percentiles'));
})();
