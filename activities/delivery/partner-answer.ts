import { DOMParser } from '@xmldom/xmldom';
import { JSONPath } from 'jsonpath-plus';
import xpath from 'xpath';
import type { AnswerRules } from '../../domain/config';
import type { AttemptRecord } from './attempt';

type Decision = NonNullable<AttemptRecord['decision']>;

const MAX_REASON = 500;

/**
 * Reads accept or decline (and a reason) from a partner's answer: by the partner's own rules (a JSON
 * path, an XPath or regular expressions), or else by our convention {"decision": ..., "reason": ...}.
 * An answer that says neither carries no decision.
 */
export function readAnswer(body: string, rules: AnswerRules | undefined): Decision | undefined {
  if (!rules) return conventionalAnswer(body);
  if (rules.type === 'regex') {
    const decision = new RegExp(rules.accept, 'i').test(body) ? 'accept' : new RegExp(rules.decline, 'i').test(body) ? 'decline' : undefined;
    if (!decision) return undefined;
    const reason = rules.reason ? new RegExp(rules.reason, 'i').exec(body)?.[1] : undefined;
    return withReason(decision, reason);
  }
  const read = rules.type === 'json' ? jsonReader(body) : xmlReader(body);
  if (!read) return undefined;
  const value = read(rules.decision)?.trim().toLowerCase();
  const decision = value === undefined ? undefined : rules.accept.some((a) => a.toLowerCase() === value) ? 'accept' : rules.decline.some((d) => d.toLowerCase() === value) ? 'decline' : undefined;
  if (!decision) return undefined;
  return withReason(decision, rules.reason ? read(rules.reason) : undefined);
}

const withReason = (decision: 'accept' | 'decline', reason: string | undefined): Decision => ({ decision, ...(reason ? { reason: reason.slice(0, MAX_REASON) } : {}) });

function conventionalAnswer(body: string): Decision | undefined {
  const read = jsonReader(body);
  const decision = read?.('$.decision');
  if (decision !== 'accept' && decision !== 'decline') return undefined;
  return withReason(decision, read!('$.reason'));
}

const scalar = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function jsonReader(body: string): ((path: string) => string | undefined) | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object') return undefined;
  return (path) => scalar((JSONPath({ path, json: json as object, wrap: true }) as unknown[])[0]);
}

/** The answer as an XML document; undefined when it isn't well-formed XML (xmldom throws on fatal errors). */
function parseXml(body: string) {
  let failed = false;
  try {
    const doc = new DOMParser({ onError: (level) => { if (level !== 'warning') failed = true; } }).parseFromString(body, 'text/xml');
    return failed || !doc.documentElement ? undefined : doc;
  } catch {
    return undefined;
  }
}

function xmlReader(body: string): ((path: string) => string | undefined) | undefined {
  const doc = parseXml(body);
  if (!doc) return undefined;
  return (path) => {
    const found = xpath.select(path, doc as unknown as Node);
    const first = Array.isArray(found) ? found[0] : found;
    if (first === undefined || first === null) return undefined;
    return typeof first === 'object' ? ((first as Node).textContent ?? undefined) : String(first);
  };
}

/** The fault string of a SOAP 1.1 or 1.2 fault, whatever the HTTP status it came with. */
export function soapFault(body: string): string | undefined {
  const doc = parseXml(body);
  if (!doc) return undefined;
  const text = (path: string) => {
    const node = xpath.select1(path, doc as unknown as Node);
    return node && typeof node === 'object' ? ((node as Node).textContent ?? '').trim() : undefined;
  };
  if (!xpath.select1("//*[local-name()='Envelope']/*[local-name()='Body']/*[local-name()='Fault']", doc as unknown as Node)) return undefined;
  return text("//*[local-name()='Fault']/*[local-name()='faultstring']") || text("//*[local-name()='Fault']//*[local-name()='Reason']/*[local-name()='Text']") || 'SOAP fault';
}
