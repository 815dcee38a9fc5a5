import type { ChannelName, LeadFacts } from '../rules/notification-rules';

/** One announcement: a lead, the rule it matched, and the id every attempt of it carries. */
export interface LeadDelivery {
  /** Stable per (lead, channel, rule): a resend after a crash carries the same id. */
  id: string;
  rule: string;
  lead: LeadFacts;
  /** Link to the lead (NOTIFIER_LEAD_URL_TEMPLATE), if configured. */
  url: string | null;
}

/** Somewhere leads are announced. `send` resolves once the receiver accepted, or throws a DeliveryError. */
export interface NotificationChannel {
  readonly name: ChannelName;
  send(delivery: LeadDelivery): Promise<void>;
}
