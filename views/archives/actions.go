package archives

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/decode"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/replay"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/lineedit"
	"github.com/sluicehq/sluice/views/progress"
)

func (m *Model) onDone(msg common.DoneMsg) tea.Cmd {
	return msg.Report(m.sessionStamp(), func() tea.Cmd {
		m.events.ClearMarks()
		return m.reload()
	})
}

// selectedKey is the event under the cursor or in the detail.
func (m *Model) selectedKey() (string, bool) {
	if m.split.Open() {
		return m.detailKey, m.detailKey != ""
	}
	if m.level != levelEvents {
		return "", false
	}
	r, ok := m.events.Selected()
	return r.ID, ok
}

// actionKeys are the marked events, else the selected one.
func (m *Model) actionKeys() []string {
	if !m.split.Open() {
		if keys := m.events.Marked(); len(keys) > 0 {
			return keys
		}
	}
	if k, ok := m.selectedKey(); ok {
		return []string{k}
	}
	return nil
}

// noTarget says how to give a consumer a replay target.
func (m *Model) noTarget() tea.Cmd {
	return common.Status(common.Warning, fmt.Sprintf("%s has no replay target: set replay_target for it under pipelines in the sluice config", inert.Line(m.cur.Name)))
}

// --- replay one ---

func (m *Model) replayOne() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "replay"); cmd != nil {
		return cmd
	}
	key, ok := m.selectedKey()
	if !ok {
		if m.level != levelEvents {
			return common.Status(common.Info, "open an hour's events to replay one; R replays a whole hour or day")
		}
		return nil
	}
	if m.cur.Target.Kind == backend.TargetNone {
		return m.noTarget()
	}
	o, _ := m.object(key)
	if o.Replayed {
		return common.Status(common.Info, "event "+shortID(o.ID)+" was replayed already (x shows the waiting events)")
	}
	target, loc, s := m.cur.Target, m.cur.Archive, m.session()
	lines := []string{
		"Event:           " + inert.Line(o.ID),
		"Partition key:   " + inert.Line(o.PartitionKey),
		"Consumer:        " + inert.Line(m.cur.Name),
		"Target:          " + inert.Line(target.String()),
		"Idempotency key: " + inert.Line(o.ID),
		"",
		"The event is marked replayed once the target accepts it.",
	}
	return common.Write{Tab: common.ArchivesTab, What: "replay", Title: "Replay this event?", Lines: lines,
		Do: func(ctx context.Context) common.StatusMsg {
			res, err := replay.One(ctx, s, loc, key, target)
			if err != nil {
				return common.StatusMsg{Text: fmt.Sprintf("replay %s to %s: %v", shortID(o.ID), target, err), Level: common.Failure}
			}
			text := fmt.Sprintf("replayed %s to %s: %s", shortID(o.ID), target, res.Status)
			if res.Detail != "" {
				text += " (" + res.Detail + ")"
			}
			if res.Marked != "" {
				text += "; marked replayed"
			}
			level := common.Success
			if res.Status == replay.Skipped {
				level = common.Info
			}
			return common.StatusMsg{Text: text, Level: level}
		}}.Ask(m.env())
}

// --- replay many ---

// countMsg carries how many events a bulk replay would send.
type countMsg struct {
	common.Stamp
	What  string
	Plan  replay.Plan
	Count int
	Err   error
	// Dest is where a copy goes; nil for a replay.
	Dest *copyDest
}

func (m *Model) replayMany() tea.Cmd { return m.bulkOf(nil) }

// bulkOf replays (dest nil) or copies into another profile the marked
// events, the events shown, or the hour or day under the cursor.
func (m *Model) bulkOf(dest *copyDest) tea.Cmd {
	if dest == nil {
		if cmd := common.RefuseReadOnly(m.env(), "replay"); cmd != nil {
			return cmd
		}
	}
	if m.job != nil {
		return common.Status(common.Warning, "a replay is running; wait for it to end")
	}
	if m.level == levelConsumers {
		return common.Status(common.Info, "open a consumer, then R on a day, an hour or marked events")
	}
	if dest == nil && m.cur.Target.Kind == backend.TargetNone {
		return m.noTarget()
	}
	if m.replayed {
		return common.Status(common.Info, "these are replayed copies: press x to show the waiting events, then R")
	}
	plan := replay.Plan{Archive: m.cur.Archive, Target: m.cur.Target}
	if dest != nil {
		plan.Target = dest.target
	}
	base := archive.Query{Consumer: m.cur.Name, PartitionKey: m.pk}
	switch m.level {
	case levelEvents:
		keys := m.events.Marked()
		what := fmt.Sprintf("the %d marked events", len(keys))
		if len(keys) == 0 {
			for _, r := range m.events.Visible() {
				keys = append(keys, r.ID)
			}
			what = "the events of " + m.hr.UTC().Format("2006-01-02 15:00") + " UTC shown"
		}
		if len(keys) == 0 {
			return nil
		}
		plan.Keys = keys
		return m.confirmBulk(what, plan, len(keys), dest)
	case levelHours:
		r, ok := m.hours.Selected()
		if !ok {
			return nil
		}
		h, _ := time.Parse(time.RFC3339, r.ID)
		base.Since, base.Until = h, h.Add(time.Hour)
		plan.Query = m.clampRange(base)
		return m.countThenConfirm("the hour "+h.UTC().Format("2006-01-02 15:00")+" UTC", plan, m.countOf(h, time.Hour), dest)
	case levelDays:
		r, ok := m.days.Selected()
		if !ok {
			return nil
		}
		d, _ := time.Parse(time.DateOnly, r.ID)
		base.Since, base.Until = d, d.Add(24*time.Hour)
		plan.Query = m.clampRange(base)
		return m.countThenConfirm("the day "+d.Format(time.DateOnly)+" (UTC)", plan, m.countOf(d, 24*time.Hour), dest)
	}
	return nil
}

// clampRange keeps a query inside the time range shown.
func (m *Model) clampRange(q archive.Query) archive.Query {
	if s := m.since(); !s.IsZero() && s.After(q.Since) {
		q.Since = s
	}
	return q
}

// countThenConfirm counts the events of a query when the listing did not,
// so that the confirmation names the number.
func (m *Model) countThenConfirm(what string, plan replay.Plan, count int, dest *copyDest) tea.Cmd {
	if count >= 0 {
		return m.confirmBulk(what, plan, count, dest)
	}
	s, stamp := m.session(), m.sessionStamp()
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		objs, err := archive.List(s, plan.Archive, plan.Query).All(ctx)
		return countMsg{Stamp: stamp, What: what, Plan: plan, Count: len(objs), Err: err, Dest: dest}
	}
}

func (m *Model) onCount(msg countMsg) tea.Cmd {
	if !msg.Fresh(m.sessionStamp()) {
		return nil
	}
	if msg.Err != nil {
		return common.Fail(fmt.Errorf("count %s: %w", msg.What, msg.Err), nil)
	}
	if msg.Count == 0 {
		return common.Status(common.Info, "nothing to replay in "+msg.What)
	}
	return m.confirmBulk(msg.What, msg.Plan, msg.Count, msg.Dest)
}

func (m *Model) confirmBulk(what string, plan replay.Plan, count int, dest *copyDest) tea.Cmd {
	if dest != nil {
		return m.confirmCopy(what, plan, count, dest)
	}
	lines := []string{
		"Consumer: " + inert.Line(m.cur.Name),
		"Events:   " + inert.Line(what) + fmt.Sprintf(" (%d)", count),
		"Target:   " + inert.Line(plan.Target.String()),
		"",
		"Each event carries its id as the idempotency key and is marked replayed once the target accepts it; failures stay in the archive.",
	}
	title := fmt.Sprintf("Replay %d events?", count)
	if count == 1 {
		title = "Replay 1 event?"
	}
	return common.Write{Tab: common.ArchivesTab, What: "replay", Title: title, Lines: lines,
		TypeToConfirm: common.TypeNameOver(count, m.cur.Name), Start: m.bulkCmd(m.req.jobs.Next(m.env()), what, plan, count, nil)}.Ask(m.env())
}

// bulkEvent is one report from a running bulk replay.
type bulkEvent struct {
	progress *replay.Progress
	summary  *replay.Summary
	err      error
}

type bulkStartedMsg struct {
	common.Stamp
	// job stamps the replay's reports.
	job    common.Stamp
	what   string
	target string
	total  int
	ch     <-chan bulkEvent
	cancel context.CancelFunc
}

type bulkMsg struct {
	common.Stamp
	events []bulkEvent
	closed bool
	ch     <-chan bulkEvent
}

// bulkCmd starts the replay when the operator says yes; Bulk's progress
// comes through a channel that waitBulk drains.
func (m *Model) bulkCmd(job common.Stamp, what string, plan replay.Plan, total int, dest *copyDest) tea.Cmd {
	env, s, stamp, now := m.env(), m.session(), m.sessionStamp(), m.o.now
	opts := replay.Options{Now: now}
	label := plan.Target.String()
	if dest != nil {
		opts.CopyTo, label = dest.session, dest.session.Profile.Name+": "+label
	}
	return func() tea.Msg {
		// The replay runs until it ends, is stopped, or the session does.
		ctx, cancel := context.WithCancel(env.Context())
		ch := make(chan bulkEvent, 64)
		send := func(ev bulkEvent) {
			select {
			case ch <- ev:
			case <-ctx.Done():
			}
		}
		go func() {
			defer close(ch)
			opts.Progress = func(p replay.Progress) { send(bulkEvent{progress: &p}) }
			sum, err := replay.Bulk(ctx, s, plan, opts)
			send(bulkEvent{summary: &sum, err: err})
		}()
		return bulkStartedMsg{Stamp: stamp, job: job, what: what, target: label, total: total, ch: ch, cancel: cancel}
	}
}

func waitBulk(job common.Stamp, ch <-chan bulkEvent) tea.Cmd {
	return func() tea.Msg {
		evs, closed := common.Gather(ch, 256)
		return bulkMsg{Stamp: job, events: evs, closed: closed, ch: ch}
	}
}

func (m *Model) onBulkStarted(msg bulkStartedMsg) tea.Cmd {
	if !msg.Fresh(m.sessionStamp()) || m.job != nil {
		msg.cancel()
		return nil
	}
	m.job = &bulkJob{stamp: msg.job, what: msg.what, target: msg.target, cancel: msg.cancel,
		bar: progress.Model{Label: "replay → " + msg.target, Total: msg.total, Styles: m.c.Styles}}
	m.layout()
	return waitBulk(msg.job, msg.ch)
}

func (m *Model) onBulk(msg bulkMsg) tea.Cmd {
	j := m.job
	if j == nil || !msg.Fresh(j.stamp) {
		return nil
	}
	for _, ev := range msg.events {
		switch {
		case ev.progress != nil:
			p := ev.progress
			j.bar.Done, j.bar.Failed, j.bar.Rate = p.Done, p.Failed, p.Rate
			if p.Total >= 0 {
				j.bar.Total = p.Total
			}
		case ev.summary != nil:
			m.job = nil
			m.layout()
			return tea.Batch(bulkSummary(j, *ev.summary, ev.err), m.reload())
		}
	}
	if msg.closed {
		m.job = nil
		m.layout()
		return tea.Batch(common.Status(common.Warning, "replay of "+j.what+": stopped"), m.reload())
	}
	return waitBulk(j.stamp, msg.ch)
}

func bulkSummary(j *bulkJob, s replay.Summary, err error) tea.Cmd {
	text := fmt.Sprintf("replayed %s to %s: %d sent, %d failed, %d skipped of %d", j.what, s.Target, s.Sent, s.Failed, s.Skipped, s.Total)
	if s.CopiedTo != "" {
		text = fmt.Sprintf("copied %s to %s in %s: %d copied, %d failed of %d; source archive unchanged", j.what, s.Target, s.CopiedTo, s.Sent, s.Failed, s.Total)
	}
	if s.Rate > 0 {
		text += " · " + progress.FormatRate(s.Rate)
	}
	if len(s.Failures) > 0 {
		f := s.Failures[0]
		text += fmt.Sprintf("; first failure %s: %s %s", shortID(f.ID), f.Status, f.Detail)
	}
	if err != nil {
		return common.Fail(fmt.Errorf("%s; stopped by: %w", text, err), nil)
	}
	level := common.Success
	if s.Failed > 0 {
		level = common.Warning
	}
	return common.Status(level, text)
}

// --- mark, delete ---

func (m *Model) markReplayed() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "mark replayed"); cmd != nil {
		return cmd
	}
	if m.replayed {
		return common.Status(common.Info, "these are replayed already")
	}
	keys := m.actionKeys()
	if len(keys) == 0 {
		if m.level != levelEvents {
			return common.Status(common.Info, "open an hour's events to mark them")
		}
		return nil
	}
	lines := append([]string{"Consumer: " + inert.Line(m.cur.Name), fmt.Sprintf("Mark:     %d events replayed, without sending them", len(keys))}, m.keyLines(keys)...)
	lines = append(lines, "", "Each moves to _replayed/ with target \"manual\", result \"marked by operator\".")
	s, loc, now, conc := m.session(), m.cur.Archive, m.o.now, m.o.concurrency
	keys = append([]string(nil), keys...)
	return common.Write{Tab: common.ArchivesTab, What: "mark replayed", Title: fmt.Sprintf("Mark %s replayed?", plural(len(keys), "event")), Lines: lines,
		TypeToConfirm: common.TypeNameOver(len(keys), m.cur.Name), Timeout: common.BulkTimeout,
		Do: func(ctx context.Context) common.StatusMsg {
			r := archive.Replay{At: now().UTC(), Target: "manual", Result: "marked by operator"}
			return outcome("marked", "replayed", archive.MarkMany(ctx, s, loc, keys, r, archive.ManyOptions{Concurrency: conc}))
		}}.Ask(m.env())
}

func (m *Model) deleteEvents() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "delete"); cmd != nil {
		return cmd
	}
	keys := m.actionKeys()
	if len(keys) == 0 {
		if m.level != levelEvents {
			return common.Status(common.Info, "open an hour's events to delete them")
		}
		return nil
	}
	what := "events"
	if m.replayed {
		what = "replayed copies"
	}
	lines := append([]string{"Consumer: " + inert.Line(m.cur.Name), fmt.Sprintf("Delete:   %d %s from %s", len(keys), what, inert.Line(m.cur.Archive.String()))}, m.keyLines(keys)...)
	lines = append(lines, "", "Deleted events cannot be replayed any more.")
	s, loc, conc := m.session(), m.cur.Archive, m.o.concurrency
	keys = append([]string(nil), keys...)
	return common.Write{Tab: common.ArchivesTab, What: "delete", Title: fmt.Sprintf("Delete %s?", plural(len(keys), "event")), Lines: lines,
		TypeToConfirm: common.TypeNameOver(len(keys), m.cur.Name), Timeout: common.BulkTimeout,
		Do: func(ctx context.Context) common.StatusMsg {
			return outcome("deleted", "", archive.DeleteMany(ctx, s, loc, keys, archive.ManyOptions{Concurrency: conc}))
		}}.Ask(m.env())
}

// keyLines names up to five events of a confirmation.
func (m *Model) keyLines(keys []string) []string {
	var out []string
	for i, k := range keys {
		if i == 5 {
			out = append(out, fmt.Sprintf("  … and %d more", len(keys)-5))
			break
		}
		if o, ok := m.object(k); ok {
			out = append(out, "  "+inert.Line(o.ID)+"  "+inert.Line(o.PartitionKey))
		} else {
			out = append(out, "  "+inert.Line(k))
		}
	}
	return out
}

// outcome says what an action on many events did: all done, or how many
// failed and the first failure in the order the events were given.
func outcome(verb, what string, res archive.Results) common.StatusMsg {
	done := plural(len(res), "event")
	if what != "" {
		done += " " + what
	}
	failed := res.Failed()
	if len(failed) == 0 {
		return common.StatusMsg{Text: verb + " " + done, Level: common.Success}
	}
	text := fmt.Sprintf("%s %d of %s; %d failed: %v", verb, len(res)-len(failed), done, len(failed), failed[0].Err)
	return common.StatusMsg{Text: text, Level: common.Failure}
}

// --- trace, copy ---

func (m *Model) trace() tea.Cmd {
	key, ok := m.selectedKey()
	if !ok {
		return nil
	}
	consumer := m.cur.Name
	req := func(e archive.Event) tea.Msg {
		return common.TraceMsg{Request: common.TraceRequest{StreamARN: e.Record.StreamARN, ShardID: e.Record.ShardID,
			SequenceNumber: e.Record.SequenceNumber, EventID: e.ID, Consumer: consumer}}
	}
	if e, ok := m.bodies[key]; ok {
		return func() tea.Msg { return req(e) }
	}
	s, bucket := m.session(), m.cur.Archive.Bucket
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		e, err := archive.Get(ctx, s, bucket, key)
		if err != nil {
			return common.StatusMsg{Text: "trace: " + err.Error(), Level: common.Failure}
		}
		return req(e)
	}
}

func (m *Model) copyEvent() tea.Cmd {
	key, ok := m.selectedKey()
	if !ok {
		return nil
	}
	e, ok := m.bodies[key]
	if !ok {
		return common.Status(common.Info, "open the event (enter) to copy it")
	}
	data, err := e.Record.Bytes()
	if err != nil {
		return common.Fail(err, nil)
	}
	// The data came from the stream: copied safe to paste (binary as
	// base64), not raw.
	return common.Copy(data, "event "+shortID(e.ID))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// --- the prompts of the jq and partition-key filters ---

// input is the prompt open under the list, if any.
type input struct {
	active bool
	label  string
	edit   lineedit.Model
}

func (m *Model) openInput(label, value string) {
	m.input = input{active: true, label: label, edit: lineedit.New(&m.c.Keys.Input, value)}
	// The list gives the prompt its line: without this the list kept its
	// height and the prompt was drawn below the view's last line.
	m.layout()
}

func (m *Model) inputKey(msg tea.Msg) tea.Cmd {
	in := &m.input
	if k, ok := msg.(tea.KeyPressMsg); ok && in.label == copyInputLabel && k.String() == "tab" {
		m.cycleCopyProfile()
		return nil
	}
	switch in.edit.Update(msg) {
	case lineedit.Cancelled:
		in.active = false
		m.layout()
	case lineedit.Submitted:
		in.active = false
		m.layout()
		return m.applyInput(in.label, strings.TrimSpace(in.edit.Value()))
	}
	return nil
}

func (m *Model) applyInput(label, value string) tea.Cmd {
	switch label {
	case "jq":
		if value == "" {
			m.setFilter(nil)
			m.refreshEventRows()
			return common.Status(common.Info, "jq filter cleared")
		}
		f, err := decode.CompileFilter(value)
		if err != nil {
			return common.Fail(fmt.Errorf("jq: %w", err), nil)
		}
		m.setFilter(f)
		m.refreshEventRows()
		return tea.Batch(m.matchCmd(m.bodies), m.fetchBodies())
	case copyInputLabel:
		return m.openCopyDest(value)
	case "partition key":
		m.pk = value
		m.events.ClearMarks()
		if m.level == levelConsumers {
			return nil
		}
		return m.reload()
	}
	return nil
}
