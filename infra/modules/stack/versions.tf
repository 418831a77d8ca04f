terraform {
  required_version = ">= 1.10" # use_lockfile in the S3 backend (backend.hcl.example)

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
