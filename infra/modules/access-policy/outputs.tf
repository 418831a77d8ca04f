output "json" {
  description = "The policy document; empty of statements when nothing is used."
  value       = data.aws_iam_policy_document.this.json
}

output "used" {
  description = "Whether there is anything to allow (a role policy needs at least one statement). Known at plan time."
  value       = length(var.consumes) + length(var.publishes) + length(var.read_buckets) + length(var.write_buckets) > 0
}
