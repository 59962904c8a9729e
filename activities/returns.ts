import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import type { Sql } from '../db/client';
import { getPartner } from '../db/partners';
import { partnerStartFromDb } from '../db/partner-ledger';
import { issueCreditNote, type BillingSettings } from '../db/invoices';
import { appendAudit } from '../db/audit';
import { decideReturn, getReturn, markPartnerTold, reofferOf, setCreditNote } from '../db/returns';
import type { Reoffer, ReturnStatus } from '../domain/returns';
import { partnerCapacityClient } from '../infra/partner-capacity-client';
import { money } from './invoice-document';

export interface ReturnDeps { sql: Sql; temporal: Client; mailer: Transporter; mailFrom: string; settings: BillingSettings }

const creditKey = (leadId: string) => `credit:${leadId}`;

/** A return's side effects: the credit through the partner's workflow, the decision in PostgreSQL, the credit note and the partner's notice. */
export function returnActivities({ sql, temporal, mailer, mailFrom, settings }: ReturnDeps) {
  const existing = async (returnId: string) => (await getReturn(sql, returnId)) ?? Promise.reject(ApplicationFailure.nonRetryable(`return ${returnId} not found`));
  const partnerOf = async (partnerId: string) => (await getPartner(sql, partnerId)) ?? Promise.reject(ApplicationFailure.nonRetryable(`partner ${partnerId} not found`));
  return {
    /** The partner workflow holds the live balance, so the credit goes through it; it answers once the row is in PostgreSQL. */
    async creditReturn(returnId: string): Promise<void> {
      const r = await existing(returnId);
      const partners = partnerCapacityClient(temporal, Context.current().info.taskQueue, partnerStartFromDb(sql));
      await partners.addCredit(r.partnerId, { leadId: r.leadId, amountMinor: r.amountMinor, reason: r.reason });
    },
    async recordReturnDecision(returnId: string, status: Exclude<ReturnStatus, 'pending'>, by: string, note: string): Promise<void> {
      await decideReturn(sql, returnId, { status, by, note });
    },
    /** A credit note when the returned lead's charge was already invoiced; null when the credit nets on the next invoice instead. */
    async issueReturnCreditNote(returnId: string): Promise<string | null> {
      const r = await existing(returnId);
      const note = await issueCreditNote(sql, await partnerOf(r.partnerId), { key: r.chargeKey }, creditKey(r.leadId), settings);
      if (note?.series !== 'credit_note') return null;
      await setCreditNote(sql, returnId, note.id);
      return note.id;
    },
    /** The re-offer an approved return starts when its lead type re-offers returned leads; the lead's history says why. */
    async reofferFor(returnId: string): Promise<Reoffer | null> {
      const reoffer = await reofferOf(sql, returnId);
      if (!reoffer) return null;
      const r = await existing(returnId);
      const partner = await partnerOf(r.partnerId);
      await appendAudit(sql, reoffer.leadId, `reoffer:${reoffer.n}:returned`, {
        at: r.decidedAt ?? new Date().toISOString(),
        type: 'reoffered',
        summary: `returned by ${partner.name} (${r.reason}), approved by ${r.decidedBy}: offered to the next eligible partner that has not had it`,
        detail: { returnId, reoffer: reoffer.n, returningPartnerId: r.partnerId },
      });
      return reoffer;
    },
    /** Tells the partner why a return was not credited, once. */
    async tellPartnerOfReturnDecision(returnId: string): Promise<void> {
      const r = await existing(returnId);
      if (r.status === 'pending' || r.status === 'approved' || r.partnerToldAt) return;
      const partner = await partnerOf(r.partnerId);
      const why = r.status === 'expired' ? 'no decision was made before its deadline' : `it was denied: ${r.decisionNote || 'no reason given'}`;
      await mailer.sendMail({
        from: mailFrom,
        to: partner.email,
        subject: `leadrelay: your return of lead ${r.leadId} was not credited`,
        text: `Your return of lead ${r.leadId} (${r.reason}, ${money(r.amountMinor, r.currency)}) was not credited: ${why}.`,
      });
      await markPartnerTold(sql, returnId);
    },
  };
}
