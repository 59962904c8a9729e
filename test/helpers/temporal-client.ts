import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, makeGrpcRetryInterceptor } from '@temporalio/client';
import { temporalRetryOptions } from '../../infra/temporal-client';
import { encryptedDataConverter } from '../../infra/payload-codec';
import { eventually } from './wait';
import { testEnv } from './env';

export interface TestClient { connection: Connection; temporal: Client; close(): Promise<void> }

/**
 * A Temporal client on the shared test server whose close first lets its calls end, retries included.
 * Closing the channel while a call waits between retries (the server busy under a loaded suite) throws
 * "Channel has been shut down" from a timer, which fails whichever suite happens to be running.
 */
export async function connectTestClient(): Promise<TestClient> {
  const env = testEnv();
  let inFlight = 0;
  // Outermost, so one call with all its retries counts once.
  const counting: Interceptor = (options, nextCall) => {
    let ended = false;
    const end = () => {
      if (!ended) inFlight--;
      ended = true;
    };
    inFlight++;
    return new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => next(metadata, { onReceiveStatus: (status, pass) => { end(); pass(status); } }),
    });
  };
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, interceptors: [counting, makeGrpcRetryInterceptor(temporalRetryOptions())] });
  const temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: encryptedDataConverter() });
  return {
    connection,
    temporal,
    async close() {
      // A long poll a failed test left behind may never end by itself: close under it after a while.
      await eventually(async () => inFlight === 0 || undefined, { timeoutMs: 20_000 }).catch(() => undefined);
      await connection.close();
    },
  };
}
