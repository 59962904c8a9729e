import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/client';
import { appendAudit } from '../db/audit';
import { isSealed, type FieldSealer } from '../infra/field-sealing';
import type { Principal } from './auth';

const containsSealed = (value: unknown): boolean =>
  isSealed(value) || (!!value && typeof value === 'object' && Object.values(value).some(containsSealed));

/**
 * What a caller sees of a lead's sealed fields: operators and the partner it was delivered to see
 * them in clear; an agent sees them masked, unless its key has the reveal permission, and then each
 * reveal is written to the lead's audit trail.
 */
export function sealedView(sql: Sql, sealer: FieldSealer) {
  return async <T>(principal: Principal | null, leadId: string, value: T, what: string): Promise<T> => {
    if (principal?.role !== 'agent') return sealer.openAll(value);
    if (!principal.canReveal || !containsSealed(value)) return sealer.maskAll(value);
    await appendAudit(sql, leadId, `reveal:${randomUUID()}`, {
      at: new Date().toISOString(), type: 'sealed_fields_revealed', summary: `sealed fields of the ${what} revealed to agent key "${principal.name}"`,
      detail: { keyId: principal.keyId, what },
    });
    return sealer.openAll(value);
  };
}
