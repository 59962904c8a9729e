import { vatDecision } from '../../domain/invoice-vat';
import { totals } from '../../domain/invoice';
import { DE, GB, US } from './fixtures';

const supplier = { legalName: 'leadrelay Ltd', address: GB, vatId: 'GB980780684' };
const customer = (address: typeof GB, vatId: string | null = null) => ({ legalName: 'Customer', address, vatId });

describe('VAT on an invoice', () => {
  it('charges the home rate to a customer in the supplier’s country', () => {
    expect(vatDecision(supplier, customer(GB), 2000)).toEqual({ treatment: 'standard', rateBasisPoints: 2000, note: null });
  });

  it('reverse-charges an EU business whose VAT number has valid check digits, with the Article 196 wording', () => {
    expect(vatDecision(supplier, customer(DE, 'DE136695976'), 2000)).toEqual({ treatment: 'reverse_charge', rateBasisPoints: 0, note: expect.stringMatching(/^Reverse charge: .*Article 196, Directive 2006\/112\/EC/) });
    expect(vatDecision(supplier, customer({ ...DE, country: 'GR' }, 'EL094259216'), 2000)).toMatchObject({ treatment: 'reverse_charge' });
  });

  it('treats an EU customer with a wrong check digit, or another country’s number, as outside the scope, saying why', () => {
    expect(vatDecision(supplier, customer(DE, 'DE123456789'), 2000)).toEqual({ treatment: 'outside_scope', rateBasisPoints: 0, note: expect.stringContaining('without a valid VAT number') });
    expect(vatDecision(supplier, customer(DE, 'GB980780684'), 2000)).toMatchObject({ treatment: 'outside_scope' });
  });

  it('puts a customer outside the EU and the supplier’s country outside the scope', () => {
    expect(vatDecision(supplier, customer(US), 2000)).toEqual({ treatment: 'outside_scope', rateBasisPoints: 0, note: expect.stringContaining("place of supply is the customer's country (US)") });
  });

  it('rounds VAT on the net total half away from zero, for invoices and credit notes alike', () => {
    const line = (amountMinor: number) => ({ description: 'x', quantity: 1, unitPriceMinor: Math.abs(amountMinor), amountMinor });
    expect(totals([line(12_34)], 2000)).toEqual({ netMinor: 12_34, vatMinor: 2_47, grossMinor: 14_81 });
    expect(totals([line(2_50)], 2000)).toEqual({ netMinor: 2_50, vatMinor: 50, grossMinor: 3_00 });
    expect(totals([line(1_02), line(1_00)], 2500)).toEqual({ netMinor: 2_02, vatMinor: 51, grossMinor: 2_53 });
    expect(totals([line(-1_02), line(-1_00)], 2500)).toEqual({ netMinor: -2_02, vatMinor: -51, grossMinor: -2_53 });
  });
});
