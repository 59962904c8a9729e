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

