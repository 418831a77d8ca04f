# Secrets an operator provides (API keys). Terraform creates each secret empty;
# the value is put once with `aws secretsmanager put-secret-value` (see
# infra/README.md), so it never enters Terraform state. Add one per line, then
# hand `aws_secretsmanager_secret.operator["<key>"].arn` to the app's secrets
# in apps.tf behind a switch (FLICKR_API_KEY: var.flickr_enabled), because ECS
# cannot start a task whose secret has no value yet.

locals {
  operator_secrets = {
    flickr-api-key = "FLICKR_API_KEY: the Flickr REST API key ingest harvests with"
  }
}

resource "aws_secretsmanager_secret" "operator" {
  for_each = local.operator_secrets

  name                    = "${local.name_prefix}/${each.key}"
  description             = each.value
  recovery_window_in_days = var.deletion_protection ? 7 : 0
  tags                    = local.tags
}
