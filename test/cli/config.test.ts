import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from './fake-api.js';
import { dirWithLocalState, emptyDir, herald } from './harness.js';

describe('herald CLI configuration', () => {
  let flagApi: FakeApi;
  let envApi: FakeApi;
  let localApi: FakeApi;

  beforeAll(async () => {
    [flagApi, envApi, localApi] = await Promise.all([startFakeApi(), startFakeApi(), startFakeApi()]);
    for (const api of [flagApi, envApi, localApi])
      api.on('GET', '/v1/keys', { status: 200, body: { items: [] } });
  });
  afterAll(async () => {
    await Promise.all([flagApi.close(), envApi.close(), localApi.close()]);
  });

  const lastAuth = (api: FakeApi): string | undefined => api.requests.at(-1)?.headers.authorization;

  describe('precedence: flag > environment > .herald/local.json', () => {
    it('uses flags over the environment and the local file', async () => {
      const cwd = dirWithLocalState({ apiUrl: localApi.url, adminApiKey: 'local-key' });
      const before = { env: envApi.requests.length, local: localApi.requests.length };
      const result = await herald(['keys', 'list', '--url', flagApi.url, '--key', 'flag-key'], {
        cwd,
        env: { HERALD_URL: envApi.url, HERALD_API_KEY: 'env-key' },
      });
      expect(result.code).toBe(0);
      expect(lastAuth(flagApi)).toBe('Bearer flag-key');
      expect(envApi.requests.length).toBe(before.env);
      expect(localApi.requests.length).toBe(before.local);
    });

    it('uses the environment over the local file', async () => {
      const cwd = dirWithLocalState({ apiUrl: localApi.url, adminApiKey: 'local-key' });
      const before = localApi.requests.length;
      const result = await herald(['keys', 'list'], {
        cwd,
        env: { HERALD_URL: envApi.url, HERALD_API_KEY: 'env-key' },
      });
      expect(result.code).toBe(0);
      expect(lastAuth(envApi)).toBe('Bearer env-key');
      expect(localApi.requests.length).toBe(before);
    });

    it('falls back to .herald/local.json in the working directory', async () => {
      const cwd = dirWithLocalState({ apiUrl: localApi.url, adminApiKey: 'local-key' });
      const result = await herald(['keys', 'list'], { cwd });
      expect(result.code).toBe(0);
      expect(lastAuth(localApi)).toBe('Bearer local-key');
    });

    it('never sends a flag or environment key to the URL of .herald/local.json (exit 2)', async () => {
      const cwd = dirWithLocalState({ apiUrl: localApi.url, adminApiKey: 'local-key' });
      const before = localApi.requests.length;
      for (const [args, env] of [
        [['keys', 'list', '--key', 'flag-key'], {}],
        [['keys', 'list'], { HERALD_API_KEY: 'env-key' }],
      ] as const) {
        const result = await herald([...args], { cwd, env: { ...env } });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('needs the URL from --url or HERALD_URL');
      }
      expect(localApi.requests.length).toBe(before);
      // With the URL given too, the key goes where it was told.
      expect((await herald(['keys', 'list', '--key', 'flag-key', '--url', localApi.url], { cwd })).code).toBe(
        0,
      );
      expect(lastAuth(localApi)).toBe('Bearer flag-key');
    });
  });

  it("never sends the local admin key to another host's URL", async () => {
    const cwd = dirWithLocalState({ apiUrl: localApi.url, adminApiKey: 'local-key' });
    const before = flagApi.requests.length;
    const result = await herald(['keys', 'list', '--url', flagApi.url], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: config');
    expect(result.stderr).toContain('HERALD_API_KEY');
    expect(flagApi.requests.length).toBe(before);
  });

  it('says where to configure when nothing is configured (exit 2)', async () => {
    const result = await herald(['keys', 'list'], { cwd: emptyDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No Herald API URL configured');
    expect(result.stderr).toContain('hint: Pass --url, set HERALD_URL, or start the local runtime');
  });

  it('rejects a malformed .herald/local.json with a hint', async () => {
    const cwd = dirWithLocalState({});
    writeFileSync(`${cwd}/.herald/local.json`, '{ not json');
    const result = await herald(['keys', 'list'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not valid JSON');
  });
});
