# ElastiCache Redis for the hotspot GEO index, the top list, caches and rate
# limits: encrypted at rest and in transit, with an AUTH token. The services
# read REDIS_URL (rediss://:token@host:6379) from a Secrets Manager secret.
# The index is rebuilt from Postgres by scoring whenever it is incomplete, so
# losing Redis costs latency, never data.

resource "random_password" "auth" {
  length  = 48
  special = false
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name_prefix
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name_prefix
  description          = "Photospots hotspot index, caches and rate limits"

  engine               = "redis"
  engine_version       = "7.1"
  parameter_group_name = "default.redis7"
  node_type            = var.node_type
  port                 = 6379

  num_cache_clusters         = var.replicas + 1
  automatic_failover_enabled = var.replicas > 0
  multi_az_enabled           = var.replicas > 0

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = [var.security_group_id]

  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  auth_token                 = random_password.auth.result

  snapshot_retention_limit = var.snapshot_retention_days
  apply_immediately        = true

  tags = var.tags
}

resource "aws_secretsmanager_secret" "url" {
  name                    = "${var.name_prefix}/redis-url"
  description             = "REDIS_URL of scoring and query-api"
  recovery_window_in_days = var.secret_recovery_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "url" {
  secret_id     = aws_secretsmanager_secret.url.id
  secret_string = "rediss://:${random_password.auth.result}@${aws_elasticache_replication_group.this.primary_endpoint_address}:6379"
}
