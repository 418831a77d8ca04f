variable "name_prefix" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_id" {
  type = string
}

variable "node_type" {
  description = "Cache node size; docs/scaling.md relates it to the number of hotspots."
  type        = string
  default     = "cache.t4g.small"
}

variable "replicas" {
  description = "Read replicas (0 = a single node; 1+ enables automatic failover)."
  type        = number
  default     = 0
}

variable "snapshot_retention_days" {
  type    = number
  default = 1
}

variable "secret_recovery_days" {
  type    = number
  default = 7
}

variable "tags" {
  type    = map(string)
  default = {}
}
