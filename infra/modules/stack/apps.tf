# The deployables of apps/, one service module each. Each app's variables must
# match its config schema (apps/<app>/src/config.ts) exactly: every variable is
# set here (environment, secrets, or from the queues/buckets it uses) or listed
# in code_defaults; apps/system-tests/test/infra-services.test.ts fails on any
# difference. Adding a variable: one line in the app's environment (or secrets,
# or code_defaults).

locals {
  # Images are <repository>:<app>-<tag>; the deploy workflow pushes <app>-<git sha>.
  image_base = "${module.ecr.repository_url}:"
}

module "ingest" {
  source = "../service"

  name               = "ingest"
  name_prefix        = local.name_prefix
  aws_region         = var.aws_region
  cluster_arn        = module.ecs_cluster.arn
  cluster_name       = module.ecs_cluster.name
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.security_group_ids.tasks]
  image              = "${local.image_base}ingest-${var.image_tag}"
  cpu                = var.services["ingest"].cpu
  memory             = var.services["ingest"].memory
  use_spot           = var.services["ingest"].use_spot
  log_retention_days = var.log_retention_days
  tags               = local.tags

  consumes = { ingest = module.queues.queues["ingest"], thumbnails = module.queues.queues["thumbnails"] }
  # ingest answers the scheduled flickr-incremental request with one harvest request per region, on its own queue.
  publishes     = { ingest = module.queues.queues["ingest"], photosIngested = module.queues.queues["photosIngested"], thumbnails = module.queues.queues["thumbnails"] }
  read_buckets  = { imports = module.storage.buckets["imports"] }
  write_buckets = { thumbnails = module.storage.buckets["thumbnails"] }

  port_env = "HEALTH_PORT"
  environment = {
    AWS_REGION  = var.aws_region
    LOG_LEVEL   = var.log_level
    HEALTH_PORT = 3001
    # EventBridge Scheduler sends the flickr-incremental request (schedules.tf); the local timer is off.
    FLICKR_INCREMENTAL_INTERVAL_MINUTES = 0
  }
  secrets = {
    DATABASE_URL = module.database.url_secret_arn
    # Only once the operator has put the key's value (infra/README.md) and set flickr_enabled.
    FLICKR_API_KEY = var.flickr_enabled ? aws_secretsmanager_secret.operator["flickr-api-key"].arn : null
  }
  code_defaults = [
    "DATABASE_POOL_MAX", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SQS_WAIT_TIME_SECONDS", "SQS_VISIBILITY_TIMEOUT_SECONDS",
    "SQS_HANDLER_STALL_SECONDS", "HEALTH_HOST", "INGEST_BATCH_SIZE", "INGEST_BATCH_TIMEOUT_SECONDS", "INGEST_CONSUMER_BATCH",
    "FLICKR_API_URL", "FLICKR_RATE_PER_HOUR", "FLICKR_CONCURRENCY", "FLICKR_LICENSES", "FLICKR_EXTRAS",
    "THUMBNAIL_CONCURRENCY", "THUMBNAIL_RETRY_SECONDS",
  ]

  scaling = {
    mode      = "queue"
    queue     = "ingest"
    min_tasks = var.services["ingest"].min_tasks
    max_tasks = var.services["ingest"].max_tasks
    # An ingest request is a whole file: one waiting request per task is enough backlog.
    backlog_per_task        = 1
    max_message_age_seconds = 1800
  }
}

module "processing" {
  source = "../service"

  name               = "processing"
  name_prefix        = local.name_prefix
  aws_region         = var.aws_region
  cluster_arn        = module.ecs_cluster.arn
  cluster_name       = module.ecs_cluster.name
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.security_group_ids.tasks]
  image              = "${local.image_base}processing-${var.image_tag}"
  cpu                = var.services["processing"].cpu
  memory             = var.services["processing"].memory
  use_spot           = var.services["processing"].use_spot
  log_retention_days = var.log_retention_days
  tags               = local.tags

  consumes  = { photosIngested = module.queues.queues["photosIngested"] }
  publishes = { hotspotsChanged = module.queues.queues["hotspotsChanged"] }

  port_env = "HEALTH_PORT"
  environment = {
    AWS_REGION  = var.aws_region
    LOG_LEVEL   = var.log_level
    HEALTH_PORT = 3002
  }
  secrets = {
    DATABASE_URL = module.database.url_secret_arn
  }
  code_defaults = [
    "DATABASE_POOL_MAX", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SQS_WAIT_TIME_SECONDS", "SQS_VISIBILITY_TIMEOUT_SECONDS",
    "SQS_HANDLER_STALL_SECONDS", "HEALTH_HOST", "PROCESSING_MAX_TILES_PER_RUN", "PROCESSING_CLAIM_TIMEOUT_SECONDS",
    "PROCESSING_SETTLE_MS", "PROCESSING_MAX_DELAY_MS", "PROCESSING_CONSUMER_BATCH",
    "PROCESSING_BACKLOG_METRIC_SECONDS",
    "CLUSTER_CELL_SIZE_MERC_M", "CLUSTER_MIN_USERS", "CLUSTER_BANDWIDTH_M", "CLUSTER_PEAK_SEPARATION_M",
    "CLUSTER_MAX_RADIUS_M", "NAMING_BACKGROUND_RADIUS_M", "NAMING_LOCAL_RADIUS_M", "NAMING_BROAD_EXTENT",
    "NAMING_QUALIFIER_SHARE",
  ]

  scaling = {
    mode      = "queue"
    queue     = "photosIngested"
    min_tasks = var.services["processing"].min_tasks
    max_tasks = var.services["processing"].max_tasks
    # One photos.ingested message is one ingest batch (20,000 photos); see docs/scaling.md.
    backlog_per_task = 20
    # The messages only wake processing; its work is the dirty tiles, which each task reports every minute
    # (apps/processing/src/dirty-tiles/backlog-metric.ts). A task re-clusters ~10–25 tiles/s of a dense city.
    work_metric = {
      namespace  = "Photospots"
      name       = "DirtyTiles"
      dimensions = { service = "processing" }
      per_task   = 500
    }
  }
}

module "scoring" {
  source = "../service"

  name               = "scoring"
  name_prefix        = local.name_prefix
  aws_region         = var.aws_region
  cluster_arn        = module.ecs_cluster.arn
  cluster_name       = module.ecs_cluster.name
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.security_group_ids.tasks]
  image              = "${local.image_base}scoring-${var.image_tag}"
  cpu                = var.services["scoring"].cpu
  memory             = var.services["scoring"].memory
  use_spot           = var.services["scoring"].use_spot
  log_retention_days = var.log_retention_days
  tags               = local.tags

  consumes = { hotspotsChanged = module.queues.queues["hotspotsChanged"] }

  port_env = "HEALTH_PORT"
  environment = {
    AWS_REGION  = var.aws_region
    LOG_LEVEL   = var.log_level
    HEALTH_PORT = 3003
    # EventBridge Scheduler sends the periodic rescore (schedules.tf), not the tasks.
    RESCORE_INTERVAL_MINUTES = 0
  }
  secrets = {
    DATABASE_URL = module.database.url_secret_arn
    REDIS_URL    = module.redis.url_secret_arn
  }
  code_defaults = [
    "DATABASE_POOL_MAX", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SQS_WAIT_TIME_SECONDS", "SQS_VISIBILITY_TIMEOUT_SECONDS",
    "SQS_HANDLER_STALL_SECONDS", "HEALTH_HOST", "REDIS_KEY_PREFIX", "SCORE_RECENCY_HALF_LIFE_YEARS",
    "REDIS_SYNC_CHECK_SECONDS",
  ]

  scaling = {
    mode             = "queue"
    queue            = "hotspotsChanged"
    min_tasks        = var.services["scoring"].min_tasks
    max_tasks        = var.services["scoring"].max_tasks
    backlog_per_task = 50
  }
}

module "query_api" {
  source = "../service"

  name               = "query-api"
  name_prefix        = local.name_prefix
  aws_region         = var.aws_region
  cluster_arn        = module.ecs_cluster.arn
  cluster_name       = module.ecs_cluster.name
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.security_group_ids.tasks]
  image              = "${local.image_base}query-api-${var.image_tag}"
  cpu                = var.services["query-api"].cpu
  memory             = var.services["query-api"].memory
  use_spot           = var.services["query-api"].use_spot
  log_retention_days = var.log_retention_days
  tags               = local.tags

  target_group_arn = module.alb.target_group_arn

  # Favorites ask scoring for a rescore; detail and photos sign thumbnail URLs.
  publishes    = { hotspotsChanged = module.queues.queues["hotspotsChanged"] }
  read_buckets = { thumbnails = module.storage.buckets["thumbnails"] }

  port_env = "PORT"
  environment = {
    AWS_REGION = var.aws_region
    LOG_LEVEL  = var.log_level
    PORT       = local.api_port
    # Behind the ALB: the client address is in X-Forwarded-For.
    TRUST_PROXY     = true
    AUTH_JWKS_URL   = var.auth_jwks_url
    AUTH_JWT_ISSUER = var.auth_jwt_issuer
  }
  secrets = {
    DATABASE_URL = module.database.url_secret_arn
    REDIS_URL    = module.redis.url_secret_arn
  }
  code_defaults = [
    "DATABASE_POOL_MAX", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "REDIS_KEY_PREFIX", "HOST", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_SECONDS", "RATE_LIMIT_USER_MAX",
    "AUTH_JWT_AUDIENCE", "AUTH_JWT_SECRET", "AUTH_JWKS_CACHE_SECONDS", "CORS_ORIGINS", "CACHE_TTL_SECONDS",
    "CACHE_MAX_ENTRIES", "MEMORY_INDEX", "INDEX_RELOAD_SECONDS", "CURSOR_SECRET", "THUMBNAIL_PUBLIC_BASE_URL",
    "THUMBNAIL_URL_TTL_SECONDS", "OUTBOX_POLL_MS",
  ]

  scaling = {
    mode                         = "http"
    min_tasks                    = var.services["query-api"].min_tasks
    max_tasks                    = var.services["query-api"].max_tasks
    cpu_target                   = 60
    requests_per_target          = var.api_requests_per_task_per_minute
    request_count_resource_label = module.alb.request_count_resource_label
  }
}
