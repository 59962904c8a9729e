import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** The benchmark's baseline: an update that does nothing, so Temporal's own round trip is measured alone. */
export const noopUpdate = defineUpdate<number, [number]>('noop');

export async function noopWorkflow(): Promise<void> {
  setHandler(noopUpdate, (n) => n);
  await condition(() => false);
}
