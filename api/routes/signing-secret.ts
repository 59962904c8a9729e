import { z } from 'zod';
import type { Sql } from '../../db/client';
import { getPartner, updatePartner } from '../../db/partners';
import { notFound } from '../http-error';
import { conflict } from '../validation';
import { rotatedSigningSecret } from '../partner-secrets';

export const rotationSchema = z
  .object({
    signingSecret: z.string().meta({ description: 'The new secret: shown this once' }),
    previousValidUntil: z.string().meta({ description: 'Until then webhooks are signed with the old secret too' }),
  })
  .meta({ id: 'SigningSecretRotation' });

/** Rotates a partner's webhook signing secret (the operator's route and the partner's own share it). */
export async function rotateSigningSecret(sql: Sql, partnerId: string): Promise<z.infer<typeof rotationSchema>> {
  const partner = await getPartner(sql, partnerId);
  if (!partner) throw notFound(`partner ${partnerId}`);
  if (partner.delivery?.type !== 'webhook') throw conflict(`${partner.name} receives leads ${partner.delivery ? `by ${partner.delivery.type}` : 'by no method yet'}: only a webhook has a signing secret`);
  const { delivery, previousValidUntil } = rotatedSigningSecret(partner.delivery);
  await updatePartner(sql, partner.id, { ...partner, delivery });
  return { signingSecret: delivery.signingSecret, previousValidUntil };
}
