# Messages EventBridge Scheduler sends on a timer: the same messages the
# services' local timers send, as listed in SCHEDULED_MESSAGES
# (libs/contracts/src/schedules.ts). apps/system-tests/test/infra-schedules.test.ts
# parses each message below with its contract and compares it with that list.
# Adding a schedule: one entry here.
#
# The body is fixed JSON, so the scheduler's context attributes stand in for
# what a publisher fills per message: the invocation id becomes the correlation
# id and the scheduled time becomes occurredAt. messageId is fixed per schedule
# (a UUID, as the contract demands); consumers use it only in logs.

locals {
  schedules = {
    rescore-all = {
      description = "Full rescore of every hotspot (recency decays even without new photos)"
      expression  = var.rescore_schedule
      queue       = "hotspotsChanged"
      message = {
        type          = "hotspots.rescore-requested"
        schemaVersion = 1
        payload       = { scope = "all" }
        metadata = {
          messageId     = "eb524540-893f-4b07-b93c-fd13a40b523f"
          correlationId = "<aws.scheduler.execution-id>"
          producedBy    = "scheduler"
          occurredAt    = "<aws.scheduler.scheduled-time>"
        }
      }
    }
    flickr-incremental = {
      description = "Incremental Flickr harvest of every region harvested before (ingest fans it out per region)"
      expression  = var.flickr_incremental_schedule
      queue       = "ingest"
      message = {
        type          = "ingest.requested"
        schemaVersion = 1
        payload       = { kind = "flickr-incremental" }
        metadata = {
          messageId     = "3f0c2a9e-7d51-4b8e-9a64-1c2d5e7f8a90"
          correlationId = "<aws.scheduler.execution-id>"
          producedBy    = "scheduler"
          occurredAt    = "<aws.scheduler.scheduled-time>"
        }
      }
    }
  }
}

module "scheduler" {
  source = "../scheduler"

  name_prefix = local.name_prefix
  enabled     = var.schedules_enabled
  tags        = local.tags
  schedules = {
    for name, s in local.schedules : name => {
      description  = s.description
      expression   = s.expression
      queue_arn    = module.queues.queues[s.queue].arn
      message_json = jsonencode(s.message)
    }
  }
}
