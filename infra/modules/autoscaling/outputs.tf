output "policy_names" {
  description = "The scaling policies in force."
  value = concat(
    [for p in aws_appautoscaling_policy.per_task : p.name],
    aws_appautoscaling_policy.message_age[*].name,
    aws_appautoscaling_policy.cpu[*].name,
    aws_appautoscaling_policy.requests[*].name,
  )
}
