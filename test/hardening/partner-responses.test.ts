import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useLeadStack } from '../helpers/lead-stack';
import { configureDistribution } from '../helpers/distribution';
import { eventually } from '../helpers/wait';

const stack = useLeadStack('partner-responses');

describe("a partner's answer is read with a byte cap", () => {
  it('takes the lead from a partner that answers 200 with an endless body, reading only the first 64 KB', async () => {
    let sent = 0;
    let hungUp = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const endless = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.on('close', () => { hungUp = true; });
        const pump = () => {
          while (!hungUp && sent < 512 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/hook`;
      const d = await configureDistribution(stack.api, { partners: [{ name: 'chatty', webhookUrl: url, priority: 1 }] });
      const lead = await stack.api.request('POST', '/leads', { body: { leadType: d.leadTypeName, fields: { name: 'Ada', postcode: 'LS1' } } });
      await eventually(async () => ((await stack.api.request('GET', `/leads/${lead.body.id}`)).body.status === 'delivered' ? true : undefined));
      await eventually(async () => (hungUp ? true : undefined));
      expect(sent).toBeLessThan(64 * 1024 * 1024);
      const attempt = (await stack.api.request('GET', `/leads/${lead.body.id}/history`)).body.attempts[0];
      expect(attempt.response.status).toBe(200);
      expect(attempt.response.body).toBe(`${'x'.repeat(8192)}…[${64 * 1024 - 8192} more characters]`);
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });
});
