import type { Client } from '@temporalio/client';
import nodemailer from 'nodemailer';
import type { Sql } from '../db/client';
import type { Env } from '../infra/env';
import { createNotifier, type Notifier } from '../infra/notifier';
import { createMetrics, type Metrics } from '../infra/metrics';
import { fieldSealerFromEnv, type FieldSealer } from '../infra/field-sealing';
import { capacityActivities, capacityCalls } from './capacity';
import { deliveryActivities } from './deliveries';
import { offerActivities } from './offer-lead';
import { deliveryAgent } from './delivery/private-address-guard';
import { leadActivities } from './leads';
import { partnerActivities } from './partner';
import { routingActivities } from './routing';
import { invoicingActivities } from './invoicing';
import { returnActivities } from './returns';
import { createObjectStore } from '../infra/object-store';
import { createPdfRenderer } from '../infra/pdf-renderer';
import { billingSettings } from '../infra/env';
import { transferActivities } from './transfer';
import { appointmentActivities } from './appointments';
import type { TwilioHttpClient } from '../infra/twilio';

export interface ActivityDeps {
  sql: Sql;
  env: Env;
  /** For the capacity activities, which send updates to partner workflows. */
  temporal: Client;
  /** Prometheus metrics the activities record; the worker process serves them. */
  metrics?: Metrics;
  /** Email and SMS for partner alerts; by default SMTP and Twilio from env (tests pass a local Twilio fake). */
  notifier?: Notifier;
  /** Opens the lead fields sealed in PostgreSQL; by default with LEADRELAY_FIELD_KEYS. */
  sealer?: FieldSealer;
  /** Hotkey transfers' Twilio Voice calls; by default api.twilio.com, or TWILIO_API_BASE_URL (tests pass the simulator). */
  twilioHttpClient?: TwilioHttpClient;
}

export function createActivities(deps: ActivityDeps) {
  const { sql, env } = deps;
  const metrics = deps.metrics ?? createMetrics('worker');
  const calls = capacityCalls(deps.temporal, sql, metrics);
  const capacity = capacityActivities(calls, sql);
  const deliveries = deliveryActivities({
    sql,
    dispatcher: deliveryAgent({ allowPrivateAddresses: env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES }),
    mailer: nodemailer.createTransport(env.SMTP_URL),
    mailFrom: env.MAIL_FROM,
    publicUrl: env.PUBLIC_URL,
    linkSecret: env.LINK_SIGNING_SECRET,
    capacity,
    operatorEmail: env.OPERATOR_EMAIL,
    metrics,
    sealer: deps.sealer ?? fieldSealerFromEnv(),
  });
  return {
    ...leadActivities(sql, metrics),
    ...routingActivities(sql),
    ...capacity,
    ...deliveries,
    ...offerActivities(calls, deliveries),
    ...partnerActivities(sql, deps.notifier ?? createNotifier(env)),
    ...invoicingActivities({
      sql, store: createObjectStore(env), renderer: createPdfRenderer(), mailer: nodemailer.createTransport(env.SMTP_URL), mailFrom: env.MAIL_FROM, settings: billingSettings(env),
    }),
    ...returnActivities({ sql, temporal: deps.temporal, mailer: nodemailer.createTransport(env.SMTP_URL), mailFrom: env.MAIL_FROM, settings: billingSettings(env) }),
    ...transferActivities(sql, env, deps.twilioHttpClient),
    ...appointmentActivities({
      sql, notifier: deps.notifier ?? createNotifier(env), sealer: deps.sealer ?? fieldSealerFromEnv(), links: { publicUrl: env.PUBLIC_URL, secret: env.LINK_SIGNING_SECRET },
      charge: capacity.addLaterCharge, partnerEvent: deliveries.sendPartnerEvent,
    }),
  };
}

export type LeadActivities = ReturnType<typeof createActivities>;
