package replay

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend/archive"
)

// Entry error codes of PutRecords worth another try; any other (the
// KMS ones) is a refusal.
var retryableKinesisCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true, "InternalFailure": true,
}

// putRecords puts the exact bytes of the events at idx back under their
// original partition keys, so that each lands on the shard its key hashes
// to, in one PutRecords call with a result per record.
func (x *sender) putRecords(ctx context.Context, evs []archive.Event, data [][]byte, idx []int) []outcome {
	entries := make([]types.PutRecordsRequestEntry, len(idx))
	for j, i := range idx {
		entries[j] = types.PutRecordsRequestEntry{Data: data[i], PartitionKey: aws.String(evs[i].Record.PartitionKey)}
	}
	out, err := x.s.Kinesis().PutRecords(ctx, &kinesis.PutRecordsInput{StreamARN: aws.String(x.t.ARN), Records: entries})
	if err != nil {
		return allOutcome(len(idx), x.awsOutcome(ctx, err))
	}
	outs := make([]outcome, len(idx))
	for j := range outs {
		if j >= len(out.Records) {
			outs[j] = outcome{status: Failed, detail: "the stream gave no result for the record", code: "NoResult"}
			continue
		}
		r := out.Records[j]
		code := aws.ToString(r.ErrorCode)
		switch {
		case code == "":
			outs[j] = outcome{status: Accepted, detail: aws.ToString(r.ShardId) + " " + aws.ToString(r.SequenceNumber)}
		case retryableKinesisCodes[code]:
			outs[j] = outcome{status: Failed, detail: code + ": " + aws.ToString(r.ErrorMessage), code: code}
		default:
			outs[j] = outcome{status: Rejected, detail: code + ": " + aws.ToString(r.ErrorMessage), code: code}
		}
	}
	return outs
}
