variable "name_prefix" {
  type = string
}

variable "schedules" {
  description = "Schedules by name: an EventBridge expression (rate(...) or cron(...)), the target queue's ARN and the message body (JSON)."
  type = map(object({
    description  = string
    expression   = string
    queue_arn    = string
    message_json = string
  }))
}

variable "enabled" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}
