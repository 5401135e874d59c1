import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, TARGET } from '../../../scripts/portal-types.js';

describe('portal/src/api-types.ts', () => {
  it('is what openapi-typescript makes of openapi/openapi.json today (else: npm run portal:types)', async () => {
    const current = readFileSync(TARGET, 'utf8');
    expect(current === (await generateApiTypes()), 'stale: run `npm run portal:types`').toBe(true);
  });
});
