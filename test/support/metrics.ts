/**
 * The value of the first series of `name` that has all of `labels` (in any order: prom-client
 * does not keep one) in a Prometheus text exposition, or undefined when there is none.
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

/** A service's `/metrics` exposition. */
export async function scrape(serviceUrl: string): Promise<string> {
  const res = await fetch(`${serviceUrl}/metrics`);
  if (res.status !== 200) throw new Error(`${serviceUrl}/metrics answered ${res.status}`);
  return res.text();
}
