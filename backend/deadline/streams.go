package deadline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"golang.org/x/sync/errgroup"

	"github.com/sluicehq/sluice/backend"
)

// streamsAtOnce bounds the DescribeStreamSummary calls in flight.
const streamsAtOnce = 4

// Streams holds stream retentions as DescribeStreamSummary reports them
// now, each stream read once however many queues and messages point at
// it. A view keeps one per listing, so that a browse or a hydration
// recomputes its deadlines without reading the streams again.
type Streams struct {
	s  *backend.Session
	mu sync.Mutex
	// byARN holds each stream's retention, or the error reading it.
	byARN map[string]retention
}

type retention struct {
	d   time.Duration
	err error
}

// NewStreams starts an empty set of retentions read through s.
func NewStreams(s *backend.Session) *Streams {
	return &Streams{s: s, byARN: map[string]retention{}}
}

// Seed records a retention already read (a stream listing's), so that it
// costs no call.
func (st *Streams) Seed(arn string, hours int) {
	if hours <= 0 {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.byARN[arn] = retention{d: time.Duration(hours) * time.Hour}
}

// Load reads the retention of every stream among arns not read yet.
func (st *Streams) Load(ctx context.Context, arns []string) {
	st.mu.Lock()
	var todo []string
	for _, a := range arns {
		if _, ok := st.byARN[a]; !ok && a != "" {
			st.byARN[a] = retention{err: fmt.Errorf("stream %s: not read yet", a)}
			todo = append(todo, a)
		}
	}
	st.mu.Unlock()
	var g errgroup.Group
	g.SetLimit(streamsAtOnce)
	for _, arn := range todo {
		g.Go(func() error {
			d, err := st.describe(ctx, arn)
			st.mu.Lock()
			defer st.mu.Unlock()
			st.byARN[arn] = retention{d: d, err: err}
			return nil
		})
	}
	_ = g.Wait() // each stream keeps its own error
}

func (st *Streams) describe(ctx context.Context, arn string) (time.Duration, error) {
	out, err := st.s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(arn)})
	if err != nil {
		return 0, fmt.Errorf("retention of stream %s: %w", arn, st.s.Explain(err))
	}
	h := aws.ToInt32(out.StreamDescriptionSummary.RetentionPeriodHours)
	if h <= 0 {
		return 0, fmt.Errorf("retention of stream %s: the stream reports none", arn)
	}
	return time.Duration(h) * time.Hour, nil
}

// Retention is a stream's retention as loaded, and the error reading it.
func (st *Streams) Retention(arn string) (time.Duration, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.byARN[arn]
	if !ok {
		return 0, fmt.Errorf("stream %s: not read", arn)
	}
	return r.d, r.err
}
