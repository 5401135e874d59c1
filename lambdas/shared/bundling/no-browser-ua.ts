/**
 * Bundled in place of `bowser` (an esbuild alias in lib/herald-function.ts): the SDK imports that browser
 * user-agent parser only from its browser code path, which never runs on Lambda. Its caller falls back
 * to an empty parse when the module has no `parse`.
 */
export default {};
