import { randomUUID } from 'node:crypto';
import { startApi, type TestApi } from '../helpers/api';
import { keyFor } from '../config/fixtures';

describe('security headers and rate limits', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi({ taskQueue: `protection-${randomUUID()}`, rateLimits: { perKeyPerMinute: 5, perAddressPerMinute: 3, signupsPerHour: 2 } });
  });
  afterAll(() => api.close());

  it('sends the standard security headers', async () => {
    const res = await api.request('GET', '/healthz', { key: null });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('limits each API key on its own, and says when to come back', async () => {
    const agent = await keyFor(api, 'agent');
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await api.request('GET', '/lead-types', { key: agent })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await api.request('GET', '/lead-types', { key: agent });
    expect(refused.body).toEqual({ error: 'rate_limited', message: 'too many requests for this API key; wait for the time in Retry-After, then try again' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api.request('GET', '/lead-types', { key: await keyFor(api, 'agent') })).status).toBe(200);
  });

  it("can't be flooded with partner sign-ups, nor with keyless calls from one address", async () => {
    const signup = () => api.request('POST', '/signup/partners', { key: null, body: { name: `Flood ${randomUUID().slice(0, 8)}`, email: 'f@flood.example', timezone: 'Europe/London' } });
    expect([(await signup()).status, (await signup()).status]).toEqual([201, 201]);
    const third = await signup();
    expect(third.status).toBe(429);
    expect(third.body.message).toBe('too many partner sign-ups from this address: at most 2 an hour; wait for the time in Retry-After, then try again');
    expect((await api.request('GET', '/healthz', { key: null })).status).toBe(200);
    const keyless = await api.request('GET', `/respond/${randomUUID()}`, { key: null });
    expect(keyless.status).toBe(429);
    expect(keyless.body.message).toMatch(/^too many requests from this address/);
  });
});
