# dev: small, cheap, disposable (no deletion protection, single NAT, one Redis node).

module "stack" {
  source = "../../modules/stack"

  environment         = "dev"
  aws_region          = var.aws_region
  certificate_arn     = var.certificate_arn
  image_tag           = var.image_tag
  vpc_id              = var.vpc_id
  public_subnet_ids   = var.public_subnet_ids
  private_subnet_ids  = var.private_subnet_ids
  single_nat_gateway  = true
  deletion_protection = false
  force_destroy       = true

  services = var.services
  compute  = var.compute

  database_mode                   = var.database_mode
  external_database_url           = var.external_database_url
  external_database_migration_url = var.external_database_migration_url
  database_pool_mode              = var.database_pool_mode
  rds_instance_class              = "db.t4g.small"
  rds_multi_az                    = false
  redis_node_type                 = "cache.t4g.micro"
  redis_replicas                  = 0

  log_level          = "debug"
  log_retention_days = 7
  alarm_emails       = var.alarm_emails

  supabase_url    = var.supabase_url
  auth_jwks_url   = var.auth_jwks_url
  auth_jwt_issuer = var.auth_jwt_issuer

  flickr_enabled = var.flickr_enabled

  github_repository           = var.github_repository
  create_github_oidc_provider = var.create_github_oidc_provider
}
