import { loadEnv, type Env } from '../../infra/env';

/** The settings the global setup exported for the shared test services. */
export const testEnv = (): Env => loadEnv(process.env);
