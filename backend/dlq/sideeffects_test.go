package dlq_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestReadOnlyBrowseRefusesAQueueWithARedrivePolicy: under read-only, a
// browse of a queue whose own redrive policy moves messages after one
// receive is refused before any receive, with the reason, and twice in a
// row leaves every message where it was. Before, two read-only peeks
// moved them all into the queue's own DLQ.
func TestReadOnlyBrowseRefusesAQueueWithARedrivePolicy(t *testing.T) {
	_, e := backendtest.Open(t)
	s := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	dlqURL, dlqARN := createQueue(t, e, "work-dlq", nil)
	attrs := redrivePolicy(dlqARN, 1)
	attrs["VisibilityTimeout"] = "0"
	url, _ := createQueue(t, e, "work", attrs)
	send(t, e, url, numbered(4))

	before := receives(s)
	for range 2 {
		_, err := dlq.Peek(testCtx(t), s, url, 0)
		if !errors.Is(err, backend.ErrReadOnly) {
			t.Fatalf("read-only peek of a queue with a redrive policy: %v", err)
		}
		for _, want := range []string{"redrive policy", "work-dlq", "every receive"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal does not say %q: %v", want, err)
			}
		}
		if _, err := dlq.Export(testCtx(t), s, url, &strings.Builder{}, dlq.BrowseOptions{}); !errors.Is(err, backend.ErrReadOnly) {
			t.Fatalf("read-only export: %v", err)
		}
	}
	if n := receives(s) - before; n != 0 {
		t.Fatalf("a refused browse made %d ReceiveMessage calls", n)
	}
	if v, h := count(t, e, url); v != 4 || h != 0 {
		t.Fatalf("work: %d visible, %d in flight, want 4 and 0", v, h)
	}
	if v, _ := count(t, e, dlqURL); v != 0 {
		t.Fatalf("%d messages moved into work-dlq", v)
	}

	// A queue without a redrive policy (a DLQ itself) can be browsed
	// read-only: nothing can move it, and the warning says SQS counted
	// the receive.
	plain, _ := createQueue(t, e, "plain", nil)
	send(t, e, plain, numbered(2))
	res, err := dlq.Peek(testCtx(t), s, plain, 0)
	if err != nil || len(res.Messages) != 2 || !strings.Contains(res.Warning, "SQS counts every receive") {
		t.Fatalf("read-only peek of a plain queue: %v %+v", err, res)
	}
}

// TestCancelledBrowseLeavesNothingHidden: the browse's context ends while
// a receive's answer is on its way (Ctrl-C or SIGTERM mid-browse). The
// messages that answer hid are still released: none stays hidden for the
// visibility timeout.
func TestCancelledBrowseLeavesNothingHidden(t *testing.T) {
	_, e := backendtest.Open(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	rt := &cancelOnReceive{next: enginetest.HTTPClient(), cancel: cancel}
	s := backendtest.OpenOn(t, e, backend.Env{HTTPClient: &http.Client{Transport: rt}})
	url, _ := createQueue(t, e, "cancelled", nil)
	send(t, e, url, numbered(30))

	_, err := dlq.Browse(ctx, s, url, dlq.BrowseOptions{VisibilityTimeout: 600})
	if ctx.Err() == nil {
		t.Fatal("the browse's context was not cancelled")
	}
	if _, h := count(t, e, url); h != 0 {
		t.Fatalf("after a cancelled browse %d messages stay hidden (browse: %v)", h, err)
	}
}

// cancelOnReceive cancels the caller's context as soon as a ReceiveMessage
// answer arrives, before the SDK has read it.
type cancelOnReceive struct {
	next   aws.HTTPClient
	cancel context.CancelFunc
	once   sync.Once
}

func (c *cancelOnReceive) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".ReceiveMessage") {
		c.once.Do(c.cancel)
	}
	return resp, err
}

// receives counts the session's ReceiveMessage calls.
func receives(s *backend.Session) int {
	n := 0
	for _, c := range s.Calls.Calls() {
		if c.Operation == "ReceiveMessage" {
			n++
		}
	}
	return n
}
