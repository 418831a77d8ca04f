# prod: zone-redundant (NAT per zone, Multi-AZ Postgres, a Redis replica),
# protected from terraform destroy.

module "stack" {
  source = "../../modules/stack"

  environment         = "prod"
  aws_region          = var.aws_region
  certificate_arn     = var.certificate_arn
  image_tag           = var.image_tag
  vpc_id              = var.vpc_id
  public_subnet_ids   = var.public_subnet_ids
  private_subnet_ids  = var.private_subnet_ids
  single_nat_gateway  = false
  deletion_protection = true
  force_destroy       = false

  services = var.services
  compute  = var.compute

  database_mode                   = var.database_mode
  external_database_url           = var.external_database_url
  external_database_migration_url = var.external_database_migration_url
  database_pool_mode              = var.database_pool_mode
  rds_instance_class              = var.rds_instance_class
  rds_allocated_storage_gb        = 100
  rds_max_allocated_storage_gb    = 2000
  rds_multi_az                    = true
  rds_backup_retention_days       = 14
  redis_node_type                 = var.redis_node_type
  redis_replicas                  = 1

  log_level          = "info"
  log_retention_days = 90
  alarm_emails       = var.alarm_emails

  supabase_url    = var.supabase_url
  auth_jwks_url   = var.auth_jwks_url
  auth_jwt_issuer = var.auth_jwt_issuer

  flickr_enabled = var.flickr_enabled

  github_repository           = var.github_repository
  create_github_oidc_provider = var.create_github_oidc_provider
}
