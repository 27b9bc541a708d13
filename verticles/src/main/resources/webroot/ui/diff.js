// A mismatch sample as two bodies side by side: each pretty-printed, one line per JSON value with its path written
// as the router's comparison writes it ($.a.b, $[1]), and the lines at or under a differing path highlighted.
import { h } from './api.js';

/** The lines of {@code value} pretty-printed, each with the JSON path of the value it shows. */
export function jsonLines(value, path = '$', indent = '', label = '', comma = '') {
  const open = indent + label;
  if (value !== null && typeof value === 'object') {
    const array = Array.isArray(value);
    const entries = array ? value.map((v, i) => [`${path}[${i}]`, '', v])
      : Object.keys(value).sort().map(k => [`${path}.${k}`, JSON.stringify(k) + ': ', value[k]]);
    if (!entries.length) return [{ path, text: open + (array ? '[]' : '{}') + comma }];
    const lines = [{ path, text: open + (array ? '[' : '{') }];
    entries.forEach(([p, l, v], i) => lines.push(...jsonLines(v, p, indent + '  ', l, i < entries.length - 1 ? ',' : '')));
    lines.push({ path, text: indent + (array ? ']' : '}') + comma });
    return lines;
  }
  return [{ path, text: open + JSON.stringify(value) + comma }];
}

/** Whether {@code path} is {@code differing} or inside it ($.a[1] is inside $.a, $.ab is not). */
export function under(path, differing) {
  return path === differing || (path.startsWith(differing) && '.['.includes(path[differing.length]));
}

function side(title, status, body, paths, statusDiffers) {
  let lines;
  try {
    lines = jsonLines(JSON.parse(body));
  } catch (e) { // not JSON (or cut at 4 KB): the text as it is, all of it differing when the paths say "$"
    lines = String(body).split('\n').map(text => ({ path: '$', text }));
  }
  const pre = h('pre', { class: 'diff-body', tabindex: 0 }, lines.map(l => h('span', {
    class: paths.some(p => under(l.path, p)) ? 'differs' : null, 'data-path': l.path }, l.text + '\n')));
  return h('div', { class: 'diff-side' }, h('h4', { class: statusDiffers ? 'differs' : null }, `${title}: status ${status}`), pre);
}

/** The sample's two bodies, the differing paths listed above them; {@code titles}: the two sides' names. */
export function mismatchDiff(sample, titles = ['live', 'mirror']) {
  const paths = (sample.paths || []).filter(p => p.startsWith('$'));
  return h('div', { class: 'diff', id: 'mismatch-diff' },
    h('p', {}, `Request ${sample.request_id}: ${sample.kind} mismatch at `,
      (sample.paths || []).map((p, i) => [i ? ', ' : '', h('code', {}, p)])),
    h('div', { class: 'diff-sides' }, side(titles[0], sample.live_status, sample.live_body, paths, sample.kind === 'status'),
      side(titles[1], sample.mirror_status, sample.mirror_body, paths, sample.kind === 'status')));
}
