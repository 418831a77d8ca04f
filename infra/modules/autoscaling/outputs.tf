output "policy_names" {
  description = "The scaling policies in force."
  value = concat(
    aws_appautoscaling_policy.backlog_per_task[*].name,
    aws_appautoscaling_policy.message_age[*].name,
    aws_appautoscaling_policy.cpu[*].name,
    aws_appautoscaling_policy.requests[*].name,
  )
}
