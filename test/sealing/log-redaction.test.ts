import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import express from 'express';
import { pinoHttp } from 'pino-http';
import { createLogger } from '../../infra/logger';

describe('request logs', () => {
  it('redact the Authorization header and email link tokens', async () => {
    const lines: string[] = [];
    const logger = createLogger('api', 'info', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    const app = express();
    app.use(pinoHttp({ logger }));
    app.get('/respond/:id', (_req, res) => { res.send('ok'); });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const key = `lr_${randomUUID()}`;
    const token = `tok-${randomUUID()}`;
    await fetch(`http://127.0.0.1:${port}/respond/abc?partner=p1&decision=accept&token=${token}`, { headers: { authorization: `Bearer ${key}` } });
    server.close();
    const log = lines.join('');
    expect(log).toContain('/respond/abc?partner=p1&decision=accept&token=[Redacted]');
    expect(log).not.toContain(key);
    expect(log).not.toContain(token);
  });
});
