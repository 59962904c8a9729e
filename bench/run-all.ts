/**
 * `npm run bench`: every benchmark in turn, each starting and stopping its own services (never two
 * stacks at once: on 2 cores a second one halves the figures), then one table of figure, baseline,
 * ratio and target, also written to bench/results/<date>-<commit>.json so runs can be compared (`-2`, `-3` for further runs of one commit).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt } from './lib/stats';
import { readFigures, type Figure } from './lib/figures';

const ROOT = path.resolve(__dirname, '..');
const BENCHES = fs.readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort();
const only = process.argv.slice(2);

const figuresFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-')), 'figures.jsonl');
const failed: string[] = [];
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((o) => b.startsWith(o)))) {
  console.log(`\n=== ${bench} ===`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, bench)], {
    cwd: ROOT, stdio: 'inherit', env: { ...process.env, BENCH_FIGURES_FILE: figuresFile },
  });
  if (run.status !== 0) failed.push(bench);
}

const figures = readFigures(figuresFile);
const ratio = (f: Figure) => (f.baseline ? `${fmt((f.value / f.baseline) * 100, 0)} %` : '');
const rows = [['benchmark', 'figure', 'value', 'baseline', 'ratio', 'target'],
  ...figures.map((f) => [f.bench, f.figure, `${fmt(f.value, 2)} ${f.unit}`, f.baseline === undefined ? '' : `${fmt(f.baseline, 2)} ${f.unit}`, ratio(f), f.target ?? ''])];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log('');
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => c.padEnd(widths[j]!)).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}

const commit = (() => {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return 'unknown'; }
})();
const resultsDir = path.join(__dirname, 'results');
fs.mkdirSync(resultsDir, { recursive: true });
// A second run of the same commit on the same day is kept beside the first, not over it.
const stem = path.join(resultsDir, `${new Date().toISOString().slice(0, 10)}-${commit}`);
let out = `${stem}.json`;
for (let n = 2; fs.existsSync(out); n++) out = `${stem}-${n}.json`;
fs.writeFileSync(out, JSON.stringify({ commit, at: new Date().toISOString(), node: process.version, cores: os.cpus().length, figures, failed }, null, 2));
console.log(`\nwritten to ${path.relative(ROOT, out)}${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
