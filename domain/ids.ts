export const leadWorkflowId = (leadId: string) => `lead-${leadId}`;
export const partnerWorkflowId = (partnerId: string) => `partner-${partnerId}`;

/** Stable for a lead and partner: the Standard Webhooks `webhook-id` and the email Message-ID, the same on every retry. */
export const deliveryKey = (leadId: string, partnerId: string) => `lead_${leadId}_${partnerId}`;
