import { Metadata, status } from '@grpc/grpc-js';
import { temporalRetryOptions } from '../../infra/temporal-client';

// A hot partner's workflow continues-as-new every couple of thousand updates; reserves that arrive
// meanwhile are refused as "workflow is closing". The SDK waits 1.7 s and more on any
// RESOURCE_EXHAUSTED, which was the hot partner's p99: ours retries those at once.
const refusal = (details: string) => ({ code: status.RESOURCE_EXHAUSTED, details, metadata: new Metadata() });

describe("the Temporal client's retries", () => {
  const { delayFunction, retryableDecider } = temporalRetryOptions();

  it('retry an update refused while its workflow continues-as-new within tens of milliseconds', () => {
    const closing = refusal('workflow operation can not be applied because workflow is closing');
    expect(retryableDecider(1, closing)).toBe(true);
    expect(delayFunction(1, closing)).toBeLessThanOrEqual(50);
    expect(delayFunction(3, closing)).toBeLessThanOrEqual(100);
  });

  it('keep backing off on every other overload, as the SDK does', () => {
    expect(delayFunction(1, refusal('namespace rate limit exceeded'))).toBeGreaterThanOrEqual(1000);
  });
});
