/** Types of portal/build.mjs (plain JavaScript so the CDK bundling hook runs it with bare Node). */
export function buildPortal(outdir: string): Promise<string[]>;
