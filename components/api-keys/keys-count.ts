/** "1 key", "3 keys": the selection's count in the toolbar and the confirmation. */
export const keysCount = (count: number) => `${count} ${count === 1 ? 'key' : 'keys'}`;
