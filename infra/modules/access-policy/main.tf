# What a deployable's code may do, as one IAM policy document: consume its queues (and dead-letter what fails
# validation), send to the queues it publishes to, and read or write its buckets. Nothing else, and each
# statement only when there is something for it. The ECS task role (modules/service) and the Lambda
# function's role (modules/lambda) both attach it.

data "aws_iam_policy_document" "this" {
  dynamic "statement" {
    for_each = length(var.consumes) > 0 ? [1] : []
    content {
      sid = "ConsumeQueues"
      actions = [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
      ]
      resources = [for q in values(var.consumes) : q.arn]
    }
  }

  # A consumer moves a message that fails validation to the dead-letter queue itself.
  dynamic "statement" {
    for_each = length(var.consumes) > 0 ? [1] : []
    content {
      sid       = "DeadLetterInvalidMessages"
      actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
      resources = [for q in values(var.consumes) : q.dlq_arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.publishes) > 0 ? [1] : []
    content {
      sid       = "PublishToQueues"
      actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
      resources = [for q in values(var.publishes) : q.arn]
    }
  }

  # At start every service resolves the dead-letter queue of each queue it uses.
  dynamic "statement" {
    for_each = length(var.publishes) > 0 ? [1] : []
    content {
      sid       = "ResolvePublishDeadLetterQueues"
      actions   = ["sqs:GetQueueUrl"]
      resources = [for q in values(var.publishes) : q.dlq_arn]
    }
  }

  dynamic "statement" {
    for_each = length(var.read_buckets) > 0 ? [1] : []
    content {
      sid       = "ReadBuckets"
      actions   = ["s3:GetObject", "s3:ListBucket"]
      resources = flatten([for b in values(var.read_buckets) : [b.arn, "${b.arn}/*"]])
    }
  }

  dynamic "statement" {
    for_each = length(var.write_buckets) > 0 ? [1] : []
    content {
      sid       = "WriteBuckets"
      actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket"]
      resources = flatten([for b in values(var.write_buckets) : [b.arn, "${b.arn}/*"]])
    }
  }
}
