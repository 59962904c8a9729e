import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'accept' | 'fail' | 'hang' | 'decline' | 'ack';

export interface ReceivedWebhook { headers: http.IncomingHttpHeaders; body: string; at: number }

/**
 * A partner's webhook endpoint on this machine. It answers as told (2xx, 500, a hang, or a 2xx
 * carrying a decision) and keeps what it received, deduplicated on webhook-id as a partner would.
 */
export interface Receiver {
  url: string;
  behaviour: Behaviour;
  received: ReceivedWebhook[];
  /** Distinct webhook-ids seen: the partner's record of leads. */
  uniqueIds(): string[];
  close(): Promise<void>;
}

export async function startReceiver(behaviour: Behaviour): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const receiver: Receiver = {
    url: '',
    behaviour,
    received,
    uniqueIds: () => [...new Set(received.map((r) => String(r.headers['webhook-id'])))],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      switch (receiver.behaviour) {
        case 'accept': return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"decision":"accept"}');
        case 'ack': return void res.writeHead(202).end('queued');
        case 'decline': return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"decision":"decline","reason":"outside our area"}');
        case 'fail': return void res.writeHead(500).end('internal error');
        case 'hang': return; // never answers: the sender's timeout decides
      }
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
