import { patched } from '@temporalio/workflow';

/**
 * Which changes to the lead's workflow code this lead runs with. A lead started as `leadWorkflow`
 * asks its history (`patched()`), as every lead did; a lead started as `leadWorkflowV3` or `leadWorkflowV4`
 * has every change its type was started with from its first event, and records no marker for them. Each
 * `patched()` call costs a new lead a marker and an upsert of Temporal's TemporalChangeVersion search
 * attribute: two history events and a visibility write. A change made after V4 goes through `patched()`
 * for every lead (or into a new type that starts with it).
 *
 * Module state is one lead's own: the worker gives every workflow run its own module instances.
 */
let startedWith: ReadonlySet<string> = new Set();

export function startWith(changes: ReadonlySet<string>): void {
  startedWith = changes;
}

/** `patched()`, for a lead started with `id` already in place. */
export function hasChange(id: string): boolean {
  return startedWith.has(id) || patched(id);
}
