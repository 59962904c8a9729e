export const leadWorkflowId = (leadId: string) => `lead-${leadId}`;
export const partnerWorkflowId = (partnerId: string) => `partner-${partnerId}`;
