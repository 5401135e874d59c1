/**
 * `npm run cost`: reads the synthesized template (synthesizing it when cdk.out has none), prices the
 * model with bench/cost/prices-us-east-1.json and regenerates the figures in docs/cost.md.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateGeneratedSection } from '../lib/markers.js';
import { resolveInputs } from './inputs.js';
import { loadPriceTable } from './prices.js';
import { renderCost } from './render.js';
import { type CfnTemplate, readTemplateFacts, type TemplateFacts } from './template.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TEMPLATE = join(ROOT, 'cdk.out', 'Herald.template.json');

function synthesize(): void {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--no-notices'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 180_000,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
}

function loadTemplate(): { facts: TemplateFacts | undefined; note: string } {
  if (!existsSync(TEMPLATE)) {
    try {
      synthesize();
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return { facts: undefined, note: `not available (cdk synth failed: ${reason}); memory sizes assumed.` };
    }
  }
  if (!existsSync(TEMPLATE))
    return { facts: undefined, note: 'cdk.out/Herald.template.json missing; memory assumed.' };
  const facts = readTemplateFacts(JSON.parse(readFileSync(TEMPLATE, 'utf8')) as CfnTemplate);
  const summary = facts.functions.map((f) => `${f.role} ${f.memoryMb} MB ${f.architecture}`).join(', ');
  return {
    facts,
    note: `cdk.out/Herald.template.json — ${facts.functions.length} Herald functions (${summary || 'none'}), ${facts.queues} queues, ${facts.stateMachines} state machine(s).`,
  };
}

const { facts, note } = loadTemplate();
const { inputs, memoryFromTemplate } = resolveInputs(facts);
const prices = loadPriceTable(join(ROOT, 'bench', 'cost', 'prices-us-east-1.json'));
const templateNote =
  memoryFromTemplate.length === 5
    ? note
    : `${note} Memory from the template for: ${memoryFromTemplate.join(', ') || 'none'}.`;
const markdown = renderCost(inputs, prices, { templateNote });
console.log(markdown);
updateGeneratedSection(join(ROOT, 'docs', 'cost.md'), 'cost-figures', markdown);
console.error('cost: updated docs/cost.md');
