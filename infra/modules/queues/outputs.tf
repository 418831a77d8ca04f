output "queues" {
  description = "Per queue key: what a service needs to use it (name, URL, ARN, its config variable) and its dead-letter queue."
  value = {
    for key, q in var.queues : key => {
      name    = aws_sqs_queue.main[key].name
      url     = aws_sqs_queue.main[key].url
      arn     = aws_sqs_queue.main[key].arn
      env_var = q.env_var
      # An event source mapping needs it at least 6x its function's timeout (modules/lambda).
      visibility_timeout_seconds = aws_sqs_queue.main[key].visibility_timeout_seconds
      dlq_name                   = aws_sqs_queue.dlq[key].name
      dlq_url                    = aws_sqs_queue.dlq[key].url
      dlq_arn                    = aws_sqs_queue.dlq[key].arn
    }
  }
}
