package backend

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
)

func TestStreamRefRewritesACopyByName(t *testing.T) {
	const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	in := &kinesis.GetShardIteratorInput{StreamARN: aws.String(arn), ShardId: aws.String("shardId-000000000000")}
	ref, ok := streamRefOf(in)
	if !ok {
		t.Fatal("GetShardIterator by ARN not seen")
	}
	out, ok := ref.byName().(*kinesis.GetShardIteratorInput)
	if !ok || out == in || aws.ToString(out.StreamName) != "orders" || out.StreamARN != nil || aws.ToString(out.ShardId) != "shardId-000000000000" {
		t.Fatalf("rewritten %+v", out)
	}
	if aws.ToString(in.StreamARN) != arn || in.StreamName != nil {
		t.Fatalf("the caller's input changed: %+v", in)
	}

	// GetRecords has no StreamName: the iterator names the stream.
	ref, ok = streamRefOf(&kinesis.GetRecordsInput{ShardIterator: aws.String("it"), StreamARN: aws.String(arn)})
	if gr := ref.byName().(*kinesis.GetRecordsInput); !ok || gr.StreamARN != nil || aws.ToString(gr.ShardIterator) != "it" {
		t.Fatalf("GetRecords: %v %+v", ok, gr)
	}
	// A ListShards page names its token alone.
	ref, ok = streamRefOf(&kinesis.ListShardsInput{NextToken: aws.String("t"), StreamARN: aws.String(arn)})
	if ls := ref.byName().(*kinesis.ListShardsInput); !ok || ls.StreamARN != nil || ls.StreamName != nil || aws.ToString(ls.NextToken) != "t" {
		t.Fatalf("ListShards page: %v %+v", ok, ls)
	}

	for _, in := range []any{
		&kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders"), StreamARN: aws.String(arn)}, // both
		&kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")},
		&kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn)}, // the ARN is all it takes
		&kinesis.ListStreamsInput{},
		nil,
	} {
		if _, ok := streamRefOf(in); ok {
			t.Errorf("%T %+v would be rewritten", in, in)
		}
	}
}

func TestRefusesStreamARN(t *testing.T) {
	for _, c := range []struct {
		code, msg string
		want      bool
	}{
		{"ValidationException", "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null", true},
		{"InvalidArgumentException", "Either NextToken or StreamName should be provided.", true}, // kinesalite's ListShards
		{"SerializationException", "StreamARN is not a known parameter", true},
		{"ValidationException", "1 validation error detected: Value 'x' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern", false},
		{"ResourceNotFoundException", "Stream orders under account 000000000000 not found.", false},
		{"AccessDeniedException", "not authorized to perform kinesis:ListShards on streamName orders", false},
	} {
		err := fmt.Errorf("wrapped: %w", &smithy.GenericAPIError{Code: c.code, Message: c.msg})
		if got := refusesStreamARN(err); got != c.want {
			t.Errorf("%s %q: %v, want %v", c.code, c.msg, got, c.want)
		}
	}
}
