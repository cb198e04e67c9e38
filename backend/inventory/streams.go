package inventory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/sluicehq/sluice/backend"
)

// Stream is a Kinesis stream as an operator sees it.
type Stream struct {
	Name           string    `json:"name"`
	ARN            string    `json:"arn"`
	Status         string    `json:"status"`
	Mode           string    `json:"mode"` // PROVISIONED or ON_DEMAND
	OpenShards     int       `json:"openShards"`
	ClosedShards   int       `json:"closedShards"`
	RetentionHours int       `json:"retentionHours"`
	Consumers      []string  `json:"consumers"`
	Encryption     string    `json:"encryption,omitempty"`
	Created        time.Time `json:"created"`
	// Notes say what could not be read (consumers on an engine that does
	// not serve them).
	Notes []string `json:"notes,omitempty"`
}

// ListStreams pages through the stream names.
func ListStreams(s *backend.Session, opts ...Option) *backend.Pager[string] {
	limit := pageSize(opts, 100, 10000)
	return backend.NewPager(func(ctx context.Context, token *string) ([]string, *string, error) {
		in := &kinesis.ListStreamsInput{Limit: aws.Int32(limit), NextToken: token}
		out, err := s.Kinesis().ListStreams(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("list streams: %w", s.Explain(err))
		}
		next := out.NextToken
		if !aws.ToBool(out.HasMoreStreams) {
			next = nil
		}
		return out.StreamNames, next, nil
	})
}

// streamID fills a Kinesis input's StreamName or StreamARN from a name or
// an ARN.
func streamID(nameOrARN string) (name, arn *string) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nil, aws.String(nameOrARN)
	}
	return aws.String(nameOrARN), nil
}

// StreamName is the name of a stream given by name or ARN.
func StreamName(nameOrARN string) string {
	if a, err := backend.ParseARN(nameOrARN); err == nil {
		return a.Name()
	}
	return nameOrARN
}

// DescribeStream reads a stream's summary, counts its open and closed
// shards, and lists its enhanced fan-out consumers. nameOrARN is a name
// or an ARN.
func DescribeStream(ctx context.Context, s *backend.Session, nameOrARN string) (Stream, error) {
	name, arn := streamID(nameOrARN)
	out, err := s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name, StreamARN: arn})
	if err != nil {
		return Stream{}, fmt.Errorf("describe stream %s: %w", nameOrARN, s.Explain(err))
	}
	d := out.StreamDescriptionSummary
	st := Stream{
		Name: aws.ToString(d.StreamName), ARN: aws.ToString(d.StreamARN),
		Status: string(d.StreamStatus), Mode: "PROVISIONED",
		RetentionHours: int(aws.ToInt32(d.RetentionPeriodHours)),
		Encryption:     string(d.EncryptionType),
		Created:        aws.ToTime(d.StreamCreationTimestamp),
		Consumers:      []string{},
	}
	if d.StreamModeDetails != nil && d.StreamModeDetails.StreamMode != "" {
		st.Mode = string(d.StreamModeDetails.StreamMode)
	}
	st.OpenShards = int(aws.ToInt32(d.OpenShardCount))
	shards, err := ListShards(ctx, s, st.ARN)
	switch {
	case err == nil:
		st.OpenShards = 0
		for _, sh := range shards {
			if sh.Open {
				st.OpenShards++
			} else {
				st.ClosedShards++
			}
		}
	case backend.IsCode(err, "ResourceInUseException"):
		// A stream being created or deleted has no shards to list yet.
		st.Notes = append(st.Notes, fmt.Sprintf("shards not listed: stream %s is %s", st.Name, st.Status))
	default:
		return Stream{}, err
	}
	if d.ConsumerCount != nil && *d.ConsumerCount == 0 {
		// Nothing to list: spare ListStreamConsumers, which AWS limits
		// to five calls a second per stream.
		return st, nil
	}
	consumers, err := Consumers(ctx, s, st.ARN)
	switch {
	case err == nil:
		st.Consumers = consumers
	case errors.Is(err, ErrNotServed):
		st.Notes = append(st.Notes, "consumers not listed: this endpoint does not serve ListStreamConsumers")
	default:
		return Stream{}, err
	}
	return st, nil
}

// Consumers lists the enhanced fan-out consumers of a stream (by ARN).
// On an endpoint without them (the bundled engine) the error wraps
// ErrNotServed.
func Consumers(ctx context.Context, s *backend.Session, streamARN string) ([]string, error) {
	names := []string{}
	var token *string
	for {
		out, err := s.Kinesis().ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{
			StreamARN: aws.String(streamARN), NextToken: token,
		})
		if err != nil {
			if s.NotServed("kinesis", err) {
				return nil, fmt.Errorf("list consumers of %s: %w: %w", streamARN, ErrNotServed, err)
			}
			return nil, fmt.Errorf("list consumers of %s: %w", streamARN, s.Explain(err))
		}
		for _, c := range out.Consumers {
			names = append(names, aws.ToString(c.ConsumerName))
		}
		if aws.ToString(out.NextToken) == "" {
			return names, nil
		}
		token = out.NextToken
	}
}

// StreamResource names a stream in a Failure's Resource, so that a
// caller can pair a failure with the stream it lists.
func StreamResource(name string) string { return "stream " + name }

// DescribeStreams describes every named stream, a few at a time, in the
// order given, each call bounded by ServiceTimeout (or Timeout). A
// stream deleted meanwhile is left out; one that could not be read (a
// resource-scoped IAM policy, throttling) is a Failure whose Resource is
// StreamResource(name), and the others are still described.
func DescribeStreams(ctx context.Context, s *backend.Session, names []string, opts ...Option) ([]Stream, backend.Failures) {
	return describeEach(ctx, s, "kinesis", describeConcurrency, timeoutOf(opts), names, StreamResource,
		func(ctx context.Context, name string) (Stream, error) { return DescribeStream(ctx, s, name) },
		func(err error) bool { return backend.IsCode(err, "ResourceNotFoundException") })
}

// StreamList is every stream that could be described, and what could
// not be read.
type StreamList struct {
	Streams  []Stream         `json:"streams"`
	Failures backend.Failures `json:"failures,omitempty"`
}

// Streams lists and describes every stream. A failure of ListStreams on
// its first page is the error (there is nothing to show); on a later
// page, and for each stream that cannot be described, it is a Failure
// beside the streams read.
func Streams(ctx context.Context, s *backend.Session, opts ...Option) (StreamList, error) {
	d := timeoutOf(opts)
	names, err := bounded(ctx, d, ListStreams(s, opts...).All)
	var l StreamList
	if err != nil {
		if len(names) == 0 {
			return l, err
		}
		l.Failures = append(l.Failures, s.Failure("kinesis", "", err))
	}
	streams, fs := DescribeStreams(ctx, s, names, opts...)
	l.Streams = streams
	l.Failures = append(l.Failures, fs...)
	return l, nil
}

// StreamNames lists every stream's name, in as few calls as ListStreams
// allows (10,000 a page): what a listing shows at once, before any
// stream is described.
func StreamNames(ctx context.Context, s *backend.Session, opts ...Option) ([]string, error) {
	return bounded(ctx, timeoutOf(opts), ListStreams(s, append([]Option{PageSize(10000)}, opts...)...).All)
}

// firstChunk is the first chunk DescribeStreamsInOrder reads: no more
// than AWS's budget lets through at once (DescribeStreamSummary's
// bucket holds one second's worth), so that the first rows come without
// a wait.
const firstChunk = 10

// DescribeStreamsInOrder describes names a chunk at a time, in order,
// and hands each chunk's streams and failures to fn before the next
// chunk is read: a caller prints rows as they are read, and the API
// budget paces the calls. The first chunk is small, so that the first
// rows come at once. fn's error stops it.
func DescribeStreamsInOrder(ctx context.Context, s *backend.Session, names []string, chunk int,
	fn func([]Stream, backend.Failures) error, opts ...Option) error {
	chunk = max(chunk, 1)
	size := min(chunk, firstChunk)
	for lo := 0; lo < len(names); lo += size {
		if lo > 0 {
			size = chunk
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		streams, fs := DescribeStreams(ctx, s, names[lo:min(lo+size, len(names))], opts...)
		if err := fn(streams, fs); err != nil {
			return err
		}
	}
	return nil
}
