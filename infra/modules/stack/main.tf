# The whole Photospots deployment in one AWS account and region: network, ECS
# cluster, image repository, queues, buckets, Postgres, Redis, load balancer,
# the four services (apps.tf), schedules (schedules.tf), the migration task
# (migrate.tf) and alarms. infra/envs/<stage> instantiates it once per stage.

data "aws_caller_identity" "current" {}

locals {
  name_prefix = "photospots-${var.environment}"
  tags = merge(var.tags, {
    Project     = "photospots"
    Environment = var.environment
    ManagedBy   = "terraform"
  })

  # query-api's PORT: the container port, the load balancer's target port and the tasks' ingress.
  api_port = 3000
}

module "network" {
  source = "../network"

  name_prefix        = local.name_prefix
  aws_region         = var.aws_region
  vpc_id             = var.vpc_id
  public_subnet_ids  = var.public_subnet_ids
  private_subnet_ids = var.private_subnet_ids
  vpc_cidr           = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway
  alb_ingress_cidrs  = var.alb_ingress_cidrs
  api_port           = local.api_port
  tags               = local.tags
}

module "ecs_cluster" {
  source = "../ecs-cluster"

  name_prefix = local.name_prefix
  tags        = local.tags
}

module "ecr" {
  source = "../ecr"

  name_prefix  = local.name_prefix
  apps         = keys(var.services)
  force_delete = var.force_destroy
  tags         = local.tags
}

module "database" {
  source = "../database"

  name_prefix              = local.name_prefix
  mode                     = var.database_mode
  external_url             = var.external_database_url
  external_migration_url   = var.external_database_migration_url
  subnet_ids               = module.network.private_subnet_ids
  security_group_id        = module.network.security_group_ids.database
  instance_class           = var.rds_instance_class
  allocated_storage_gb     = var.rds_allocated_storage_gb
  max_allocated_storage_gb = var.rds_max_allocated_storage_gb
  multi_az                 = var.rds_multi_az
  backup_retention_days    = var.rds_backup_retention_days
  deletion_protection      = var.deletion_protection
  secret_recovery_days     = var.deletion_protection ? 7 : 0
  tags                     = local.tags
}

module "redis" {
  source = "../redis"

  name_prefix          = local.name_prefix
  subnet_ids           = module.network.private_subnet_ids
  security_group_id    = module.network.security_group_ids.redis
  node_type            = var.redis_node_type
  replicas             = var.redis_replicas
  secret_recovery_days = var.deletion_protection ? 7 : 0
  tags                 = local.tags
}

module "alb" {
  source = "../alb"

  name_prefix         = local.name_prefix
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  security_group_id   = module.network.security_group_ids.alb
  certificate_arn     = var.certificate_arn
  target_port         = local.api_port
  health_check_path   = "/readyz"
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "alarms" {
  source = "../alarms"

  name_prefix             = local.name_prefix
  queues                  = module.queues.queues
  alb_arn_suffix          = module.alb.arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  api_5xx_rate_percent    = var.api_5xx_rate_percent
  api_p99_latency_seconds = var.api_p99_latency_seconds
  alarm_emails            = var.alarm_emails
  # A file import may take many minutes; the other queues should drain quickly.
  oldest_message_age_seconds = { ingest = 3600 }
  tags                       = local.tags
}
