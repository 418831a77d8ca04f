output "vpc_id" {
  value = local.vpc_id
}

output "public_subnet_ids" {
  value = local.public_subnet_ids
}

output "private_subnet_ids" {
  value = local.private_subnet_ids
}

output "security_group_ids" {
  description = "One security group per tier."
  value = {
    alb      = aws_security_group.alb.id
    tasks    = aws_security_group.tasks.id
    database = aws_security_group.database.id
    redis    = aws_security_group.redis.id
  }
}
