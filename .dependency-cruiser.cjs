// Import boundaries between Herald's layers (docs/design.md "Layers"); `npm run check:boundaries`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'handlers-stay-in-lambdas',
      comment:
        'Code that runs in Lambda never imports the CDK app, the local runtime, the CLI, benches or tests.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '^(lib|local|cli|bench|scripts|test|bin)/' },
    },
    {
      name: 'shared-is-shared',
      comment: 'lambdas/shared holds what several capabilities use; it never reaches into one of them.',
      severity: 'error',
      from: { path: '^lambdas/shared/' },
      to: { path: '^lambdas/(api|webhooks|jobs|portal)/' },
    },
    {
      name: 'stores-never-import-handlers',
      comment: 'A store module reads and writes items; it never imports a handler folder or an entry file.',
      severity: 'error',
      from: { path: '(^lambdas/shared/store/|-store\\.ts$)' },
      to: { path: '(^lambdas/(api|webhooks|jobs)/|\\.handler\\.ts$)' },
    },
    {
      name: 'entries-are-not-libraries',
      comment: 'A Lambda entry file (*.handler.ts) is imported by no other Lambda code.',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { path: '\\.handler\\.ts$' },
    },
    {
      name: 'jobs-stand-alone',
      comment: 'A job uses shared code only: not the API, webhooks or the portal.',
      severity: 'error',
      from: { path: '^lambdas/jobs/' },
      to: { path: '^lambdas/(api|webhooks|portal)/' },
    },
    {
      name: 'webhooks-do-not-call-the-api',
      comment: 'The delivery plane does not depend on the management API or the portal.',
      severity: 'error',
      from: { path: '^lambdas/(webhooks|secrets)/' },
      to: { path: '^lambdas/(api|portal|jobs)/' },
    },
    {
      name: 'lib-takes-constants-only',
      comment:
        'The CDK app imports from lambdas/ only modules of constants and pure functions (see test/unit/structure).',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^lambdas/', pathNot: '^lambdas/(shared/(limits|messages)|webhooks/backoff)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(lambdas|lib|local|cli)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.tools)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
