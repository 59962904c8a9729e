import { randomUUID } from 'node:crypto';
import type { Sql } from './client';
import { inTransaction } from './transaction';
import {
  documentNumber, invoiceLines, singleCurrency, totals, type BillableTransaction, type DocumentSeries, type InvoiceLine,
  type Party, type Supplier, type VatDecision, type VatTreatment,
} from '../domain/invoice';
import type { Partner } from '../domain/config';
import { vatDecision } from '../domain/invoice-vat';

export interface Invoice {
  id: string;
  series: DocumentSeries;
  number: string;
  partnerId: string;
  period: string;
  amendsInvoiceId: string | null;
  currency: string;
  lines: InvoiceLine[];
  netMinor: number;
  vatMinor: number;
  grossMinor: number;
  vatTreatment: VatTreatment;
  vatRateBasisPoints: number;
  vatNote: string | null;
  supplier: Supplier;
  customer: Party;
  issuedAt: string;
  dueOn: string;
  pdfKey: string | null;
  emailedAt: string | null;
}

/** How invoices are issued: the supplier printed on them, the home VAT rate and the billing timezone months are cut in. */
export interface BillingSettings { supplier: Supplier; standardRateBasisPoints: number; timezone: string }

type Row = Omit<Invoice, 'netMinor' | 'vatMinor' | 'grossMinor'> & { netMinor: string; vatMinor: string; grossMinor: string };

const columns = (sql: Sql) => sql`id, series, display_number as number, partner_id as "partnerId", period, amends_invoice_id as "amendsInvoiceId",
  currency, lines, net_minor as "netMinor", vat_minor as "vatMinor", gross_minor as "grossMinor", vat_treatment as "vatTreatment",
  vat_rate_basis_points as "vatRateBasisPoints", vat_note as "vatNote", supplier, customer,
  to_char(issued_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "issuedAt", to_char(due_on, 'YYYY-MM-DD') as "dueOn",
  pdf_key as "pdfKey", to_char(emailed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "emailedAt"`;

const toInvoice = (r: Row): Invoice => ({ ...r, netMinor: Number(r.netMinor), vatMinor: Number(r.vatMinor), grossMinor: Number(r.grossMinor) });

// Rows up to the end of the month on the billing clock: a row written after its month was invoiced goes on the next invoice.
const upTo = (sql: Sql, period: string, timezone: string) =>
  sql`t.occurred_at < (${`${period}-01`}::date + interval '1 month 1 day') and to_char(t.occurred_at at time zone ${timezone}, 'YYYY-MM') <= ${period}`;

/** Ledger rows of `partnerId` up to the end of `period` that no invoice or credit note covers yet. */
function unbilled(tx: Sql, partnerId: string, period: string, timezone: string) {
  return tx<(BillableTransaction & { amountMinor: string })[]>`
    select t.txn_key as key, t.kind, t.amount_minor as "amountMinor", t.currency, coalesce(lt.name, 'Lead') as "leadType"
    from partner_transactions t
    left join leads l on l.id::text = t.lead_id
    left join lead_types lt on lt.id = l.lead_type_id
    where t.partner_id = ${partnerId} and t.kind in ('charge', 'credit') and ${upTo(tx, period, timezone)}
      and not exists (select 1 from invoiced_transactions i where i.partner_id = t.partner_id and i.txn_key = t.txn_key)
    order by t.seq`;
}

/** Partners with unbilled charges up to the end of `period` and no invoice for it yet: whom a monthly run invoices. */
export async function partnersToInvoice(sql: Sql, period: string, timezone: string): Promise<string[]> {
  const rows = await sql<{ partnerId: string }[]>`
    select distinct t.partner_id as "partnerId" from partner_transactions t
    where t.kind = 'charge' and ${upTo(sql, period, timezone)}
      and not exists (select 1 from invoiced_transactions i where i.partner_id = t.partner_id and i.txn_key = t.txn_key)
      and not exists (select 1 from invoices i where i.partner_id = t.partner_id and i.period = ${period} and i.series = 'invoice')
    order by 1`;
  return rows.map((r) => r.partnerId);
}

/** Who the document is made out to: the partner's billing details, or its name and address without them. */
export const customerOf = (partner: Partner): Party => ({
  legalName: partner.billing?.legalName ?? partner.name,
  address: partner.billing?.address ?? partner.address,
  vatId: partner.billing?.vatId ?? null,
});

/** Takes the next number of `series`; the row lock makes concurrent issuers queue, and a rollback returns the number. */
async function nextNumber(tx: Sql, series: DocumentSeries): Promise<number> {
  const [row] = await tx<{ n: string }[]>`update invoice_series set next_number = next_number + 1 where series = ${series} returning next_number - 1 as n`;
  return Number(row!.n);
}

interface NewDocument {
  series: DocumentSeries;
  partner: Partner;
  period: string;
  amendsInvoiceId: string | null;
  transactions: BillableTransaction[];
  settings: BillingSettings;
  /** A credit note keeps the VAT of the invoice it amends. */
  vat?: VatDecision;
  customer?: Party;
}

async function insertDocument(tx: Sql, d: NewDocument): Promise<Invoice> {
  const customer = d.customer ?? customerOf(d.partner);
  const vat = d.vat ?? vatDecision(d.settings.supplier, customer, d.settings.standardRateBasisPoints);
  const lines = invoiceLines(d.transactions);
  const sum = totals(lines, vat.rateBasisPoints);
  const number = await nextNumber(tx, d.series);
  const id = randomUUID();
  const terms = d.partner.billing?.paymentTermsDays ?? 30;
  await tx`
    insert into invoices (id, series, number, display_number, partner_id, period, amends_invoice_id, currency, lines, net_minor, vat_minor, gross_minor,
      vat_treatment, vat_rate_basis_points, vat_note, supplier, customer, due_on)
    values (${id}, ${d.series}, ${number}, ${documentNumber(d.series, number)}, ${d.partner.id}, ${d.period}, ${d.amendsInvoiceId},
      ${singleCurrency(d.transactions)}, ${tx.json(lines as never)}, ${sum.netMinor}, ${sum.vatMinor}, ${sum.grossMinor}, ${vat.treatment},
      ${vat.rateBasisPoints}, ${vat.note}, ${tx.json(d.settings.supplier as never)}, ${tx.json(customer as never)}, current_date + ${terms}::int)`;
  await tx`insert into invoiced_transactions ${tx(d.transactions.map((t) => ({ partner_id: d.partner.id, txn_key: t.key, invoice_id: id })))}`;
  return (await getInvoice(tx, id))!;
}

// Serialises issuing per partner across processes, so two runs of one month can't both find it uninvoiced.
const lockPartner = (tx: Sql, partnerId: string) => tx`select pg_advisory_xact_lock(hashtext(${`invoice:${partnerId}`}))`;

/**
 * Issues `partner`'s invoice for `period` from its unbilled ledger rows, numbered in the same
 * transaction. Idempotent: an invoice already issued for the month is returned as it is; null when
 * the month has nothing to bill.
 */
export async function issueMonthlyInvoice(sql: Sql, partner: Partner, period: string, settings: BillingSettings): Promise<Invoice | null> {
  return inTransaction(sql, async (tx) => {
    await lockPartner(tx, partner.id);
    const [existing] = await tx<Row[]>`select ${columns(tx)} from invoices where partner_id = ${partner.id} and period = ${period} and series = 'invoice'`;
    if (existing) return toInvoice(existing);
    const transactions = (await unbilled(tx, partner.id, period, settings.timezone)).map((t) => ({ ...t, amountMinor: Number(t.amountMinor) }));
    if (!transactions.some((t) => t.kind === 'charge')) return null;
    return insertDocument(tx, { series: 'invoice', partner, period, amendsInvoiceId: null, transactions, settings });
  });
}

/**
 * A credit note for a returned lead whose charge was already invoiced: the credit's ledger row, at the
 * amended invoice's VAT. Null when the charge isn't invoiced yet (the credit then nets on the next
 * invoice). Idempotent: a credit already billed returns the document it is on.
 */
export async function issueCreditNote(sql: Sql, partner: Partner, charge: { key: string }, creditKey: string, settings: BillingSettings): Promise<Invoice | null> {
  return inTransaction(sql, async (tx) => {
    await lockPartner(tx, partner.id);
    const [billed] = await tx<{ invoiceId: string }[]>`select invoice_id as "invoiceId" from invoiced_transactions where partner_id = ${partner.id} and txn_key = ${creditKey}`;
    if (billed) return (await getInvoice(tx, billed.invoiceId))!;
    const [amended] = await tx<Row[]>`
      select ${columns(tx)} from invoices where id = (select invoice_id from invoiced_transactions where partner_id = ${partner.id} and txn_key = ${charge.key})`;
    if (!amended) return null;
    const [credit] = await tx<(BillableTransaction & { amountMinor: string; period: string })[]>`
      select t.txn_key as key, t.kind, t.amount_minor as "amountMinor", t.currency, coalesce(lt.name, 'Lead') as "leadType",
        to_char(t.occurred_at at time zone ${settings.timezone}, 'YYYY-MM') as period
      from partner_transactions t left join leads l on l.id::text = t.lead_id left join lead_types lt on lt.id = l.lead_type_id
      where t.partner_id = ${partner.id} and t.txn_key = ${creditKey} and t.kind = 'credit'`;
    if (!credit) throw new Error(`credit ${creditKey} is not on partner ${partner.id}'s statement`);
    const vat = { treatment: amended.vatTreatment, rateBasisPoints: amended.vatRateBasisPoints, note: amended.vatNote };
    return insertDocument(tx, {
      series: 'credit_note', partner, period: credit.period, amendsInvoiceId: amended.id, vat, customer: amended.customer, settings,
      transactions: [{ ...credit, amountMinor: Number(credit.amountMinor) }],
    });
  });
}

export async function getInvoice(sql: Sql, id: string): Promise<Invoice | undefined> {
  const [row] = await sql<Row[]>`select ${columns(sql)} from invoices where id = ${id}`;
  return row && toInvoice(row);
}

export async function listInvoices(sql: Sql, filter: { partnerId?: string; period?: string; limit: number; offset: number }): Promise<{ items: Invoice[]; total: number }> {
  const where = sql`where true ${filter.partnerId ? sql`and partner_id = ${filter.partnerId}` : sql``} ${filter.period ? sql`and period = ${filter.period}` : sql``}`;
  const rows = await sql<Row[]>`select ${columns(sql)} from invoices ${where} order by issued_at desc, series, number desc limit ${filter.limit} offset ${filter.offset}`;
  const [count] = await sql<{ total: string }[]>`select count(*) as total from invoices ${where}`;
  return { items: rows.map(toInvoice), total: Number(count?.total ?? 0) };
}

export async function setPdfKey(sql: Sql, id: string, key: string): Promise<void> {
  await sql`update invoices set pdf_key = ${key} where id = ${id} and pdf_key is null`;
}

export async function markEmailed(sql: Sql, id: string): Promise<void> {
  await sql`update invoices set emailed_at = now() where id = ${id} and emailed_at is null`;
}
