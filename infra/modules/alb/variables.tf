variable "name_prefix" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Public subnets."
  type        = list(string)
}

variable "security_group_id" {
  type = string
}

variable "certificate_arn" {
  description = "ACM certificate of the API's domain (same region)."
  type        = string
}

variable "target_port" {
  description = "Container port of query-api (its PORT variable)."
  type        = number
}

variable "health_check_path" {
  type    = string
  default = "/readyz"
}

variable "deletion_protection" {
  type    = bool
  default = false
}

variable "tags" {
  type    = map(string)
  default = {}
}
