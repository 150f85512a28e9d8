/**
 * The two seed products' catalogues, reproduced exactly: Diga's 19 resources in 4 categories
 * (No access / Read / Write, fixed after creation) and Retell's 6 in 3 groups (No Access / Read /
 * Edit, Export and Call action-only, editable at any time).
 */
import type { Catalogue } from './catalogue';

const resource = (id: string, label: string, actionOnly = false) => ({ id, label, actionOnly });

export const digaCatalogue: Catalogue = {
  id: 'diga',
  name: 'Diga',
  levelLabels: { none: 'No access', read: 'Read', write: 'Write' },
  editableAfterCreation: false,
  categories: [
    {
      id: 'communication',
      label: 'Communication',
      resources: [resource('calls', 'Calls'), resource('messages', 'Messages'), resource('transcriptions', 'Transcriptions'), resource('recordings', 'Recordings')],
    },
    {
      id: 'agent_configuration',
      label: 'Agent configuration',
      resources: [
        resource('agents', 'Agents'),
        resource('conversational_paths', 'Conversational paths'),
        resource('knowledge_bases', 'Knowledge bases'),
        resource('tools', 'Tools'),
        resource('voices', 'Voices'),
        resource('integrations', 'Integrations'),
        resource('webhooks', 'Webhooks'),
      ],
    },
    {
      id: 'contacts_and_data',
      label: 'Contacts and data',
      resources: [resource('contacts', 'Contacts'), resource('statistics', 'Statistics'), resource('verifications', 'Verifications')],
    },
    {
      id: 'administration',
      label: 'Administration',
      resources: [
        resource('phones', 'Phones'),
        resource('members', 'Members'),
        resource('billing', 'Billing'),
        resource('api_keys', 'API Keys'),
        resource('notifications', 'Notifications'),
      ],
    },
  ],
};

export const retellCatalogue: Catalogue = {
  id: 'retell',
  name: 'Retell',
  levelLabels: { none: 'No Access', read: 'Read', write: 'Edit' },
  editableAfterCreation: true,
  categories: [
    { id: 'build', label: 'Build', resources: [resource('agent', 'Agent'), resource('testing', 'Testing')] },
    { id: 'monitor', label: 'Monitor', resources: [resource('history', 'History'), resource('export', 'Export', true)] },
    { id: 'deploy', label: 'Deploy', resources: [resource('call', 'Call', true), resource('phone', 'Phone')] },
  ],
};

export const presets: Record<string, Catalogue> = { diga: digaCatalogue, retell: retellCatalogue };
