import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

/**
 * A partner webhook endpoint on loopback that answers 200 at once. It notes, per lead id, when the
 * request's headers arrived (the 'request' event: the first byte the app can see), on the bench's
 * performance.now() clock.
 */
export interface BenchReceiver {
  url: string;
  /** lead id -> first arrival (ms, performance.now()). */
  firstAt: Map<string, number>;
  count(): number;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const firstAt = new Map<string, number>();
  let total = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      total++;
      try {
        const id = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: unknown }).id);
        if (!firstAt.has(id)) firstAt.set(id, at);
      } catch { /* not a lead body: ignored */ }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    firstAt,
    count: () => total,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
