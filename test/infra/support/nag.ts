import { App, Aspects, type Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HeraldStack, type HeraldStackProps } from '../../../lib/herald-stack.js';

/** One unsuppressed cdk-nag finding: where, which rule, and its first line. */
interface NagFinding {
  readonly path: string;
  readonly rule: string;
  readonly level: 'error' | 'warning';
}

/**
 * Runs the AwsSolutions rules over `stack`'s app (cdk-nag 2.x through Aspects: 3.x no longer works
 * that way) and answers every unsuppressed error and warning. Call before anything else synthesizes
 * the app: aspects run at the first synthesis.
 */
function nagFindings(stack: Stack): NagFinding[] {
  Aspects.of(stack).add(new AwsSolutionsChecks());
  const annotations = Annotations.fromStack(stack);
  const pick = (level: 'error' | 'warning') =>
    (level === 'error' ? annotations.findError : annotations.findWarning)
      .call(annotations, '*', Match.stringLikeRegexp('AwsSolutions-.*'))
      .map((m) => ({ path: m.id, rule: String(m.entry.data).split(':')[0] ?? '', level }));
  return [...pick('error'), ...pick('warning')];
}

/** A Herald stack in an app of its own, without bundling (nag reads the template, not the assets). */
function heraldForNag(props: HeraldStackProps = {}): HeraldStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new HeraldStack(app, 'Nag', props);
}

export type { NagFinding };
export { heraldForNag, nagFindings };
