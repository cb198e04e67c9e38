"""Drive a running sluice engine with boto3, as a user's Python application
would: Kinesis, SQS and S3 through their ordinary clients, unchanged.

usage: python3 compat.py http://127.0.0.1:PORT
"""
import sys
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="eu-west-1")
cfg = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})
kinesis = session.client("kinesis", endpoint_url=endpoint, config=cfg)
sqs = session.client("sqs", endpoint_url=endpoint, config=cfg)
s3 = session.client("s3", endpoint_url=endpoint, config=cfg)
suffix = uuid.uuid4().hex[:8]


def check(cond, what):
    if not cond:
        raise SystemExit("boto3 compat: " + what)


# Kinesis: a stream, records in, records out.
stream = "py-" + suffix
kinesis.create_stream(StreamName=stream, ShardCount=2)
desc = kinesis.describe_stream(StreamName=stream)["StreamDescription"]
check(desc["StreamARN"].startswith("arn:aws:kinesis:eu-west-1:000000000000:stream/"), "stream ARN region")
check(len(desc["Shards"]) == 2, "two shards")
out = kinesis.put_records(StreamName=stream, Records=[
    {"Data": b"\x00\x01binary", "PartitionKey": "a"},
    {"Data": b'{"order": 1}', "PartitionKey": "b"},
])
check(out["FailedRecordCount"] == 0, "put_records failed")
got = []
for shard in desc["Shards"]:
    it = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got += [r["Data"] for r in kinesis.get_records(ShardIterator=it)["Records"]]
check(sorted(got) == sorted([b"\x00\x01binary", b'{"order": 1}']), "records read back: %r" % got)
try:
    kinesis.describe_stream(StreamName="missing-" + suffix)
    check(False, "missing stream described")
except kinesis.exceptions.ResourceNotFoundException:
    pass

# SQS: this boto3 speaks the query protocol (older) or JSON (newer).
url = sqs.create_queue(QueueName="py-" + suffix, Attributes={"VisibilityTimeout": "5"})["QueueUrl"]
sqs.send_message(QueueUrl=url, MessageBody="hello <&> ünïcode",
                 MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}})
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                           AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
check(len(msgs) == 1 and msgs[0]["Body"] == "hello <&> ünïcode", "message body: %r" % msgs)
check(msgs[0]["MessageAttributes"]["kind"]["StringValue"] == "greeting", "message attribute")
check(msgs[0]["Attributes"]["ApproximateReceiveCount"] == "1", "receive count")
sqs.delete_message(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"])
attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
check(attrs["ApproximateNumberOfMessages"] == "0", "queue empty after delete")
try:
    sqs.get_queue_url(QueueName="missing-" + suffix)
    check(False, "missing queue found")
except ClientError as e:
    check(e.response["Error"]["Code"] in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"), "missing queue code %r" % e.response["Error"])

# S3: bucket, object with metadata, listing, ranged read.
bucket = "py-" + suffix
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="dir/a b+c.json", Body=b'{"x": 1}', Metadata={"source": "compat"})
obj = s3.get_object(Bucket=bucket, Key="dir/a b+c.json")
check(obj["Body"].read() == b'{"x": 1}' and obj["Metadata"]["source"] == "compat", "object round trip")
check(s3.get_object(Bucket=bucket, Key="dir/a b+c.json", Range="bytes=1-3")["Body"].read() == b'"x"', "ranged get")
listing = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
check([p["Prefix"] for p in listing.get("CommonPrefixes", [])] == ["dir/"], "common prefixes %r" % listing)
try:
    s3.get_object(Bucket=bucket, Key="missing")
    check(False, "missing key read")
except s3.exceptions.NoSuchKey:
    pass

print("boto3 %s compat: ok" % boto3.__version__)
