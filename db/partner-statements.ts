import type { Sql } from './client';
import type { Transaction } from '../domain/capacity';
import { readSnapshot } from './transaction';

export interface StatementLine extends Omit<Transaction, 'seq'> { seq: number }

type LineRow = Omit<StatementLine, 'seq' | 'amountMinor' | 'balanceMinor'> & { seq: string; amountMinor: string; balanceMinor: string };
/** Amounts stay bigint in SQL; they become numbers only here, at the edge (exact below 2^53 minor units). */
const toLine = (r: LineRow): StatementLine => ({ ...r, seq: Number(r.seq), amountMinor: Number(r.amountMinor), balanceMinor: Number(r.balanceMinor) });

/**
 * Idempotent: a transaction already written (same key) is left as it is. Any other clash, such as a
 * sequence number taken by another transaction, fails loudly: a statement line is never dropped.
 */
export async function insertTransactions(sql: Sql, partnerId: string, transactions: Transaction[]): Promise<void> {
  if (transactions.length === 0) return;
  const rows = transactions.map((t) => ({
    partner_id: partnerId, seq: t.seq, txn_key: t.key, kind: t.kind, amount_minor: t.amountMinor, balance_minor: t.balanceMinor,
    currency: t.currency, lead_id: t.leadId, assignment_id: t.assignmentId ?? null, description: t.description, occurred_at: t.occurredAt,
  }));
  await sql`insert into partner_transactions ${sql(rows)} on conflict (partner_id, txn_key) do nothing`;
}

/** The page and its totals come from one snapshot, so a transaction written meanwhile can't make them disagree. */
export async function getStatement(sql: Sql, partnerId: string, page: { limit: number; offset: number }): Promise<{ items: StatementLine[]; total: number; balanceMinor: number }> {
  const [rows, [summary]] = await readSnapshot(sql, (tx) => [
    tx<LineRow[]>`
      select seq, txn_key as key, kind, amount_minor as "amountMinor", balance_minor as "balanceMinor", currency,
        lead_id as "leadId", description, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt"
      from partner_transactions where partner_id = ${partnerId} order by seq limit ${page.limit} offset ${page.offset}`,
    tx<{ total: string; balanceMinor: string | null }[]>`
      select count(*) as total, (array_agg(balance_minor order by seq desc))[1] as "balanceMinor"
      from partner_transactions where partner_id = ${partnerId}`,
  ] as const);
  return { items: rows.map(toLine), total: Number(summary?.total ?? 0), balanceMinor: Number(summary?.balanceMinor ?? 0) };
}

export async function getTransaction(sql: Sql, partnerId: string, key: string): Promise<StatementLine | undefined> {
  const [row] = await sql<LineRow[]>`
    select seq, txn_key as key, kind, amount_minor as "amountMinor", balance_minor as "balanceMinor", currency,
      lead_id as "leadId", description, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt"
    from partner_transactions where partner_id = ${partnerId} and txn_key = ${key}`;
  return row && toLine(row);
}

export async function alertSent(sql: Sql, partnerId: string, key: string, channel: 'email' | 'sms'): Promise<boolean> {
  const [row] = await sql`select 1 from partner_alerts where partner_id = ${partnerId} and alert_key = ${key} and channel = ${channel}`;
  return !!row;
}

export async function markAlertSent(sql: Sql, partnerId: string, key: string, channel: 'email' | 'sms'): Promise<void> {
  await sql`insert into partner_alerts (partner_id, alert_key, channel) values (${partnerId}, ${key}, ${channel}) on conflict do nothing`;
}

export async function findPartnerIdBySmsNumber(sql: Sql, number: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`
    select id from partners where regexp_replace(sms_number, '[^0-9+]', '', 'g') = ${number.replace(/[^0-9+]/g, '')} order by created_at limit 1`;
  return row?.id;
}
