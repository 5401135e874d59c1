// In place of fast-deep-equal in the JSON Schema engine's bundle (lib/bundling/json-schema-engine.mjs): Ajv's
// equality for uniqueItems, const and enum, safe for JSON members named toString or valueOf
// (lambdas/shared/catalog/json-equal.ts says why). Outside the bundle the engine patches Ajv itself.
module.exports = require('../catalog/json-equal.ts').jsonEqual;
