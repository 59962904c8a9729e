import { checkVAT, countries } from 'jsvat';
import type { Party, Supplier, VatDecision } from './invoice';

const EU_COUNTRIES = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'GR', 'ES', 'FI', 'FR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']);

/** A VAT number of `country` whose format and check digits hold (jsvat); whether it is registered is VIES's to say. */
export function isValidVatNumber(vatId: string, country: string): boolean {
  const result = checkVAT(vatId, countries);
  return result.isValid && result.country?.isoCode.short === country.toUpperCase();
}

/**
 * Which VAT applies to leads sold to `customer`: the standard rate at home, the reverse charge for an EU
 * business with a valid VAT number (Directive 2006/112/EC Art. 196), and outside the scope otherwise.
 */
export function vatDecision(supplier: Supplier, customer: Party, standardRateBasisPoints: number): VatDecision {
  const country = (customer.address?.country ?? supplier.address.country).toUpperCase();
  if (country === supplier.address.country.toUpperCase()) return { treatment: 'standard', rateBasisPoints: standardRateBasisPoints, note: null };
  if (EU_COUNTRIES.has(country)) {
    if (customer.vatId && isValidVatNumber(customer.vatId, country)) {
      return { treatment: 'reverse_charge', rateBasisPoints: 0, note: 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC)' };
    }
    return { treatment: 'outside_scope', rateBasisPoints: 0, note: `Outside the scope of ${supplier.address.country} VAT: services supplied to a customer in ${country} without a valid VAT number` };
  }
  return { treatment: 'outside_scope', rateBasisPoints: 0, note: `Outside the scope of ${supplier.address.country} VAT: place of supply is the customer's country (${country})` };
}
