import type { AppDeps } from '../app';
import type { Principal } from '../auth';
import { defineRoute } from '../route';
import { notFound } from '../http-error';
import { conflict } from '../validation';
import { getPartner, updatePartner } from '../../db/partners';
import type { Partner } from '../../domain/config';
import { partnerSchema, portalUpdateBody } from '../schemas/partners';

const portalPartnerSchema = partnerSchema.omit({ notes: true }).meta({ id: 'PortalPartner' });

/** A partner's view of itself: internal notes stay with the operator's team. */
const forPartner = ({ notes: _notes, ...rest }: Partner) => rest;

export function portalRoutes({ sql, notifier, operatorEmail, logger }: AppDeps) {
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
      tags: ['portal'],
      auth: ['partner'],
      responses: { 200: { description: 'Your partner record', schema: portalPartnerSchema } },
      handler: async ({ principal }) => forPartner(await ownPartner(principal)),
    }),
    defineRoute({
      method: 'patch',
      path: '/portal/me',
      summary: 'Update your contact, billing and phone details',
      description: 'The FCA authorisation number can be added once; to change it, ask your operator.',
      tags: ['portal'],
      auth: ['partner'],
      body: portalUpdateBody,
      responses: { 200: { description: 'Updated', schema: portalPartnerSchema }, 409: { description: 'FCA number already on file' } },
      handler: async ({ principal, body }) => {
        const existing = await ownPartner(principal);
        if (body.fcaNumber !== undefined && existing.fcaNumber !== null && body.fcaNumber !== existing.fcaNumber) {
          throw conflict('an FCA number is already on file; ask your operator to change it');
        }
        const updated = await updatePartner(sql, existing.id, { ...existing, ...body });
        if (!updated) throw notFound('partner for this key');
        if (existing.fcaNumber === null && updated.fcaNumber !== null) await tellOperatorsOfFcaNumber(updated);
        return forPartner(updated);
      },
    }),
  ];
}
