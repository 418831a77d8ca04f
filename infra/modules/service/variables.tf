variable "name" {
  description = "The app (apps/<name>); also the container and ECS service name."
  type        = string
}

variable "name_prefix" {
  type = string
}

variable "aws_region" {
  type = string
}

variable "cluster_arn" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

variable "image" {
  description = "Image URI; the deploy workflow replaces it on each release."
  type        = string
}

variable "command" {
  description = "Container command; null runs the image's own CMD."
  type        = list(string)
  default     = null
}

variable "cpu" {
  description = "Fargate CPU units (256 = 0.25 vCPU)."
  type        = number
}

variable "memory" {
  description = "Fargate memory in MiB."
  type        = number
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64; must match the images the deploy workflow builds."
  type        = string
  default     = "X86_64"
}

variable "use_spot" {
  description = "Run on Fargate Spot (fine for idempotent queue workers)."
  type        = bool
  default     = false
}

variable "environment" {
  description = "Plain config variables (name => value). Queue and bucket variables are added from consumes/publishes/buckets."
  type        = map(string)
}

variable "secrets" {
  description = "Config variables read from Secrets Manager (name => secret ARN; null leaves the variable unset)."
  type        = map(string)
  default     = {}
}

variable "code_defaults" {
  description = "Config variables the task deliberately leaves unset, so the schema's default applies (documentation, checked by the infra tests)."
  type        = list(string)
  default     = []
}

variable "port_env" {
  description = "The variable holding the port the container serves /healthz on: PORT (HTTP service) or HEALTH_PORT (worker)."
  type        = string
}

variable "health_check_path" {
  type    = string
  default = "/healthz"
}

variable "target_group_arn" {
  description = "Load balancer target group (HTTP services); null for workers."
  type        = string
  default     = null
}

variable "consumes" {
  description = "Queues this service consumes (key => queues module output)."
  type = map(object({
    name     = string
    url      = string
    arn      = string
    env_var  = string
    dlq_name = string
    dlq_url  = string
    dlq_arn  = string
  }))
  default = {}
}

variable "publishes" {
  description = "Queues this service sends to (key => queues module output)."
  type = map(object({
    name     = string
    url      = string
    arn      = string
    env_var  = string
    dlq_name = string
    dlq_url  = string
    dlq_arn  = string
  }))
  default = {}
}

variable "read_buckets" {
  description = "Buckets this service reads (key => storage module output)."
  type = map(object({
    name    = string
    arn     = string
    env_var = string
  }))
  default = {}
}

variable "write_buckets" {
  description = "Buckets this service writes (key => storage module output)."
  type = map(object({
    name    = string
    arn     = string
    env_var = string
  }))
  default = {}
}

variable "scaling" {
  description = "Task count bounds and what drives them: \"queue\" (backlog per task of one consumed queue, and its oldest message's age) or \"http\" (CPU and requests per target)."
  type = object({
    mode                    = string
    min_tasks               = number
    max_tasks               = number
    queue                   = optional(string)
    backlog_per_task        = optional(number, 100)
    max_message_age_seconds = optional(number, 600)
    work_metric = optional(object({
      namespace  = string
      name       = string
      dimensions = map(string)
      per_task   = number
    }))
    cpu_target                   = optional(number, 60)
    requests_per_target          = optional(number, 1000)
    request_count_resource_label = optional(string)
  })
  validation {
    condition     = contains(["queue", "http"], var.scaling.mode) && var.scaling.min_tasks <= var.scaling.max_tasks
    error_message = "scaling.mode must be \"queue\" or \"http\", and min_tasks <= max_tasks."
  }
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
