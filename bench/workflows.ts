// The benchmark worker's bundle: the real workflows plus the no-op baseline.
export * from '../workflows';
export { noopWorkflow } from './noop-workflow';
