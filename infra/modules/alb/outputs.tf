output "dns_name" {
  value = aws_lb.this.dns_name
}

output "zone_id" {
  value = aws_lb.this.zone_id
}

output "target_group_arn" {
  value = aws_lb_target_group.api.arn
}

output "arn_suffix" {
  description = "For CloudWatch metrics (LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  description = "For CloudWatch metrics (TargetGroup dimension)."
  value       = aws_lb_target_group.api.arn_suffix
}

output "request_count_resource_label" {
  description = "ALBRequestCountPerTarget resource label for target tracking."
  value       = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.api.arn_suffix}"
}
