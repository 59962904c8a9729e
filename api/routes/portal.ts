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

export function portalRoutes({ sql }: AppDeps) {
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
        return forPartner(updated);
      },
    }),
  ];
}
