variable "name_prefix" {
  type = string
}

variable "mode" {
  description = "\"rds\": create an RDS Postgres instance with PostGIS; \"external\": use external_url (e.g. Supabase)."
  type        = string
  default     = "rds"
  validation {
    condition     = contains(["rds", "external"], var.mode)
    error_message = "mode must be \"rds\" or \"external\"."
  }
}

variable "external_url" {
  description = "With mode = \"external\": the postgres:// connection string (Supabase: the session pooler or direct URL, with ?sslmode=require)."
  type        = string
  default     = null
  sensitive   = true
  validation {
    condition     = var.external_url == null || can(regex("^postgres(ql)?://", var.external_url))
    error_message = "external_url must be a postgres:// URL."
  }
}

variable "external_migration_url" {
  description = "With mode = \"external\": the connection migrations run through when external_url is a transaction pooler's (Supabase: the direct or session connection, port 5432); null: external_url."
  type        = string
  default     = null
  sensitive   = true
  validation {
    condition     = var.external_migration_url == null || can(regex("^postgres(ql)?://", var.external_migration_url))
    error_message = "external_migration_url must be a postgres:// URL."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the RDS instance."
  type        = list(string)
  default     = []
}

variable "security_group_id" {
  description = "Security group of the RDS instance."
  type        = string
  default     = null
}

variable "engine_major_version" {
  type    = string
  default = "16"
}

variable "instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "allocated_storage_gb" {
  type    = number
  default = 50
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling ceiling."
  type        = number
  default     = 500
}

variable "database_name" {
  type    = string
  default = "photospots"
}

variable "master_username" {
  type    = string
  default = "photospots"
}

variable "multi_az" {
  type    = bool
  default = false
}

variable "backup_retention_days" {
  type    = number
  default = 7
}

variable "deletion_protection" {
  description = "Protect the instance from deletion and take a final snapshot (prod)."
  type        = bool
  default     = true
}

variable "secret_recovery_days" {
  description = "Days a deleted secret can be restored (0 deletes at once: dev only)."
  type        = number
  default     = 7
}

variable "tags" {
  type    = map(string)
  default = {}
}
