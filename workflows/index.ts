export { leadWorkflow, leadWorkflowV3, leadWorkflowV4 } from './lead';
export { partnerWorkflow } from './partner';
export { monthlyInvoicingWorkflow, invoicingRunWorkflow, partnerInvoiceWorkflow } from './invoicing';
export { leadReturnWorkflow } from './lead-return';
export { reofferWorkflow } from './reoffer';
export { appointmentWorkflow } from './appointment';
