/**
 * End-to-end lead throughput and latency on the local stack, next to a Temporal baseline.
 *
 * One process hosts the real Express API (on loopback), the real lead worker, a baseline worker and
 * a partner webhook receiver that answers 200 at once; PostgreSQL, the Temporal dev server (sqlite)
 * and MinIO run as child processes in a temporary folder, removed at the end.
 *
 *   phase 0: 5 leads/s for 10 s, open loop, unsaturated: latency from just before POST /leads to
 *            the first byte of the webhook at the receiver.
 *   phase 1: 20 leads/s for 15 s, open loop (fired on a timer whatever the completions): the same latency.
 *   phase 2: 200 leads fired as fast as possible, at most 50 POSTs in flight: throughput.
 * The baseline runs the same two phases with a workflow of five sequential no-op activities on its
 * own worker and task queue, started through the Temporal client; its latency is start -> completion.
 * Memory is this process's (API + both workers + receiver + bench driver). At the end it prints where phase 0's
 * time to the webhook goes, step by step (bench/lib/lead-steps.ts).
 *
 * Run with `npm run bench:leads`. It bounds every wait and stops by itself. Figures are noisy on a
 * shared 2-core machine.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startStack, type Stack } from './lib/stack';
import { startBenchReceiver, type BenchReceiver } from './lib/receiver';
import { cpuByProcess, cpuDelta, fmt, memorySampler, openLoop, percentile, withConcurrency } from './lib/stats';
import { reportFigures } from './lib/figures';
import { printLeadSteps } from './lib/lead-steps';

const CALM_RATE_PER_S = 5;
const CALM_COUNT = CALM_RATE_PER_S * 10;
const RATE_PER_S = 20;
const FIXED_SECONDS = 15;
const FIXED_COUNT = RATE_PER_S * FIXED_SECONDS;
const BURST_COUNT = 200;
const BURST_CONCURRENCY = 50;
const WARMUP = 10;
/** The longest any phase waits for its stragglers. */
const DRAIN_TIMEOUT_MS = 60_000;
/** The whole run, services included, gives up after this long. */
const RUN_TIMEOUT_MS = 10 * 60_000;

const TARGET_P99_MS = 250;
const TARGET_CALM_P50_MS = 150;
const TARGET_BASELINE_SHARE = 1;

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); })]).finally(() => clearTimeout(timer));
};

interface PhaseResult {
  sent: number;
  /** Reached the end this phase measures: the webhook (leads) or completion (baseline). */
  done: number;
  errors: number;
  latencies: number[];
  /** Completions per second from the first submission to the last arrival. */
  throughput: number;
  /** Leads only: lead workflows completed, and their rate over the same span. */
  completed?: number;
  completedThroughput?: number;
  /** Leads only: POST /leads response time. */
  postLatencies?: number[];
  /** Leads only: each lead's wall-clock time just before its POST. */
  postedAt?: Map<string, number>;
  peakRssMb: number;
  peakHeapMb: number;
  wallS: number;
  /** CPU seconds per process over the phase. */
  cpu: [string, number][];
  /** This process's event-loop delay, p99 ms. */
  loopP99Ms: number;
}

/** Memory, CPU and event-loop delay over one phase. */
function observe() {
  const mem = memorySampler();
  const cpu0 = cpuByProcess();
  const t0 = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  return {
    stop() {
      loop.disable();
      return { ...mem.stop(), wallS: (performance.now() - t0) / 1000, cpu: cpuDelta(cpu0, cpuByProcess()), loopP99Ms: loop.percentile(99) / 1e6 };
    },
  };
}

/** Submits leads by POST /leads with an agent key; `schedule` decides when each is fired. */
async function runLeads(stack: Stack, receiver: BenchReceiver, leadType: string, agentKey: string, count: number,
  schedule: (fire: (i: number) => Promise<void>) => Promise<void>): Promise<PhaseResult> {
  const mem = observe();
  const intake = new Map<string, number>();
  const postedAt = new Map<string, number>();
  const postLatencies: number[] = [];
  const results: Promise<unknown>[] = [];
  let completed = 0;
  let lastCompletion = 0;
  let errors = 0;
  let firstSent = Infinity;
  await schedule(async (i) => {
    const t0 = performance.now();
    const wallT0 = Date.now();
    firstSent = Math.min(firstSent, t0);
    try {
      const res = await fetch(`${stack.apiUrl}/leads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${agentKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ leadType, fields: { name: `Bench ${i}`, postcode: 'SW1A 1AA', roofSize: 40 } }),
      });
      const body = (await res.json()) as { id?: string };
      postLatencies.push(performance.now() - t0);
      if (res.status !== 202 || !body.id) throw new Error(`POST /leads answered ${res.status}: ${JSON.stringify(body)}`);
      intake.set(body.id, t0);
      postedAt.set(body.id, wallT0);
      results.push(stack.temporal.workflow.getHandle(`lead-${body.id}`).result().then((state: { status: string }) => {
        if (state.status !== 'delivered') throw new Error(`lead ${body.id} ended ${state.status}`);
        completed++;
        lastCompletion = performance.now();
      }));
    } catch (err) {
      errors++;
      if (errors <= 3) log(`lead ${i}: ${(err as Error).message}`);
    }
  });
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline && [...intake.keys()].some((id) => !receiver.firstAt.has(id))) await sleep(20);
  const settled = await withTimeout(Promise.allSettled(results), Math.max(1_000, deadline - Date.now()));
  if (settled !== 'timeout') for (const r of settled) if (r.status === 'rejected') { errors++; log(`lead: ${(r.reason as Error).message}`); }
  const latencies: number[] = [];
  let lastArrival = 0;
  for (const [id, t0] of intake) {
    const at = receiver.firstAt.get(id);
    if (at === undefined) continue;
    latencies.push(at - t0);
    lastArrival = Math.max(lastArrival, at);
  }
  return {
    sent: count, done: latencies.length, errors, latencies,
    throughput: latencies.length / ((lastArrival - firstSent) / 1000),
    completed, completedThroughput: completed / ((lastCompletion - firstSent) / 1000),
    postLatencies, postedAt, ...mem.stop(),
  };
}

/** Starts baseline workflows through the client and waits for each to complete. */
async function runBaseline(stack: Stack, count: number, schedule: (fire: (i: number) => Promise<void>) => Promise<void>): Promise<PhaseResult> {
  const mem = observe();
  const latencies: number[] = [];
  const results: Promise<void>[] = [];
  let errors = 0;
  let firstSent = Infinity;
  let lastDone = 0;
  const run = randomUUID().slice(0, 8);
  await schedule(async (i) => {
    const t0 = performance.now();
    const wallT0 = Date.now();
    firstSent = Math.min(firstSent, t0);
    try {
      const handle = await stack.temporal.workflow.start('baselineWorkflow', { taskQueue: stack.baselineTaskQueue, workflowId: `baseline-${run}-${i}`, args: [] });
      results.push(handle.result().then(() => {
        const at = performance.now();
        latencies.push(at - t0);
        lastDone = Math.max(lastDone, at);
      }));
    } catch (err) {
      errors++;
      if (errors <= 3) log(`baseline ${i}: ${(err as Error).message}`);
    }
  });
  const settled = await withTimeout(Promise.allSettled(results), DRAIN_TIMEOUT_MS);
  if (settled !== 'timeout') for (const r of settled) if (r.status === 'rejected') { errors++; log(`baseline: ${(r.reason as Error).message}`); }
  return { sent: count, done: latencies.length, errors, latencies, throughput: latencies.length / ((lastDone - firstSent) / 1000), ...mem.stop() };
}

const fixedRate = (count: number, perSecond = RATE_PER_S) => (fire: (i: number) => Promise<void>) => openLoop(count, 1000 / perSecond, fire);
const burst = (count: number) => (fire: (i: number) => Promise<void>) =>
  withConcurrency(Array.from({ length: count }, (_, i) => i), BURST_CONCURRENCY, (i) => fire(i));

function printTable(rows: [string, string, string, string, string][]) {
  const head: [string, string, string, string, string] = ['metric', 'leadrelay', 'baseline', 'target', 'result'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // BENCH_TEMPORAL_DB_DIR=/dev/shm puts the Temporal server's sqlite file on tmpfs, taking the disk's fsyncs out of the figures.
  const stack = await startStack({ baselineActivities: { async noop() {} }, log, temporalDbDir: process.env.BENCH_TEMPORAL_DB_DIR });
  const receiver = await startBenchReceiver();
  const stopAll = async () => {
    await receiver.close().catch(() => {});
    await stack.stop();
  };
  const watchdog = setTimeout(() => {
    log(`run exceeded ${RUN_TIMEOUT_MS / 60_000} min; stopping`);
    void withTimeout(stopAll(), 30_000).finally(() => process.exit(2));
  }, RUN_TIMEOUT_MS);
  watchdog.unref();
  process.once('SIGINT', () => { log('interrupted; stopping'); void withTimeout(stopAll(), 30_000).finally(() => process.exit(130)); });

  try {
    // One immediate-referral lead type (no acceptance window), one profile, one partner whose
    // webhook is the local receiver (timeout 2000 ms, 2 attempts), all through the operator API.
    const leadType = `bench-${randomUUID().slice(0, 8)}`;
    const lt = await stack.call('POST', '/lead-types', {
      name: leadType,
      fields: [
        { name: 'name', type: 'string', required: true },
        { name: 'postcode', type: 'string', required: true },
        { name: 'roofSize', type: 'number', required: false },
      ],
      referralMethod: 'immediate', defaultPriceMinor: 1000, referralScope: 1, acceptanceWindowSeconds: null,
    });
    const profile = await stack.call('POST', '/profiles', { leadTypeId: lt.id, name: 'main', strategy: 'first_match', enabled: true });
    const partner = await stack.call('POST', '/partners', {
      name: `bench-partner-${randomUUID().slice(0, 6)}`, email: 'bench@partners.example', status: 'active', timezone: 'Europe/London',
      delivery: { type: 'webhook', method: 'POST', url: receiver.url, timeoutMs: 2000, maxAttempts: 2, signingSecret: `whsec_${Buffer.from(randomUUID()).toString('base64')}` },
    });
    await stack.call('POST', `/profiles/${profile.id}/assignments`, { partnerId: partner.id, priority: 10 });
    const { key: agentKey } = await stack.call('POST', '/api-keys', { name: 'bench agent', role: 'agent' });

    log(`warm-up: ${WARMUP} leads and ${WARMUP} baseline workflows`);
    const warm = await runLeads(stack, receiver, leadType, agentKey, WARMUP, burst(WARMUP));
    const warmBase = await runBaseline(stack, WARMUP, burst(WARMUP));
    if (warm.done < WARMUP || warmBase.done < WARMUP) throw new Error(`warm-up incomplete: ${warm.done}/${WARMUP} leads, ${warmBase.done}/${WARMUP} baseline (errors ${warm.errors + warmBase.errors})`);

    log(`phase 0: ${CALM_RATE_PER_S}/s, leads`);
    const calmLeads = await runLeads(stack, receiver, leadType, agentKey, CALM_COUNT, fixedRate(CALM_COUNT, CALM_RATE_PER_S));
    await sleep(2_000);
    log(`phase 0: ${CALM_RATE_PER_S}/s, baseline`);
    const calmBase = await runBaseline(stack, CALM_COUNT, fixedRate(CALM_COUNT, CALM_RATE_PER_S));
    await sleep(2_000);
    log(`phase 1: ${RATE_PER_S}/s for ${FIXED_SECONDS} s, leads`);
    const fixedLeads = await runLeads(stack, receiver, leadType, agentKey, FIXED_COUNT, fixedRate(FIXED_COUNT));
    await sleep(2_000);
    log(`phase 1: ${RATE_PER_S}/s for ${FIXED_SECONDS} s, baseline`);
    const fixedBase = await runBaseline(stack, FIXED_COUNT, fixedRate(FIXED_COUNT));
    await sleep(2_000);
    log(`phase 2: ${BURST_COUNT} at once (≤${BURST_CONCURRENCY} in flight), leads`);
    const burstLeads = await runLeads(stack, receiver, leadType, agentKey, BURST_COUNT, burst(BURST_COUNT));
    await sleep(2_000);
    log(`phase 2: ${BURST_COUNT} at once (≤${BURST_CONCURRENCY} in flight), baseline`);
    const burstBase = await runBaseline(stack, BURST_COUNT, burst(BURST_COUNT));

    // What one lead costs Temporal, next to the baseline: the events in one finished history each.
    const [oneLead] = (await stack.call('GET', `/leads?status=delivered&leadType=${leadType}&limit=1`, undefined, agentKey, 200)).items;
    const events = async (workflowId: string) => ((await stack.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? []).length;
    const leadEvents = await events(`lead-${oneLead.id}`);
    let baselineEvents = NaN;
    for await (const wf of stack.temporal.workflow.list({ query: 'WorkflowType = "baselineWorkflow" AND ExecutionStatus = "Completed"' })) {
      baselineEvents = await events(wf.workflowId);
      break;
    }

    const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    const ms = (v: number) => `${fmt(v, 0)} ms`;
    const rate = (v: number | undefined) => `${fmt(v ?? NaN)}/s`;
    const share = (a: number | undefined, b: number) => (a ?? NaN) / b;
    const p99 = percentile(fixedLeads.latencies, 0.99);
    const shareWebhook = share(burstLeads.throughput, burstBase.throughput);
    const shareDone = share(burstLeads.completedThroughput, burstBase.throughput);

    console.log('');
    console.log(`leadrelay end to end vs a 5-no-op-activity Temporal baseline; node ${process.version}, ${require('node:os').cpus().length} cores, default worker options`);
    console.log('leadrelay latency: just before POST /leads -> first byte of the webhook at the receiver; baseline: client start -> result');
    console.log('');
    const calmP50 = percentile(calmLeads.latencies, 0.5);
    printTable([
      [`phase 0 (${CALM_RATE_PER_S}/s open loop): reached end`, `${calmLeads.done}/${calmLeads.sent}`, `${calmBase.done}/${calmBase.sent}`, 'all', pass(calmLeads.done === calmLeads.sent && calmLeads.errors === 0)],
      ['phase 0: latency p50', ms(calmP50), ms(percentile(calmBase.latencies, 0.5)), `< ${TARGET_CALM_P50_MS} ms`, pass(calmP50 < TARGET_CALM_P50_MS)],
      ['phase 0: latency p99', ms(percentile(calmLeads.latencies, 0.99)), ms(percentile(calmBase.latencies, 0.99)), '', ''],
      [`phase 1 (${RATE_PER_S}/s open loop, ${FIXED_SECONDS} s): reached end`, `${fixedLeads.done}/${fixedLeads.sent}`, `${fixedBase.done}/${fixedBase.sent}`, 'all', pass(fixedLeads.done === fixedLeads.sent && fixedLeads.errors === 0)],
      ['phase 1: sustained rate', rate(fixedLeads.throughput), rate(fixedBase.throughput), `${RATE_PER_S}/s`, pass(fixedLeads.throughput >= RATE_PER_S * 0.95)],
      ['phase 1: latency p50', ms(percentile(fixedLeads.latencies, 0.5)), ms(percentile(fixedBase.latencies, 0.5)), '', ''],
      ['phase 1: latency p99', ms(p99), ms(percentile(fixedBase.latencies, 0.99)), `< ${TARGET_P99_MS} ms`, pass(p99 < TARGET_P99_MS)],
      ['phase 1: latency max', ms(Math.max(...fixedLeads.latencies)), ms(Math.max(...fixedBase.latencies)), '', ''],
      ['phase 1: POST /leads p50 / p99', `${fmt(percentile(fixedLeads.postLatencies!, 0.5), 0)} / ${ms(percentile(fixedLeads.postLatencies!, 0.99))}`, '', '', ''],
      ['phase 1: peak RSS / heap (MB)', `${fmt(fixedLeads.peakRssMb, 0)} / ${fmt(fixedLeads.peakHeapMb, 0)}`, `${fmt(fixedBase.peakRssMb, 0)} / ${fmt(fixedBase.peakHeapMb, 0)}`, '', ''],
      [`phase 2 (${BURST_COUNT}, ≤${BURST_CONCURRENCY} in flight): reached end`, `${burstLeads.done}/${burstLeads.sent}`, `${burstBase.done}/${burstBase.sent}`, 'all', pass(burstLeads.done === burstLeads.sent && burstLeads.errors === 0)],
      ['phase 2: throughput to webhook', rate(burstLeads.throughput), rate(burstBase.throughput), `≥ ${TARGET_BASELINE_SHARE * 100}% of baseline`, `${pass(shareWebhook >= TARGET_BASELINE_SHARE)} (${fmt(shareWebhook * 100, 0)}%)`],
      ['phase 2: throughput to workflow completion', rate(burstLeads.completedThroughput), rate(burstBase.throughput), `≥ ${TARGET_BASELINE_SHARE * 100}% of baseline`, `${pass(shareDone >= TARGET_BASELINE_SHARE)} (${fmt(shareDone * 100, 0)}%)`],
      ['phase 2: latency p50', ms(percentile(burstLeads.latencies, 0.5)), ms(percentile(burstBase.latencies, 0.5)), '', ''],
      ['phase 2: latency p99', ms(percentile(burstLeads.latencies, 0.99)), ms(percentile(burstBase.latencies, 0.99)), '', ''],
      ['phase 2: POST /leads p50 / p99', `${fmt(percentile(burstLeads.postLatencies!, 0.5), 0)} / ${ms(percentile(burstLeads.postLatencies!, 0.99))}`, '', '', ''],
      ['phase 2: peak RSS / heap (MB)', `${fmt(burstLeads.peakRssMb, 0)} / ${fmt(burstLeads.peakHeapMb, 0)}`, `${fmt(burstBase.peakRssMb, 0)} / ${fmt(burstBase.peakHeapMb, 0)}`, '', ''],
      ['events in one workflow history', String(leadEvents), String(baselineEvents), '≤ baseline', pass(leadEvents <= baselineEvents)],
      ['errors (all phases)', String(calmLeads.errors + fixedLeads.errors + burstLeads.errors), String(calmBase.errors + fixedBase.errors + burstBase.errors), '0', pass(calmLeads.errors + fixedLeads.errors + burstLeads.errors === 0)],
    ]);
    reportFigures([
      { bench: 'leads', figure: 'burst throughput to webhook', unit: '/s', value: burstLeads.throughput, baseline: burstBase.throughput, target: '>= 100 % of baseline' },
      { bench: 'leads', figure: 'burst throughput to completion', unit: '/s', value: burstLeads.completedThroughput ?? NaN, baseline: burstBase.throughput, target: '>= 100 % of baseline' },
      { bench: 'leads', figure: `intake to webhook p50 at ${CALM_RATE_PER_S}/s`, unit: 'ms', value: calmP50, baseline: percentile(calmBase.latencies, 0.5), target: `< ${TARGET_CALM_P50_MS} ms` },
      { bench: 'leads', figure: `intake to webhook p99 at ${RATE_PER_S}/s`, unit: 'ms', value: p99, baseline: percentile(fixedBase.latencies, 0.99), target: `< ${TARGET_P99_MS} ms` },
      { bench: 'leads', figure: 'events per history', unit: 'events', value: leadEvents, baseline: baselineEvents, target: '<= baseline' },
      { bench: 'leads', figure: 'peak RSS, burst', unit: 'MB', value: burstLeads.peakRssMb, baseline: burstBase.peakRssMb },
    ]);
    console.log('');
    for (const [name, r] of [['phase 0 leads', calmLeads], ['phase 0 baseline', calmBase], ['phase 1 leads', fixedLeads], ['phase 1 baseline', fixedBase], ['phase 2 leads', burstLeads], ['phase 2 baseline', burstBase]] as const) {
      console.log(`${name.padEnd(16)} wall ${fmt(r.wallS)} s, event-loop delay p99 ${fmt(r.loopP99Ms, 0)} ms, CPU s: ${r.cpu.map(([n, c]) => `${n} ${fmt(c)}`).join(', ')}`);
    }
    await printLeadSteps(stack, calmLeads.postedAt!);
    console.log(`Temporal dev server sqlite file in ${process.env.BENCH_TEMPORAL_DB_DIR ?? 'the run\'s temporary folder on disk'}`);
    console.log('memory is this one process: Express API + lead worker + baseline worker + receiver + driver; PostgreSQL, Temporal and MinIO are separate processes, not counted');
  } finally {
    clearTimeout(watchdog);
    log('stopping services');
    await stopAll();
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
