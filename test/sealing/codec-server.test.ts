import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { startApi, type TestApi } from '../helpers/api';
import { keyFor } from '../config/fixtures';

let api: TestApi;
beforeAll(async () => { api = await startApi({ taskQueue: `codec-${randomUUID()}` }); });
afterAll(() => api.close());

describe('the codec server the Temporal Web UI and CLI decode through', () => {
  it('decodes an encrypted payload for operators only, in Temporal’s codec server protocol', async () => {
    const [codec] = api.temporal.options.loadedDataConverter.payloadCodecs;
    const [sealed] = await codec!.encode([defaultPayloadConverter.toPayload({ phone: '+447700900123' })]);
    const body = JSON.stringify({
      payloads: [{ metadata: Object.fromEntries(Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(sealed!.data!).toString('base64') }],
    });
    const post = (key?: string) => fetch(`${api.url}/codec/decode`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) } });

    const decoded = (await (await post(api.operatorKey)).json()) as { payloads: Array<{ data: string }> };
    expect(JSON.parse(Buffer.from(decoded.payloads[0]!.data, 'base64').toString())).toEqual({ phone: '+447700900123' });
    expect((await post()).status).toBe(401);
    expect((await post(await keyFor(api, 'agent'))).status).toBe(403);

    const preflight = await fetch(`${api.url}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://localhost:8233' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
  });
});
