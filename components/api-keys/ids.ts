/** Element ids that the API Keys page and its client components share (not a client module, so server components read the value). */

/** The API Keys page's heading (tabIndex -1), where focus goes when a key's row is deleted. */
export const LIST_HEADING_ID = 'api-keys-heading';
