# One deployable of apps/ on Fargate: task definition, ECS service, log group,
# task role (only the queues and buckets this service uses), execution role
# (only its own secrets) and autoscaling. modules/stack instantiates it once
# per app; apps/system-tests/test/infra-services.test.ts checks each against the
# app's config schema.

locals {
  family = "${var.name_prefix}-${var.name}"

  # Every queue and bucket the service uses reaches it as its config variable.
  queue_env  = { for key, q in merge(var.consumes, var.publishes) : q.env_var => q.url }
  bucket_env = { for key, b in merge(var.read_buckets, var.write_buckets) : b.env_var => b.name if b.env_var != null }
  environment = merge(
    { for k, v in var.environment : k => tostring(v) },
    local.queue_env,
    local.bucket_env,
  )

  # The port the container serves on: PORT of an HTTP service, HEALTH_PORT of a worker.
  port = tonumber(local.environment[var.port_env])
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name_prefix}/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# --- roles ---------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# What the running code may do: the queues and buckets it uses, nothing else.
resource "aws_iam_role" "task" {
  name               = "${local.family}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

module "access" {
  source = "../access-policy"

  consumes      = var.consumes
  publishes     = var.publishes
  read_buckets  = var.read_buckets
  write_buckets = var.write_buckets
}

resource "aws_iam_role_policy" "task" {
  count = module.access.used ? 1 : 0

  name   = "queues-and-buckets"
  role   = aws_iam_role.task.id
  policy = module.access.json
}

# What ECS may do to start the task: pull the image, write logs, read this service's secrets.
resource "aws_iam_role" "execution" {
  name               = "${local.family}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# A secret given as null is switched off (e.g. FLICKR_API_KEY while Flickr is not enabled): not injected,
# not readable. ECS cannot start a task whose secret has no value yet.
locals {
  secrets = { for name, arn in var.secrets : name => arn if arn != null }
}

data "aws_iam_policy_document" "secrets" {
  statement {
    sid       = "ReadOwnSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(local.secrets)
  }
}

resource "aws_iam_role_policy" "secrets" {
  # Counted on the names given, which are known at plan time: on a first deploy the ARNs are not, and a count
  # that depends on them (whether one is null) cannot be planned. Every service is given its database secret.
  count = length(var.secrets) > 0 ? 1 : 0

  name   = "secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.secrets.json
}

# --- task definition and service --------------------------------------------

resource "aws_ecs_task_definition" "this" {
  family                   = local.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode([
    {
      name        = var.name
      image       = var.image
      essential   = true
      command     = var.command
      stopTimeout = 60 # consumers finish in-flight messages (up to 30 s) on SIGTERM
      portMappings = [{
        containerPort = local.port
        protocol      = "tcp"
      }]
      environment = [for name in sort(keys(local.environment)) : { name = name, value = local.environment[name] }]
      secrets     = [for name in sort(keys(local.secrets)) : { name = name, valueFrom = local.secrets[name] }]
      healthCheck = {
        # The images carry node, not curl.
        command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:${local.port}${var.health_check_path}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 30
      }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = var.name
        }
      }
    }
  ])

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(setintersection(keys(local.environment), keys(var.secrets))) == 0
      error_message = "${var.name}: a variable is set both as plain environment and as a secret."
    }
    precondition {
      condition     = length(setintersection(setunion(keys(local.environment), keys(var.secrets)), var.code_defaults)) == 0
      error_message = "${var.name}: a variable listed in code_defaults is also set."
    }
  }
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = var.scaling.min_tasks
  propagate_tags  = "SERVICE"

  capacity_provider_strategy {
    capacity_provider = var.use_spot ? "FARGATE_SPOT" : "FARGATE"
    weight            = 1
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "load_balancer" {
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]
    content {
      target_group_arn = load_balancer.value
      container_name   = var.name
      container_port   = local.port
    }
  }
  health_check_grace_period_seconds = var.target_group_arn == null ? null : 30

  tags = var.tags

  lifecycle {
    # Autoscaling owns the task count; the deploy workflow registers new revisions
    # (same definition, new image) and moves the service to them.
    ignore_changes = [desired_count, task_definition]
  }
}

module "autoscaling" {
  source = "../autoscaling"

  cluster_name                 = var.cluster_name
  service_name                 = aws_ecs_service.this.name
  mode                         = var.scaling.mode
  min_tasks                    = var.scaling.min_tasks
  max_tasks                    = var.scaling.max_tasks
  queue_name                   = var.scaling.mode == "queue" ? var.consumes[var.scaling.queue].name : null
  max_message_age_seconds      = var.scaling.max_message_age_seconds
  backlog_per_task             = var.scaling.backlog_per_task
  work_metric                  = var.scaling.work_metric
  cpu_target                   = var.scaling.cpu_target
  requests_per_target          = var.scaling.requests_per_target
  request_count_resource_label = var.scaling.request_count_resource_label
}
