/** Names for seeded keys: varied enough that "Search keys" finds some keys and not others. */

const ENVIRONMENTS = ['Production', 'Staging', 'Development', 'QA', 'Sandbox', 'Preview', 'Test', 'Local'];
const SERVICES = [
  'billing', 'checkout', 'payments', 'invoices', 'CRM sync', 'analytics', 'search', 'notifications',
  'mobile app', 'web app', 'backend', 'worker', 'cron', 'data pipeline', 'reporting', 'support desk',
  'marketing site', 'partner portal', 'inventory', 'shipping', 'gateway', 'ledger', 'recommendations',
  'importer', 'exporter', 'warehouse sync', 'call center', 'voice agent', 'SMS bot', 'knowledge base',
  'onboarding', 'fraud check', 'ETL', 'dashboard', 'Zapier', 'Make', 'n8n', 'HubSpot', 'Salesforce', 'Slack bot',
];
const SUFFIXES = ['', '', '', 'key', 'integration', 'service', 'v2', 'read-only', 'backup', 'CI', 'cron job', 'temp'];
const PEOPLE = ['Ana', 'Ben', 'Chen', 'Dana', 'Elif', 'Farah', 'Goran', 'Hana', 'Ivan', 'Jon', 'Kemi', 'Luca', 'Mei', 'Nia', 'Omar', 'Priya'];
const REGIONS = ['eu-west-1', 'us-east-1', 'us-west-2', 'ap-south-1', 'sa-east-1'];

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** A name such as "Production checkout v2", "billing-staging-417" or "Mei's Zapier key". */
export function seedKeyName(): string {
  const env = pick(ENVIRONMENTS);
  const service = pick(SERVICES);
  const roll = Math.random();
  if (roll < 0.55) return [env, service, pick(SUFFIXES)].filter(Boolean).join(' ');
  if (roll < 0.75) return `${service.toLowerCase().replace(/ /g, '-')}-${env.toLowerCase()}-${Math.floor(Math.random() * 1000)}`;
  if (roll < 0.9) return `${pick(PEOPLE)}'s ${service} key`;
  return `${env} ${service} (${pick(REGIONS)})`;
}
