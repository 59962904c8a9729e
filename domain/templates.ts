/** `{{ field }}` placeholders in webhook bodies and email templates; names may use letters, digits, _ . and -. */
const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

/** Lead fields a template refers to, each once, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1] as string))];
}

/** Variables every template may use besides the lead's own fields. */
export const BUILT_IN_VARIABLES: readonly string[] = ['lead.id', 'lead.type', 'lead.createdAt', 'partner.id', 'partner.name', 'price', 'currency'];

/** Variables in `template` that are neither built in nor in `knownFields`. */
export function unknownTemplateVariables(template: string, knownFields: ReadonlySet<string>): string[] {
  return templateVariables(template).filter((v) => !knownFields.has(v) && !BUILT_IN_VARIABLES.includes(v));
}


const asText = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Fills a template. For JSON bodies each value is escaped as the inside of a JSON string, so a
 * field holding quotes or newlines can't break (or inject into) the partner's document.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, unknown>>, escape: 'json' | 'none'): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const text = asText(values[name]);
    return escape === 'json' ? JSON.stringify(text).slice(1, -1) : text;
  });
}
