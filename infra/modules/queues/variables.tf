variable "name_prefix" {
  description = "Prefix of every queue name, e.g. photospots-prod."
  type        = string
}

variable "queues" {
  description = "Queues by logical key (the QueueKey of libs/contracts): name suffix, config variable, visibility timeout and receives before the DLQ."
  type = map(object({
    name                       = string
    env_var                    = string
    visibility_timeout_seconds = number
    max_receive_count          = number
  }))
}

variable "retention_seconds" {
  description = "How long an unconsumed message is kept."
  type        = number
  default     = 345600 # 4 days
}

variable "dlq_retention_seconds" {
  description = "How long a dead letter is kept: long enough to notice, fix and redrive (matches queues:setup)."
  type        = number
  default     = 1209600 # 14 days
}

variable "tags" {
  type    = map(string)
  default = {}
}
