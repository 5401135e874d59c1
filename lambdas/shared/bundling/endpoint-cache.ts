/**
 * Bundled in place of `@aws-sdk/endpoint-cache` (an esbuild alias in lib/herald-function.ts): the same
 * `EndpointCache`, a bounded LRU of discovered endpoints, on a `Map` (which keeps insertion order)
 * instead of mnemonist's typed-array LRU — about 7 KiB less in every bundle with a DynamoDB client.
 * The DynamoDB client builds one at start-up; Herald never turns endpoint discovery on, so it stays
 * empty, but it behaves as the original would (test/unit/shared/bundling.test.ts compares them).
 */
interface Endpoint {
  readonly Address: string | undefined;
  readonly CachePeriodInMinutes: number | undefined;
}

interface EndpointWithExpiry {
  readonly Address: string;
  readonly Expires: number;
}

class EndpointCache {
  private readonly cache = new Map<string, EndpointWithExpiry[]>();

  constructor(private readonly capacity: number) {}

  getEndpoint(key: string): string | undefined {
    const endpoints = this.get(key);
    if (!endpoints || endpoints.length === 0) return undefined;
    return endpoints[Math.floor(Math.random() * endpoints.length)]!.Address;
  }

  get(key: string): EndpointWithExpiry[] | undefined {
    if (!this.has(key)) return undefined;
    const value = this.cache.get(key)!;
    // A read makes the key the most recently used, as mnemonist's `get` does.
    this.cache.delete(key);
    this.cache.set(key, value);
    const now = Date.now();
    const live = value.filter((endpoint) => now < endpoint.Expires);
    if (live.length === 0) {
      this.delete(key);
      return undefined;
    }
    return live;
  }

  set(key: string, endpoints: readonly Endpoint[]): void {
    const now = Date.now();
    this.put(
      key,
      endpoints.map(({ Address, CachePeriodInMinutes }) => ({
        Address: Address as string,
        Expires: now + (CachePeriodInMinutes as number) * 60 * 1000,
      })),
    );
  }

  delete(key: string): void {
    this.put(key, []);
  }

  /** Without touching recency, as mnemonist's `peek`. */
  has(key: string): boolean {
    return (this.cache.get(key)?.length ?? 0) > 0;
  }

  clear(): void {
    this.cache.clear();
  }

  private put(key: string, value: EndpointWithExpiry[]): void {
    this.cache.delete(key);
    this.cache.set(key, value);
    if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value as string);
  }
}

export { EndpointCache };
