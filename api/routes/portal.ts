import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { conflict, invalid } from '../validation';
import { getPartner, updatePartner } from '../../db/partners';
import type { Partner } from '../../domain/config';
import { partnerSchema, portalUpdateBody } from '../schemas/partners';
import { toCapacityConfig } from '../../domain/capacity';
import { partnerCapacityClient } from '../../infra/partner-capacity-client';
import { partnerStartFromDb } from '../../db/partner-ledger';
import { withoutSecrets } from '../partner-secrets';
import { rotateSigningSecret, rotationSchema } from './signing-secret';

const portalPartnerSchema = partnerSchema.omit({ notes: true }).meta({ id: 'PortalPartner' });

/** A partner's view of itself: internal notes stay with the operator's team, and secrets are write-only. */
const forPartner = ({ notes: _notes, ...rest }: Partner) => withoutSecrets(rest);

export function portalRoutes({ sql, temporal, taskQueue, notifier, operatorEmail, logger }: AppDeps) {
  const capacity = partnerCapacityClient(temporal, taskQueue, partnerStartFromDb(sql));
  /** FLG tells the operator's nominated address when a partner adds its FCA number, so the number can be checked on the register. */
  const tellOperatorsOfFcaNumber = async (partner: Partner) => {
    if (!notifier || !operatorEmail) return;
    await notifier
      .email({
        to: operatorEmail,
        subject: `leadrelay: ${partner.name} added FCA number ${partner.fcaNumber}`,
        text: `${partner.name} (partner ${partner.id}) added FCA firm reference number ${partner.fcaNumber} in its portal.\nCheck it on the FCA register: https://register.fca.org.uk/s/search?q=${partner.fcaNumber}`,
      })
      .catch((err: Error) => logger.warn({ err, partnerId: partner.id }, 'FCA number notice not sent'));
  };

  // The partner comes from the key, never from the request, so no request can name another partner.
  const ownPartner = async (principal: Principal | null) => {
    const partner = principal?.partnerId ? await getPartner(sql, principal.partnerId) : undefined;
    if (!partner) throw notFound('partner for this key');
    return partner;
  };

  return [
    defineRoute({
      method: 'get',
      path: '/portal/me',
      summary: "The calling partner's own record",
      description: 'A partner awaiting activation may read this, and only this, to see its status.',
      tags: ['portal'],
      auth: ['partner'],
      pendingPartners: true,
      responses: { 200: { description: 'Your partner record', schema: portalPartnerSchema } },
      handler: async ({ principal }) => forPartner(await ownPartner(principal)),
    }),
    defineRoute({
      method: 'patch',
      path: '/portal/me',
      summary: 'Update your contact, billing and phone details',
      description: 'The FCA authorisation number can be added once; to change it, ask your operator. The billing currency is fixed: prices, credit and statements are in it. New contacts receive alerts at once.',
      tags: ['portal'],
      auth: ['partner'],
      body: portalUpdateBody,
      responses: { 200: { description: 'Updated', schema: portalPartnerSchema }, 400: { description: 'Invalid, or a change of billing currency' }, 409: { description: 'FCA number already on file' } },
      handler: async ({ principal, body }) => {
        const existing = await ownPartner(principal);
        const currency = existing.billing?.currency ?? 'GBP';
        if (body.billing !== undefined && (body.billing?.currency ?? 'GBP') !== currency) {
          throw invalid([{ field: 'body.billing.currency', reason: `your billing currency is ${currency}: prices, credit and statements are kept in it, so only your operator can change it` }]);
        }
        if (body.fcaNumber !== undefined && existing.fcaNumber !== null && body.fcaNumber !== existing.fcaNumber) {
          throw conflict('an FCA number is already on file; ask your operator to change it');
        }
        const updated = await updatePartner(sql, existing.id, { ...existing, ...body });
        if (!updated) throw notFound('partner for this key');
        if (existing.fcaNumber === null && updated.fcaNumber !== null) await tellOperatorsOfFcaNumber(updated);
        // The partner workflow sends low-funds and cap alerts: it must know the new contacts.
        await capacity.configChanged(updated.id, toCapacityConfig(updated));
        return forPartner(updated);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/portal/signing-secret',
      summary: 'Rotate your webhook signing secret',
      description: 'The new secret is in this response only. For 24 hours webhooks carry a signature with each secret, so you can switch over without losing a lead.',
      tags: ['portal'],
      auth: ['partner'],
      responses: { 200: { description: 'Rotated', schema: rotationSchema }, 409: { description: 'You have no webhook' } },
      handler: async ({ principal }) => rotateSigningSecret(sql, (await ownPartner(principal)).id),
    }),
  ];
}
