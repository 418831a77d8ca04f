variable "name_prefix" {
  type = string
}

variable "queues" {
  description = "The queues module's output: every queue and its dead-letter queue."
  type = map(object({
    name     = string
    dlq_name = string
  }))
}

variable "default_oldest_message_age_seconds" {
  type    = number
  default = 900
}

variable "oldest_message_age_seconds" {
  description = "Per queue key overrides of the oldest-message-age threshold."
  type        = map(number)
  default     = {}
}

variable "alb_arn_suffix" {
  type = string
}

variable "target_group_arn_suffix" {
  type = string
}

variable "api_5xx_rate_percent" {
  type    = number
  default = 1
}

variable "api_p99_latency_seconds" {
  type    = number
  default = 0.5
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm by e-mail)."
  type        = list(string)
  default     = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
