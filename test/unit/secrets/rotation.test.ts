import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isActive, MAX_ACTIVE_SECRETS, rotate } from '../../../lambdas/secrets/rotation.js';
import type { EndpointSecret } from '../../../lambdas/shared/model.js';

const now = new Date('2030-01-01T00:00:00Z');
const t = now.getTime() / 1000;
const GRACE = 600;

describe('rotate', () => {
  it.each<[string, EndpointSecret[], boolean, ReturnType<typeof rotate>]>([
    [
      'one secret: the new one first, the old one signs until now + grace',
      [{ secret: 'old', createdAt: 'x' }],
      false,
      {
        kind: 'rotated',
        secrets: [
          { secret: 'new', createdAt: now.toISOString() },
          { secret: 'old', createdAt: 'x', expiresAt: t + GRACE },
        ],
        previousExpiresAt: t + GRACE,
      },
    ],
    [
      'an expired secret is dropped and does not count',
      [
        { secret: 'a', createdAt: 'x' },
        { secret: 'b', createdAt: 'x', expiresAt: t - 1 },
      ],
      false,
      {
        kind: 'rotated',
        secrets: [
          { secret: 'new', createdAt: now.toISOString() },
          { secret: 'a', createdAt: 'x', expiresAt: t + GRACE },
        ],
        previousExpiresAt: t + GRACE,
      },
    ],
    [
      'a third active secret is refused with the limit',
      [
        { secret: 'a', createdAt: 'x' },
        { secret: 'b', createdAt: 'x', expiresAt: t + 60 },
      ],
      false,
      { kind: 'limit_exceeded', active: 2, limit: 2 },
    ],
    [
      'expireCurrentNow drops every old secret at once, even at the limit',
      [
        { secret: 'a', createdAt: 'x' },
        { secret: 'b', createdAt: 'x', expiresAt: t + 60 },
      ],
      true,
      { kind: 'rotated', secrets: [{ secret: 'new', createdAt: now.toISOString() }], previousExpiresAt: t },
    ],
    [
      'a secret at its expiry second no longer counts',
      [
        { secret: 'a', createdAt: 'x' },
        { secret: 'b', createdAt: 'x', expiresAt: t },
      ],
      false,
      {
        kind: 'rotated',
        secrets: [
          { secret: 'new', createdAt: now.toISOString() },
          { secret: 'a', createdAt: 'x', expiresAt: t + GRACE },
        ],
        previousExpiresAt: t + GRACE,
      },
    ],
  ])('%s', (_name, current, expireCurrentNow, expected) => {
    expect(rotate(current, { secret: 'new', graceSeconds: GRACE, expireCurrentNow }, now)).toEqual(expected);
  });

  it('never extends an expiry the old secret already had', () => {
    const result = rotate(
      [{ secret: 'a', createdAt: 'x', expiresAt: t + 30 }],
      { secret: 'n', graceSeconds: GRACE },
      now,
    );
    expect(result).toMatchObject({ kind: 'rotated', previousExpiresAt: t + 30 });
  });

  it('property: any sequence of rotations keeps at most 2 active secrets, the newest first, and never signs with an expired one', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ afterSeconds: fc.integer({ min: 0, max: 2 * GRACE }), expireNow: fc.boolean() }),
          {
            maxLength: 30,
          },
        ),
        (steps) => {
          let secrets: EndpointSecret[] = [{ secret: 's0', createdAt: 'x' }];
          let at = t;
          steps.forEach((step, i) => {
            at += step.afterSeconds;
            const when = new Date(at * 1000);
            const result = rotate(
              secrets,
              { secret: `s${i + 1}`, graceSeconds: GRACE, expireCurrentNow: step.expireNow },
              when,
            );
            if (result.kind === 'limit_exceeded') {
              expect(step.expireNow).toBe(false);
              expect(secrets.filter((s) => isActive(s, at)).length).toBeGreaterThanOrEqual(
                MAX_ACTIVE_SECRETS,
              );
              return;
            }
            secrets = result.secrets;
            expect(secrets[0]?.secret).toBe(`s${i + 1}`);
            expect(secrets.filter((s) => isActive(s, at)).length).toBeLessThanOrEqual(MAX_ACTIVE_SECRETS);
            expect(secrets.every((s) => isActive(s, at))).toBe(true);
            if (step.expireNow) expect(secrets).toHaveLength(1);
          });
        },
      ),
    );
  });
});
