/**
 * Reading a Prometheus text scrape back, for the tests and bench:verify: each sample line as
 * `name{labels}` → value. Never used by the server itself.
 */

export function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

export async function scrape(url: string): Promise<Map<string, number>> {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
  return samples(await answer.text());
}

/** The sum of one metric's samples over all its label sets. */
export function total(scraped: Map<string, number>, name: string): number {
  let sum = 0;
  for (const [series, value] of scraped) if (series === name || series.startsWith(`${name}{`)) sum += value;
  return sum;
}
