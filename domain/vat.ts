/**
 * VAT ID formats per country: the shape published for the EU's VIES service, plus the UK.
 * A VAT ID is written with its country prefix (Greece uses EL); spaces, dots and hyphens are
 * ignored. Only the shape is checked, not the check digits or whether the number is registered.
 * Countries not listed here accept any 2 to 20 letters and digits.
 */
const FORMATS: Record<string, { prefix: string; body: RegExp; example: string }> = {
  AT: { prefix: 'AT', body: /^U\d{8}$/, example: 'ATU12345678' },
  BE: { prefix: 'BE', body: /^[01]\d{9}$/, example: 'BE0123456789' },
  BG: { prefix: 'BG', body: /^\d{9,10}$/, example: 'BG123456789' },
  CY: { prefix: 'CY', body: /^\d{8}[A-Z]$/, example: 'CY12345678X' },
  CZ: { prefix: 'CZ', body: /^\d{8,10}$/, example: 'CZ12345678' },
  DE: { prefix: 'DE', body: /^\d{9}$/, example: 'DE123456789' },
  DK: { prefix: 'DK', body: /^\d{8}$/, example: 'DK12345678' },
  EE: { prefix: 'EE', body: /^\d{9}$/, example: 'EE123456789' },
  GR: { prefix: 'EL', body: /^\d{9}$/, example: 'EL123456789' },
  ES: { prefix: 'ES', body: /^(?=.*[A-Z])[A-Z0-9]\d{7}[A-Z0-9]$/, example: 'ESX1234567X' },
  FI: { prefix: 'FI', body: /^\d{8}$/, example: 'FI12345678' },
  FR: { prefix: 'FR', body: /^[A-HJ-NP-Z0-9]{2}\d{9}$/, example: 'FR12345678901' },
  HR: { prefix: 'HR', body: /^\d{11}$/, example: 'HR12345678901' },
  HU: { prefix: 'HU', body: /^\d{8}$/, example: 'HU12345678' },
  IE: { prefix: 'IE', body: /^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/, example: 'IE1234567T' },
  IT: { prefix: 'IT', body: /^\d{11}$/, example: 'IT12345678901' },
  LT: { prefix: 'LT', body: /^(\d{9}|\d{12})$/, example: 'LT123456789' },
  LU: { prefix: 'LU', body: /^\d{8}$/, example: 'LU12345678' },
  LV: { prefix: 'LV', body: /^\d{11}$/, example: 'LV12345678901' },
  MT: { prefix: 'MT', body: /^\d{8}$/, example: 'MT12345678' },
  NL: { prefix: 'NL', body: /^\d{9}B\d{2}$/, example: 'NL123456789B01' },
  PL: { prefix: 'PL', body: /^\d{10}$/, example: 'PL1234567890' },
  PT: { prefix: 'PT', body: /^\d{9}$/, example: 'PT123456789' },
  RO: { prefix: 'RO', body: /^[1-9]\d{1,9}$/, example: 'RO1234567890' },
  SE: { prefix: 'SE', body: /^\d{10}01$/, example: 'SE123456789001' },
  SI: { prefix: 'SI', body: /^\d{8}$/, example: 'SI12345678' },
  SK: { prefix: 'SK', body: /^\d{10}$/, example: 'SK1234567890' },
  GB: { prefix: 'GB', body: /^(\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2})$/, example: 'GB123456789' },
};

const compactVatId = (vatId: string) => vatId.replace(/[\s.-]/g, '').toUpperCase();

/** Why `vatId` doesn't fit `country` (ISO 3166-1 alpha-2), or undefined when it does. */
export function vatIdProblem(vatId: string, country: string): string | undefined {
  const compact = compactVatId(vatId);
  const format = FORMATS[country.toUpperCase()];
  if (!format) return /^[A-Z0-9]{2,20}$/.test(compact) ? undefined : 'must be 2 to 20 letters and digits';
  const body = compact.startsWith(format.prefix) ? compact.slice(format.prefix.length) : undefined;
  if (body === undefined) return `must start with ${format.prefix} for country ${country.toUpperCase()}, e.g. ${format.example}`;
  return format.body.test(body) ? undefined : `is not a valid ${country.toUpperCase()} VAT ID format, e.g. ${format.example}`;
}
