/**
 * The requests `npm start` prints once the sample is loaded. Each must return
 * real results from the Dresden sample: the launcher tries them before
 * printing, and the newcomer system test asserts every one. Add an endpoint's
 * example here when it lands.
 */
export interface Example {
  /** What the request shows, in a few words. */
  title: string;
  path: string;
}

export const EXAMPLES: readonly Example[] = [
  {
    title: 'Hotspots near the Frauenkirche, nearest first',
    path: '/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=300&limit=3',
  },
  { title: 'Around the Zwinger', path: '/v1/hotspots/nearby?lat=51.0530&lng=13.7337&radius=250&limit=5' },
  {
    title: 'The old town within 1.5 km of the Altmarkt',
    path: '/v1/hotspots/nearby?lat=51.0502&lng=13.7372&radius=1500&limit=10',
  },
];

/** The map page the query API serves at `/`, opened over the old town. */
export function mapPageUrl(baseUrl: string): string {
  return `${baseUrl}/`;
}

export function curlCommand(baseUrl: string, example: Example): string {
  return `curl '${baseUrl}${example.path}'`;
}

/** Items in an example's answer (every endpoint answers `{ items: [...] }`). */
export async function exampleItemCount(baseUrl: string, example: Example): Promise<number> {
  const res = await fetch(`${baseUrl}${example.path}`);
  if (!res.ok) return 0;
  const body = (await res.json()) as { items?: unknown[] };
  return body.items?.length ?? 0;
}
