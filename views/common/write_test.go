package common

import (
	"context"
	"errors"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
)

func TestWriteIsRefusedUnderReadOnlyBeforeAsking(t *testing.T) {
	w := Write{Tab: DLQTab, What: "purge", Do: func(context.Context) StatusMsg { t.Fatal("ran"); return StatusMsg{} }}
	msg := w.Ask(&Env{})()
	if s, ok := msg.(StatusMsg); !ok || s.Text != "purge: refused, read-only" {
		t.Fatalf("got %#v", msg)
	}
}

func TestWriteAsksThenRunsAndReports(t *testing.T) {
	env := &Env{Session: &backend.Session{}, Gen: 3}
	fail := Write{Tab: StreamsTab, What: "create", Title: "Create?", TypeToConfirm: "x", RetryOnFailure: true,
		Do: func(ctx context.Context) StatusMsg {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("a write runs without a timeout")
			}
			return StatusMsg{Text: errors.New("denied").Error(), Level: Failure}
		}}
	ask := fail.Ask(env)
	req, ok := ask().(ConfirmRequest)
	if !ok || req.Title != "Create?" || req.TypeToConfirm != "x" {
		t.Fatalf("asked %#v", req)
	}
	done := req.OnYes().(DoneMsg)
	if done.RouteTo() != StreamsTab || done.Reload || done.Status.Retry == nil {
		t.Fatalf("a failure to retry: %+v", done)
	}
	reloaded := false
	reload := func() tea.Cmd { reloaded = true; return nil }
	done.Report(SessionStamp(StreamsTab, env), reload)
	if reloaded {
		t.Fatal("a kept failure reloaded")
	}
	ok2 := DoneMsg{Stamp: SessionStamp(StreamsTab, env), Status: StatusMsg{Text: "done"}, Reload: true}
	ok2.Report(SessionStamp(StreamsTab, &Env{Gen: 4}), reload)
	if reloaded {
		t.Fatal("an outcome of another session reloaded")
	}
	if ok2.Report(SessionStamp(StreamsTab, env), reload); !reloaded {
		t.Fatal("the outcome did not reload")
	}
	if TypeNameOver(TypeToConfirmOver, "q") != "" || TypeNameOver(TypeToConfirmOver+1, "q") != "q" {
		t.Fatal("typed-name threshold")
	}
}
