output "url_secret_arn" {
  description = "Secrets Manager secret holding REDIS_URL."
  value       = aws_secretsmanager_secret.url.arn
}

output "replication_group_id" {
  value = aws_elasticache_replication_group.this.id
}
