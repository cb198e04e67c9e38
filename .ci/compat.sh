#!/usr/bin/env bash
# Drive a real engine with the aws CLI and boto3 from Debian's packages and
# with the AWS SDK for JavaScript v3 from npm: the engine must work with
# clients other than the Go SDK, unchanged. Debian's aws CLI and boto3 are
# old enough to speak SQS's query protocol; the JavaScript SDK speaks JSON
# 1.0 to SQS and CloudWatch, and HTTP/2 without TLS (h2c) to Kinesis.
#
# The JavaScript SDK's packages are pinned by .ci/compat-js/package-lock.json
# and installed into ~/.cache/sluice-ci/compat-js ($SLUICE_CI_CACHE), never
# into the repository; the cache is reinstalled only when the lock changes.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${SLUICE_CI_CACHE:-$HOME/.cache/sluice-ci}

missing=()
{ [ -x /usr/bin/aws ] && /usr/bin/python3 -c 'import boto3' 2>/dev/null; } || missing+=(awscli python3-boto3)
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

js=$cache/compat-js
mkdir -p "$js"
if ! cmp -s .ci/compat-js/package-lock.json "$js/package-lock.json" || ! [ -d "$js/node_modules/@aws-sdk/client-kinesis" ]; then
  cp .ci/compat-js/package.json .ci/compat-js/package-lock.json "$js/"
  (cd "$js" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

work=$(mktemp -d)
trap 'kill "$engine" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/sluice" ./cmd/sluice
"$work/sluice" engine serve --addr 127.0.0.1:0 --data "$work/data" > "$work/engine.out" 2>&1 &
engine=$!
for _ in $(seq 100); do
  grep -q listening "$work/engine.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/^sluice engine listening on \(http:[^ ]*\).*/\1/p' "$work/engine.out")
[ -n "$url" ] || { cat "$work/engine.out"; exit 1; }

export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
aws() { /usr/bin/aws --endpoint-url "$url" --output json "$@"; }

aws kinesis create-stream --stream-name cli --shard-count 2
aws kinesis put-record --stream-name cli --partition-key k1 --data aGVsbG8= >/dev/null
aws kinesis list-streams | grep -q '"cli"'
shard=$(aws kinesis list-shards --stream-name cli --query 'Shards[0].ShardId' --output text)
[ "$shard" = shardId-000000000000 ]

q=$(aws sqs create-queue --queue-name cli-q --query QueueUrl --output text)
aws sqs send-message --queue-url "$q" --message-body 'from the cli' >/dev/null
body=$(aws sqs receive-message --queue-url "$q" --query 'Messages[0].Body' --output text)
[ "$body" = "from the cli" ]

aws s3 mb s3://cli-bucket >/dev/null
echo '{"event":1}' > "$work/event.json"
aws s3 cp "$work/event.json" s3://cli-bucket/events/2026/event.json >/dev/null
aws s3 ls s3://cli-bucket/events/ --recursive | grep -q 'events/2026/event.json'
aws s3 cp s3://cli-bucket/events/2026/event.json "$work/back.json" >/dev/null
cmp "$work/event.json" "$work/back.json"
aws events create-event-bus --name cli-bus >/dev/null
aws events put-rule --name cli-rule --event-bus-name cli-bus --event-pattern '{"source":["cli"]}' >/dev/null
matched=$(aws events test-event-pattern --event-pattern '{"source":["cli"]}' --query Result --output text \
  --event '{"id":"1","account":"000000000000","source":"cli","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail-type":"x","detail":{}}')
[ "$matched" = True ]

aws cloudwatch put-metric-data --namespace App --metric-name Hits --value 3
sum=$(aws cloudwatch get-metric-statistics --namespace App --metric-name Hits --period 60 --statistics Sum \
  --start-time "$(date -u -d '-5 min' +%FT%TZ)" --end-time "$(date -u -d '+2 min' +%FT%TZ)" --query 'Datapoints[0].Sum' --output text)
[ "$sum" = 3.0 ]
aws pipes list-pipes --query 'Pipes' --output text >/dev/null
account=$(aws sts get-caller-identity --query Account --output text)
[ "$account" = 000000000000 ]
# Lambda's event source mappings: created, disabled (Disabling, then
# Disabled once it settles) and listed by function.
uuid=$(aws lambda create-event-source-mapping --function-name cli-fn --starting-position LATEST \
  --event-source-arn arn:aws:kinesis:us-east-1:000000000000:stream/cli --query UUID --output text)
aws lambda update-event-source-mapping --uuid "$uuid" --no-enabled >/dev/null
for _ in $(seq 100); do
  state=$(aws lambda get-event-source-mapping --uuid "$uuid" --query State --output text)
  [ "$state" = Disabled ] && break
  sleep 0.1
done
[ "$state" = Disabled ]
[ "$(aws lambda list-event-source-mappings --function-name cli-fn --query 'EventSourceMappings[0].UUID' --output text)" = "$uuid" ]
# A service the engine does not serve is named in the error, not taken for S3.
if out=$(aws apigateway get-rest-apis 2>&1); then exit 1; fi
grep -q 'UnknownOperationException.*does not serve apigateway' <<<"$out" || { echo "$out"; exit 1; }
echo "aws CLI $(/usr/bin/aws --version 2>&1 | cut -d' ' -f1) compat: ok"

/usr/bin/python3 .ci/compat.py "$url"

# The script runs from $work, where it finds the cached packages.
ln -s "$js/node_modules" "$work/node_modules"
cp .ci/compat-js/compat.mjs "$work/"
AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node "$work/compat.mjs" "$url"
