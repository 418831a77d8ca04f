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

  work_metrics = var.work_metric == null ? [] : [var.work_metric]
  # What a queue worker's task count tracks per task (see aws_appautoscaling_policy.per_task).
  per_task = local.queue_mode ? merge(
    {
      backlog = {
        label      = "Messages waiting"
        namespace  = "AWS/SQS"
        name       = "ApproximateNumberOfMessagesVisible"
        dimensions = { QueueName = var.queue_name }
        stat       = "Sum"
        target     = var.backlog_per_task
      }
    },
    {
      for m in local.work_metrics : lower(m.name) => {
        label      = "${m.name} waiting"
        namespace  = m.namespace
        name       = m.name
        dimensions = m.dimensions
        # Every task reports the same service-wide count: read as its maximum.
        stat   = "Maximum"
        target = m.per_task
      }
    },
  ) : {}
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = local.resource_id
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_tasks
  max_capacity       = var.max_tasks
}

# Queue workers track, per running task, the messages waiting on their queue and, where the service reports
# its own backlog (processing: dirty tiles), that too: one target-tracking policy each.
resource "aws_appautoscaling_policy" "per_task" {
  for_each = local.per_task

  name               = "${var.service_name}-${each.key}-per-task"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    customized_metric_specification {
      metrics {
        id          = "work"
        label       = each.value.label
        return_data = false
        metric_stat {
          stat = each.value.stat
          metric {
            namespace   = each.value.namespace
            metric_name = each.value.name
            dynamic "dimensions" {
              for_each = each.value.dimensions
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
        label       = "${each.value.label} per task"
        expression  = "work / IF(tasks > 0, tasks, 1)"
        return_data = true
      }
    }
  }
}

# The queue backlog policy was a counted resource before the service's own backlog joined it.
moved {
  from = aws_appautoscaling_policy.backlog_per_task[0]
  to   = aws_appautoscaling_policy.per_task["backlog"]
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
