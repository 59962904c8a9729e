import { DefaultFailureConverter } from '@temporalio/common';

/** Failure messages and stacks go into an encoded payload too: validation errors can echo personal input. Loaded inside the workflow bundle. */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
