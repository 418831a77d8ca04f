output "buckets" {
  description = "Per bucket key: name, ARN and the config variable that names it."
  value = {
    for key, b in var.buckets : key => {
      name    = aws_s3_bucket.this[key].id
      arn     = aws_s3_bucket.this[key].arn
      env_var = b.env_var
    }
  }
}
