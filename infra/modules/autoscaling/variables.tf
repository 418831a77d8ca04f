variable "cluster_name" {
  type = string
}

variable "service_name" {
  type = string
}

variable "mode" {
  description = "\"queue\" (workers) or \"http\" (query-api)."
  type        = string
}

variable "min_tasks" {
  description = "Lower bound; at least 1 for queue workers (backlog per task needs a running task to scale from)."
  type        = number
}

variable "max_tasks" {
  type = number
}

variable "queue_name" {
  description = "Queue mode: the consumed queue whose backlog drives the task count."
  type        = string
  default     = null
}

variable "backlog_per_task" {
  description = "Queue mode: messages waiting per task that one task works off in acceptable time (see docs/scaling.md)."
  type        = number
  default     = 100
}

variable "work_metric" {
  description = "Queue mode, optional: a backlog the service reports itself (a CloudWatch metric, one count for the whole service, read as its maximum), held at per_task units per running task. Processing reports its dirty tiles this way: its queue only wakes it."
  type = object({
    namespace  = string
    name       = string
    dimensions = map(string)
    per_task   = number
  })
  default = null
}

variable "max_message_age_seconds" {
  description = "Queue mode: add a task while the oldest message is older than this."
  type        = number
  default     = 600
}

variable "cpu_target" {
  description = "HTTP mode: average CPU utilisation to hold, in percent."
  type        = number
  default     = 60
}

variable "requests_per_target" {
  description = "HTTP mode: ALB requests per task per minute to hold."
  type        = number
  default     = 1000
}

variable "request_count_resource_label" {
  description = "HTTP mode: <load balancer arn suffix>/<target group arn suffix>."
  type        = string
  default     = null
}
