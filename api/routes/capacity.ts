import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { HttpError, notFound } from '../http-error';
import { idParams } from '../schemas/common';
import { getPartner } from '../../db/partners';
import { getStatement, getTransaction } from '../../db/partner-statements';
import { getCircuits } from '../../db/circuits';
import { deliveryStats } from '../../db/delivery-stats';
import type { Partner } from '../../domain/config';
import { circuitState, DEFAULT_CIRCUIT_BREAKER } from '../../domain/circuit';
import { capacityView, stateFromLedger, toCapacityConfig, type PauseSource } from '../../domain/capacity';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { ledgerSnapshot, partnerStartFromDb } from '../../db/partner-ledger';

const windowSchema = z.object({
  window: z.enum(['day', 'week', 'month', 'lifetime']),
  key: z.string().nullable().meta({ description: "The window on the partner's wall clock: a date, the Monday of the week, or YYYY-MM" }),
  cap: z.number().int().nullable(),
  counted: z.number().int().meta({ description: 'Leads committed in this window' }),
  held: z.number().int().meta({ description: 'Open reservations granted in this window' }),
  remaining: z.number().int().nullable(),
});

const capacitySchema = z
  .object({
    partnerId: z.uuid(),
    configVersion: z.number().int().nullable(),
    status: z.string().nullable(),
    timezone: z.string().nullable(),
    paused: z.boolean(),
    pause: z.object({ by: z.enum(['operator', 'portal', 'sms']), at: z.string() }).nullable(),
    windows: z.array(windowSchema),
    assignments: z.record(z.string(), z.array(z.object({ window: z.string(), key: z.string().nullable(), counted: z.number().int() }))),
    balanceMinor: z.number().int(),
    creditLimitMinor: z.number().int().nullable(),
    heldMinor: z.number().int(),
    availableMinor: z.number().int().nullable(),
    currency: z.string().nullable(),
    lowFundsAlerted: z.boolean(),
    openReservations: z.array(z.object({ reservationId: z.string(), leadId: z.string(), assignmentId: z.string(), priceMinor: z.number().int(), reservedAt: z.string(), expiresAt: z.string() })),
    circuit: z.object({
      state: z.enum(['closed', 'open', 'half_open']).meta({ description: 'open: skipped after failing; half_open: one lead may probe it' }),
      consecutiveFailures: z.number().int(),
      openedAt: z.string().nullable(),
      reason: z.string().nullable(),
      failureThreshold: z.number().int(),
      cooldownSeconds: z.number().int(),
    }),
  })
  .meta({ id: 'PartnerCapacity' });

const windowStatsSchema = z.object({
  attempts: z.number().int(), succeeded: z.number().int(), successRate: z.number().nullable(), p50Ms: z.number().int().nullable(), p99Ms: z.number().int().nullable(),
});
const deliveryStatsSchema = z.object({ lastHour: windowStatsSchema, lastDay: windowStatsSchema }).meta({ id: 'DeliveryStats' });

const transactionSchema = z
  .object({
    seq: z.number().int(),
    key: z.string(),
    kind: z.enum(['charge', 'payment', 'credit']),
    amountMinor: z.number().int().meta({ description: 'Payments and credits positive, charges negative' }),
    balanceMinor: z.number().int().meta({ description: 'Running balance after this transaction' }),
    currency: z.string(),
    leadId: z.string().nullable(),
    description: z.string(),
    occurredAt: z.string(),
  })
  .meta({ id: 'StatementLine' });

const statementSchema = z.object({ items: z.array(transactionSchema), total: z.number().int(), balanceMinor: z.number().int() }).meta({ id: 'Statement' });

const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});

const paymentBody = z
  .strictObject({
    amountMinor: z.number().int('must be a whole number of minor units').positive('must be above 0').max(1_000_000_000_00),
    description: z.string().trim().min(1).max(200).optional(),
    paymentId: z.string().min(1).max(200).optional().meta({ description: 'Your reference; sending the same one again adds nothing' }),
  })
  .meta({ id: 'Payment' });

const deliveryStatusBody = z
  .strictObject({ status: z.enum(['online', 'offline'], { error: 'must be online or offline' }) })
  .meta({ id: 'DeliveryStatus' });

/** A refused update is the caller's mistake (the workflow's validator names it), not a server error. */
async function refusedIs400<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new HttpError(400, 'refused', (err.cause as Error | undefined)?.message ?? err.message);
    throw err;
  }
}

export function capacityRoutes({ sql, temporal, taskQueue }: AppDeps) {
  const partners = partnerCapacityClient(temporal, taskQueue, partnerStartFromDb(sql));
  const existing = async (id: string) => (await getPartner(sql, id)) ?? Promise.reject(notFound(`partner ${id}`));
  const ownId = (principal: Principal | null) => principal?.partnerId ?? Promise.reject(notFound('partner for this key'));

  const liveState = async (id: string) => {
    const partner = await existing(id);
    const now = new Date();
    // A partner whose workflow has not started yet has counted nothing and holds nothing.
    const running = await partners.state(id, now);
    if (running) return withCircuit(partner, running);
    // Not running now (never started, or its run was lost): what a new run would start from.
    const ledger = await ledgerSnapshot(sql, id, partner.timezone, now);
    return withCircuit(partner, capacityView(stateFromLedger(id, toCapacityConfig(partner), ledger), now.getTime()));
  };
  /** The partner workflow's view, with the endpoint's circuit from PostgreSQL. */
  const withCircuit = async <T>(partner: Partner, capacity: T) => {
    const settings = partner.circuitBreaker ?? DEFAULT_CIRCUIT_BREAKER;
    const record = (await getCircuits(sql, [partner.id])).get(partner.id);
    const circuit = {
      state: circuitState(record, settings, new Date()), consecutiveFailures: record?.consecutiveFailures ?? 0,
      openedAt: record?.openedAt ?? null, reason: record?.openedReason ?? null, ...settings,
    };
    return { ...capacity, circuit };
  };
  const setStatus = async (id: string, status: 'online' | 'offline', by: PauseSource) => {
    const partner = await existing(id);
    return withCircuit(partner, await refusedIs400(partners.setPaused(id, { paused: status === 'offline', by })));
  };
  const addPayment = async (id: string, body: z.infer<typeof paymentBody>) => {
    await existing(id);
    const receipt = await refusedIs400(partners.addPayment(id, { paymentId: body.paymentId ?? randomUUID(), amountMinor: body.amountMinor, description: body.description }));
    return getTransaction(sql, id, receipt.key);
  };

  return [
    defineRoute({
      method: 'get',
      path: '/partners/:id/delivery-stats',
      summary: "How a partner's endpoint answers: attempts, success rate and p50/p99 response time over the last hour and day",
      tags: ['capacity'],
      auth: ['operator'],
      params: idParams('partner'),
      responses: { 200: { description: 'From every delivery attempt', schema: deliveryStatsSchema }, 404: { description: 'No such partner' } },
      handler: async ({ params }) => {
        await existing(params.id);
        return deliveryStats(sql, params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id/capacity',
      summary: "A partner's live capacity: counters per window, what remains, balance, pause, open reservations",
      tags: ['capacity'],
      auth: ['operator'],
      params: idParams('partner'),
      responses: { 200: { description: 'Live state from the partner workflow', schema: capacitySchema }, 404: { description: 'No such partner' } },
      handler: ({ params }) => liveState(params.id),
    }),
    defineRoute({
      method: 'put',
      path: '/partners/:id/delivery-status',
      summary: 'Pause (offline) or resume (online) deliveries to a partner',
      tags: ['capacity'],
      auth: ['operator'],
      params: idParams('partner'),
      body: deliveryStatusBody,
      responses: { 200: { description: 'Live state after the change', schema: capacitySchema }, 404: { description: 'No such partner' } },
      handler: ({ params, body }) => setStatus(params.id, body.status, 'operator'),
    }),
    defineRoute({
      method: 'get',
      path: '/partners/:id/statement',
      summary: "A partner's statement: every charge, payment and credit with the running balance",
      tags: ['capacity'],
      auth: ['operator'],
      params: idParams('partner'),
      query: pageQuery,
      responses: { 200: { description: 'Oldest first', schema: statementSchema }, 404: { description: 'No such partner' } },
      handler: async ({ params, query }) => {
        await existing(params.id);
        return getStatement(sql, params.id, query);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/partners/:id/payments',
      summary: "Add a payment to a partner's statement",
      description: 'Raises the available credit at once, so paused-for-credit deliveries resume.',
      tags: ['capacity'],
      auth: ['operator'],
      params: idParams('partner'),
      body: paymentBody,
      status: 201,
      responses: { 201: { description: 'The statement line', schema: transactionSchema }, 404: { description: 'No such partner' } },
      handler: ({ params, body }) => addPayment(params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/statement',
      summary: 'Your statement',
      tags: ['portal'],
      auth: ['partner'],
      query: pageQuery,
      responses: { 200: { description: 'Oldest first', schema: statementSchema } },
      handler: async ({ principal, query }) => getStatement(sql, await ownId(principal), query),
    }),
    defineRoute({
      method: 'get',
      path: '/portal/capacity',
      summary: 'Your live capacity: caps used per window, balance, pause',
      tags: ['portal'],
      auth: ['partner'],
      responses: { 200: { description: 'Live state from your partner workflow', schema: capacitySchema } },
      handler: async ({ principal }) => liveState(await ownId(principal)),
    }),
    defineRoute({
      method: 'put',
      path: '/portal/status',
      summary: 'Go online (take leads) or offline (pause deliveries)',
      tags: ['portal'],
      auth: ['partner'],
      body: deliveryStatusBody,
      responses: { 200: { description: 'Your live capacity after the change', schema: capacitySchema } },
      handler: async ({ principal, body }) => setStatus(await ownId(principal), body.status, 'portal'),
    }),
  ];
}
