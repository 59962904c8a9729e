/**
 * Monthly invoicing at scale: INVOICE_PARTNERS partners (1,000) with INVOICE_CHARGES charged leads each
 * (100) in one month, invoiced by one invoicing-<month> run: numbered in PostgreSQL, rendered, stored in
 * MinIO and emailed to a local mail catcher. Prints PDFs per second and peak memory, next to a baseline
 * that renders the same invoices with the same renderer without Temporal. Target: the run under 5 minutes.
 * Starts its own PostgreSQL, Temporal, MinIO and MailDev. Run with `npm run bench:invoicing`.
 * It measures; it does not pass or fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort, startMailCatcher, startMinio, startPostgres, stopAll, TEMPORAL_DYNAMIC_CONFIG, type Service } from '../scripts/lib/services';
import { createSql } from '../db/client';
import { migrate } from '../db/migrate';
import { insertPartner } from '../db/partners';
import { insertTransactions } from '../db/partner-statements';
import { listInvoices } from '../db/invoices';
import { createWorker } from '../worker/create-worker';
import { invoiceDocument } from '../activities/invoice-document';
import { billingSettings, loadEnv } from '../infra/env';
import { encryptedDataConverter, failureConverterPath } from '../infra/payload-codec';
import { createObjectStore, ensureBucket } from '../infra/object-store';
import { createPdfRenderer } from '../infra/pdf-renderer';
import { invoicingRunId, monthAt, previousMonth } from '../domain/invoice';
import type { invoicingRunWorkflow } from '../workflows/invoicing';
import { reportFigures } from './lib/figures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require('../scripts/lib/tools') as { ensureTemporalCli(): string; ensureMinio(): string };

const PARTNERS = Number(process.env.INVOICE_PARTNERS ?? 1000);
const CHARGES = Number(process.env.INVOICE_CHARGES ?? 100);
const PRICES = [10_00, 12_50, 25_00];
/** Temporal's default history limits, in events. */
const HISTORY_WARN = 10_240;
const HISTORY_LIMIT = 51_200;

const say = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** The highest resident memory seen while `work` runs (render threads included: they share the process). */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peak: number; seconds: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const started = performance.now();
  try {
    const result = await work();
    return { result, peak, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-invoicing-'));
  fs.chmodSync(dir, 0o755);
  const services: Service[] = [];
  const [pgPort, minioPort, consolePort, smtpPort, mailWebPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const [pg, minio, mail, temporal, bundle] = await Promise.all([
    startPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort, persistent: false, database: 'leadrelay_bench' }),
    startMinio({ binary: tools.ensureMinio(), dataDir: path.join(dir, 'minio'), port: minioPort, consolePort, accessKey: 'leadrelay', secretKey: 'leadrelay-secret' }),
    startMailCatcher({ smtpPort, webPort: mailWebPort, mailDir: path.join(dir, 'mail') }),
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: tools.ensureTemporalCli() }, ip: '127.0.0.1', extraArgs: ['--log-level', 'error', ...TEMPORAL_DYNAMIC_CONFIG] },
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), failureConverterPath, logger: new DefaultLogger('ERROR') }),
  ]);
  services.push(pg, minio, mail);
  const env = loadEnv({
    ...process.env, DATABASE_URL: pg.url, S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY: minio.accessKey, S3_SECRET_KEY: minio.secretKey, SMTP_URL: mail.smtpUrl, LOG_LEVEL: 'silent',
  });
  const sql = createSql(pg.url);
  const client = new Client({ connection: temporal.connection, namespace: 'default', dataConverter: encryptedDataConverter() });
  const taskQueue = `bench-invoicing-${randomUUID()}`;
  const renderer = createPdfRenderer();
  try {
    await migrate(sql);
    await ensureBucket(createObjectStore(env), env.S3_REGION);
    const settings = billingSettings(env);
    const month = previousMonth(monthAt(new Date(), settings.timezone));

    say(`writing ${PARTNERS} partners with ${CHARGES} charges each in ${month}...`);
    for (let p = 0; p < PARTNERS; p++) {
      const partner = await insertPartner(sql, randomUUID(), {
        name: `bench partner ${p}`, email: `billing-${p}@partner.example`, phone: null, address: null, notes: null, tags: [], status: 'active', timezone: 'Europe/London',
        billing: { legalName: `Bench Partner ${p} Ltd`, address: { line1: `${p} High Street`, city: 'London', postalCode: 'N1 1AA', country: 'GB' }, paymentTermsDays: 14, currency: 'GBP' },
        delivery: null, caps: { day: null, week: null, month: null, lifetime: null }, schedule: { type: 'always' }, creditLimitMinor: null, lowFundsThresholdMinor: null,
        transferPhone: null, smsNumber: null, fcaNumber: null,
      });
      let balance = 0;
      await insertTransactions(sql, partner.id, Array.from({ length: CHARGES }, (_, i) => {
        const price = PRICES[i % PRICES.length]!;
        balance -= price;
        const leadId = randomUUID();
        return { seq: i + 1, key: `charge:${leadId}`, kind: 'charge' as const, amountMinor: -price, balanceMinor: balance, currency: 'GBP', leadId, description: `lead ${leadId}`, occurredAt: `${month}-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00.000Z` };
      }));
    }

    const worker = await createWorker({ connection: temporal.nativeConnection, namespace: 'default', taskQueue, deps: { sql, env, temporal: client }, workflowBundle: { code: bundle.code } });
    const running = worker.run();
    say(`memory before the run: ${mb(process.memoryUsage().rss)}`);
    const run = await peakMemory(() =>
      client.workflow.execute<typeof invoicingRunWorkflow>('invoicingRunWorkflow', { workflowId: invoicingRunId(month), taskQueue, args: [{ month }], workflowExecutionTimeout: '30 minutes' }));
    const { items, total } = await listInvoices(sql, { period: month, limit: PARTNERS, offset: 0 });
    const stored = items.filter((i) => i.pdfKey && i.emailedAt).length;
    say(`invoicing run: ${run.result.invoiced} invoices (${total} in the database, ${stored} stored and emailed) in ${run.seconds.toFixed(1)} s: ${(run.result.invoiced / run.seconds).toFixed(1)} PDFs/s, peak ${mb(run.peak)}`);
    // One run holds every partner's child in its history: it must stay well inside Temporal's limits at full size.
    const { historyLength } = await client.workflow.getHandle(invoicingRunId(month)).describe();
    say(`the run's history: ${historyLength} events, ${(historyLength / PARTNERS).toFixed(1)} per partner (Temporal warns at ${HISTORY_WARN} and stops a workflow at ${HISTORY_LIMIT})`);

    const rerun = await peakMemory(() => client.workflow.execute<typeof invoicingRunWorkflow>('invoicingRunWorkflow', { workflowId: invoicingRunId(month), taskQueue, args: [{ month }] }));
    say(`rerun of the month: ${rerun.result.invoiced} new invoices in ${rerun.seconds.toFixed(1)} s`);
    worker.shutdown();
    await running;

    // Baseline: the same invoices rendered by the same renderer, straight from the rows, no Temporal, no storage, no mail.
    const baseline = await peakMemory(async () => {
      const queue = [...items];
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (let invoice = queue.shift(); invoice; invoice = queue.shift()) await renderer.render(invoiceDocument(invoice));
      }));
      return items.length;
    });
    say(`baseline, rendering only: ${baseline.result} PDFs in ${baseline.seconds.toFixed(1)} s: ${(baseline.result / baseline.seconds).toFixed(1)} PDFs/s, peak ${mb(baseline.peak)}`);

    reportFigures([
      { bench: 'invoicing', figure: `PDFs per second (${PARTNERS} partners x ${CHARGES} charges)`, unit: '/s', value: run.result.invoiced / run.seconds, baseline: baseline.result / baseline.seconds },
      { bench: 'invoicing', figure: 'whole month run', unit: 's', value: run.seconds, target: '< 300 s' },
      { bench: 'invoicing', figure: 'peak memory', unit: 'MB', value: run.peak / 2 ** 20, baseline: baseline.peak / 2 ** 20 },
      { bench: 'invoicing', figure: 'invoices issued by a rerun', unit: '', value: rerun.result.invoiced, target: '0' },
      { bench: 'invoicing', figure: "events in the run's history", unit: '', value: historyLength, target: `< ${HISTORY_WARN}` },
    ]);
  } catch (err) {
    process.stderr.write(`benchmark failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  } finally {
    await renderer.close();
    await sql.end();
    await temporal.teardown();
    await stopAll(services);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
