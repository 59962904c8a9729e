import { escapeText, renderTemplate, type Escape } from './templates';

/** How a webhook body is written (FLG's XML, Form Post, SOAP 1.1/1.2 and JSON). */
export const WEBHOOK_FORMATS = ['json', 'form', 'xml', 'soap11', 'soap12'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** How a partner's API expects the lead: its own field names, fixed values, value codes and date layouts. */
export interface FieldMapping {
  /** Our field name → the partner's. */
  rename?: Record<string, string>;
  /** Values sent on every lead, under these names. */
  fixed?: Record<string, string | number | boolean>;
  /** Per field, our value → the partner's code, e.g. { homeowner: { yes: "1", no: "0" } }. */
  values?: Record<string, Record<string, string>>;
  /** Per date field, a layout of YYYY, MM, DD, HH, mm and ss, e.g. "DD/MM/YYYY". */
  dates?: Record<string, string>;
}

export interface LeadDocument {
  id: string;
  type: string;
  createdAt: string;
  fields: Record<string, unknown>;
  priceMinor: number;
  currency: string;
  awaitsResponse: boolean;
  /** An operator's test lead: marked so in every format; the partner is never charged for it. */
  test?: boolean;
  /** The appointment booked with this partner, for an appointment lead. */
  appointment?: { id: string; startsAt: string; endsAt: string };
}

export interface FormatOptions {
  format: WebhookFormat;
  /** Body template; for SOAP it is the content of soap:Body. */
  bodyTemplate?: string;
  /** SOAP: the operation's action URI. */
  soapAction?: string;
}

export interface RenderedRequest { contentType: string; body: string; headers: Record<string, string> }

const SOAP_ENVELOPES = { soap11: 'http://schemas.xmlsoap.org/soap/envelope/', soap12: 'http://www.w3.org/2003/05/soap-envelope' } as const;
const ESCAPE_FOR: Record<WebhookFormat, Escape> = { json: 'json', form: 'form', xml: 'xml', soap11: 'xml', soap12: 'xml' };

/** Applies a partner's field mapping to a lead's fields: value codes and date layouts, then names, then fixed values. */
export function mapFields(fields: Readonly<Record<string, unknown>>, mapping: FieldMapping | undefined): Record<string, unknown> {
  if (!mapping) return { ...fields };
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) out[mapping.rename?.[name] ?? name] = mapValue(name, value, mapping);
  return { ...out, ...mapping.fixed };
}

/** Template variables after mapping: our field names keep working, with the partner's codes and layouts applied. */
export function mappedVariables(values: Readonly<Record<string, unknown>>, mapping: FieldMapping | undefined): Record<string, unknown> {
  if (!mapping) return { ...values };
  const out: Record<string, unknown> = { ...mapping.fixed };
  for (const [name, value] of Object.entries(values)) out[name] = mapValue(name, value, mapping);
  return out;
}

function mapValue(name: string, value: unknown, mapping: FieldMapping): unknown {
  const codes = mapping.values?.[name];
  if (codes && value !== null && value !== undefined && Object.prototype.hasOwnProperty.call(codes, String(value))) return codes[String(value)];
  const layout = mapping.dates?.[name];
  if (layout && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return formatDate(value, layout);
  return value;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A date in a partner's layout, on the UTC clock (dates without a time read as that day). */
export function formatDate(iso: string, layout: string): string {
  const d = new Date(iso);
  const parts: Record<string, string> = {
    YYYY: pad(d.getUTCFullYear(), 4), MM: pad(d.getUTCMonth() + 1), DD: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()), mm: pad(d.getUTCMinutes()), ss: pad(d.getUTCSeconds()),
  };
  return layout.replace(/YYYY|MM|DD|HH|mm|ss/g, (token) => parts[token]!);
}

const asText = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));

const escapeXml = (text: string) => escapeText(text, 'xml');

const XML_NAME = /^[A-Za-z_][\w.-]*$/;
const xmlElement = (name: string, value: unknown) =>
  XML_NAME.test(name) ? `<${name}>${escapeXml(asText(value))}</${name}>` : `<field name="${escapeXml(name)}">${escapeXml(asText(value))}</field>`;

function leadXml(lead: LeadDocument, fields: Record<string, unknown>): string {
  return [
    '<lead>',
    xmlElement('id', lead.id), xmlElement('type', lead.type), xmlElement('createdAt', lead.createdAt),
    `<fields>${Object.entries(fields).map(([k, v]) => xmlElement(k, v)).join('')}</fields>`,
    `<price currency="${escapeXml(lead.currency)}">${(lead.priceMinor / 100).toFixed(2)}</price>`,
    xmlElement('awaitsResponse', lead.awaitsResponse),
    ...(lead.test ? [xmlElement('test', true)] : []),
    ...(lead.appointment ? [`<appointment>${xmlElement('id', lead.appointment.id)}${xmlElement('startsAt', lead.appointment.startsAt)}${xmlElement('endsAt', lead.appointment.endsAt)}</appointment>`] : []),
    '</lead>',
  ].join('');
}

/**
 * The webhook request body in the partner's format. With a template, every value is escaped for the
 * format it lands in, so a field holding `&`, `<` or quotes can't break or inject into the document;
 * without one, the lead is written in the format's natural shape with the mapped field names.
 */
export function renderWebhookBody(lead: LeadDocument, variables: Record<string, unknown>, mapping: FieldMapping | undefined, options: FormatOptions): RenderedRequest {
  const { format, bodyTemplate } = options;
  const content = bodyTemplate === undefined ? undefined : renderTemplate(bodyTemplate, mappedVariables(variables, mapping), ESCAPE_FOR[format]);
  const fields = mapFields(lead.fields, mapping);
  switch (format) {
    case 'json':
      return {
        contentType: 'application/json',
        headers: {},
        body: content ?? JSON.stringify({
          id: lead.id, type: lead.type, createdAt: lead.createdAt, fields, price: { amountMinor: lead.priceMinor, currency: lead.currency }, awaitsResponse: lead.awaitsResponse,
          ...(lead.test ? { test: true } : {}),
          ...(lead.appointment ? { appointment: lead.appointment } : {}),
        }),
      };
    case 'form': {
      const form = new URLSearchParams({ lead_id: lead.id, lead_type: lead.type, created_at: lead.createdAt, price: (lead.priceMinor / 100).toFixed(2), currency: lead.currency });
      for (const [k, v] of Object.entries(fields)) form.append(k, asText(v));
      if (lead.test) form.append('test', 'true');
      if (lead.appointment) for (const [k, v] of Object.entries(lead.appointment)) form.append(`appointment_${k}`, v);
      return { contentType: 'application/x-www-form-urlencoded', headers: {}, body: content ?? form.toString() };
    }
    case 'xml':
      return { contentType: 'application/xml; charset=utf-8', headers: {}, body: content ?? `<?xml version="1.0" encoding="UTF-8"?>${leadXml(lead, fields)}` };
    case 'soap11':
    case 'soap12': {
      const action = options.soapAction ?? 'urn:leadrelay:SubmitLead';
      const inner = content ?? `<SubmitLead xmlns="urn:leadrelay">${leadXml(lead, fields)}</SubmitLead>`;
      const body = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP_ENVELOPES[format]}"><soap:Body>${inner}</soap:Body></soap:Envelope>`;
      return format === 'soap11'
        ? { contentType: 'text/xml; charset=utf-8', headers: { soapaction: `"${action}"` }, body }
        : { contentType: `application/soap+xml; charset=utf-8; action="${action}"`, headers: {}, body };
    }
  }
}

/** A URL with lead variables, each percent-encoded where it lands. */
export const renderUrl = (url: string, variables: Record<string, unknown>) => renderTemplate(url, variables, 'url');

/** Header values with lead variables: line breaks become spaces, and characters outside visible ASCII are percent-encoded. */
export const renderHeaders = (headers: Record<string, string>, variables: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, renderTemplate(value, variables, 'header')]));
