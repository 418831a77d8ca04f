# The deployables of apps/: one instance of the service module per entry of
# local.apps, which holds only what is an app's own; what every app gets is in
# the module call and the shared_* locals. Each app's variables must match its
# config schema (apps/<app>/src/config.ts) exactly: every variable is set here
# (shared or the app's environment, secrets, or from the queues/buckets it
# uses) or listed in code_defaults; apps/system-tests/test/infra-services.test.ts
# fails on any difference. Adding a variable: one line in the app's environment
# (or secrets, or code_defaults). Adding an app: an entry in local.apps and its
# size in var.services. A worker whose var.compute is "lambda" is a function
# instead (lambda.tf), made from the same entry.

locals {
  # Images are <repository>:<app>-<tag>; the deploy workflow pushes <app>-<git sha>.
  image_base = "${module.ecr.repository_url}:"

  # sharedEnv of libs/config, which every app reads.
  shared_environment = {
    AWS_REGION         = var.aws_region
    LOG_LEVEL          = var.log_level
    DATABASE_POOL_MODE = var.database_pool_mode
  }
  shared_secrets = {
    DATABASE_URL = module.database.url_secret_arn
  }
  # AWS_*: the tasks use their role and the real endpoints.
  shared_code_defaults = [
    "DATABASE_POOL_MAX", "DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS",
    "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
  ]
  # consumerEnv and healthPortEnv of libs/config, which the queue workers read (HEALTH_PORT_FILE: for npm start).
  worker_code_defaults = ["SQS_WAIT_TIME_SECONDS", "SQS_VISIBILITY_TIMEOUT_SECONDS", "SQS_HANDLER_STALL_SECONDS", "HEALTH_HOST", "HEALTH_PORT_FILE"]

  apps = {
    ingest = {
      consumes = { ingest = module.queues.queues["ingest"], thumbnails = module.queues.queues["thumbnails"] }
      # ingest answers the scheduled flickr-incremental request with one harvest request per region, on its own queue.
      publishes     = { ingest = module.queues.queues["ingest"], photosIngested = module.queues.queues["photosIngested"], thumbnails = module.queues.queues["thumbnails"] }
      read_buckets  = { imports = module.storage.buckets["imports"] }
      write_buckets = { thumbnails = module.storage.buckets["thumbnails"] }

      port_env = "HEALTH_PORT"
      environment = {
        HEALTH_PORT = 3001
        # EventBridge Scheduler sends the flickr-incremental request (schedules.tf); the local timer is off.
        FLICKR_INCREMENTAL_INTERVAL_MINUTES = 0
      }
      secrets = {
        # Only once the operator has put the key's value (infra/README.md) and set flickr_enabled.
        FLICKR_API_KEY = var.flickr_enabled ? aws_secretsmanager_secret.operator["flickr-api-key"].arn : null
      }
      # THUMBNAIL_S3_*: the thumbnail bucket is S3's here; an endpoint of its own (Supabase Storage) is for
      # deployments outside AWS.
      code_defaults = concat(local.worker_code_defaults, [
        "INGEST_BATCH_SIZE", "INGEST_BATCH_TIMEOUT_SECONDS", "INGEST_CONSUMER_BATCH",
        "FLICKR_API_URL", "FLICKR_RATE_PER_HOUR", "FLICKR_CONCURRENCY", "FLICKR_LICENSES", "FLICKR_EXTRAS",
        "THUMBNAIL_CONCURRENCY", "THUMBNAIL_RETRY_SECONDS",
        "THUMBNAIL_S3_ENDPOINT_URL", "THUMBNAIL_S3_REGION", "THUMBNAIL_S3_ACCESS_KEY_ID", "THUMBNAIL_S3_SECRET_ACCESS_KEY",
      ])

      scaling = {
        mode  = "queue"
        queue = "ingest"
        # An ingest request is a whole file: one waiting request per task is enough backlog.
        backlog_per_task        = 1
        max_message_age_seconds = 1800
      }
    }

    processing = {
      consumes  = { photosIngested = module.queues.queues["photosIngested"] }
      publishes = { hotspotsChanged = module.queues.queues["hotspotsChanged"] }

      port_env    = "HEALTH_PORT"
      environment = { HEALTH_PORT = 3002 }
      code_defaults = concat(local.worker_code_defaults, [
        "PROCESSING_MAX_TILES_PER_RUN", "PROCESSING_CLAIM_TIMEOUT_SECONDS", "PROCESSING_SETTLE_MS",
        "PROCESSING_MAX_DELAY_MS", "PROCESSING_CONSUMER_BATCH", "PROCESSING_BACKLOG_METRIC_SECONDS",
        "CLUSTER_CELL_SIZE_MERC_M", "CLUSTER_MIN_USERS", "CLUSTER_BANDWIDTH_M", "CLUSTER_PEAK_SEPARATION_M",
        "CLUSTER_MAX_RADIUS_M", "NAMING_BACKGROUND_RADIUS_M", "NAMING_LOCAL_RADIUS_M", "NAMING_BROAD_EXTENT",
        "NAMING_QUALIFIER_SHARE",
      ])

      scaling = {
        mode  = "queue"
        queue = "photosIngested"
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

    scoring = {
      consumes = { hotspotsChanged = module.queues.queues["hotspotsChanged"] }

      port_env = "HEALTH_PORT"
      environment = {
        HEALTH_PORT = 3003
        # EventBridge Scheduler sends the periodic rescore (schedules.tf), not the tasks.
        RESCORE_INTERVAL_MINUTES = 0
      }
      secrets = { REDIS_URL = module.redis.url_secret_arn }
      code_defaults = concat(local.worker_code_defaults, [
        "REDIS_KEY_PREFIX", "SCORE_RECENCY_HALF_LIFE_YEARS", "REDIS_SYNC_CHECK_SECONDS",
      ])

      scaling = { mode = "queue", queue = "hotspotsChanged", backlog_per_task = 50 }
    }

    "query-api" = {
      target_group_arn = module.alb.target_group_arn

      # Favorites ask scoring for a rescore; detail and photos sign thumbnail URLs.
      publishes    = { hotspotsChanged = module.queues.queues["hotspotsChanged"] }
      read_buckets = { thumbnails = module.storage.buckets["thumbnails"] }

      port_env = "PORT"
      environment = {
        PORT = local.api_port
        # Behind the ALB: the client address is in X-Forwarded-For.
        TRUST_PROXY     = true
        SUPABASE_URL    = var.supabase_url
        AUTH_JWKS_URL   = var.auth_jwks_url
        AUTH_JWT_ISSUER = var.auth_jwt_issuer
      }
      secrets = { REDIS_URL = module.redis.url_secret_arn }
      code_defaults = [
        "REDIS_KEY_PREFIX", "HOST", "RATE_LIMIT_MAX", "RATE_LIMIT_WINDOW_SECONDS", "RATE_LIMIT_USER_MAX",
        "AUTH_JWT_AUDIENCE", "AUTH_JWT_SECRET", "AUTH_JWKS_CACHE_SECONDS", "CORS_ORIGINS", "CACHE_TTL_SECONDS",
        "CACHE_MAX_ENTRIES", "MEMORY_INDEX", "INDEX_RELOAD_SECONDS", "CURSOR_SECRET", "THUMBNAIL_PUBLIC_BASE_URL",
        "THUMBNAIL_URL_TTL_SECONDS", "OUTBOX_POLL_MS", "MAP_STYLE_URL", "STREAM_MAX_PER_CLIENT",
        "THUMBNAIL_S3_ENDPOINT_URL", "THUMBNAIL_S3_REGION", "THUMBNAIL_S3_ACCESS_KEY_ID", "THUMBNAIL_S3_SECRET_ACCESS_KEY",
      ]

      scaling = {
        mode                         = "http"
        cpu_target                   = 60
        requests_per_target          = var.api_requests_per_task_per_minute
        request_count_resource_label = module.alb.request_count_resource_label
      }
    }
  }
}

module "service" {
  source   = "../service"
  for_each = { for name, app in local.apps : name => app if local.compute[name] == "ecs" }

  name               = each.key
  name_prefix        = local.name_prefix
  aws_region         = var.aws_region
  cluster_arn        = module.ecs_cluster.arn
  cluster_name       = module.ecs_cluster.name
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.security_group_ids.tasks]
  image              = "${local.image_base}${each.key}-${var.image_tag}"
  cpu                = var.services[each.key].cpu
  memory             = var.services[each.key].memory
  use_spot           = var.services[each.key].use_spot
  log_retention_days = var.log_retention_days
  tags               = local.tags

  # lookup, not try(): try() makes a value with any unknown part (a queue not yet created) wholly
  # unknown, and the module's for_each and count over these maps need their keys at plan time.
  target_group_arn = lookup(each.value, "target_group_arn", null)
  consumes         = lookup(each.value, "consumes", {})
  publishes        = lookup(each.value, "publishes", {})
  read_buckets     = lookup(each.value, "read_buckets", {})
  write_buckets    = lookup(each.value, "write_buckets", {})

  port_env      = each.value.port_env
  environment   = merge(local.shared_environment, each.value.environment)
  secrets       = merge(local.shared_secrets, lookup(each.value, "secrets", {}))
  code_defaults = concat(local.shared_code_defaults, each.value.code_defaults)
  scaling = merge(each.value.scaling, {
    min_tasks = var.services[each.key].min_tasks
    max_tasks = var.services[each.key].max_tasks
  })
}

# Deployments made when each app had a module block of its own keep their
# resources: Terraform moves them to the instances of module.service.
moved {
  from = module.ingest
  to   = module.service["ingest"]
}

moved {
  from = module.processing
  to   = module.service["processing"]
}

moved {
  from = module.scoring
  to   = module.service["scoring"]
}

moved {
  from = module.query_api
  to   = module.service["query-api"]
}
