/** `{{ field }}` placeholders in webhook bodies and email templates; names may use letters, digits, _ . and -. */
const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

/** Lead fields a template refers to, each once, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1] as string))];
}

/** Variables every template may use besides the lead's own fields (the appointment's are empty for a lead without one). */
export const BUILT_IN_VARIABLES: readonly string[] = [
  'lead.id', 'lead.type', 'lead.createdAt', 'lead.test', 'partner.id', 'partner.name', 'price', 'currency', 'appointment.startsAt', 'appointment.endsAt',
];

/** Variables in `template` that are neither built in nor in `knownFields`. */
export function unknownTemplateVariables(template: string, knownFields: ReadonlySet<string>): string[] {
  return templateVariables(template).filter((v) => !knownFields.has(v) && !BUILT_IN_VARIABLES.includes(v));
}

const asText = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/** What a filled-in value must be escaped for: the inside of a JSON string, XML text, a form or URL component, a header value, or nothing. */
export type Escape = 'json' | 'xml' | 'form' | 'url' | 'header' | 'none';

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

const ESCAPERS: Record<Escape, (text: string) => string> = {
  json: (t) => JSON.stringify(t).slice(1, -1),
  // Characters XML 1.0 forbids are dropped rather than escaped: no escape makes them legal.
  xml: (t) => t.replace(/[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!),
  form: (t) => encodeURIComponent(t).replace(/%20/g, '+'),
  url: (t) => encodeURIComponent(t),
  // Line breaks would start a header of their own; HTTP carries only visible ASCII safely, so other characters are percent-encoded as UTF-8.
  header: (t) => t.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7E]+/g, (c) => encodeURIComponent(c)),
  none: (t) => t,
};

export const escapeText = (text: string, escape: Escape) => ESCAPERS[escape](text);

/**
 * Fills a template, escaping each value for the document it lands in, so a field holding quotes,
 * ampersands or newlines can't break (or inject into) the partner's request.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, unknown>>, escape: Escape): string {
  const escaped = ESCAPERS[escape];
  return template.replace(PLACEHOLDER, (_m, name: string) => escaped(asText(values[name])));
}
