import { loadEnv } from '../../infra/env';
import { keyringFromEnv, DEV_PAYLOAD_KEYS } from '../../infra/payload-codec';

const base = { DATABASE_URL: 'postgres://u:p@localhost:5432/db' };

describe('production mode refuses the development secrets', () => {
  it('names LINK_SIGNING_SECRET and TWILIO_AUTH_TOKEN when they are left at their defaults', () => {
    expect(() => loadEnv({ ...base, NODE_ENV: 'production' })).toThrow(/LINK_SIGNING_SECRET: must be set to a secret of your own[\s\S]*TWILIO_AUTH_TOKEN: must be set/);
    expect(() => loadEnv({ ...base, NODE_ENV: 'production', TWILIO_AUTH_TOKEN: 'a-real-twilio-auth-token' })).toThrow(/LINK_SIGNING_SECRET/);
  });

  it('starts with secrets of its own, and development mode keeps the defaults', () => {
    expect(loadEnv({ ...base, NODE_ENV: 'production', LINK_SIGNING_SECRET: 'a-secret-of-our-own', TWILIO_AUTH_TOKEN: 'a-real-twilio-auth-token' }).NODE_ENV).toBe('production');
    expect(loadEnv(base).LINK_SIGNING_SECRET).toBe('development-only-link-secret');
  });

  it('needs payload keys of its own', () => {
    expect(() => keyringFromEnv({ NODE_ENV: 'production' })).toThrow(/LEADRELAY_PAYLOAD_KEYS must be set in production/);
    expect(() => keyringFromEnv({ NODE_ENV: 'production', LEADRELAY_PAYLOAD_KEYS: DEV_PAYLOAD_KEYS })).toThrow(/must not be the development key/);
    expect(keyringFromEnv({}).currentId).toBe('dev');
  });
});
