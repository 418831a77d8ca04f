output "function_name" {
  value = aws_lambda_function.this.function_name
}

output "function_arn" {
  value = aws_lambda_function.this.arn
}

output "role_arn" {
  value = aws_iam_role.this.arn
}

output "log_group_name" {
  value = aws_cloudwatch_log_group.this.name
}

output "event_source_mapping_uuids" {
  value = { for key, m in aws_lambda_event_source_mapping.this : key => m.uuid }
}
