import type { PostalAddress } from './config';

/** Monthly invoices and credit notes, as plain JSON: what is computed from the ledger and printed. */

export type DocumentSeries = 'invoice' | 'credit_note';
export type VatTreatment = 'standard' | 'reverse_charge' | 'outside_scope';

export interface Party {
  legalName: string;
  address: PostalAddress | null;
  vatId: string | null;
}

export interface Supplier extends Party { address: PostalAddress; vatId: string }

export interface InvoiceLine {
  description: string;
  quantity: number;
  unitPriceMinor: number;
  /** Signed: returned leads are negative lines. */
  amountMinor: number;
}

export interface VatDecision { treatment: VatTreatment; rateBasisPoints: number; note: string | null }

/** A ledger row to invoice: a charge (negative on the statement) or a credit for a returned lead. */
export interface BillableTransaction {
  key: string;
  kind: 'charge' | 'credit';
  /** As on the statement: charges negative, credits positive. */
  amountMinor: number;
  currency: string;
  leadType: string;
}

/** Charges grouped by lead type and locked price, then returned leads the same way as negative lines. */
export function invoiceLines(transactions: BillableTransaction[]): InvoiceLine[] {
  const groups = new Map<string, InvoiceLine>();
  for (const t of transactions) {
    const unit = Math.abs(t.amountMinor);
    const description = t.kind === 'charge' ? `${t.leadType} leads` : `${t.leadType} leads returned`;
    const sign = t.kind === 'charge' ? 1 : -1;
    const id = `${t.kind}\u0000${t.leadType}\u0000${unit}`;
    const line = groups.get(id) ?? { description, quantity: 0, unitPriceMinor: unit, amountMinor: 0 };
    line.quantity += 1;
    line.amountMinor += sign * unit;
    groups.set(id, line);
  }
  const order = (l: InvoiceLine) => (l.amountMinor < 0 ? 1 : 0);
  return [...groups.values()].sort((a, b) => order(a) - order(b) || a.description.localeCompare(b.description) || b.unitPriceMinor - a.unitPriceMinor);
}

export interface Totals { netMinor: number; vatMinor: number; grossMinor: number }

/** VAT on the net total, rounded half away from zero to the minor unit. */
export function totals(lines: InvoiceLine[], rateBasisPoints: number): Totals {
  const netMinor = lines.reduce((sum, l) => sum + l.amountMinor, 0);
  const vatMinor = Math.sign(netMinor) * Math.round((Math.abs(netMinor) * rateBasisPoints) / 10_000);
  return { netMinor, vatMinor, grossMinor: netMinor + vatMinor };
}

/** The one currency of a set of ledger rows; mixed currencies can't share an invoice. */
export function singleCurrency(transactions: BillableTransaction[]): string {
  const currencies = [...new Set(transactions.map((t) => t.currency))];
  if (currencies.length !== 1) throw new Error(`an invoice needs exactly one currency; the ledger rows have ${currencies.join(', ') || 'none'}`);
  return currencies[0]!;
}

export const documentNumber = (series: DocumentSeries, n: number) => `${series === 'invoice' ? 'INV' : 'CN'}-${String(n).padStart(6, '0')}`;

export const invoicingRunId = (month: string) => `invoicing-${month}`;
export const partnerInvoiceId = (partnerId: string, month: string) => `invoice-${partnerId}-${month}`;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The billing month (YYYY-MM) that `at` falls in, on the wall clock of `timezone`. */
export function monthAt(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
}

export function previousMonth(month: string): string {
  const [, y, m] = MONTH.exec(month)!;
  const n = Number(y) * 12 + Number(m) - 2;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
}

/**
 * Why `month` can't be invoiced at `now`, or undefined. The current month may be invoiced early: what
 * it charges afterwards goes on the next month's invoice.
 */
export function invoiceMonthProblem(month: string, now: Date, timezone: string): string | undefined {
  if (!MONTH.test(month)) return 'must be a month as YYYY-MM';
  if (month > monthAt(now, timezone)) return `must not be in the future (the current month in ${timezone} is ${monthAt(now, timezone)})`;
  return undefined;
}
