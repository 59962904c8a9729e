import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { createApiKey, hashApiKey } from '../auth';
import { defineRoute } from '../route';
import { HttpError } from '../http-error';
import { email } from '../schemas/common';
import { activePartnersByEmail, insertSignInLink, useSignInLink } from '../../db/portal-sign-in-links';

export const SIGN_IN_LINK_MINUTES = 15;
export const SESSION_HOURS = 12;
/** At most one link a minute to a partner, however often it is asked for. */
const QUIET_SECONDS = 60;

const linkBody = z.strictObject({ email }).meta({ id: 'SignInLinkRequest' });
const useBody = z.strictObject({ token: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters') }).meta({ id: 'SignInLinkUse' });
const sessionSchema = z
  .object({ key: z.string().meta({ description: 'A partner key for this browser tab; it stops working at expiresAt' }), expiresAt: z.string() })
  .meta({ id: 'PortalSession' });

/**
 * Sign-in to the partner portal by a link emailed to the partner's contact address. Following the
 * link trades its single-use token for a short-lived partner key, kept (like a typed key) in the tab's
 * sessionStorage and sent as a Bearer header: no cookie, so no request can ride on a session the user
 * didn't mean to send, and every route keeps one way to authenticate.
 */
export function portalSignInRoutes({ sql, notifier, publicUrl, logger }: AppDeps) {
  const sendLinks = async (address: string) => {
    for (const partner of await activePartnersByEmail(sql, address)) {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + SIGN_IN_LINK_MINUTES * 60_000);
      if (!(await insertSignInLink(sql, { tokenHash: hashApiKey(token), partnerId: partner.id, expiresAt, quietSeconds: QUIET_SECONDS }))) continue;
      // The token rides in the fragment, which browsers never send to a server, so no log or Referer holds it.
      await notifier?.email({
        to: partner.email,
        subject: `Sign in to the ${partner.name} partner portal`,
        text: `Follow this link to sign in to the leadrelay partner portal as ${partner.name}:\n\n${publicUrl}/app/portal#sign-in=${token}\n\nIt works once, for ${SIGN_IN_LINK_MINUTES} minutes. If you didn't ask for it, ignore this email.`,
      });
    }
  };

  return [
    defineRoute({
      method: 'post',
      path: '/portal/magic-link',
      summary: "Email a sign-in link to a partner's contact address",
      description: `Always 202, whether or not the address is a partner's, so it tells nobody who is one. The link works once, for ${SIGN_IN_LINK_MINUTES} minutes; at most one is sent a minute per partner, and calls are limited per address like every call without a key.`,
      tags: ['portal'],
      auth: 'public',
      body: linkBody,
      status: 202,
      responses: { 202: { description: 'If the address is an active partner’s, a link is on its way' } },
      handler: async ({ body }) => {
        // Sent after answering, so the answer takes as long for a stranger's address as for a partner's.
        setImmediate(() => sendLinks(body.email).catch((err: Error) => logger.warn({ err }, 'sign-in link not sent')));
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/portal/magic-link/use',
      summary: "Trade a sign-in link's token for a partner key valid a few hours",
      description: `The portal page calls this with the token from the link's fragment. The key is stored only as a hash and expires after ${SESSION_HOURS} hours.`,
      tags: ['portal'],
      auth: 'public',
      body: useBody,
      status: 201,
      responses: { 201: { description: 'Signed in', schema: sessionSchema }, 410: { description: 'The link was used already, has expired, or is unknown' } },
      handler: async ({ body }) => {
        const partnerId = await useSignInLink(sql, hashApiKey(body.token));
        if (!partnerId) throw new HttpError(410, 'link_invalid', 'this sign-in link was used already or has expired: ask for a new one');
        const expiresAt = new Date(Date.now() + SESSION_HOURS * 3_600_000);
        const { key } = await createApiKey(sql, { name: 'portal sign-in by email link', role: 'partner', partnerId, expiresAt });
        return { key, expiresAt: expiresAt.toISOString() };
      },
    }),
  ];
}
