/** Nearest-rank percentile of unsorted values; NaN when there are none. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Peak RSS and heap of this process, sampled every `everyMs` until stopped. */
export function memorySampler(everyMs = 250) {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakRssMb: peakRss / 2 ** 20, peakHeapMb: peakHeap / 2 ** 20 };
    },
  };
}

/** Runs `work` on every item with at most `limit` in flight. */
export async function withConcurrency<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}

/** Calls `fire(i)` every `intervalMs` for `count` times regardless of how earlier calls are doing (open loop); resolves when all have settled. */
export async function openLoop(count: number, intervalMs: number, fire: (i: number) => Promise<void>): Promise<void> {
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(fire(i));
  }
  await Promise.all(pending);
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/**
 * CPU seconds used so far by this process and each of its descendants (PostgreSQL, Temporal, MinIO),
 * summed by command name, from /proc; empty where /proc is unavailable. Dead children are not counted.
 */
export function cpuByProcess(): Map<string, number> {
  const totals = new Map<string, number>();
  try {
    const fs = require('node:fs') as typeof import('node:fs');
    const procs: { pid: number; ppid: number; comm: string; cpu: number }[] = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try { stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8'); } catch { continue; }
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const rest = stat.slice(close + 2).split(' ');
      // After the command: state(0) ppid(1) ... utime(11) stime(12), in clock ticks (100 per second).
      procs.push({ pid: Number(entry), ppid: Number(rest[1]), comm, cpu: (Number(rest[11]) + Number(rest[12])) / 100 });
    }
    const mine = new Set([process.pid]);
    for (let grew = true; grew;) {
      grew = false;
      for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) { mine.add(p.pid); grew = true; }
    }
    for (const p of procs) {
      if (!mine.has(p.pid)) continue;
      const name = p.pid === process.pid ? 'bench (node: API + workers)' : p.comm;
      totals.set(name, (totals.get(name) ?? 0) + p.cpu);
    }
  } catch { /* not Linux */ }
  return totals;
}

/** What each process name used between two cpuByProcess() readings, largest first. */
export function cpuDelta(before: Map<string, number>, after: Map<string, number>): [string, number][] {
  return [...after].map(([name, s]): [string, number] => [name, s - (before.get(name) ?? 0)]).filter(([, s]) => s >= 0.05).sort((a, b) => b[1] - a[1]);
}
