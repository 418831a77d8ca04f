# The queue workers whose compute is "lambda" (var.compute): one instance of the lambda module each, given
# what its ECS service would be given (local.apps: environment, secrets, queues, buckets) and the function
# settings below. local.lambda_functions mirrors LAMBDA_FUNCTIONS in libs/contracts/src/lambda-functions.ts, which
# `npm run lambda:local` runs the packaged functions with; apps/system-tests/test/infra-lambda.test.ts fails
# when the two differ. Each function's code is <worker>/<image_tag>.zip in the lambda-code bucket
# (infra/README.md); the deploy workflow uploads newer ones.

locals {
  # query-api serves HTTP and is always an ECS service.
  compute = merge({ "query-api" = "ecs" }, var.compute)

  lambda_functions = {
    ingest = {
      queues                  = ["ingest", "thumbnails"]
      timeout_seconds         = 150
      memory_mb               = 1024
      batch_size              = 1
      batching_window_seconds = 0
      max_concurrency         = 2
      schedule_expression     = null
      environment             = {}
    }
    processing = {
      queues                  = ["photosIngested"]
      timeout_seconds         = 300
      memory_mb               = 2048
      batch_size              = 10
      batching_window_seconds = 1
      max_concurrency         = 2
      # Tiles whose settle window ends after the last message are re-clustered by the next scheduled run.
      schedule_expression = "rate(1 minute)"
      # A claim that starts at the safety margin (claim timeout + 5 s) ends well inside the timeout.
      environment = { PROCESSING_CLAIM_TIMEOUT_SECONDS = 60 }
    }
    scoring = {
      queues                  = ["hotspotsChanged"]
      timeout_seconds         = 60
      memory_mb               = 1024
      batch_size              = 10
      batching_window_seconds = 1
      max_concurrency         = 2
      schedule_expression     = null
      environment             = {}
    }
  }

  # A queue an event source mapping reads stays hidden for six of its function's timeouts, as AWS advises;
  # an ECS consumer sets the contract's visibility on each receive, so for it the queue keeps the contract's.
  queue_visibility = {
    for key, q in local.queues : key => max(q.visibility_timeout_seconds, [
      for name, f in local.lambda_functions : 6 * f.timeout_seconds if local.compute[name] == "lambda" && contains(f.queues, key)
    ]...)
  }
}

# The zips of the workers that run as Lambda functions (<worker>/<git sha>.zip), uploaded by the deploy
# workflow. Kept: a function that Terraform re-creates needs the zip its code_key names.
module "code_storage" {
  source = "../storage"

  name_prefix   = "${local.name_prefix}-${data.aws_caller_identity.current.account_id}" # bucket names are global
  buckets       = { lambda-code = { env_var = null } }
  force_destroy = var.force_destroy
  tags          = local.tags
}

module "lambda" {
  source   = "../lambda"
  for_each = { for name, app in local.apps : name => app if local.compute[name] == "lambda" }

  name               = each.key
  name_prefix        = local.name_prefix
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.security_group_ids.tasks]
  code_bucket        = module.code_storage.buckets["lambda-code"].name
  code_key           = "${each.key}/${var.image_tag}.zip"
  log_retention_days = var.log_retention_days
  alarm_topic_arn    = module.alarms.topic_arn
  tags               = local.tags

  timeout_seconds         = local.lambda_functions[each.key].timeout_seconds
  memory_mb               = local.lambda_functions[each.key].memory_mb
  batch_size              = local.lambda_functions[each.key].batch_size
  batching_window_seconds = local.lambda_functions[each.key].batching_window_seconds
  max_concurrency         = local.lambda_functions[each.key].max_concurrency
  schedule_expression     = local.lambda_functions[each.key].schedule_expression
  schedule_group_name     = module.scheduler.group_name
  schedule_enabled        = var.schedules_enabled

  consumes      = lookup(each.value, "consumes", {})
  publishes     = lookup(each.value, "publishes", {})
  read_buckets  = lookup(each.value, "read_buckets", {})
  write_buckets = lookup(each.value, "write_buckets", {})

  # A function serves no health endpoint: HEALTH_PORT is given as to the task, and unused.
  environment          = merge(local.shared_environment, each.value.environment)
  function_environment = local.lambda_functions[each.key].environment
  secrets              = merge(local.shared_secrets, lookup(each.value, "secrets", {}))
  code_defaults        = concat(local.shared_code_defaults, each.value.code_defaults)
}
