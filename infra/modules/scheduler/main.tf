# EventBridge Scheduler schedules that send contract messages to SQS: the same
# messages the services' local timers send (SCHEDULED_MESSAGES in
# libs/contracts). The message body is fixed JSON; the scheduler fills in the
# invocation's time and id (<aws.scheduler.*> context attributes).

resource "aws_scheduler_schedule_group" "this" {
  name = var.name_prefix
  tags = var.tags
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name_prefix}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# Only the queues a schedule targets.
data "aws_iam_policy_document" "send" {
  statement {
    sid       = "SendScheduledMessages"
    actions   = ["sqs:SendMessage"]
    resources = distinct([for s in values(var.schedules) : s.queue_arn])
  }
}

resource "aws_iam_role_policy" "send" {
  name   = "send-scheduled-messages"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.send.json
}

resource "aws_scheduler_schedule" "this" {
  for_each = var.schedules

  name                         = each.key
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = each.value.description
  schedule_expression          = each.value.expression
  schedule_expression_timezone = "UTC"
  state                        = var.enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = each.value.queue_arn
    role_arn = aws_iam_role.this.arn
    input    = each.value.message_json

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 10
    }
  }
}
