package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/views/theme"
)

func TestCallLogShowsTheBudget(t *testing.T) {
	s, e := backendtest.Open(t)
	for range 2 {
		if _, err := s.Kinesis().ListStreams(context.Background(), &kinesis.ListStreamsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	k := backend.APIKey{Account: "profile local", Region: e.Region, Service: "Kinesis", Operation: "ListStreams", Local: true}
	s.Budget.Throttled(k)
	v := newCallView(s)
	st := theme.New(theme.Dark(), true)
	out := ansi.Strip(v.view(&st, 200, 20))
	for _, want := range []string{"budget: 1 APIs", "1 throttled", "slowed: Kinesis.ListStreams 100 of 200/s", "WAIT MS", "ListStreams"} {
		if !strings.Contains(out, want) {
			t.Errorf("call log lacks %q:\n%s", want, out)
		}
	}
}
