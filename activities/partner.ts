import type { Sql } from '../db/client';
import { getPartner } from '../db/partners';
import { alertSent, insertTransactions, markAlertSent } from '../db/partner-statements';
import { toCapacityConfig, type CapacityConfig, type LowFundsAlert, type Transaction } from '../domain/capacity';
import type { Notifier } from '../infra/notifier';

const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

/** The partner workflow's own side effects: its configuration, its statement and its alerts. */
export function partnerActivities(sql: Sql, notifier: Notifier) {
  return {
    /** Null when the partner does not exist: the workflow then refuses every lead as inactive. */
    async loadPartnerCapacityConfig(partnerId: string): Promise<CapacityConfig | null> {
      const partner = await getPartner(sql, partnerId);
      return partner ? toCapacityConfig(partner) : null;
    },
    async recordPartnerTransactions(partnerId: string, transactions: Transaction[]): Promise<void> {
      await insertTransactions(sql, partnerId, transactions);
    },
    /** Each channel is marked once sent, so a retry only repeats the one that failed. */
    async sendLowFundsAlert(partnerId: string, alert: LowFundsAlert): Promise<void> {
      const text = `Your leadrelay funds are ${money(alert.fundsMinor, alert.currency)}, at or below your low-funds threshold of ${money(alert.thresholdMinor, alert.currency)}. Add a payment to keep receiving leads.`;
      if (!(await alertSent(sql, partnerId, alert.key, 'email'))) {
        await notifier.email({ to: alert.email, subject: 'leadrelay: your funds are running low', text });
        await markAlertSent(sql, partnerId, alert.key, 'email');
      }
      if (alert.smsNumber && !(await alertSent(sql, partnerId, alert.key, 'sms'))) {
        await notifier.sms({ to: alert.smsNumber, body: text });
        await markAlertSent(sql, partnerId, alert.key, 'sms');
      }
    },
  };
}
