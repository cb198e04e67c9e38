package dlq

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/views/viewtest"
)

// declaredConfig declares one pipeline whose DLQ no pipe, mapping or rule
// names: only the config makes it a DLQ.
func declaredConfig() config.File {
	return config.File{Pipelines: []config.Pipeline{{Consumer: "declared-consumer", DLQ: "declared-dlq"}}}
}

// proxied is an engine holding the declared DLQ and a queue whose
// RedrivePolicy sends its failures to jobs-dlq, reached through a fault
// proxy.
func proxied(t testing.TB) (*backend.Session, *faultproxy.Proxy) {
	t.Helper()
	_, e := backendtest.Open(t)
	inventorytest.Queue(t, e, "declared-dlq", nil)
	_, dlqARN := inventorytest.Queue(t, e, "jobs-dlq", nil)
	inventorytest.Queue(t, e, "jobs", nil, "RedrivePolicy", `{"deadLetterTargetArn":"`+dlqARN+`","maxReceiveCount":3}`)
	p := faultproxy.Start(t, e.URL)
	return backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL}), p
}

var clock = WithClock(func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) })

func proxiedTab(s *backend.Session, w, h int, dark bool, opts ...Option) *Model {
	c := newCommon(s, w, h, dark)
	c.Env.Config = declaredConfig()
	return New(c, append([]Option{clock}, opts...)...)
}

// commands runs cmd, a batch, and returns its commands unrun, so that a
// test runs them in the order, or at the same time, it picks; a command
// that is no batch has run, and gives its message again.
func commands(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		return b
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

// TestGoldenListWithPipesDenied: ListPipes is denied, and the list still
// holds the declared DLQ and the redrive DLQ, under a banner naming the
// pipes failure with AWS's own message.
func TestGoldenListWithPipesDenied(t *testing.T) {
	s, p := proxied(t)
	p.Add(&faultproxy.Rule{Service: "pipes", Match: func(r faultproxy.Request) bool { return strings.HasSuffix(r.Path, "/pipes") },
		Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := proxiedTab(s, w, h, true)
		drive(t, m, m.Init())
		view := ansi.Strip(m.View())
		want := []string{"declared-dlq", "jobs-dlq", "sqs jobs", "pipes: denied", "AccessDeniedException"}
		if w >= 160 {
			want = append(want, "config declared-consumer", "is not authorized to", "pipes:ListPipes on resource")
		}
		for _, s := range want {
			if !strings.Contains(view, s) {
				t.Errorf("the view lacks %q:\n%s", s, view)
			}
		}
		if strings.Contains(view, "no dead-letter queues found") {
			t.Errorf("the view says none found though pipes failed:\n%s", view)
		}
		viewtest.Golden(t, m.View(), w, h)
	})
}

// TestGoldenDeclaredWhilePipesIsSilent: with Pipes never answering, the
// first answer the tab gets is the declared DLQ, shown at once and
// marked as still being discovered; the whole listing comes later.
func TestGoldenDeclaredWhilePipesIsSilent(t *testing.T) {
	s, p := proxied(t)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := proxiedTab(s, w, h, true)
		if v := ansi.Strip(m.View()); strings.Contains(v, "no dead-letter queues found") {
			t.Fatalf("before any answer the tab says none found:\n%s", v)
		}
		cmds := commands(m.Init())
		got := make(chan tea.Msg, len(cmds))
		for _, c := range cmds {
			go func() { got <- c() }()
		}
		// Whichever answer comes first: the whole listing cannot, as it
		// waits on Pipes for inventory.ServiceTimeout.
		m.Update(<-got)
		view := ansi.Strip(m.View())
		want := []string{"declared-dlq", "discovering"}
		if w >= 160 {
			want = append(want, "config declared-consumer")
		}
		for _, s := range want {
			if !strings.Contains(view, s) {
				t.Errorf("the first view lacks %q:\n%s", s, view)
			}
		}
		if strings.Contains(view, "timed out") || !m.listLoading {
			t.Errorf("the first view waited for the whole listing:\n%s", view)
		}
		viewtest.Golden(t, m.View(), w, h)
	})
}

// TestTheDeclaredAnswerNeverReplacesTheWholeList: the whole listing
// arrived first; the declared DLQs' answer of the same load is dropped,
// and so is one of an older load.
func TestTheDeclaredAnswerNeverReplacesTheWholeList(t *testing.T) {
	s, _ := proxied(t)
	m := proxiedTab(s, 120, 20, true)
	cmds := commands(m.Init())
	var whole listMsg
	var declared declaredMsg
	for _, c := range cmds {
		switch msg := c().(type) {
		case listMsg:
			whole = msg
		case declaredMsg:
			declared = msg
		}
	}
	if len(cmds) != 2 || len(declared.List.DLQs) != 1 || len(whole.List.DLQs) != 2 {
		t.Fatalf("the first load ran %d commands: declared %+v, whole %+v", len(cmds), declared.List, whole.List)
	}
	m.Update(whole)
	m.Update(declared)
	if len(m.dlqs) != 2 || m.listPartial {
		t.Fatalf("the declared answer replaced the whole list: %+v, partial %v", m.dlqs, m.listPartial)
	}
	// A refresh keeps the list on screen and asks for the whole listing
	// alone; a late declared answer of the first load is dropped.
	old := declared.Stamp
	reload := commands(m.reload())
	if len(reload) != 1 {
		t.Errorf("a refresh runs %d commands, want the whole listing alone", len(reload))
	}
	m.Update(declaredMsg{Stamp: old, List: declared.List})
	if v := ansi.Strip(m.View()); len(m.dlqs) != 2 || strings.Contains(v, "discovering") || !strings.Contains(v, "jobs-dlq") {
		t.Errorf("a stale declared answer changed the list:\n%s", v)
	}
}
