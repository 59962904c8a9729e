export { leadWorkflow } from './lead';
export { partnerWorkflow } from './partner';
