# One image repository for every service; tags are "<app>-<git sha>" (pushed by
# .github/workflows/deploy.yml) and never overwritten.

resource "aws_ecr_repository" "this" {
  name                 = var.name_prefix
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  tags = var.tags
}

# Keep the last N images of each service; drop untagged layers after a day.
resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = concat(
      [{
        rulePriority = 1
        description  = "Expire untagged images"
        selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 1 }
        action       = { type = "expire" }
      }],
      [for i, app in var.apps : {
        rulePriority = i + 2
        description  = "Keep the last ${var.keep_images} ${app} images"
        selection    = { tagStatus = "tagged", tagPrefixList = ["${app}-"], countType = "imageCountMoreThan", countNumber = var.keep_images }
        action       = { type = "expire" }
      }],
    )
  })
}
