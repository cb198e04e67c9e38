package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/pipes"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
)

// A failure reads as one line an operator can act on: the caller's
// context, the operation, AWS's code and message or the endpoint that did
// not answer; never the SDK's chain of status 0 and empty request ids.
func TestFailureMessagesSayWhatHappenedWhere(t *testing.T) {
	_, eng := backendtest.Open(t)
	p := faultproxy.Start(t, eng.URL)
	s := backendtest.OpenOn(t, eng, backend.Env{Endpoint: p.URL})
	ctx := context.Background()

	p.Add(&faultproxy.Rule{Service: "kinesis", Fault: faultproxy.Denied("kinesis:ListStreams", "arn:aws:kinesis:us-east-1:000000000000:stream/*")})
	_, err := s.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{})
	f := s.Failure("kinesis", "", wrap("list streams", err))
	want := "list streams: ListStreams: AccessDeniedException: User: arn:aws:iam::000000000000:user/test is not authorized to perform: kinesis:ListStreams"
	if f.Kind != backend.FailDenied || !strings.HasPrefix(f.Message, want) {
		t.Errorf("denied: got %s %q\nwant %s %q…", f.Kind, f.Message, backend.FailDenied, want)
	}

	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = s.Pipes().ListPipes(short, &pipes.ListPipesInput{})
	f = s.Failure("pipes", "", wrap("list pipes", err))
	if want := "list pipes: ListPipes: no answer from " + p.URL + " in time"; f.Kind != backend.FailTimedOut || f.Message != want {
		t.Errorf("silent: got %s %q, want %s %q", f.Kind, f.Message, backend.FailTimedOut, want)
	}
	if f.Error() != "pipes: timed out: "+f.Message {
		t.Errorf("Error() = %q", f.Error())
	}
}

func wrap(context string, err error) error {
	if err == nil {
		return nil
	}
	return &wrapped{context, err}
}

type wrapped struct {
	context string
	err     error
}

func (w *wrapped) Error() string { return w.context + ": " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }
