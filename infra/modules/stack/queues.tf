# The queues and buckets of the system. Queues mirror QUEUES in
# libs/contracts/src/registry.ts (name, config variable, visibility timeout,
# maxReceiveCount); apps/system-tests/test/infra-queues.test.ts fails when they
# differ. Adding a queue: one line here, then name it in the consumes/publishes
# of the apps that use it (apps.tf).

locals {
  queues = {
    ingest          = { name = "ingest-requests", env_var = "QUEUE_INGEST", visibility_timeout_seconds = 900, max_receive_count = 10 }
    photosIngested  = { name = "photos-ingested", env_var = "QUEUE_PHOTOS_INGESTED", visibility_timeout_seconds = 300, max_receive_count = 5 }
    hotspotsChanged = { name = "hotspots-changed", env_var = "QUEUE_HOTSPOTS_CHANGED", visibility_timeout_seconds = 120, max_receive_count = 5 }
    thumbnails      = { name = "thumbnails", env_var = "QUEUE_THUMBNAILS", visibility_timeout_seconds = 120, max_receive_count = 5 }
  }

  # env_var: the config variable that names the bucket (null when services get
  # object locations in messages instead).
  buckets = {
    thumbnails = { env_var = "THUMBNAIL_BUCKET", versioned = false, infrequent_access_after_days = 90 }
    imports    = { env_var = null, versioned = true, expire_after_days = 90 }
  }
}

module "queues" {
  source = "../queues"

  name_prefix = local.name_prefix
  # Longer visibility for a queue a Lambda function consumes (lambda.tf).
  queues = { for key, q in local.queues : key => merge(q, { visibility_timeout_seconds = local.queue_visibility[key] }) }
  tags   = local.tags
}

module "storage" {
  source = "../storage"

  name_prefix   = "${local.name_prefix}-${data.aws_caller_identity.current.account_id}" # bucket names are global
  buckets       = local.buckets
  force_destroy = var.force_destroy
  tags          = local.tags
}
