import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createSql, type Sql } from '../../db/client';
import { insertPartner, type PartnerInput } from '../../db/partners';
import type { Partner } from '../../domain/config';
import { reservationIdFor, type ReserveRequest } from '../../domain/reservations';
import { createNotifier, type Notifier } from '../../infra/notifier';
import type { TwilioHttpClient } from '../../infra/twilio';
import { partnerTaskQueue, partnerWorkflowId } from '../../workflows/partner-messages';
import { testEnv } from '../helpers/env';
import { connectTestClient, type TestClient } from '../helpers/temporal-client';
import { startWorker, type RunningWorker } from '../helpers/worker';

/** A partner stored in PostgreSQL, where its workflow loads its configuration from. */
export function addPartner(sql: Sql, overrides: Partial<PartnerInput> = {}): Promise<Partner> {
  return insertPartner(sql, randomUUID(), {
    name: `Capacity ${randomUUID()}`,
    email: 'leads@partner.example',
    phone: null,
    address: null,
    notes: null,
    tags: [],
    status: 'active',
    timezone: 'Europe/London',
    billing: null,
    delivery: { type: 'email', addresses: ['leads@partner.example'] },
    caps: { day: null, week: null, month: null, lifetime: null },
    schedule: { type: 'always' },
    creditLimitMinor: null,
    lowFundsThresholdMinor: null,
    transferPhone: null,
    smsNumber: null,
    fcaNumber: null,
    ...overrides,
  });
}

export const reserveRequest = (partnerId: string, overrides: Partial<ReserveRequest> = {}): ReserveRequest => ({
  leadId: randomUUID(),
  partnerId,
  assignmentId: 'assignment-1',
  priceMinor: 10_00,
  currency: 'GBP',
  assignmentCaps: null,
  holdSeconds: 600,
  ...overrides,
});

export const settle = (r: ReserveRequest) => ({ partnerId: r.partnerId, leadId: r.leadId, reservationId: reservationIdFor(r.leadId, r.partnerId) });

/** Starts partner-<id> directly (servers without update-with-start, or a test-only history limit). */
/** partner-<id> on the partners' queue beside `taskQueue`, as a lead's first reserve starts it. */
export const startPartnerWorkflow = (client: Client, taskQueue: string, partnerId: string, historyLimit?: number) =>
  client.workflow.start('partnerWorkflow', { workflowId: partnerWorkflowId(partnerId), taskQueue: partnerTaskQueue(taskQueue), args: [{ partnerId, historyLimit, ownQueue: true }] });

export interface FakeTwilio { httpClient: TwilioHttpClient; requests: Array<{ uri: string; data: Record<string, string> }> }

/** Stands in for api.twilio.com behind the client's httpClient option; records every request. */
export function fakeTwilio(): FakeTwilio {
  const requests: FakeTwilio['requests'] = [];
  const httpClient = {
    async request(opts: { uri: string; data?: Record<string, string> }) {
      requests.push({ uri: opts.uri, data: opts.data ?? {} });
      return { statusCode: 201, body: JSON.stringify({ sid: `SM${randomUUID().replace(/-/g, '')}`, status: 'queued' }), headers: {} };
    },
  } as unknown as TwilioHttpClient;
  return { httpClient, requests };
}

export const testNotifier = (twilio: FakeTwilio): Notifier => createNotifier(testEnv(), { twilioHttpClient: twilio.httpClient });

/** The suite's database, a worker on its own task queue and a client, each ready once beforeAll has run. */
export function useCapacityWorker(): { sql: Sql; worker: RunningWorker; client: Client } {
  const suite = {} as { sql: Sql; worker: RunningWorker; client: Client };
  let connection: TestClient;
  beforeAll(async () => {
    suite.sql = createSql(testEnv().DATABASE_URL);
    suite.worker = await startWorker(suite.sql);
    connection = await connectTestClient();
    suite.client = connection.temporal;
  });
  afterAll(async () => {
    await suite.worker.stop();
    await connection.close();
    await suite.sql.end();
  });
  return suite;
}
