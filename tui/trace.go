package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/trace"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/theme"
)

// traceView shows one event across stream, DLQ, archive and replays.
type traceView struct {
	req     common.TraceRequest
	seq     int
	loading bool
	// browsing: this run browses the DLQs not browsed yet.
	browsing bool
	// browseKey is the key that offers to browse what was not.
	browseKey string
	result    trace.Trace
	err       error
	// failures are what pipeline discovery could not read: the trace
	// may miss a DLQ or an archive of a pipeline it did not find.
	failures backend.Failures
}

// traceDoneMsg carries a finished trace.
type traceDoneMsg struct {
	seq      int
	result   trace.Trace
	err      error
	failures backend.Failures
}

// startTrace traces r with what the session has browsed: it receives
// from no queue.
func (m *Model) startTrace(r common.TraceRequest) tea.Cmd { return m.runTrace(r, false) }

// traceKey handles the trace overlay's own keys: the DLQ browse key
// browses the DLQs the trace could not look in, and traces again. It
// reports whether the key was the trace's.
func (m *Model) traceKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if !key.Matches(msg, m.keys.DLQ.Browse) || m.trace.loading || len(m.trace.result.Unbrowsed()) == 0 {
		return nil, false
	}
	return m.runTrace(m.trace.req, true), true
}

// runTrace traces r; browse lets it browse the DLQs not browsed yet.
func (m *Model) runTrace(r common.TraceRequest, browse bool) tea.Cmd {
	m.traceSeq++
	m.trace = traceView{req: r, seq: m.traceSeq, loading: true, browsing: browse, browseKey: m.keys.DLQ.Browse.Help().Key}
	m.overlay = overlayTrace
	env, seq := m.common.Env, m.traceSeq
	if env.Session == nil {
		return nil
	}
	// An explicit trace sees what exists when it is asked for: the
	// session's reads from before (a pipe since created) do not answer
	// it; one another tab starts meanwhile does.
	asked := env.InventoryNow()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.TraceTimeout)
		defer cancel()
		d, err := inventory.Discover(ctx, env.Session, env.Config.Pipelines, env.ArchiveFlag, env.SharedSince(asked))
		if err != nil {
			return traceDoneMsg{seq: seq, err: fmt.Errorf("trace: find pipelines: %w", err)}
		}
		res, err := trace.Find(ctx, env.Session, d.Pipelines, trace.Request{
			StreamARN: r.StreamARN, ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, Consumer: r.Consumer, Browse: browse,
		})
		return traceDoneMsg{seq: seq, result: res, err: err, failures: d.Failures}
	}
}

func (m *Model) finishTrace(msg traceDoneMsg) {
	if msg.seq != m.trace.seq {
		return
	}
	m.trace.loading, m.trace.result, m.trace.err, m.trace.failures = false, msg.result, msg.err, msg.failures
}

func (t traceView) view(st *theme.Styles, width, height int) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(inert.Truncate(s, width) + "\n") }
	head := func(s string) { b.WriteString(st.Title.Render(s) + "\n") }
	line(st.Title.Render("Trace") + st.Muted.Render("  "+inert.Line(t.req.ShardID)+" · "+inert.Line(t.req.SequenceNumber)+" · esc closes"))
	if t.loading {
		what := "searching the stream, the DLQs as browsed and the archives…"
		if t.browsing {
			what = "browsing the DLQs not browsed yet, then searching…"
		}
		line(st.Muted.Render(what))
		return b.String()
	}
	// What discovery could not read comes first: a "not in any DLQ"
	// below may only mean a pipeline was not found.
	for _, f := range t.failures {
		if f.Kind == backend.FailNotServed {
			// Nothing of that service to search here.
			line(st.Muted.Render(f.Service + ": not served here"))
			continue
		}
		line(st.Warn.Render("⚠ not searched fully: " + inert.Line(f.Error())))
	}
	if t.err != nil {
		line(st.Err.Render(inert.Line(t.err.Error())))
		return b.String()
	}
	r := t.result
	line(st.Muted.Render("event id ") + r.EventID)
	head("\nStream")
	if r.Record != nil {
		line("  ✓ " + inert.Line(r.Record.PartitionKey) + " · arrived " + r.Record.Arrival.Format(time.RFC3339Nano))
		line("    " + inert.Line(decode.Decode(r.Record.Data).Preview(max(width-6, 10))))
	} else {
		line(st.Warn.Render("  ✗ " + inert.Line(r.StreamNote)))
	}
	head("\nDead-letter queues")
	if len(r.DLQ) == 0 {
		line(st.Muted.Render("  not in any DLQ"))
	}
	for _, h := range r.DLQ {
		line(fmt.Sprintf("  ● %s · %s · %s · received %d× · failed %s", inert.Line(h.Queue), inert.Line(h.MessageID), inert.Line(h.Condition), h.ReceiveCount, h.FailedAt.Format(time.RFC3339)))
	}
	for _, d := range r.DLQs {
		switch {
		case d.Unbrowsed:
			line(st.Warn.Render("  ? " + inert.Line(d.Queue) + ": not browsed, not looked in"))
		case d.BrowsedNow:
			line(st.Muted.Render("  " + inert.Line(d.Queue) + ": browsed now"))
		case !d.BrowsedAt.IsZero():
			line(st.Muted.Render("  " + inert.Line(d.Queue) + ": as " + common.BrowsedAgo(time.Now(), d.BrowsedAt)))
		}
		if d.Note != "" {
			line(st.Muted.Render("    " + inert.Line(d.Note)))
		}
	}
	if u := r.Unbrowsed(); len(u) > 0 {
		// The offer, with its cost: SQS has no read that leaves the
		// messages as they were.
		line(st.Warn.Render("  " + t.browseKey + " browses " + inert.Line(strings.Join(u, ", ")) + " and traces again: it raises the receive count of every message read by one (SQS counts every receive)"))
	}
	head("\nArchive and replays")
	if len(r.Archived) == 0 {
		line(st.Muted.Render("  not archived"))
	}
	for _, a := range r.Archived {
		state := st.Warn.Render("waiting for replay")
		if a.Replayed && a.Replay != nil {
			state = st.OK.Render("replayed " + a.Replay.At.Format(time.RFC3339) + " to " + inert.Line(a.Replay.Target) + ": " + inert.Line(a.Replay.Result))
		}
		line("  ● s3://" + inert.Line(a.Bucket) + "/" + inert.Line(a.Key))
		line("    " + state)
		for _, at := range a.Attempts {
			line(fmt.Sprintf("    attempt %s to %s: %s (%d tries)", at.At.Format(time.RFC3339), inert.Line(at.Target), inert.Line(at.Answer()), at.Tries))
		}
	}
	for _, n := range r.Notes {
		line(st.Muted.Render("  " + inert.Line(n)))
	}
	return b.String()
}
