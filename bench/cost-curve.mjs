// The cost curve as an SVG chart (docs/cost-curve.svg, shown in docs/BENCHMARKS.md): live heap and RSS per
// connection against connections, one line per server, from the CSV files the memory benchmark writes
// (-Dbench.csv=…). No dependency: the SVG is written by hand.
//   node bench/cost-curve.mjs <out.svg> <targets> <memory-payara.csv> [<memory-wildfly.csv> …]
// <targets>: the rows to draw, comma-separated (e.g. jcable:tuned,bare:tuned): the first solid, the second dashed;
// every file contributes its server's lines.
import { readFileSync, writeFileSync } from 'node:fs';

const [out, targetList, ...files] = process.argv.slice(2);
if (!out || !targetList || files.length === 0) {
  console.error('usage: node bench/cost-curve.mjs <out.svg> <target> <memory-<server>.csv>…');
  process.exit(2);
}

const targets = targetList.split(',');
const series = new Map(); // "server target" -> [{n, heap, rss}]
for (const file of files) {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const col = Object.fromEntries(header.split(',').map((name, i) => [name, i]));
  for (const line of lines) {
    const f = line.split(',');
    if (!targets.includes(f[col.target]) || f[col.connections] === '0') continue;
    const key = `${f[col.server]} ${f[col.target]}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key).push({ n: +f[col.connections], heap: +f[col.heap_kb_per_conn], rss: +f[col.rss_kb_per_conn] });
  }
}
if (series.size === 0) {
  console.error(`no rows of ${targetList}`);
  process.exit(1);
}

const labels = { payara: 'Payara Micro', wildfly: 'WildFly', liberty: 'Open Liberty' };
const colours = { payara: '#1f77b4', wildfly: '#d62728', liberty: '#2ca02c' };
const W = 420, H = 300, M = { l: 52, r: 16, t: 34, b: 44 };
const all = [...series.values()].flat();
const maxN = Math.max(...all.map((p) => p.n));
const maxKb = Math.ceil(Math.max(...all.flatMap((p) => [p.heap, p.rss])) / 10) * 10;
// RSS can fall below its baseline at a small step (a server returning start-up heap): the axis then starts below 0
const minKb = Math.min(0, Math.floor(Math.min(...all.flatMap((p) => [p.heap, p.rss])) / 10) * 10);
const x = (n) => M.l + (n / maxN) * (W - M.l - M.r);
const y = (kb) => H - M.b - ((kb - minKb) / (maxKb - minKb)) * (H - M.t - M.b);

function panel(dx, title, key) {
  const parts = [`<g transform="translate(${dx},0)">`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${title}</text>`,
    `<line x1="${M.l}" y1="${y(0)}" x2="${W - M.r}" y2="${y(0)}" stroke="#000"/>`,
    `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#000"/>`];
  for (let kb = minKb; kb <= maxKb; kb += 10 * Math.ceil((maxKb - minKb) / 50)) {
    parts.push(`<line x1="${M.l}" y1="${y(kb)}" x2="${W - M.r}" y2="${y(kb)}" stroke="#ddd"/>`,
      `<text x="${M.l - 6}" y="${y(kb) + 4}" text-anchor="end">${Math.round(kb)}</text>`);
  }
  const step = maxN > 10000 ? 5000 : 2000;
  for (let n = 0; n <= maxN; n += step) {
    parts.push(`<text x="${x(n)}" y="${H - M.b + 16}" text-anchor="middle">${n / 1000}k</text>`);
  }
  parts.push(`<text x="${(W + M.l) / 2}" y="${H - 8}" text-anchor="middle">connections</text>`,
    `<text transform="translate(14,${(H - M.b + M.t) / 2}) rotate(-90)" text-anchor="middle">KB per connection</text>`);
  for (const [name, points] of series) {
    const [server, target] = name.split(' ');
    const dash = targets.indexOf(target) > 0 ? ' stroke-dasharray="5,4"' : '';
    const sorted = [...points].sort((a, b) => a.n - b.n);
    parts.push(`<polyline fill="none" stroke="${colours[server] ?? '#555'}" stroke-width="2"${dash} points="${sorted
      .map((p) => `${x(p.n).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ')}"/>`);
    for (const p of sorted) {
      parts.push(`<circle cx="${x(p.n).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="${colours[server] ?? '#555'}">` +
        `<title>${labels[server] ?? server} ${target}, ${p.n}: ${p[key]} KB</title></circle>`);
    }
  }
  parts.push('</g>');
  return parts.join('\n');
}

const servers = [...new Set([...series.keys()].map((k) => k.split(' ')[0]))];
const legend = servers.map((server, i) =>
  `<g transform="translate(${M.l + 10 + i * 130},${H + 8})"><rect width="14" height="4" y="-4" fill="${colours[server] ?? '#555'}"/>` +
  `<text x="20" y="0">${labels[server] ?? server}</text></g>`).join('\n') +
  `<text x="${M.l + 10 + servers.length * 130}" y="${H + 8}">solid: ${targets[0]}${targets[1] ? `; dashed: ${targets[1]}` : ''}</text>`;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
${panel(0, 'Live heap per connection (after full GC)', 'heap')}
${panel(W, 'RSS per connection', 'rss')}
${legend}
</svg>
`;
writeFileSync(out, svg);
console.log(`${out}: ${[...series].map(([k, p]) => `${k} ${p.length} points`).join(', ')}`);
