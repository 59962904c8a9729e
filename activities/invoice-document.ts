import type { Invoice } from '../db/invoices';
import type { Party } from '../domain/invoice';
import type { PdfNode } from '../infra/pdf-renderer';

/** Minor units as money, e.g. £1,234.50 (currencies with two decimals). */
export const money = (minor: number, currency: string) => new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minor / 100);

const text = (content: string, style: PdfNode['style'] = {}): PdfNode => ({ type: 'Text', style, children: [content] });
const view = (style: PdfNode['style'], children: PdfNode[]): PdfNode => ({ type: 'View', style, children });
const row = (cells: string[], style: PdfNode['style'] = {}): PdfNode =>
  view({ flexDirection: 'row', paddingVertical: 3, borderBottom: '1pt solid #dddddd', ...style }, cells.map((c, i) => text(c, { width: WIDTHS[i]!, textAlign: i === 0 ? 'left' : 'right' })));
const WIDTHS = ['52%', '12%', '18%', '18%'];

const partyLines = (p: Party) => [
  p.legalName,
  ...(p.address ? [p.address.line1, ...(p.address.line2 ? [p.address.line2] : []), `${p.address.city} ${p.address.postalCode}`, p.address.country] : []),
  ...(p.vatId ? [`VAT number: ${p.vatId}`] : []),
];

/**
 * The printed invoice or credit note, with every field Article 226 of Directive 2006/112/EC asks for:
 * date and sequential number, both parties' names, addresses and VAT numbers, what was supplied and when,
 * unit prices and amounts net of VAT, the rate, the VAT due, and the reverse-charge or exemption wording.
 */
export function invoiceDocument(invoice: Invoice, amends?: Invoice): PdfNode {
  const m = (minor: number) => money(minor, invoice.currency);
  const title = invoice.series === 'invoice' ? 'VAT invoice' : 'Credit note';
  return {
    type: 'Document',
    props: { title: `${title} ${invoice.number}`, author: invoice.supplier.legalName },
    children: [{
      type: 'Page',
      props: { size: 'A4' },
      style: { padding: 40, fontSize: 10, fontFamily: 'DejaVu Sans' },
      children: [
        text(`${title} ${invoice.number}`, { fontSize: 18, marginBottom: 12, fontWeight: 'bold' }),
        view({ flexDirection: 'row', justifyContent: 'space-between', marginBottom: 16 }, [
          view({ width: '48%' }, [text('From', { fontWeight: 'bold' }), ...partyLines(invoice.supplier).map((l) => text(l))]),
          view({ width: '48%' }, [text('To', { fontWeight: 'bold' }), ...partyLines(invoice.customer).map((l) => text(l))]),
        ]),
        text(`Issue date: ${invoice.issuedAt.slice(0, 10)}`),
        text(`Supply period: ${invoice.period}`),
        text(`Payment due: ${invoice.dueOn}`),
        ...(amends ? [text(`Amends invoice ${amends.number} of ${amends.issuedAt.slice(0, 10)}`)] : []),
        view({ marginTop: 16 }, [
          row(['Description', 'Quantity', 'Unit price', 'Amount'], { fontWeight: 'bold' }),
          ...invoice.lines.map((l) => row([l.description, String(l.quantity), m(l.unitPriceMinor), m(l.amountMinor)])),
        ]),
        view({ marginTop: 12, alignItems: 'flex-end' }, [
          text(`Net: ${m(invoice.netMinor)}`),
          text(`VAT at ${invoice.vatRateBasisPoints / 100}%: ${m(invoice.vatMinor)}`),
          text(`Total: ${m(invoice.grossMinor)}`, { fontWeight: 'bold', fontSize: 12 }),
        ]),
        ...(invoice.vatNote ? [text(invoice.vatNote, { marginTop: 16 })] : []),
      ],
    }],
  };
}
