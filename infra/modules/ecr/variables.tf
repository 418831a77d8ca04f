variable "name_prefix" {
  type = string
}

variable "apps" {
  description = "Services whose images the repository holds (tag prefix per service)."
  type        = list(string)
}

variable "keep_images" {
  description = "Images kept per service (rollback depth)."
  type        = number
  default     = 30
}

variable "force_delete" {
  description = "Allow terraform destroy to delete a repository that still has images (dev only)."
  type        = bool
  default     = false
}

variable "tags" {
  type    = map(string)
  default = {}
}
