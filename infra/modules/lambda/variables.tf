variable "name" {
  description = "The worker (apps/<name>); the function is <name_prefix>-<name>."
  type        = string
}

variable "name_prefix" {
  type = string
}

variable "subnet_ids" {
  description = "Private subnets (with NAT): the function reaches Postgres, Redis, SQS and S3 from them."
  type        = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

# --- code and runtime (tools/lambda/package.ts; LAMBDA_FUNCTIONS in libs/contracts) ----

variable "code_bucket" {
  description = "Bucket holding the packaged zips (<name>/<git sha>.zip)."
  type        = string
}

variable "code_key" {
  description = "The zip the function is created from; the deploy workflow moves it to newer ones."
  type        = string
}

variable "runtime" {
  description = "LAMBDA_RUNTIME of tools/lambda/package.ts, the runtime the bundles target."
  type        = string
  default     = "nodejs24.x"
}

variable "architecture" {
  description = "x86_64 or arm64; the bundles are plain JavaScript and run on either."
  type        = string
  default     = "x86_64"
}

variable "timeout_seconds" {
  type = number
}

variable "memory_mb" {
  type = number
}

variable "batch_size" {
  description = "Records per invocation."
  type        = number
}

variable "batching_window_seconds" {
  description = "How long a mapping gathers records before it invokes."
  type        = number
}

variable "max_concurrency" {
  description = "Invocations at once per event source mapping (2-1000); the function's reserved concurrency follows from it."
  type        = number
  validation {
    condition     = var.max_concurrency >= 2 && var.max_concurrency <= 1000
    error_message = "max_concurrency: SQS event source mappings allow 2 to 1000."
  }
}

variable "schedule_expression" {
  description = "EventBridge Scheduler expression that invokes the function without records; null for none."
  type        = string
  default     = null
}

variable "schedule_group_name" {
  description = "Schedule group of the schedule (with schedule_expression)."
  type        = string
  default     = null
}

variable "schedule_enabled" {
  type    = bool
  default = true
}

# --- what it uses (the same as the worker's ECS service) -------------------------------

variable "environment" {
  description = "Plain config variables (name => value). Queue and bucket variables are added from consumes/publishes/buckets."
  type        = map(string)
}

variable "function_environment" {
  description = "Settings the function runs with where the ECS task keeps the code default (LAMBDA_FUNCTIONS in libs/contracts)."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Config variables read from Secrets Manager (name => secret ARN; null leaves the variable unset). The function gets <name>_SECRET_ARN and reads the value at cold start."
  type        = map(string)
  default     = {}
}

variable "code_defaults" {
  description = "Config variables the function deliberately leaves unset, so the schema's default applies (documentation, checked by the infra tests)."
  type        = list(string)
  default     = []
}

variable "consumes" {
  description = "Queues whose event source mappings invoke the function (key => queues module output)."
  type = map(object({
    name                       = string
    url                        = string
    arn                        = string
    env_var                    = string
    dlq_name                   = string
    dlq_url                    = string
    dlq_arn                    = string
    visibility_timeout_seconds = number
  }))
  validation {
    condition     = length(var.consumes) > 0
    error_message = "A worker function consumes at least one queue."
  }
}

variable "publishes" {
  description = "Queues the function sends to (key => queues module output)."
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
  description = "Buckets the function reads (key => storage module output)."
  type = map(object({
    name    = string
    arn     = string
    env_var = string
  }))
  default = {}
}

variable "write_buckets" {
  description = "Buckets the function writes (key => storage module output)."
  type = map(object({
    name    = string
    arn     = string
    env_var = string
  }))
  default = {}
}

# --- operations -------------------------------------------------------------------------

variable "alarm_topic_arn" {
  description = "SNS topic of the alarms (modules/alarms)."
  type        = string
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "tags" {
  type    = map(string)
  default = {}
}
