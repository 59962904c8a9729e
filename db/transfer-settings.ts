import type { Sql } from './client';
import { DEFAULT_MIN_BILLABLE_SECONDS, DEFAULT_RING_TIMEOUT_SECONDS, type TransferSettings } from '../domain/transfer';

/** A partner's transfer settings; the defaults until an operator sets them. */
export async function getTransferSettings(sql: Sql, partnerId: string): Promise<TransferSettings> {
  const [row] = await sql<TransferSettings[]>`
    select ring_timeout_seconds as "ringTimeoutSeconds", min_billable_seconds as "minBillableSeconds"
    from partner_transfer_settings where partner_id = ${partnerId}`;
  return row ?? { ringTimeoutSeconds: DEFAULT_RING_TIMEOUT_SECONDS, minBillableSeconds: DEFAULT_MIN_BILLABLE_SECONDS };
}

export async function putTransferSettings(sql: Sql, partnerId: string, s: TransferSettings): Promise<TransferSettings> {
  await sql`
    insert into partner_transfer_settings (partner_id, ring_timeout_seconds, min_billable_seconds)
    values (${partnerId}, ${s.ringTimeoutSeconds}, ${s.minBillableSeconds})
    on conflict (partner_id) do update set ring_timeout_seconds = excluded.ring_timeout_seconds,
      min_billable_seconds = excluded.min_billable_seconds, updated_at = now()`;
  return s;
}
