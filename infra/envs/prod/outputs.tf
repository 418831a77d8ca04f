output "api_dns_name" {
  value = module.stack.api_dns_name
}

output "api_zone_id" {
  value = module.stack.api_zone_id
}

output "ecr_repository_url" {
  value = module.stack.ecr_repository_url
}

output "cluster_name" {
  value = module.stack.cluster_name
}

output "name_prefix" {
  value = module.stack.name_prefix
}

output "services" {
  value = module.stack.services
}

output "migrate_task_definition_family" {
  value = module.stack.migrate_task_definition_family
}

output "task_subnet_ids" {
  value = module.stack.task_subnet_ids
}

output "task_security_group_id" {
  value = module.stack.task_security_group_id
}

output "queues" {
  value = module.stack.queues
}

output "buckets" {
  value = module.stack.buckets
}

output "alarm_topic_arn" {
  value = module.stack.alarm_topic_arn
}

output "deploy_role_arn" {
  value = module.stack.deploy_role_arn
}

output "lambda_functions" {
  value = module.stack.lambda_functions
}

output "lambda_workers" {
  value = module.stack.lambda_workers
}

output "lambda_code_bucket" {
  value = module.stack.lambda_code_bucket
}
