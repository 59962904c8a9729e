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

/** The lead type's whisper template, or undefined for the default. */
export async function getWhisperTemplate(sql: Sql, leadTypeId: string): Promise<string | undefined> {
  const [row] = await sql<{ template: string }[]>`select template from lead_type_transfer_whisper where lead_type_id = ${leadTypeId}`;
  return row?.template;
}

export async function putWhisperTemplate(sql: Sql, leadTypeId: string, template: string): Promise<void> {
  await sql`
    insert into lead_type_transfer_whisper (lead_type_id, template) values (${leadTypeId}, ${template})
    on conflict (lead_type_id) do update set template = excluded.template, updated_at = now()`;
}
