import { CONTRACTS, DLQ_SUFFIX, QUEUES } from '@photospots/contracts';
import { describe, expect, it } from 'vitest';
import { loadDeployables } from './support/deployables.ts';
import { indexedModuleOutput, loadInfra, moduleInstances, type Body } from './support/terraform.ts';

const infra = await loadInfra();
const stack = infra.get('modules/stack')!;
const queuesModule = infra.get('modules/queues')!;
const alarms = infra.get('modules/alarms')!;
const deployables = await loadDeployables();

interface QueueRow {
  name: string;
  env_var: string;
  visibility_timeout_seconds: number;
  max_receive_count: number;
}
const queueTable = stack.locals.queues as Record<string, QueueRow>;

/** The arguments of each instance of the service module, by app name. */
const serviceCalls = new Map(
  Object.values(stack.modules)
    .filter((call) => call.source === '../service')
    .flatMap((call) => moduleInstances(infra, stack, call))
    .map((call) => [String(call.name), call] as const),
);
const keysOf = (value: unknown) => Object.keys((value ?? {}) as object);

describe('SQS queues in Terraform match the message contracts (libs/contracts)', () => {
  it('the stack creates exactly the queues of QUEUES, with their names, variables, visibility timeouts and maxReceiveCount', () => {
    const expected = Object.fromEntries(
      QUEUES.map((q) => [
        q.key,
        {
          name: q.defaultName.replace(/^photospots-/, ''),
          env_var: q.envVar,
          visibility_timeout_seconds: q.visibilityTimeoutSeconds,
          max_receive_count: q.maxReceiveCount,
        },
      ]),
    );
    expect(queueTable).toEqual(expected);
    // The contract's visibility, or longer for a queue a Lambda function consumes (infra-lambda.test.ts).
    expect(stack.modules.queues!.queues).toBe(
      '${{ for key, q in local.queues : key => merge(q, { visibility_timeout_seconds = local.queue_visibility[key] }) }}',
    );
  });

  it('every message contract travels on a queue that Terraform creates', () => {
    for (const contract of CONTRACTS) expect(Object.keys(queueTable), contract.type).toContain(contract.queue);
  });

  it("every queue gets a dead-letter queue (<name>-dlq) and a redrive policy with the queue's own maxReceiveCount", () => {
    const main = queuesModule.resources.aws_sqs_queue!.main!;
    const dlq = queuesModule.resources.aws_sqs_queue!.dlq!;
    expect(main.for_each).toBe('${var.queues}');
    expect(dlq.for_each).toBe('${var.queues}');
    expect(dlq.name).toBe(`\${var.name_prefix}-\${each.value.name}${DLQ_SUFFIX}`);
    expect(main.name).toBe('${var.name_prefix}-${each.value.name}');
    expect(main.visibility_timeout_seconds).toBe('${each.value.visibility_timeout_seconds}');
    const redrive = String(main.redrive_policy).replace(/\s+/g, ' ');
    expect(redrive).toMatch(/^\$\{jsonencode\(\{.*\}\)\}$/);
    expect(redrive).toContain('deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn');
    expect(redrive).toContain('maxReceiveCount = each.value.max_receive_count');
    const allow = queuesModule.resources.aws_sqs_queue_redrive_allow_policy!.dlq!;
    expect(String(allow.redrive_allow_policy)).toContain('aws_sqs_queue.main[each.key].arn');
  });

  it('every queue and dead-letter queue is encrypted at rest', () => {
    for (const [name, body] of Object.entries(queuesModule.resources.aws_sqs_queue!))
      expect(body.sqs_managed_sse_enabled, name).toBe(true);
  });

  it('each queue is consumed by exactly one app, which scales on one of the queues it consumes; an app or a schedule may send to every queue', () => {
    for (const key of Object.keys(queueTable)) {
      const consumers = [...serviceCalls]
        .filter(([, call]) => keysOf(call.consumes).includes(key))
        .map(([name]) => name);
      expect(consumers, `consumers of ${key}`).toHaveLength(1);
      const call = serviceCalls.get(consumers[0]!)!;
      // ingest consumes its requests and the thumbnail jobs they cause; it scales on the requests.
      expect(keysOf(call.consumes), `${consumers[0]} scales on`).toContain((call.scaling as Body).queue);
      // Sent by an app that may send to it (its task role), or by EventBridge Scheduler.
      const publishers = [...serviceCalls].filter(([, c]) => keysOf(c.publishes).includes(key));
      const scheduled = Object.values(stack.locals.schedules as Record<string, { queue: string }>).some(
        (sch) => sch.queue === key,
      );
      expect(publishers.length > 0 || scheduled, `something may send to ${key}`).toBe(true);
    }
  });

  it('apps consume only queues whose contracts their schema reads, and name each queue by its own key', () => {
    for (const app of deployables) {
      const call = serviceCalls.get(app.name)!;
      for (const field of ['consumes', 'publishes']) {
        for (const [key, value] of Object.entries((call[field] ?? {}) as Record<string, unknown>)) {
          expect(app.queues, `${app.name} ${field} ${key}`).toContain(key);
          expect(indexedModuleOutput(value), `${app.name} ${field} ${key}`).toEqual({
            module: 'queues',
            output: 'queues',
            key,
          });
        }
      }
    }
  });

  it("alarms watch every dead-letter queue (not empty) and every queue's oldest message", () => {
    expect(stack.modules.alarms!.queues).toBe('${module.queues.queues}');
    const alarm = alarms.resources.aws_cloudwatch_metric_alarm!;
    expect(alarm.dlq_not_empty).toMatchObject({
      for_each: '${var.queues}',
      metric_name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: '${each.value.dlq_name}' },
      comparison_operator: 'GreaterThanThreshold',
      threshold: 0,
    });
    expect(alarm.oldest_message_age).toMatchObject({
      for_each: '${var.queues}',
      metric_name: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: '${each.value.name}' },
    });
  });
});
