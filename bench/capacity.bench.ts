/**
 * Partner capacity speed: reservations per second and p50/p99 update latency on one hot partner
 * and across 100 partners, next to a no-op update on a trivial workflow measured in the same run,
 * with process memory. Every grant is checked against the caps: overruns must be 0.
 * Starts its own PostgreSQL and Temporal dev server. Run with `npm run bench:capacity`.
 * It measures; it does not pass or fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { InterceptingCall, status as grpcStatus, type Interceptor } from '@grpc/grpc-js';
import { Client } from '@temporalio/client';
import { connectTemporal } from '../infra/temporal-client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { freePort, startPostgres, TEMPORAL_DYNAMIC_CONFIG } from '../scripts/lib/services';
import { createSql } from '../db/client';
import { migrate } from '../db/migrate';
import { insertPartner } from '../db/partners';
import { createActivities } from '../activities';
import { loadEnv } from '../infra/env';
import { partnerCapacityClient } from '../infra/partner-capacity-client';
import type { ReserveRequest } from '../domain/reservations';
import { noopUpdate } from './noop-workflow';
import { reportFigures } from './lib/figures';
import { partnerStartFromDb } from '../db/partner-ledger';
import { partnerTaskQueue } from '../workflows/partner-messages';
import { partnerWorkflowId } from '../domain/ids';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('../scripts/lib/tools') as { ensureTemporalCli(): string };

const HOT_RESERVATIONS = 3000;
const BASELINE_UPDATES = 1500;
const HOT_CAP = 2000;
const SPREAD_PARTNERS = 100;
const SPREAD_RESERVATIONS = 3000;
const SPREAD_CAP = 20;
const CONCURRENCY = 64;

interface Run { label: string; count: number; seconds: number; latencies: number[] }

async function measure(label: string, count: number, op: (i: number) => Promise<unknown>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { label, count, seconds: (performance.now() - started) / 1000, latencies };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
function report(run: Run) {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const line = `${run.label.padEnd(44)} ${String(run.count).padStart(5)} ops  ${(run.count / run.seconds).toFixed(0).padStart(6)} ops/s  p50 ${pct(sorted, 50).toFixed(1).padStart(6)} ms  p99 ${pct(sorted, 99).toFixed(1).padStart(6)} ms`;
  process.stdout.write(`${line}\n`);
  return { perSecond: run.count / run.seconds, p99: pct(sorted, 99) };
}

const mb = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB rss`;

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-'));
  fs.chmodSync(dir, 0o755);
  const [pg, temporal, bundle] = await Promise.all([
    startPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), persistent: false, database: 'leadrelay_bench' }),
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: tools.ensureTemporalCli() }, ip: '127.0.0.1', extraArgs: ['--log-level', 'error', ...TEMPORAL_DYNAMIC_CONFIG] },
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: new DefaultLogger('ERROR') }),
  ]);
  const sql = createSql(pg.url);
  const env = loadEnv({ ...process.env, DATABASE_URL: pg.url, LOG_LEVEL: 'silent' });
  // The production client's retries; every attempt the server turns away as RESOURCE_EXHAUSTED is counted under them.
  let exhausted = 0;
  const exhaustedWhy = new Map<string, number>();
  const counting: Interceptor = (options, nextCall) => new InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => next(metadata, {
      onReceiveStatus: (s, pass) => {
        if (s.code === grpcStatus.RESOURCE_EXHAUSTED) {
          const why = `${options.method_definition.path}: ${s.details}`;
          exhausted++;
          exhaustedWhy.set(why, (exhaustedWhy.get(why) ?? 0) + 1);
        }
        pass(s);
      },
    }),
  });
  const connection = await connectTemporal(temporal.address, [counting]);
  const client: Client = new Client({ connection, namespace: temporal.namespace ?? 'default' });
  // The queue partner workflows run on (partnerTaskQueue); the no-op baseline shares it and its one worker.
  const taskQueue = partnerTaskQueue(`bench-${randomUUID()}`);
  try {
    await migrate(sql);
    const worker = await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({ sql, env, temporal: client }),
      maxConcurrentWorkflowTaskExecutions: 100,
    });
    const running = worker.run();
    process.stdout.write(`memory at start: ${mb()}\n`);

    const noop = await client.workflow.start('noopWorkflow', { workflowId: `noop-${randomUUID()}`, taskQueue });
    await measure('warm-up', 100, (i) => noop.executeUpdate(noopUpdate, { args: [i] }));
    // One run takes at most 2000 updates (history.maxTotalUpdates); the no-op workflow never continues-as-new.
    const baseline = report(await measure('baseline: no-op update, one workflow', BASELINE_UPDATES, (i) => noop.executeUpdate(noopUpdate, { args: [i] })));

    const partners = partnerCapacityClient(client, taskQueue, partnerStartFromDb(sql));
    const newPartner = (cap: number) =>
      insertPartner(sql, randomUUID(), {
        name: `bench ${randomUUID()}`, email: 'bench@partner.example', phone: null, address: null, notes: null, tags: [], status: 'active',
        timezone: 'Europe/London', billing: null, delivery: null, caps: { day: cap, week: null, month: null, lifetime: null },
        schedule: { type: 'always' }, creditLimitMinor: null, lowFundsThresholdMinor: null, transferPhone: null, smsNumber: null, fcaNumber: null,
      });
    const request = (partnerId: string): ReserveRequest => ({
      leadId: randomUUID(), partnerId, assignmentId: 'bench', priceMinor: 10_00, currency: 'GBP', assignmentCaps: null, holdSeconds: 3600,
    });
    const grants = new Map<string, number>();
    const reserve = async (partnerId: string) => {
      const answer = await partners.reserve(request(partnerId));
      if (answer.granted) grants.set(partnerId, (grants.get(partnerId) ?? 0) + 1);
    };

    const hot = await newPartner(HOT_CAP);
    await reserve(hot.id);
    const hotRun = report(await measure(`reserve: one hot partner (cap ${HOT_CAP})`, HOT_RESERVATIONS, () => reserve(hot.id)));

    const spread = await Promise.all(Array.from({ length: SPREAD_PARTNERS }, () => newPartner(SPREAD_CAP)));
    await Promise.all(spread.map((p) => reserve(p.id)));
    const spreadRun = report(await measure(`reserve: ${SPREAD_PARTNERS} partners (cap ${SPREAD_CAP} each)`, SPREAD_RESERVATIONS, (i) => reserve(spread[i % SPREAD_PARTNERS]!.id)));

    const overruns = [[hot.id, HOT_CAP] as const, ...spread.map((p) => [p.id, SPREAD_CAP] as const)].reduce((n, [id, cap]) => n + Math.max(0, (grants.get(id) ?? 0) - cap), 0);
    process.stdout.write(`granted on the hot partner: ${grants.get(hot.id)} of cap ${HOT_CAP}; overruns across all partners: ${overruns}; RESOURCE_EXHAUSTED answers: ${exhausted}\n`);
    // The state carried through continue-as-new, in the largest start input of the hot partner's runs.
    // And how many Updates carried its reservations, across its runs.
    let largestPayload = 0;
    let hotUpdates = 0;
    for await (const wf of client.workflow.list({ query: `WorkflowId = "${partnerWorkflowId(hot.id)}"` })) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      for (const e of history.events ?? []) {
        const payloads = e.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
        largestPayload = Math.max(largestPayload, payloads.reduce((n, p) => n + (p.data?.length ?? 0), 0));
        if (e.workflowExecutionUpdateAcceptedEventAttributes) hotUpdates++;
      }
    }
    process.stdout.write(`Updates on the hot partner: ${hotUpdates} for ${HOT_RESERVATIONS + 1} reservations\n`);
    for (const [why, n] of exhaustedWhy) process.stdout.write(`  RESOURCE_EXHAUSTED x${n}: ${why}\n`);
    process.stdout.write(`largest state carried into a run of the hot partner: ${(largestPayload / 1024).toFixed(0)} KB (target < 256 KB)\n`);
    process.stdout.write(`memory at end: ${mb()}\n`);
    reportFigures([
      { bench: 'capacity', figure: 'hot partner reservations', unit: '/s', value: hotRun.perSecond, baseline: baseline.perSecond, target: '>= 300/s' },
      { bench: 'capacity', figure: 'hot partner p99', unit: 'ms', value: hotRun.p99, baseline: baseline.p99, target: '< 250 ms' },
      { bench: 'capacity', figure: `${SPREAD_PARTNERS} partners reservations`, unit: '/s', value: spreadRun.perSecond, baseline: baseline.perSecond },
      { bench: 'capacity', figure: 'overruns', unit: '', value: overruns, target: '0' },
      { bench: 'capacity', figure: 'RESOURCE_EXHAUSTED answers', unit: '', value: exhausted, target: '0' },
      { bench: 'capacity', figure: 'largest carried state', unit: 'KB', value: largestPayload / 1024, target: '< 256 KB' },
    ]);
    worker.shutdown();
    await running;
  } catch (err) {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  } finally {
    await sql.end();
    await connection.close();
    await temporal.teardown();
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
