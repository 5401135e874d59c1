import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalResource,
  type ResolveContext,
  resolveEnvironment,
  resolveString,
  resolveValue,
} from '../../local/intrinsics.js';
import { type CloudAssembly, functionAssetDir, loadAssembly, resourcesOfType } from '../../local/template.js';
import { synthFixture } from './fixtures/stack.js';

describe('template resolution', () => {
  let outdir: string;
  let assembly: CloudAssembly;
  let ctx: ResolveContext;
  beforeAll(() => {
    outdir = mkdtempSync(join(process.cwd(), 'cdk.out.test-template-'));
    synthFixture(outdir);
    assembly = loadAssembly(outdir);
    const resources = new Map<string, LocalResource>();
    for (const [id, res] of Object.entries(assembly.resources)) {
      if (res.Type === 'AWS::SQS::Queue')
        resources.set(id, { ref: `http://q/${id}`, attrs: { Arn: `arn:q:${id}`, QueueName: id } });
      if (res.Type === 'AWS::SNS::Topic') resources.set(id, { ref: `arn:t:${id}`, attrs: { TopicName: id } });
      if (res.Type === 'AWS::DynamoDB::Table')
        resources.set(id, { ref: `tbl-${id}`, attrs: { Arn: `arn:tbl:${id}` } });
      if (res.Type === 'AWS::StepFunctions::StateMachine')
        resources.set(id, { ref: `arn:sm:${id}`, attrs: { Name: id } });
      if (res.Type === 'AWS::Lambda::Function')
        resources.set(id, {
          ref: `fn-${id}`,
          attrs: { Arn: `arn:aws:lambda:eu-west-1:000000000000:function:fn-${id}` },
        });
    }
    ctx = { region: 'eu-west-1', accountId: '000000000000', stackName: assembly.stackName, resources };
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const idOf = (type: string, prefix: string) => {
    const found = resourcesOfType(assembly, type).find(([id]) =>
      new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
    );
    if (!found) throw new Error(`${prefix} not found`);
    return found[0];
  };

  it('loads the stack and finds each function asset', () => {
    expect(assembly.stackName).toBe('LocalFixture');
    expect(functionAssetDir(assembly, idOf('AWS::Lambda::Function', 'Consumer'))).toMatch(
      /asset\.[0-9a-f]+$/,
    );
  });

  it('resolves Ref, GetAtt and Fn::ToJsonString in a function environment', () => {
    const consumer = assembly.resources[idOf('AWS::Lambda::Function', 'Consumer')];
    const env = resolveEnvironment(
      (consumer?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables,
      ctx,
    );
    const work = idOf('AWS::SQS::Queue', 'Work');
    expect(env.TABLE).toBe(`tbl-${idOf('AWS::DynamoDB::Table', 'Main')}`);
    expect(env.TOPIC_ARN).toBe(`arn:t:${idOf('AWS::SNS::Topic', 'Events')}`);
    expect(JSON.parse(env.QUEUES ?? '')).toEqual([{ url: `http://q/${work}`, arn: `arn:q:${work}` }]);
    expect(env.STATE_MACHINE_ARN).toBe(`arn:sm:${idOf('AWS::StepFunctions::StateMachine', 'Retry')}`);
  });

  it('resolves the state machine DefinitionString (a Fn::Join over function ARNs and queue URLs)', () => {
    const sm = assembly.resources[idOf('AWS::StepFunctions::StateMachine', 'Retry')];
    const def = JSON.parse(resolveString(sm?.Properties?.DefinitionString, ctx)) as {
      States: Record<string, { Resource?: string; Parameters?: Record<string, unknown> }>;
    };
    expect(def.States.AttemptDelivery?.Resource).toBe(
      `arn:aws:lambda:eu-west-1:000000000000:function:fn-${idOf('AWS::Lambda::Function', 'Attempt')}`,
    );
    expect(def.States.SendToWebhookDlq?.Parameters?.QueueUrl).toBe(
      `http://q/${idOf('AWS::SQS::Queue', 'WebhookDlq')}`,
    );
  });

  it('resolves Fn::Sub with pseudo parameters, explicit variables and GetAtt references', () => {
    const work = idOf('AWS::SQS::Queue', 'Work');
    expect(
      resolveValue(
        {
          'Fn::Sub': [
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
            '${AWS::Region}/${AWS::AccountId}/${Q.Arn}/${x}',
            { x: { Ref: work } },
          ],
        },
        { ...ctx, resources: new Map([...ctx.resources, ['Q', { ref: 'q', attrs: { Arn: 'arn:Q' } }]]) },
      ),
    ).toBe(`eu-west-1/000000000000/arn:Q/http://q/${work}`);
    expect(resolveValue({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, ctx)).toBe('b');
  });

  it('marks a variable it cannot resolve instead of failing the whole environment', () => {
    expect(resolveEnvironment({ A: 'x', B: { Ref: 'Missing' } }, ctx)).toEqual({
      A: 'x',
      B: expect.stringContaining('unresolved-locally'),
    });
  });
});
