import { status, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type GrpcRetryOptions } from '@temporalio/client';
import { encryptedDataConverter } from './payload-codec';

/**
 * The SDK's retries, except for an Update refused while its workflow continues-as-new ("workflow is
 * closing"): the new run takes it a moment later, so it is retried after tens of milliseconds, not
 * the 1.7 s and more the SDK waits on any RESOURCE_EXHAUSTED. A hot partner's workflow continues-as-new
 * every couple of thousand updates, and those waits were its p99.
 */
export function temporalRetryOptions(): GrpcRetryOptions {
  const sdk = defaultGrpcRetryOptions();
  return {
    retryableDecider: sdk.retryableDecider,
    delayFunction: (attempt, s) => (s.code === status.RESOURCE_EXHAUSTED && s.details.includes('workflow is closing') ? 20 * attempt : sdk.delayFunction(attempt, s)),
  };
}

/** A connection that retries as temporalRetryOptions says; `extra` interceptors run inside the retries, once per attempt. */
export function connectTemporal(address: string, extra: Interceptor[] = []): Promise<Connection> {
  return Connection.connect({ address, interceptors: [makeGrpcRetryInterceptor(temporalRetryOptions()), ...extra] });
}

export async function connectTemporalClient(address: string, namespace: string): Promise<Client> {
  return new Client({ connection: await connectTemporal(address), namespace, dataConverter: encryptedDataConverter() });
}
