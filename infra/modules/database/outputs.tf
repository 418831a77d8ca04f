output "url_secret_arn" {
  description = "Secrets Manager secret holding DATABASE_URL."
  value       = aws_secretsmanager_secret.url.arn
}

output "migration_url_secret_arn" {
  description = "Secrets Manager secret holding DATABASE_MIGRATION_URL: its own with external_migration_url, else DATABASE_URL's."
  value       = var.external_migration_url == null ? aws_secretsmanager_secret.url.arn : aws_secretsmanager_secret.migration_url[0].arn
}

output "instance_id" {
  description = "The RDS instance identifier (null in external mode)."
  value       = var.mode == "rds" ? aws_db_instance.this[0].identifier : null
}
