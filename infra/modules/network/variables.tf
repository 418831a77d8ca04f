variable "name_prefix" {
  type = string
}

variable "aws_region" {
  type = string
}

variable "vpc_id" {
  description = "An existing VPC to use; null creates a new one."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "With vpc_id: public subnets (load balancer), at least two AZs."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "With vpc_id: private subnets with a route to the internet (tasks, Postgres, Redis), at least two AZs."
  type        = list(string)
  default     = []
}

variable "vpc_cidr" {
  description = "CIDR of a new VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones of a new VPC (2 or 3)."
  type        = number
  default     = 2
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3 (RDS and the ALB need two zones)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, not zone-redundant)."
  type        = bool
  default     = true
}

variable "alb_ingress_cidrs" {
  description = "Who may reach the public load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "api_port" {
  description = "Container port of query-api (its PORT variable)."
  type        = number
}

variable "tags" {
  type    = map(string)
  default = {}
}
