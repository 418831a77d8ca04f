variable "aws_region" {
  type = string
}

variable "certificate_arn" {
  description = "ACM certificate for the API's domain, in aws_region."
  type        = string
}

variable "image_tag" {
  description = "Git sha of the images to register first (<app>-<sha>); later releases come from the deploy workflow."
  type        = string
}

variable "vpc_id" {
  description = "Existing VPC, or null to create one."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  type    = list(string)
  default = []
}

variable "private_subnet_ids" {
  type    = list(string)
  default = []
}

variable "database_mode" {
  description = "\"rds\" or \"external\" (Supabase or any Postgres with PostGIS)."
  type        = string
  default     = "rds"
}

variable "external_database_url" {
  type      = string
  default   = null
  sensitive = true
}

variable "external_database_migration_url" {
  description = "With database_mode = \"external\" through a transaction pooler: the direct or session URL migrations use."
  type        = string
  default     = null
  sensitive   = true
}

variable "database_pool_mode" {
  description = "\"transaction\" when external_database_url is a transaction pooler's (Supabase port 6543); else \"session\"."
  type        = string
  default     = "session"
}

variable "alarm_emails" {
  type    = list(string)
  default = []
}

variable "services" {
  description = "Size and task-count bounds per app (see docs/scaling.md)."
  type = map(object({
    cpu       = number
    memory    = number
    min_tasks = number
    max_tasks = number
    use_spot  = optional(bool, false)
  }))
}

variable "rds_instance_class" {
  description = "See docs/scaling.md for sizes by photo count."
  type        = string
  default     = "db.m7g.large"
}

variable "redis_node_type" {
  type    = string
  default = "cache.m7g.large"
}

variable "compute" {
  description = "How each queue worker runs: \"ecs\" or \"lambda\" (infra/README.md, \"ECS or Lambda\"); unset workers are ECS services."
  type = object({
    ingest     = optional(string, "ecs")
    processing = optional(string, "ecs")
    scoring    = optional(string, "ecs")
  })
  default = {}
}

variable "github_repository" {
  description = "owner/name of the repository whose deploy workflow may deploy here (null: no deploy role)."
  type        = string
  default     = null
}

variable "create_github_oidc_provider" {
  description = "false when the account already has GitHub's OIDC provider."
  type        = bool
  default     = true
}

variable "supabase_url" {
  description = "Supabase project whose Supabase Auth signs app users in (https://<project>.supabase.co); or leave empty and set auth_jwks_url and auth_jwt_issuer for another issuer."
  type        = string
  default     = ""
}

variable "auth_jwks_url" {
  description = "JWKS URL of a sign-in provider other than a Supabase project (which supabase_url covers)."
  type        = string
  default     = ""
}

variable "auth_jwt_issuer" {
  description = "Issuer of app users' tokens, for a sign-in provider other than a Supabase project."
  type        = string
  default     = ""
}

variable "flickr_enabled" {
  description = "Give ingest the Flickr API key (put the secret's value first, see infra/README.md)."
  type        = bool
  default     = false
}
