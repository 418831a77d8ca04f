output "schedule_arns" {
  value = { for name, s in aws_scheduler_schedule.this : name => s.arn }
}

output "group_name" {
  value = aws_scheduler_schedule_group.this.name
}
