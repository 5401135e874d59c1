import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPortal } from '../../../portal/build.mjs';

let dir: string;
let handler: (
  event: APIGatewayProxyEventV2,
) => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>;

const get = (rawPath: string) => handler({ rawPath } as APIGatewayProxyEventV2);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'herald-portal-build-'));
  expect(await buildPortal(dir)).toEqual(['index.html', 'app.js', 'app.css']);
  process.env.HERALD_PORTAL_ASSETS = dir;
  ({ handler } = (await import('../../../lambdas/portal/assets.handler.js')) as unknown as {
    handler: typeof handler;
  });
});

afterAll(() => {
  delete process.env.HERALD_PORTAL_ASSETS;
  rmSync(dir, { recursive: true, force: true });
});

describe('portal asset handler', () => {
  it.each(['/portal', '/portal/', '/portal/index.html'])('serves the page at %s', async (path) => {
    const response = await get(path);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<script type="module" src="/portal/app.js"></script>');
  });

  it('serves the script and the stylesheet with their types', async () => {
    expect((await get('/portal/app.js')).headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/portal/app.css')).headers?.['content-type']).toBe('text/css; charset=utf-8');
  });

  it('sends a strict CSP and no-sniff/no-referrer/no-framing on every answer, 404s included', async () => {
    for (const path of ['/portal/', '/portal/app.js', '/portal/nope']) {
      const headers = (await get(path)).headers ?? {};
      expect(headers['content-security-policy']).toMatch(
        /^default-src 'self'; script-src 'self'; style-src 'self'/,
      );
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      expect(headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
    }
  });

  it('answers 404 for anything that is not one of its files (no path is joined from the request)', async () => {
    for (const path of [
      '/portal/../package.json',
      '/portal/%2e%2e/package.json',
      '/portal/src/main.tsx',
      '/portal/x',
    ]) {
      expect((await get(path)).statusCode, path).toBe(404);
    }
  });

  it('ships no inline script or style in the page', async () => {
    const html = (await get('/portal/')).body ?? '';
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
  });
});
