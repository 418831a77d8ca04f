terraform {
  required_version = ">= 1.10" # use_lockfile in the S3 backend (backend.hcl.example)

  # State in S3 with locking; the bucket is created once by hand (infra/README.md).
  # terraform init -backend-config=backend.hcl
  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.6"
    }
  }
}

provider "aws" {
  region = var.aws_region
}
