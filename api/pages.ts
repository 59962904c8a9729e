import path from 'node:path';
import express, { type Router } from 'express';

/**
 * The pages for people (/app/portal, /app/agent, /app/ops): static files calling the JSON API with the
 * user's key, so roles and business rules have one home, the API.
 */
export function pages(config: { temporalUiOrigin: string; namespace: string }): Router {
  const router = express.Router();
  router.use((_req, res, next) => {
    // Same-origin scripts only; the key lives in sessionStorage, so no third-party script may run.
    res.setHeader('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.get('/', (_req, res) => res.redirect('/app/portal'));
  router.get('/config.json', (_req, res) => res.json(config));
  router.use(express.static(path.join(__dirname, '..', 'web'), { extensions: ['html'], index: false }));
  return router;
}
