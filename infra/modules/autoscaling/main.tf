# Task-count autoscaling of one ECS service.
#  - queue workers: target tracking on backlog per task (visible messages of the
#    consumed queue / running tasks), plus a step policy that adds tasks when the
#    oldest message gets too old (a backlog that is small but stuck), and, where
#    the service reports its own backlog as a metric (processing: dirty tiles),
#    target tracking on that per task as well (the service scales out when any
#    policy asks, and in only when all agree);
#  - HTTP services: target tracking on CPU and on ALB requests per target.

locals {
  resource_id = "service/${var.cluster_name}/${var.service_name}"
  queue_mode  = var.mode == "queue"
  http_mode   = var.mode == "http"
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = local.resource_id
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_tasks
  max_capacity       = var.max_tasks
}

resource "aws_appautoscaling_policy" "backlog_per_task" {
  count = local.queue_mode ? 1 : 0

  name               = "${var.service_name}-backlog-per-task"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.backlog_per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Messages waiting"
        return_data = false
        metric_stat {
          stat = "Sum"
          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"
            dimensions {
              name  = "QueueName"
              value = var.queue_name
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        label       = "Running tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = var.cluster_name
            }
            dimensions {
              name  = "ServiceName"
              value = var.service_name
            }
          }
        }
      }
      metrics {
        id          = "backlog_per_task"
        label       = "Messages waiting per task"
        expression  = "visible / IF(tasks > 0, tasks, 1)"
        return_data = true
      }
    }
  }
}

resource "aws_appautoscaling_policy" "work_per_task" {
  count = local.queue_mode && var.work_metric != null ? 1 : 0

  name               = "${var.service_name}-${lower(var.work_metric.name)}-per-task"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.work_metric.per_task
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "work"
        label       = "${var.work_metric.name} waiting"
        return_data = false
        metric_stat {
          # Every task reports the same service-wide count.
          stat = "Maximum"
          metric {
            namespace   = var.work_metric.namespace
            metric_name = var.work_metric.name
            dynamic "dimensions" {
              for_each = var.work_metric.dimensions
              content {
                name  = dimensions.key
                value = dimensions.value
              }
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        label       = "Running tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = var.cluster_name
            }
            dimensions {
              name  = "ServiceName"
              value = var.service_name
            }
          }
        }
      }
      metrics {
        id          = "work_per_task"
        label       = "${var.work_metric.name} per task"
        expression  = "work / IF(tasks > 0, tasks, 1)"
        return_data = true
      }
    }
  }
}

resource "aws_appautoscaling_policy" "message_age" {
  count = local.queue_mode ? 1 : 0

  name               = "${var.service_name}-oldest-message-age"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ChangeInCapacity"
    cooldown                = 120
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "message_age_scale_out" {
  count = local.queue_mode ? 1 : 0

  alarm_name          = "${var.service_name}-scale-out-on-message-age"
  alarm_description   = "Adds a ${var.service_name} task while the oldest message of ${var.queue_name} is older than ${var.max_message_age_seconds} s."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = var.queue_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.max_message_age_seconds
  alarm_actions       = [aws_appautoscaling_policy.message_age[0].arn]
}

resource "aws_appautoscaling_policy" "cpu" {
  count = local.http_mode ? 1 : 0

  name               = "${var.service_name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  count = local.http_mode ? 1 : 0

  name               = "${var.service_name}-requests-per-target"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = var.request_count_resource_label
    }
  }
}
