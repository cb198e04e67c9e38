package replay

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend/archive"
)

// sendKinesis puts the exact bytes back under the original partition key,
// so that the record lands on the shard its key hashes to.
func (x *sender) sendKinesis(ctx context.Context, e archive.Event, data []byte) outcome {
	out, err := x.s.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{
		StreamARN: aws.String(x.t.ARN), Data: data, PartitionKey: aws.String(e.Record.PartitionKey),
	})
	if err != nil {
		return x.awsOutcome(ctx, err)
	}
	return outcome{status: Accepted, detail: aws.ToString(out.ShardId) + " " + aws.ToString(out.SequenceNumber)}
}
