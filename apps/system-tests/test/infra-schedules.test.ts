import { contractsForQueue, parseMessage, SCHEDULED_MESSAGES, type QueueKey } from '@photospots/contracts';
import { describe, expect, it } from 'vitest';
import { loadInfra, moduleInstances, type Body } from './support/terraform.ts';

const infra = await loadInfra();
const stack = infra.get('modules/stack')!;
const scheduler = infra.get('modules/scheduler')!;

interface TfSchedule {
  description: string;
  expression: string;
  queue: QueueKey;
  message: unknown;
}
const schedules = stack.locals.schedules as Record<string, TfSchedule>;

/** What EventBridge Scheduler puts in place of its context attributes (values from its documentation's examples). */
function asSent(message: unknown): string {
  return JSON.stringify(message)
    .replaceAll('<aws.scheduler.execution-id>', 'd32c5kddcf5bb8c3')
    .replaceAll('<aws.scheduler.scheduled-time>', '2022-03-22T18:59:43Z')
    .replaceAll('<aws.scheduler.attempt-number>', '1')
    .replaceAll(
      '<aws.scheduler.schedule-arn>',
      'arn:aws:scheduler:eu-central-1:123456789012:schedule/photospots-prod/rescore-all',
    );
}

describe("EventBridge schedules send the messages the services' local timers send (SCHEDULED_MESSAGES)", () => {
  it('there is one Terraform schedule per scheduled message, and no other', () => {
    expect(Object.keys(schedules).sort()).toEqual(SCHEDULED_MESSAGES.map((m) => m.name).sort());
  });

  describe.each(SCHEDULED_MESSAGES.map((m) => [m.name, m] as const))('%s', (name, scheduled) => {
    const tf = schedules[name]!;

    it('targets the queue its contract travels on', () => {
      expect(tf.queue).toBe(scheduled.contract.queue);
    });

    it('sends a message that the consumer of that queue accepts, with the same type, version and payload', () => {
      const parsed = parseMessage(asSent(tf.message), contractsForQueue(tf.queue));
      expect(parsed).toMatchObject({ ok: true });
      if (!parsed.ok) return;
      expect(parsed.contract).toBe(scheduled.contract);
      expect(parsed.message.payload).toEqual(scheduled.payload);
      expect(parsed.message.metadata).toMatchObject({
        producedBy: 'scheduler',
        correlationId: 'd32c5kddcf5bb8c3',
        occurredAt: '2022-03-22T18:59:43Z',
      });
    });

    it(`turns off the local timer of ${scheduled.sentLocallyBy} (${scheduled.intervalEnvVar} = 0), so the message is not sent twice`, () => {
      const call = Object.values(stack.modules)
        .filter((c) => c.source === '../service')
        .flatMap((c) => moduleInstances(infra, stack, c))
        .find((c) => c.name === scheduled.sentLocallyBy);
      expect(call, scheduled.sentLocallyBy).toBeDefined();
      expect(String((call!.environment as Body)[scheduled.intervalEnvVar])).toBe('0');
    });

    it('has an EventBridge expression', () => {
      const expression = tf.expression.startsWith('${var.')
        ? (stack.variables[tf.expression.slice(6, -1)]!.default as string)
        : tf.expression;
      expect(expression).toMatch(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/);
    });
  });

  it('the scheduler module sends each message body as JSON to its queue, with a role that may send only to those queues', () => {
    expect(stack.modules.scheduler!.schedules).toBe(
      '${{\n    for name, s in local.schedules : name => {\n      description  = s.description\n      expression   = s.expression\n      queue_arn    = module.queues.queues[s.queue].arn\n      message_json = jsonencode(s.message)\n    }\n  }}',
    );
    const schedule = scheduler.resources.aws_scheduler_schedule!.this!;
    expect(schedule.for_each).toBe('${var.schedules}');
    expect((schedule.target as Body[])[0]).toMatchObject({
      arn: '${each.value.queue_arn}',
      input: '${each.value.message_json}',
      role_arn: '${aws_iam_role.this.arn}',
    });
    expect(scheduler.data.aws_iam_policy_document!.send!.statement).toEqual([
      {
        sid: 'SendScheduledMessages',
        actions: ['sqs:SendMessage'],
        resources: '${distinct([for s in values(var.schedules) : s.queue_arn])}',
      },
    ]);
  });
});
