# Services use the cluster's capacity providers: hand the cluster out only once they are attached.

output "arn" {
  value      = aws_ecs_cluster.this.arn
  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

output "name" {
  value      = aws_ecs_cluster.this.name
  depends_on = [aws_ecs_cluster_capacity_providers.this]
}
