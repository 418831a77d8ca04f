# The role .github/workflows/deploy.yml assumes through GitHub's OIDC provider:
# push images to the repository, register task definitions, roll services
# forward, run the migration task, and upload the zips of the workers that run
# as Lambda functions and point the functions at them. Only the named repository's
# "production" environment may assume it. Skipped when github_repository is null.

locals {
  deploy_role              = var.github_repository != null
  github_oidc_provider_arn = var.create_github_oidc_provider ? one(aws_iam_openid_connect_provider.github[*].arn) : one(data.aws_iam_openid_connect_provider.github[*].arn)
}

resource "aws_iam_openid_connect_provider" "github" {
  count = local.deploy_role && var.create_github_oidc_provider ? 1 : 0

  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"] # not checked by AWS for GitHub any more, but required by older providers
  tags            = local.tags
}

data "aws_iam_openid_connect_provider" "github" {
  count = local.deploy_role && !var.create_github_oidc_provider ? 1 : 0

  url = "https://token.actions.githubusercontent.com"
}

data "aws_iam_policy_document" "deploy_assume" {
  count = local.deploy_role ? 1 : 0

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:${var.github_environment}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  count = local.deploy_role ? 1 : 0

  name               = "${local.name_prefix}-github-deploy"
  assume_role_policy = data.aws_iam_policy_document.deploy_assume[0].json
  tags               = local.tags
}

data "aws_iam_policy_document" "deploy" {
  # These two ECS/ECR calls support no resource-level permissions.
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "TaskDefinitions"
    actions   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid = "PushImages"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [module.ecr.repository_arn]
  }

  statement {
    sid       = "RollServices"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = [for m in values(module.service) : m.service_arn]
  }

  statement {
    sid       = "RunMigrations"
    actions   = ["ecs:RunTask"]
    resources = ["${aws_ecs_task_definition.migrate.arn_without_revision}:*"]
  }

  statement {
    sid       = "WatchMigrations"
    actions   = ["ecs:DescribeTasks"]
    resources = ["arn:aws:ecs:${var.aws_region}:${data.aws_caller_identity.current.account_id}:task/${module.ecs_cluster.name}/*"]
  }

  statement {
    sid = "UploadFunctionCode"
    # UpdateFunctionCode reads the zip with the caller's permissions.
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${module.code_storage.buckets["lambda-code"].arn}/*"]
  }

  dynamic "statement" {
    for_each = length(module.lambda) > 0 ? [1] : []
    content {
      sid       = "UpdateFunctions"
      actions   = ["lambda:UpdateFunctionCode", "lambda:GetFunction", "lambda:GetFunctionConfiguration"]
      resources = [for m in values(module.lambda) : m.function_arn]
    }
  }

  statement {
    sid     = "PassTaskRoles"
    actions = ["iam:PassRole"]
    resources = concat(
      [for m in values(module.service) : m.task_role_arn],
      [for m in values(module.service) : m.execution_role_arn],
      [aws_iam_role.migrate_execution.arn],
    )
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  count = local.deploy_role ? 1 : 0

  name   = "deploy"
  role   = aws_iam_role.deploy[0].id
  policy = data.aws_iam_policy_document.deploy.json
}
