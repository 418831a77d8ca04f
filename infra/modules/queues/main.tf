# One SQS queue per entry with its dead-letter queue and redrive policy.
# Delivery settings come from QUEUES in libs/contracts (mirrored in
# modules/stack/queues.tf); apps/system-tests/test/infra-queues.test.ts checks both.

resource "aws_sqs_queue" "dlq" {
  for_each = var.queues

  name                      = "${var.name_prefix}-${each.value.name}-dlq"
  message_retention_seconds = var.dlq_retention_seconds
  sqs_managed_sse_enabled   = true
  tags                      = merge(var.tags, { Queue = each.key, Role = "dead-letter" })
}

resource "aws_sqs_queue" "main" {
  for_each = var.queues

  name                       = "${var.name_prefix}-${each.value.name}"
  visibility_timeout_seconds = each.value.visibility_timeout_seconds
  message_retention_seconds  = var.retention_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = each.value.max_receive_count
  })

  tags = merge(var.tags, { Queue = each.key })
}

# Only its own source queue may move messages into a dead-letter queue.
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = var.queues

  queue_url = aws_sqs_queue.dlq[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.main[each.key].arn]
  })
}
