output "api_dns_name" {
  description = "Point the API's domain (CNAME or alias) here."
  value       = module.alb.dns_name
}

output "api_zone_id" {
  value = module.alb.zone_id
}

output "ecr_repository_url" {
  value = module.ecr.repository_url
}

output "cluster_name" {
  value = module.ecs_cluster.name
}

output "name_prefix" {
  description = "Prefix of every name; task definition families are <name_prefix>-<app>."
  value       = local.name_prefix
}

output "services" {
  description = "Per app: ECS service name, task definition family and log group."
  value = {
    for app, m in module.service : app => {
      service                = m.service_name
      task_definition_family = m.task_definition_family
      log_group              = m.log_group_name
    }
  }
}

output "migrate_task_definition_family" {
  value = aws_ecs_task_definition.migrate.family
}

output "task_subnet_ids" {
  description = "Subnets for one-off tasks (the migration)."
  value       = module.network.private_subnet_ids
}

output "task_security_group_id" {
  value = module.network.security_group_ids.tasks
}

output "queues" {
  description = "Queue and dead-letter queue URLs by key."
  value       = { for key, q in module.queues.queues : key => { url = q.url, dlq_url = q.dlq_url } }
}

output "buckets" {
  value = { for key, b in module.storage.buckets : key => b.name }
}

output "database_url_secret_arn" {
  value = module.database.url_secret_arn
}

output "alarm_topic_arn" {
  value = module.alarms.topic_arn
}

output "deploy_role_arn" {
  description = "For the deploy workflow's AWS_DEPLOY_ROLE_ARN variable."
  value       = one(aws_iam_role.deploy[*].arn)
}

output "lambda_functions" {
  description = "Per worker whose compute is \"lambda\": function name and log group."
  value = {
    for worker, m in module.lambda : worker => {
      function  = m.function_name
      log_group = m.log_group_name
    }
  }
}

output "lambda_workers" {
  description = "The workers that run as Lambda functions, as JSON (the deploy workflow's LAMBDA_WORKERS)."
  value       = jsonencode(sort(keys(module.lambda)))
}

output "lambda_code_bucket" {
  description = "Bucket of the workers' zips: <worker>/<git sha>.zip."
  value       = module.code_storage.buckets["lambda-code"].name
}
