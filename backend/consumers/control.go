package consumers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/pipes"

	"github.com/sluicehq/sluice/backend"
)

// Stop stops a pipe (StopPipe) or disables a mapping
// (UpdateEventSourceMapping Enabled=false), refused in read-only mode.
// It returns the state AWS answered, usually a transition (STOPPING,
// Disabling): Follow it until it settles.
func Stop(ctx context.Context, s *backend.Session, r Ref) (Consumer, error) {
	return change(ctx, s, r, true)
}

// Start starts a pipe (StartPipe) or enables a mapping, refused in
// read-only mode. A pipe resumes after its checkpoints.
func Start(ctx context.Context, s *backend.Session, r Ref) (Consumer, error) {
	return change(ctx, s, r, false)
}

func change(ctx context.Context, s *backend.Session, r Ref, stop bool) (Consumer, error) {
	verb := Verb(r.Kind, stop)
	if err := s.Guard(verb + " " + r.String()); err != nil {
		return Consumer{}, err
	}
	var err error
	if r.Kind == KindESM {
		_, err = s.Lambda().UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{
			UUID: aws.String(r.Name), Enabled: aws.Bool(!stop),
		})
	} else if stop {
		_, err = s.Pipes().StopPipe(ctx, &pipes.StopPipeInput{Name: aws.String(r.Name)})
	} else {
		_, err = s.Pipes().StartPipe(ctx, &pipes.StartPipeInput{Name: aws.String(r.Name)})
	}
	s.Audit(verb, r.String(), err)
	if err != nil {
		return Consumer{}, fmt.Errorf("%s %s: %w", verb, r, s.Explain(err))
	}
	// Read it back rather than trust the answer: a mapping's update
	// answer and a pipe's state answer carry different fields.
	c, err := Get(ctx, s, r)
	if err != nil {
		return Consumer{}, fmt.Errorf("%s %s: asked, but cannot read its state: %w", verb, r, err)
	}
	return c, nil
}

// Following a transition: the first look after firstPoll, then twice as
// long each time up to maxPoll, for at most followFor in all. AWS moves
// a pipe in seconds to a minute or two.
const (
	firstPoll = 250 * time.Millisecond
	maxPoll   = 5 * time.Second
	followFor = 3 * time.Minute
)

// Follower reads a consumer again, with backoff, until its state
// settles or the bound passes: the one poll of the CLI and the TUI.
type Follower struct {
	s        *backend.Session
	r        Ref
	polls    int
	deadline time.Time
}

// NewFollower follows r from now.
func NewFollower(s *backend.Session, r Ref) *Follower {
	return &Follower{s: s, r: r, deadline: time.Now().Add(followFor)}
}

// Delay is how long Next waits before it reads.
func (f *Follower) Delay() time.Duration {
	return min(firstPoll<<min(f.polls, 8), maxPoll)
}

// Next waits Delay and reads the consumer: its state and whether it has
// settled. Past the bound it gives the state read with ErrStillMoving.
func (f *Follower) Next(ctx context.Context) (Consumer, bool, error) {
	if err := backend.Sleep(ctx, f.Delay()); err != nil {
		return Consumer{}, false, err
	}
	f.polls++
	c, err := Get(ctx, f.s, f.r)
	if err != nil {
		return Consumer{}, false, fmt.Errorf("follow %s: %w", f.r, err)
	}
	if c.Settled() {
		return c, true, nil
	}
	if time.Now().After(f.deadline) {
		return c, false, fmt.Errorf("follow %s: %w: still %s after %s", f.r, ErrStillMoving, c.State, followFor)
	}
	return c, false, nil
}

// ErrStillMoving: a consumer did not settle within the follow bound.
var ErrStillMoving = errors.New("state not settled")

// Follow follows r until it settles, calling seen with each state read.
func Follow(ctx context.Context, s *backend.Session, r Ref, seen func(Consumer)) (Consumer, error) {
	f := NewFollower(s, r)
	for {
		c, done, err := f.Next(ctx)
		if err != nil {
			return c, err
		}
		if seen != nil {
			seen(c)
		}
		if done {
			return c, nil
		}
	}
}
