/** What bench:api-scale prints: its figures beside their goals, and the API's memory as its /metrics tells it. */

/** One figure of the summary; `met` is absent where there is no goal. */
export interface Figure {
  what: string;
  value: string;
  goal?: string;
  met?: boolean;
}

export function printSummary(title: string, figures: readonly Figure[]): void {
  console.log(`\n${title}\n`);
  console.log('| figure | value | goal | met |\n| --- | --- | --- | --- |');
  for (const f of figures) {
    const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
    console.log(`| ${f.what} | ${f.value} | ${f.goal ?? ''} | ${met} |`);
  }
}

export interface MemoryBreakdown {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory outside the V8 heap that JS objects hold (typed arrays' buffers, strings from native code). */
  external: number;
  /** Used bytes per V8 heap space. */
  spaces: Record<string, number>;
  describe: string;
}

/** The process's memory from the API's Prometheus metrics (prom-client's default metrics). */
export async function memoryBreakdown(apiUrl: string): Promise<MemoryBreakdown> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^photospots_api_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const spaces: Record<string, number> = {};
  for (const m of text.matchAll(/^photospots_api_nodejs_heap_space_size_used_bytes\{space="(\w+)"\} (\S+)$/gm))
    spaces[m[1]!] = Number(m[2]);
  const rss = value('process_resident_memory_bytes');
  const heapUsed = value('nodejs_heap_size_used_bytes');
  const heapTotal = value('nodejs_heap_size_total_bytes');
  const external = value('nodejs_external_memory_bytes');
  const mb = (n: number) => `${Math.round(n / 2 ** 20)} MB`;
  const big = Object.entries(spaces)
    .filter(([, n]) => n > 2 ** 20)
    .map(([s, n]) => `${s} ${mb(n)}`)
    .join(', ');
  return {
    rss,
    heapUsed,
    heapTotal,
    external,
    spaces,
    describe:
      `RSS ${mb(rss)} = V8 heap ${mb(heapTotal)} (used ${mb(heapUsed)}: ${big}) + external ${mb(external)} ` +
      `+ the rest (code, native allocations, freed pages not yet returned) ${mb(rss - heapTotal - external)}`,
  };
}
