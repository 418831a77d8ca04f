# --- stage and region -------------------------------------------------------

variable "environment" {
  description = "Stage name (dev, prod); part of every resource name: photospots-<environment>-…"
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.environment))
    error_message = "environment: 2-15 lowercase letters, digits or dashes."
  }
}

variable "aws_region" {
  description = "Region of everything; also the services' AWS_REGION."
  type        = string
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Protect data from terraform destroy: RDS deletion protection and final snapshot, ALB protection, secret recovery window (prod: true)."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let terraform destroy empty-or-not buckets and the image repository (dev only)."
  type        = bool
  default     = false
}

# --- network ------------------------------------------------------------------

variable "vpc_id" {
  description = "Existing VPC; null creates one."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "With vpc_id: public subnets for the load balancer."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "With vpc_id: private subnets (with NAT) for tasks, Postgres and Redis."
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  type    = string
  default = "10.40.0.0/16"
}

variable "single_nat_gateway" {
  type    = bool
  default = true
}

variable "alb_ingress_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "certificate_arn" {
  description = "ACM certificate (same region) for the API's HTTPS listener."
  type        = string
}

# --- images and services -------------------------------------------------------

variable "image_tag" {
  description = "Tag suffix of the images Terraform registers (<app>-<image_tag>); the deploy workflow rolls newer ones out."
  type        = string
}

variable "services" {
  description = "Size and task-count bounds of each app."
  type = map(object({
    cpu       = number
    memory    = number
    min_tasks = number
    max_tasks = number
    use_spot  = optional(bool, false)
  }))
  default = {
    ingest      = { cpu = 1024, memory = 2048, min_tasks = 1, max_tasks = 4 }
    processing  = { cpu = 1024, memory = 2048, min_tasks = 1, max_tasks = 8 }
    scoring     = { cpu = 512, memory = 1024, min_tasks = 1, max_tasks = 4 }
    "query-api" = { cpu = 512, memory = 1024, min_tasks = 2, max_tasks = 10 }
  }
  validation {
    condition     = toset(keys(var.services)) == toset(["ingest", "processing", "scoring", "query-api"])
    error_message = "services must size exactly ingest, processing, scoring and query-api."
  }
}

variable "compute" {
  description = "How each queue worker runs: \"ecs\" (a Fargate service) or \"lambda\" (a function on its queues' event source mappings). query-api is always an ECS service. infra/README.md, \"ECS or Lambda\"."
  type = object({
    ingest     = optional(string, "ecs")
    processing = optional(string, "ecs")
    scoring    = optional(string, "ecs")
  })
  default = {}
  validation {
    condition     = alltrue([for c in values(var.compute) : contains(["ecs", "lambda"], c)])
    error_message = "compute: each worker is \"ecs\" or \"lambda\"."
  }
}

variable "api_requests_per_task_per_minute" {
  description = "query-api target of ALB requests per task per minute (docs/scaling.md)."
  type        = number
  default     = 30000
}

variable "log_level" {
  description = "LOG_LEVEL of every service."
  type        = string
  default     = "info"
}

variable "log_retention_days" {
  type    = number
  default = 30
}

# --- data stores ------------------------------------------------------------------

variable "database_mode" {
  description = "\"rds\" (an RDS Postgres with PostGIS) or \"external\" (external_database_url, e.g. Supabase)."
  type        = string
  default     = "rds"
}

variable "external_database_url" {
  description = "With database_mode = \"external\": the postgres:// URL (kept in Secrets Manager and in Terraform state)."
  type        = string
  default     = null
  sensitive   = true
}

variable "external_database_migration_url" {
  description = "With database_mode = \"external\": the direct or session connection migrations run through when external_database_url is a transaction pooler's (Supabase: port 5432). Null: external_database_url."
  type        = string
  default     = null
  sensitive   = true
}

variable "database_pool_mode" {
  description = "DATABASE_POOL_MODE of every service: \"session\" (RDS, a direct or session-pooler URL) or \"transaction\" (external_database_url is a transaction pooler's, e.g. Supabase's port 6543)."
  type        = string
  default     = "session"
  validation {
    condition     = contains(["session", "transaction"], var.database_pool_mode)
    error_message = "database_pool_mode: \"session\" or \"transaction\"."
  }
}

variable "rds_instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "rds_allocated_storage_gb" {
  type    = number
  default = 50
}

variable "rds_max_allocated_storage_gb" {
  type    = number
  default = 500
}

variable "rds_multi_az" {
  type    = bool
  default = false
}

variable "rds_backup_retention_days" {
  type    = number
  default = 7
}

variable "redis_node_type" {
  type    = string
  default = "cache.t4g.small"
}

variable "redis_replicas" {
  type    = number
  default = 0
}

# --- schedules and alarms ------------------------------------------------------------

variable "rescore_schedule" {
  description = "When the full rescore runs (EventBridge expression); locally scoring's RESCORE_INTERVAL_MINUTES (default 60)."
  type        = string
  default     = "rate(60 minutes)"
}

variable "flickr_incremental_schedule" {
  description = "When the incremental Flickr harvest of every region harvested before runs (EventBridge expression); locally ingest's FLICKR_INCREMENTAL_INTERVAL_MINUTES (default 60)."
  type        = string
  default     = "rate(60 minutes)"
}

variable "flickr_enabled" {
  description = "Give ingest the Flickr API key secret. Put the key's value first (infra/README.md): ECS cannot start a task whose secret is empty."
  type        = bool
  default     = false
}

variable "schedules_enabled" {
  type    = bool
  default = true
}

variable "alarm_emails" {
  type    = list(string)
  default = []
}

variable "api_5xx_rate_percent" {
  type    = number
  default = 1
}

variable "api_p99_latency_seconds" {
  type    = number
  default = 0.5
}

# --- CI/CD --------------------------------------------------------------------------

variable "github_repository" {
  description = "owner/name of the GitHub repository whose deploy workflow may deploy (null: no deploy role)."
  type        = string
  default     = null
}

variable "github_environment" {
  description = "GitHub environment the deploy jobs run in; only it may assume the deploy role."
  type        = string
  default     = "production"
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false when it already exists)."
  type        = bool
  default     = true
}

# --- sign-in (query-api) ------------------------------------------------------------

variable "supabase_url" {
  description = "URL of the Supabase project whose Supabase Auth signs app users in (https://<project>.supabase.co); query-api derives the JWKS URL and issuer from it. Empty: auth_jwks_url and auth_jwt_issuer decide."
  type        = string
  default     = ""

  validation {
    condition     = var.supabase_url == "" || can(regex("^https://[^/?#@]+/*$", var.supabase_url))
    error_message = "supabase_url: the project URL, https://<project>.supabase.co (no path)."
  }
  validation {
    condition     = var.supabase_url == "" || (var.auth_jwks_url == "" && var.auth_jwt_issuer == "")
    error_message = "Set supabase_url or auth_jwks_url and auth_jwt_issuer, not both: supabase_url sets the other two."
  }
}

variable "auth_jwks_url" {
  description = "JWKS URL of a token issuer other than a Supabase project (which supabase_url covers). Empty, with supabase_url empty: sign-in disabled."
  type        = string
  default     = ""
}

variable "auth_jwt_issuer" {
  description = "Required iss of app users' tokens, for an issuer other than a Supabase project (which supabase_url covers). Empty, with supabase_url empty: sign-in disabled."
  type        = string
  default     = ""
}
