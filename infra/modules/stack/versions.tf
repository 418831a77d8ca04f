terraform {
  required_version = ">= 1.10" # use_lockfile in the S3 backend (backend.hcl.example)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.19, < 7.0" # 6.19: the nodejs24.x Lambda runtime
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.6"
    }
  }
}
