output "url_secret_arn" {
  description = "Secrets Manager secret holding DATABASE_URL."
  value       = aws_secretsmanager_secret.url.arn
}

output "instance_id" {
  description = "The RDS instance identifier (null in external mode)."
  value       = var.mode == "rds" ? aws_db_instance.this[0].identifier : null
}
