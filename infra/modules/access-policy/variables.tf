# Only the ARNs are read; the objects are the queues and storage modules' outputs.

variable "consumes" {
  description = "Queues consumed (key => { arn, dlq_arn, … })."
  type        = map(object({ arn = string, dlq_arn = string }))
  default     = {}
}

variable "publishes" {
  description = "Queues sent to (key => { arn, dlq_arn, … })."
  type        = map(object({ arn = string, dlq_arn = string }))
  default     = {}
}

variable "read_buckets" {
  description = "Buckets read (key => { arn, … })."
  type        = map(object({ arn = string }))
  default     = {}
}

variable "write_buckets" {
  description = "Buckets written (key => { arn, … })."
  type        = map(object({ arn = string }))
  default     = {}
}
