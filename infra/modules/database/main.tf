# Postgres + PostGIS: an RDS instance (mode "rds"), or an external server such as
# Supabase (mode "external", its connection string given once, and optionally the
# one migrations use). Either way the services read DATABASE_URL from one Secrets
# Manager secret. The migrations create the postgis, pg_trgm and unaccent
# extensions where they are missing; RDS's master user (rds_superuser) may, and
# Supabase installs them itself (docs/running.md, Running on Supabase).

locals {
  rds = var.mode == "rds"
  # Performance Insights is not offered on the smallest burstable classes.
  performance_insights = !can(regex("^db\\.t[234]g?\\.(micro|small)$", var.instance_class))
}

resource "random_password" "master" {
  count = local.rds ? 1 : 0

  length  = 40
  special = false # the password goes into a URL
}

resource "aws_db_subnet_group" "this" {
  count = local.rds ? 1 : 0

  name       = var.name_prefix
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_db_parameter_group" "this" {
  count = local.rds ? 1 : 0

  name   = "${var.name_prefix}-pg${var.engine_major_version}"
  family = "postgres${var.engine_major_version}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Log slow statements so a capacity problem shows up before it hurts.
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }

  tags = var.tags
}

resource "aws_db_instance" "this" {
  count = local.rds ? 1 : 0

  identifier     = var.name_prefix
  engine         = "postgres"
  engine_version = var.engine_major_version
  instance_class = var.instance_class

  allocated_storage     = var.allocated_storage_gb
  max_allocated_storage = var.max_allocated_storage_gb
  storage_type          = "gp3"
  storage_encrypted     = true

  db_name  = var.database_name
  username = var.master_username
  password = random_password.master[0].result
  port     = 5432

  db_subnet_group_name   = aws_db_subnet_group.this[0].name
  vpc_security_group_ids = [var.security_group_id]
  parameter_group_name   = aws_db_parameter_group.this[0].name
  publicly_accessible    = false

  multi_az                        = var.multi_az
  backup_retention_period         = var.backup_retention_days
  deletion_protection             = var.deletion_protection
  skip_final_snapshot             = !var.deletion_protection
  final_snapshot_identifier       = var.deletion_protection ? "${var.name_prefix}-final" : null
  auto_minor_version_upgrade      = true
  performance_insights_enabled    = local.performance_insights
  enabled_cloudwatch_logs_exports = ["postgresql"]
  copy_tags_to_snapshot           = true

  tags = var.tags
}

locals {
  database_url = local.rds ? format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require",
    var.master_username,
    random_password.master[0].result,
    aws_db_instance.this[0].address,
    aws_db_instance.this[0].port,
    var.database_name,
  ) : var.external_url
}

resource "aws_secretsmanager_secret" "url" {
  name                    = "${var.name_prefix}/database-url"
  description             = "DATABASE_URL of every service (Postgres + PostGIS)"
  recovery_window_in_days = var.secret_recovery_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "url" {
  secret_id     = aws_secretsmanager_secret.url.id
  secret_string = local.database_url

  lifecycle {
    precondition {
      condition     = local.rds || var.external_url != null
      error_message = "database mode \"external\" needs external_url."
    }
  }
}

# The migrations' connection, when it is not DATABASE_URL (a transaction pooler's URL cannot hold the
# migrations' long transaction for a pooled client well; Supabase advises its direct or session connection).
resource "aws_secretsmanager_secret" "migration_url" {
  count = var.external_migration_url == null ? 0 : 1

  name                    = "${var.name_prefix}/database-migration-url"
  description             = "DATABASE_MIGRATION_URL of the migration task"
  recovery_window_in_days = var.secret_recovery_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "migration_url" {
  count = var.external_migration_url == null ? 0 : 1

  secret_id     = aws_secretsmanager_secret.migration_url[0].id
  secret_string = var.external_migration_url
}
