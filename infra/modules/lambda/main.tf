# A queue worker of apps/ as an AWS Lambda function (apps/<name>/src/lambda.ts, packaged by
# `npm run lambda:package`): the function in the private subnets, its log group, its role (only the queues,
# buckets and secrets it uses), one SQS event source mapping per queue it consumes (partial batch responses,
# a maximum concurrency), an optional EventBridge schedule that invokes it without records, and alarms on
# its errors and throttles. The age of the oldest message of each queue is alarmed by modules/alarms, for
# either compute. modules/stack instantiates it for each worker whose compute is "lambda";
# apps/system-tests/test/infra-lambda.test.ts checks it against LAMBDA_FUNCTIONS (libs/contracts) and the config
# schema.

locals {
  function_name = "${var.name_prefix}-${var.name}"

  # What an ECS task is given as plain variables, the function is given the same way. Secrets cannot be
  # injected into a function's environment: it gets <NAME>_SECRET_ARN and reads the value at cold start
  # (resolveSecretEnv, libs/config).
  queue_env  = { for key, q in merge(var.consumes, var.publishes) : q.env_var => q.url }
  bucket_env = { for key, b in merge(var.read_buckets, var.write_buckets) : b.env_var => b.name if b.env_var != null }
  secrets    = { for name, arn in var.secrets : name => arn if arn != null }
  environment = merge(
    { for k, v in merge(var.environment, var.function_environment) : k => tostring(v) },
    local.queue_env,
    local.bucket_env,
    { for name, arn in local.secrets : "${name}_SECRET_ARN" => arn },
    # The runtime's Node.js reads the bundle's source map, so stack traces name the TypeScript sources.
    { NODE_OPTIONS = "--enable-source-maps" },
  )
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# --- role ------------------------------------------------------------------

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${local.function_name}-lambda"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

# Logs, and the network interfaces a function in a VPC needs.
resource "aws_iam_role_policy_attachment" "vpc" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

module "access" {
  source = "../access-policy"

  consumes      = var.consumes
  publishes     = var.publishes
  read_buckets  = var.read_buckets
  write_buckets = var.write_buckets
}

# The queues and buckets (the event source mappings receive and delete with this role), and the function's
# own secrets, which it reads at cold start. Counted on the names given, known at plan time.
data "aws_iam_policy_document" "this" {
  source_policy_documents = [module.access.json]

  dynamic "statement" {
    for_each = length(var.secrets) > 0 ? [1] : []
    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = values(local.secrets)
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "queues-buckets-secrets"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

# --- function ------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  function_name = local.function_name
  description   = "Photospots ${var.name} worker (apps/${var.name}/src/lambda.ts)"
  role          = aws_iam_role.this.arn
  runtime       = var.runtime
  handler       = "index.handler"
  architectures = [var.architecture]
  s3_bucket     = var.code_bucket
  s3_key        = var.code_key
  memory_size   = var.memory_mb
  timeout       = var.timeout_seconds
  # The mappings' maximum concurrency, and one for the schedule: a bound the account's other functions
  # cannot take away, and one this function cannot exceed.
  reserved_concurrent_executions = var.max_concurrency + (var.schedule_expression == null ? 0 : 1)

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  environment {
    variables = local.environment
  }

  logging_config {
    log_format = "Text" # pino writes JSON lines already
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy_attachment.vpc, aws_iam_role_policy.this]

  lifecycle {
    # The deploy workflow uploads each release's zip and points the function at it.
    ignore_changes = [s3_key, s3_object_version, source_code_hash]

    precondition {
      condition     = length(setintersection(keys(var.environment), keys(var.secrets))) == 0
      error_message = "${var.name}: a variable is set both as plain environment and as a secret."
    }
    precondition {
      condition     = length(setintersection(setunion(keys(var.environment), keys(var.secrets)), var.code_defaults)) == 0
      error_message = "${var.name}: a variable listed in code_defaults is also set."
    }
    precondition {
      condition     = length(setintersection(keys(var.function_environment), setunion(keys(var.environment), keys(var.secrets)))) == 0
      error_message = "${var.name}: function_environment may only set what the task leaves to its code default."
    }
    precondition {
      # AWS's advice for SQS event sources: a message stays hidden through six function timeouts, so a batch
      # that the function retries after throttling is not delivered twice meanwhile.
      condition     = alltrue([for q in values(var.consumes) : q.visibility_timeout_seconds >= 6 * var.timeout_seconds])
      error_message = "${var.name}: a queue it consumes has a visibility timeout under 6x the function's timeout."
    }
  }
}

resource "aws_lambda_event_source_mapping" "this" {
  for_each = var.consumes

  event_source_arn                   = each.value.arn
  function_name                      = aws_lambda_function.this.arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batching_window_seconds
  # A failed record is retried alone; the others of its batch are deleted.
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.max_concurrency
  }
}

# --- schedule: an invocation without records (processing: tiles whose settle window ends after the last message)

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count = var.schedule_expression == null ? 0 : 1

  name               = "${local.function_name}-schedule"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "invoke" {
  statement {
    sid       = "InvokeOnSchedule"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  count = var.schedule_expression == null ? 0 : 1

  name   = "invoke-${var.name}"
  role   = aws_iam_role.scheduler[0].id
  policy = data.aws_iam_policy_document.invoke.json
}

resource "aws_scheduler_schedule" "this" {
  count = var.schedule_expression == null ? 0 : 1

  name                         = "${var.name}-lambda"
  group_name                   = var.schedule_group_name
  description                  = "Invokes ${local.function_name} without records: it works through what no message brings"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = "UTC"
  state                        = var.schedule_enabled ? "ENABLED" : "DISABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ source = "photospots.scheduler", "detail-type" = "${var.name} schedule" })

    # A missed minute is made up by the next one.
    retry_policy {
      maximum_event_age_in_seconds = 60
      maximum_retry_attempts       = 0
    }
  }
}

# --- alarms -----------------------------------------------------------------------------
# A record whose handler throws is a partial batch failure, not a function error: these fire when the
# function itself fails (cold start without its database, a timeout) or cannot run at all.

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${local.function_name}-lambda-errors"
  alarm_description   = "${local.function_name} failed invocations (cold start, timeout or crash); its records come back after the visibility timeout. See the log group ${aws_cloudwatch_log_group.this.name}."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "throttles" {
  alarm_name          = "${local.function_name}-lambda-throttles"
  alarm_description   = "${local.function_name} invocations throttled for 15 minutes: its reserved concurrency is used up or the account's limit is reached."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags
}
