/**
 * Per-file set-up: one target (the local runtime starts once per file, on free ports) and one test
 * receiver, torn down after the file. Tests read `ctx.api`, `ctx.receiver`, `ctx.target` inside hooks
 * and tests only (they are set in beforeAll).
 */
import { afterAll, beforeAll } from 'vitest';
import type { SfnQuotas } from '../../../local/sfn-quotas.js';
import { HeraldApi } from './api.js';
import { TestReceiver } from './receiver.js';
import { type E2eTarget, startTarget } from './target.js';

interface SuiteContext {
  target: E2eTarget;
  api: HeraldApi;
  receiver: TestReceiver;
}

function useHerald(
  options: { timeScale?: number; persistent?: boolean; sfnQuotas?: SfnQuotas } = {},
): SuiteContext {
  const ctx = {} as SuiteContext;
  beforeAll(async () => {
    ctx.receiver = new TestReceiver();
    await ctx.receiver.start();
    ctx.target = await startTarget(options);
    ctx.api = new HeraldApi(ctx.target.apiUrl, ctx.target.adminKey);
  });
  afterAll(async () => {
    await ctx.receiver?.stop();
    await ctx.target?.stop();
    // Interoperability: every webhook whose secret the test knew verified with `standardwebhooks`.
    const rejected = ctx.receiver?.verification().rejected ?? [];
    if (rejected.length > 0) {
      throw new Error(
        `standardwebhooks rejected ${rejected.length} webhook(s): ${rejected
          .slice(0, 3)
          .map((r) => `${r.path} ${r.webhookId}`)
          .join(', ')}`,
      );
    }
  });
  return ctx;
}

export type { SuiteContext };
export { useHerald };
