package localengine_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// TestConnectionsAreBounded: past MaxConnections, a new connection waits
// until one of the open ones closes, so that a flood of idle connections
// cannot grow the engine's memory without end.
func TestConnectionsAreBounded(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) { o.MaxConnections = 2 }))
	host := strings.TrimPrefix(e.URL, "http://")
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		// Half a request line: the connection is open and says nothing.
		if _, err := c.Write([]byte("POST / HT")); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	t.Cleanup(func() {
		for _, c := range held {
			_ = c.Close()
		}
	})

	waiting, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := e.SQS().ListQueues(waiting, &sqs.ListQueuesInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a third connection was served while two were held: %v", err)
	}

	_ = held[0].Close()
	if _, err := e.SQS().ListQueues(context.Background(), &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("after a connection closed: %v", err)
	}
}
