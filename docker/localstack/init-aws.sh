#!/bin/bash
# LocalStack "ready" hook (mounted into /etc/localstack/init/ready.d/): creates
# the queues, each with its dead-letter queue and redrive policy, and the
# bucket. Names and settings are those of libs/contracts QUEUES and the config
# defaults; apps/system-tests/test/compose.test.ts keeps them in step and runs
# this script against an SQS endpoint. Idempotent.
set -euo pipefail

DLQ_RETENTION_SECONDS=1209600 # 14 days, as setupQueues and Terraform

# create_queue <name> <visibility timeout, s> <max receives before the DLQ>
create_queue() {
  local name=$1 visibility=$2 max_receives=$3 dlq_url dlq_arn attributes
  dlq_url=$(awslocal sqs create-queue --queue-name "$name-dlq" \
    --attributes "MessageRetentionPeriod=$DLQ_RETENTION_SECONDS" --query QueueUrl --output text)
  dlq_arn=$(awslocal sqs get-queue-attributes --queue-url "$dlq_url" \
    --attribute-names QueueArn --query Attributes.QueueArn --output text)
  attributes=$(mktemp)
  printf '{"VisibilityTimeout":"%s","ReceiveMessageWaitTimeSeconds":"20","RedrivePolicy":"{\\"deadLetterTargetArn\\":\\"%s\\",\\"maxReceiveCount\\":\\"%s\\"}"}' \
    "$visibility" "$dlq_arn" "$max_receives" > "$attributes"
  awslocal sqs create-queue --queue-name "$name" --attributes "file://$attributes" > /dev/null
  rm -f "$attributes"
  echo "queue $name (dead letters: $name-dlq, after $max_receives receives)"
}

create_queue photospots-ingest-requests 900 10
create_queue photospots-photos-ingested 300 5
create_queue photospots-hotspots-changed 120 5
create_queue photospots-thumbnails 120 5

if ! awslocal s3api head-bucket --bucket photospots-thumbnails 2> /dev/null; then
  awslocal s3api create-bucket --bucket photospots-thumbnails > /dev/null
fi
echo "bucket photospots-thumbnails"
