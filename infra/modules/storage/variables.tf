variable "name_prefix" {
  description = "Prefix of every bucket name, e.g. photospots-prod (bucket names are global: make it unique)."
  type        = string
}

variable "buckets" {
  description = "Buckets by key: the config variable that names it (null when no service reads one), versioning and lifecycle."
  type = map(object({
    env_var                      = optional(string)
    versioned                    = optional(bool, false)
    infrequent_access_after_days = optional(number)
    expire_after_days            = optional(number)
  }))
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets (dev only)."
  type        = bool
  default     = false
}

variable "tags" {
  type    = map(string)
  default = {}
}
