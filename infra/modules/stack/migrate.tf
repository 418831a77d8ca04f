# The database migration job (apps/migrate; docker/Dockerfile, APP=migrate): a
# one-off Fargate task run before a release by the deploy workflow or by hand
# (infra/README.md). It reads DATABASE_URL, DATABASE_MIGRATION_URL and LOG_LEVEL (its config schema);
# runMigrations takes a lease (libs/db/src/leases.ts), so concurrent runs wait.

resource "aws_cloudwatch_log_group" "migrate" {
  name              = "/ecs/${local.name_prefix}/migrate"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

data "aws_iam_policy_document" "migrate_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "migrate_execution" {
  name               = "${local.name_prefix}-migrate-execution"
  assume_role_policy = data.aws_iam_policy_document.migrate_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "migrate_execution" {
  role       = aws_iam_role.migrate_execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "migrate_secrets" {
  statement {
    sid       = "ReadDatabaseUrls"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = distinct([module.database.url_secret_arn, module.database.migration_url_secret_arn])
  }
}

resource "aws_iam_role_policy" "migrate_secrets" {
  name   = "secrets"
  role   = aws_iam_role.migrate_execution.id
  policy = data.aws_iam_policy_document.migrate_secrets.json
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "${local.name_prefix}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.migrate_execution.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name        = "migrate"
      image       = "${local.image_base}migrate-${var.image_tag}"
      essential   = true
      environment = [{ name = "LOG_LEVEL", value = var.log_level }]
      secrets = [
        { name = "DATABASE_URL", valueFrom = module.database.url_secret_arn },
        { name = "DATABASE_MIGRATION_URL", valueFrom = module.database.migration_url_secret_arn },
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.migrate.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = "migrate"
        }
      }
    }
  ])

  tags = local.tags
}
