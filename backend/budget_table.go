package backend

// APILimit is the default budget of one API: the calls a second sluice
// allows itself per account and region, and what AWS publishes for it.
type APILimit struct {
	// Service is the SDK's service ID ("Kinesis", "SQS"); Operation the
	// API's name, or "*" for the service's calls not listed.
	Service, Operation string
	// Rate is sluice's default, in calls a second per account and
	// region: about half of AWS's limit, because the account's own
	// producers and consumers share that limit with sluice.
	Rate float64
	// AWS is the published limit and its scope, as AWS words it.
	AWS string
	// Source is where AWS publishes it.
	Source string
}

// The pages the table cites.
const (
	srcKinesis    = "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html and the API reference of each action"
	srcSQS        = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html (standard queues: nearly unlimited API calls; FIFO: 300 per action)"
	srcS3         = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html"
	srcCloudWatch = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html"
	srcPipes      = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html#eb-pipes-limits"
	srcEvents     = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"
	srcLambda     = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
	srcSTS        = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
)

// DefaultLimits is THE table of sluice's API budget: every AWS call
// sluice makes is paced by the row of its service and operation (else
// its service's "*" row, else unknownRate). Limits AWS sets per stream
// or per shard are kept here per account, at a rate no one stream or
// shard can exceed alone; the tail paces its own reads of each shard
// (tail.reads_per_second) under GetRecords' row.
var DefaultLimits = []APILimit{
	{"Kinesis", "ListStreams", 2, "5 per second per account", srcKinesis},
	{"Kinesis", "DescribeStreamSummary", 10, "20 per second per account", srcKinesis},
	{"Kinesis", "DescribeStream", 5, "10 per second per account", srcKinesis},
	{"Kinesis", "ListShards", 50, "1,000 per second per stream (kept per account here)", srcKinesis},
	{"Kinesis", "ListStreamConsumers", 2, "5 per second per stream (kept per account here)", srcKinesis},
	{"Kinesis", "DescribeStreamConsumer", 10, "20 per second per stream (kept per account here)", srcKinesis},
	{"Kinesis", "ListTagsForStream", 2, "5 per second per account", srcKinesis},
	{"Kinesis", "GetShardIterator", 100, "5 per second per shard (kept per account here)", srcKinesis},
	{"Kinesis", "GetRecords", 200, "5 per second per shard (kept per account here; the tail paces each shard)", srcKinesis},
	{"Kinesis", "PutRecords", 500, "1,000 records and 1 MiB per second per shard", srcKinesis},
	{"Kinesis", "PutRecord", 500, "1,000 records and 1 MiB per second per shard", srcKinesis},
	{"Kinesis", "CreateStream", 2, "5 per second per account", srcKinesis},
	{"Kinesis", "DeleteStream", 2, "5 per second per account", srcKinesis},
	{"Kinesis", "DescribeLimits", 0.5, "1 per second per account", srcKinesis},
	{"Kinesis", "*", 2, "5 per second per account for most control-plane actions", srcKinesis},

	{"SQS", "ListQueues", 20, "no published per-account limit", srcSQS},
	{"SQS", "GetQueueAttributes", 100, "nearly unlimited (standard queues)", srcSQS},
	{"SQS", "ListQueueTags", 100, "nearly unlimited (standard queues)", srcSQS},
	{"SQS", "GetQueueUrl", 100, "nearly unlimited (standard queues)", srcSQS},
	{"SQS", "ListDeadLetterSourceQueues", 20, "no published per-account limit", srcSQS},
	{"SQS", "*", 1000, "nearly unlimited for standard queues; 300 per action per FIFO queue (a throttle slows the budget)", srcSQS},

	{"S3", "GetObject", 2750, "5,500 GET/HEAD per second per prefix", srcS3},
	{"S3", "HeadObject", 2750, "5,500 GET/HEAD per second per prefix", srcS3},
	{"S3", "ListObjectsV2", 2750, "5,500 GET/HEAD per second per prefix", srcS3},
	{"S3", "*", 1750, "3,500 PUT/COPY/POST/DELETE per second per prefix", srcS3},

	{"CloudWatch", "GetMetricData", 25, "50 per second per account and region", srcCloudWatch},
	{"CloudWatch", "GetMetricStatistics", 200, "400 per second per account and region", srcCloudWatch},
	{"CloudWatch", "ListMetrics", 12, "25 per second per account and region", srcCloudWatch},
	{"CloudWatch", "DescribeAlarms", 4, "9 per second per account and region", srcCloudWatch},
	{"CloudWatch", "*", 4, "9 or more per second per action", srcCloudWatch},

	{"Pipes", "*", 5, "not published per action: a cautious rate, slowed by any ThrottlingException", srcPipes},

	{"EventBridge", "PutEvents", 200, "400 to 10,000 per second per account, by region", srcEvents},
	{"EventBridge", "*", 10, "50 per second for the rule and bus APIs", srcEvents},

	{"Lambda", "*", 7, "15 per second per account for the control-plane API", srcLambda},

	{"STS", "*", 50, "600 per second per account and region", srcSTS},
}

// unknownRate paces a service the table does not name.
const unknownRate = 5
