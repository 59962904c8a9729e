import express, { type Request, type Response, type Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Sql } from '../db/client';
import { authorize } from './auth';
import { HttpError } from './http-error';

interface JsonPayload { metadata?: Record<string, string>; data?: string }

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/**
 * Temporal's codec server protocol (POST /codec/decode and /codec/encode, `{"payloads": [...]}` with
 * base64 metadata and data), so the Temporal Web UI and CLI show operators readable histories. It
 * answers operator keys; in development it also answers the local Web UI's origin without one,
 * since the dev UI has no login to pass a key with. Nothing it decodes is logged.
 */
export function codecServer(opts: { sql: Sql; codecs: PayloadCodec[]; uiOrigin: string; development: boolean }): Router {
  const router = express.Router();
  router.use((req: Request, res: Response, next) => {
    res.setHeader('Access-Control-Allow-Origin', opts.uiOrigin);
    res.setHeader('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  });
  const run = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const fromLocalUi = opts.development && req.header('origin') === opts.uiOrigin && !req.header('authorization');
    if (!fromLocalUi) await authorize(opts.sql, req, { auth: ['operator'] });
    const body = req.body as { payloads?: unknown } | undefined;
    if (!Array.isArray(body?.payloads)) throw new HttpError(400, 'validation_failed', 'body.payloads: must be an array of payloads');
    let payloads = (body.payloads as JsonPayload[]).map(fromJson);
    const codecs = direction === 'encode' ? opts.codecs : [...opts.codecs].reverse();
    for (const codec of codecs) payloads = await codec[direction](payloads);
    res.json({ payloads: payloads.map(toJson) });
  };
  router.post('/decode', (req, res, next) => void run('decode')(req, res).catch(next));
  router.post('/encode', (req, res, next) => void run('encode')(req, res).catch(next));
  return router;
}
