/**
 * The version Herald's own types are written against, without their schemas: what a publisher of
 * operational events needs (`publish.ts`), so the delivery functions do not bundle every built-in
 * schema (~7 KiB) to look up one number. Every built-in is version 1 (built-in.ts).
 */
import { BUILT_IN_HISTORY } from './built-in.generated.js';

function builtInVersion(type: string): 1 | undefined {
  return Object.hasOwn(BUILT_IN_HISTORY, type) ? 1 : undefined;
}

export { builtInVersion };
