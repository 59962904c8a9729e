import { createTimeSkippingEnv } from '../helpers/time-skipping';

describe('the time-skipping test server', () => {
  it('skips a day of workflow time in moments', async () => {
    const env = await createTimeSkippingEnv();
    try {
      const before = await env.currentTimeMs();
      const started = Date.now();
      await env.sleep('1 day');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await env.teardown();
    }
  });
});
