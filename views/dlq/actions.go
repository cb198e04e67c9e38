package dlq

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	bdlq "github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inert"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/progress"
)

func (m *Model) onDone(msg common.DoneMsg) tea.Cmd {
	return msg.Report(m.sessionStamp(), func() tea.Cmd {
		m.msgs.ClearMarks()
		return m.reload()
	})
}

// currentQueue is the queue an action applies to: the one browsed, or the
// one under the cursor in the list.
func (m *Model) currentQueue() (target, int, bool) {
	if m.level == levelBrowse {
		n := m.res.Queue.Visible
		return m.cur, n, m.cur.name != ""
	}
	r, ok := m.list.Selected()
	if !ok {
		return target{}, 0, false
	}
	d, ok := m.dlqByURL(r.ID)
	if !ok {
		return target{}, 0, false
	}
	return target{name: d.Queue.Name, url: d.Queue.URL, arn: d.Queue.ARN}, d.Queue.Visible, true
}

// actionIDs are the marked messages, else the selected one.
func (m *Model) actionIDs() []string {
	if m.split.Open() {
		return []string{m.detailID}
	}
	if ids := m.msgs.Marked(); len(ids) > 0 {
		return ids
	}
	if x, ok := m.selected(); ok {
		return []string{x.ID}
	}
	return nil
}

// --- hydrate ---

// hydratePlanMsg carries what a hydration would do, for the confirmation.
type hydratePlanMsg struct {
	common.Stamp
	Queue target
	IDs   []string
	Count int
	Loc   backend.ArchiveLocation
	Err   error
	// All is the plan of a hydrate-all: the browse's failures, IDs.
	All *hydrate.Plan
}

func (m *Model) hydrateSelected() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "hydrate"); cmd != nil {
		return cmd
	}
	if m.level != levelBrowse {
		return common.Status(common.Info, "open a DLQ (enter) to pick messages; H hydrates them all")
	}
	ids := m.actionIDs()
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if x, ok := m.byID[id]; ok && x.IsPayload() {
			return common.Status(common.Warning, "message "+shortID(id)+" carries its event itself (an SQS source): redrive it (r) instead; hydrate applies to Kinesis failures")
		}
	}
	return m.planHydrate(m.cur, ids, len(ids))
}

// hydrateAll asks to hydrate every Kinesis failure of the queue's browse,
// named by id: the dialog names that set and the hydration acts on it
// alone, whatever arrived since.
func (m *Model) hydrateAll() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "hydrate"); cmd != nil {
		return cmd
	}
	t, _, ok := m.currentQueue()
	if !ok {
		return nil
	}
	s := m.session()
	if s == nil {
		return nil
	}
	res, kept := bdlq.Kept(s, t.url)
	if t.url == "" || !kept {
		return common.Status(common.Info, "H hydrates the messages browsed: open "+inert.Line(t.name)+" (enter) to browse it first")
	}
	plan := hydrate.PlanOf(res)
	if len(plan.IDs) == 0 {
		return common.Status(common.Info, "the browse of "+inert.Line(t.name)+" holds no Kinesis failure to hydrate")
	}
	return m.planHydrateAll(t, plan)
}

// planHydrateAll is planHydrate for the set of a plan.
func (m *Model) planHydrateAll(t target, plan hydrate.Plan) tea.Cmd {
	cmd := m.planHydrate(t, plan.IDs, len(plan.IDs))
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		if p, ok := msg.(hydratePlanMsg); ok {
			p.All = &plan
			return p
		}
		return msg
	}
}

// planHydrate finds the archive before asking.
func (m *Model) planHydrate(t target, ids []string, count int) tea.Cmd {
	if m.job != nil {
		return common.Status(common.Warning, "a hydration of "+m.job.queue+" is running; wait for it to end")
	}
	s := m.session()
	if s == nil {
		return nil
	}
	env := m.env()
	stamp, pipelines, flag := m.sessionStamp(), env.Config.Pipelines, env.ArchiveFlag
	// Where the events go is looked up as the account is now: no read
	// of the session's from before h was pressed answers it.
	asked := env.InventoryNow()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		ref := t.url
		if ref == "" {
			ref = t.name
		}
		loc, err := inventory.ArchiveForQueue(ctx, s, pipelines, ref, flag, env.SharedSince(asked))
		if err == nil && t.url == "" {
			t.url, err = inventory.QueueURL(ctx, s, t.name)
		}
		return hydratePlanMsg{Stamp: stamp, Queue: t, IDs: ids, Count: count, Loc: loc, Err: err}
	}
}

func (m *Model) onHydratePlan(msg hydratePlanMsg) tea.Cmd {
	if !msg.Fresh(m.sessionStamp()) {
		return nil
	}
	if msg.Err != nil {
		return common.Fail(fmt.Errorf("hydrate %s: %w", msg.Queue.name, msg.Err), nil)
	}
	name := inert.Line(msg.Queue.name)
	what := plural(len(msg.IDs), "message")
	if len(msg.IDs) == 1 {
		what += " (" + inert.Line(msg.IDs[0]) + ")"
	}
	var set []string
	if p := msg.All; p != nil {
		// The set, named: these ids and no others.
		what = fmt.Sprintf("all %d Kinesis failures as %s", len(p.IDs), common.BrowsedAgo(m.o.now(), p.BrowsedAt))
		if !p.Complete {
			what += fmt.Sprintf(" (the browse saw %d of about %d messages)", len(p.IDs)+p.Payloads, p.Visible)
		}
		shown := p.IDs[:min(len(p.IDs), 5)]
		for _, id := range shown {
			set = append(set, "  "+inert.Line(id))
		}
		if len(p.IDs) > len(shown) {
			set = append(set, fmt.Sprintf("  … and %d more", len(p.IDs)-len(shown)))
		}
		set = append(set, "Messages that arrived since the browse are left in the queue and reported.")
	}
	from := ""
	if msg.Loc.From != "" {
		from = " (from the " + msg.Loc.From + ")"
	}
	lines := []string{
		"Queue:   " + name,
		"Archive: " + inert.Line(msg.Loc.String()) + from,
		"Count:   " + what,
	}
	lines = append(lines, set...)
	lines = append(lines,
		"",
		// One line a paragraph: the dialog wraps it to its width.
		"The records each failure points at are read from the stream and written to the archive, one object each; a message is deleted from the queue only after the store has confirmed its objects. Records past retention stay in the queue.",
	)
	return common.Write{Tab: common.DLQTab, What: "hydrate", Title: "Hydrate " + name + "?", Lines: lines,
		TypeToConfirm: common.TypeNameOver(msg.Count, msg.Queue.name), Start: m.hydrateCmd(m.jobs.Next(m.env()), msg)}.Ask(m.env())
}

// jobEvent is one report from a running hydration.
type jobEvent struct {
	result  *hydrate.Result
	summary *hydrate.Summary
	err     error
}

// jobStartedMsg says a hydration runs; its reports come through ch.
type jobStartedMsg struct {
	common.Stamp
	// job stamps the hydration's reports.
	job    common.Stamp
	plan   hydratePlanMsg
	ch     <-chan jobEvent
	cancel context.CancelFunc
}

// jobMsg carries the reports that arrived since the last one.
type jobMsg struct {
	common.Stamp
	events []jobEvent
	closed bool
	ch     <-chan jobEvent
}

// hydrateCmd starts the hydration when the operator says yes: the work
// runs in its own goroutine and reports through a channel that waitJob
// drains, so Update never blocks.
func (m *Model) hydrateCmd(stamp common.Stamp, plan hydratePlanMsg) tea.Cmd {
	env, s := m.env(), m.session()
	return func() tea.Msg {
		// The hydration runs until it ends, is stopped, or the session does.
		ctx, cancel := context.WithCancel(env.Context())
		ch := make(chan jobEvent, 64)
		send := func(ev jobEvent) {
			select {
			case ch <- ev:
			case <-ctx.Done():
			}
		}
		go func() {
			defer close(ch)
			o := hydrate.Options{Archive: plan.Loc, DLQ: plan.Queue.name, IDs: plan.IDs,
				Progress: func(r hydrate.Result) { send(jobEvent{result: &r}) }}
			sum, err := hydrate.Queue(ctx, s, plan.Queue.url, o)
			send(jobEvent{summary: &sum, err: err})
		}()
		return jobStartedMsg{Stamp: plan.Stamp, job: stamp, plan: plan, ch: ch, cancel: cancel}
	}
}

// waitJob waits for the next report, then takes whatever else is ready.
func waitJob(stamp common.Stamp, ch <-chan jobEvent) tea.Cmd {
	return func() tea.Msg {
		evs, closed := common.Gather(ch, 256)
		return jobMsg{Stamp: stamp, events: evs, closed: closed, ch: ch}
	}
}

func (m *Model) onJobStarted(msg jobStartedMsg) tea.Cmd {
	if !msg.Fresh(m.sessionStamp()) || m.job != nil {
		msg.cancel()
		return nil
	}
	total := msg.plan.Count
	if msg.plan.IDs != nil {
		total = len(msg.plan.IDs)
	}
	m.job = &job{stamp: msg.job, queue: msg.plan.Queue.name, url: msg.plan.Queue.url, loc: msg.plan.Loc, cancel: msg.cancel, all: msg.plan.All,
		started: m.o.now(), bar: progress.Model{Label: "hydrate " + msg.plan.Queue.name, Total: total, Styles: m.c.Styles}}
	m.layout()
	return waitJob(msg.job, msg.ch)
}

func (m *Model) onJob(msg jobMsg) tea.Cmd {
	j := m.job
	if j == nil || !msg.Fresh(j.stamp) {
		return nil
	}
	for _, ev := range msg.events {
		switch {
		case ev.result != nil:
			switch ev.result.Outcome {
			case hydrate.Hydrated:
				j.hydrated++
				j.events += ev.result.Events
			case hydrate.Left:
				j.left++
			case hydrate.Skipped:
				j.skipped++
			case hydrate.Failed:
				j.failed++
			}
			j.bar.Done++
			j.bar.Failed = j.failed + j.left
			if j.bar.Total >= 0 && j.bar.Done > j.bar.Total {
				j.bar.Total = j.bar.Done
			}
			if el := m.o.now().Sub(j.started).Seconds(); el > 0 {
				j.bar.Rate = float64(j.bar.Done) / el
			}
		case ev.summary != nil:
			m.job = nil
			m.layout()
			return tea.Batch(hydrateSummary(j, *ev.summary, ev.err), m.reload())
		}
	}
	if msg.closed {
		m.job = nil
		m.layout()
		return tea.Batch(common.Status(common.Warning, "hydrate "+j.queue+": stopped"), m.reload())
	}
	return waitJob(j.stamp, msg.ch)
}

func hydrateSummary(j *job, sum hydrate.Summary, err error) tea.Cmd {
	name := inert.Line(j.queue)
	text := fmt.Sprintf("hydrated %s of %s into %s: %s written", plural(sum.Hydrated, "message"), name, inert.Line(j.loc.String()), plural(sum.Events, "event"))
	var extra []string
	if sum.Left > 0 {
		extra = append(extra, fmt.Sprintf("%d left in the queue (records past retention or unreadable)", sum.Left))
	}
	if sum.Skipped > 0 {
		extra = append(extra, fmt.Sprintf("%d skipped (payloads: redrive them)", sum.Skipped))
	}
	if sum.Failed > 0 {
		extra = append(extra, fmt.Sprintf("%d failed (retry with H)", sum.Failed))
	}
	if len(sum.Missing) > 0 {
		extra = append(extra, fmt.Sprintf("%d no longer in the queue", len(sum.Missing)))
	}
	if j.all != nil {
		if n := len(j.all.Arrived(sum)); n > 0 {
			extra = append(extra, fmt.Sprintf("%d not in the set confirmed (arrived since the browse) left in the queue: b browses them", n))
		}
	}
	if len(extra) > 0 {
		text += "; " + strings.Join(extra, ", ")
	}
	level := common.Success
	if len(extra) > 0 {
		level = common.Warning
	}
	if err != nil {
		return common.Fail(fmt.Errorf("%s; stopped by: %w", text, err), nil)
	}
	return common.Status(level, text)
}

// --- redrive ---

type redriveStartedMsg struct {
	common.Stamp
	Queue  target
	Handle string
	Err    error
}

type redriveTickMsg struct {
	common.Stamp
}

type redriveTasksMsg struct {
	common.Stamp
	Tasks []bdlq.MoveTask
	Err   error
}

// kinesisSources names a DLQ's pipe and Lambda sources, whose failures
// carry no event and cannot be redriven.
func (m *Model) kinesisSources(t target) (kinesis []string, sqs bool) {
	d, ok := m.dlqByName(t.name)
	if ok {
		for _, s := range d.Sources {
			switch s.Kind {
			case inventory.SourcePipe, inventory.SourceLambda:
				kinesis = append(kinesis, string(s.Kind)+" "+s.Name)
			case inventory.SourceSQS:
				sqs = true
			}
		}
	}
	return kinesis, sqs
}

func (m *Model) startRedrive() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "redrive"); cmd != nil {
		return cmd
	}
	t, n, ok := m.currentQueue()
	if !ok {
		return nil
	}
	kin, fromSQS := m.kinesisSources(t)
	failures := m.level == levelBrowse && m.anyFailure()
	if !fromSQS && (len(kin) > 0 || failures) {
		what := "Kinesis failures"
		if len(kin) > 0 {
			what += " from " + strings.Join(kin, ", ")
		}
		return common.Status(common.Warning, fmt.Sprintf("redrive does not apply to %s: it holds %s, which carry no event, only where the records are in the stream; press h (or H) to hydrate them into the archive",
			inert.Line(t.name), inert.Line(what)))
	}
	if m.redrive != nil {
		return common.Status(common.Warning, "a redrive of "+m.redrive.queue+" is running")
	}
	s := m.session()
	if s == nil {
		return nil
	}
	// SQS's own check (is the queue fed by SQS queues?) is made before
	// the dialog, not after the yes.
	env, stamp := m.env(), m.sessionStamp()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		plan := redrivePlanMsg{Stamp: stamp, Queue: t, Count: n}
		if t.url == "" {
			if t.url, plan.Err = inventory.QueueURL(ctx, s, t.name); plan.Err != nil {
				return plan
			}
		}
		q, err := bdlq.Describe(ctx, s, t.url)
		if err != nil {
			plan.Err = err
			return plan
		}
		plan.Queue.url, plan.Queue.arn = q.URL, q.ARN
		plan.Sources, plan.Err = bdlq.CheckRedrive(ctx, s, q)
		return plan
	}
}

// redrivePlanMsg is what a redrive would do, checked, for the dialog.
type redrivePlanMsg struct {
	common.Stamp
	Queue   target
	Count   int
	Sources []string
	Err     error
}

func (m *Model) onRedrivePlan(msg redrivePlanMsg) tea.Cmd {
	if !msg.Fresh(m.sessionStamp()) {
		return nil
	}
	if msg.Err != nil {
		return common.Status(common.Warning, inert.Line(msg.Err.Error()))
	}
	t, n := msg.Queue, msg.Count
	dest := "the queues they came from (" + strings.Join(msg.Sources, ", ") + ")"
	lines := []string{
		"Queue:   " + inert.Line(t.name),
		"Moves:   " + plural(n, "message") + " back to " + inert.Line(dest),
		"",
		"An SQS message move task moves them at SQS's pace; the progress shows here.",
	}
	s := m.session()
	stamp := m.sessionStamp()
	env := m.env()
	start := func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		h, err := bdlq.StartRedrive(ctx, s, t.arn, "", 0)
		return redriveStartedMsg{Stamp: stamp, Queue: t, Handle: h, Err: err}
	}
	return common.Write{Tab: common.DLQTab, What: "redrive", Title: "Redrive " + inert.Line(t.name) + "?", Lines: lines,
		TypeToConfirm: common.TypeNameOver(n, t.name), Start: start}.Ask(m.env())
}

func (m *Model) onRedriveStarted(msg redriveStartedMsg) tea.Cmd {
	if !msg.Fresh(m.sessionStamp()) {
		return nil
	}
	if msg.Err != nil {
		return common.Fail(msg.Err, nil)
	}
	stamp := m.redrives.Next(m.env())
	m.redrive = &redriveState{stamp: stamp, queue: msg.Queue.name, arn: msg.Queue.arn, handle: msg.Handle, started: m.o.now(),
		bar: progress.Model{Label: "redrive " + msg.Queue.name, Total: -1, Styles: m.c.Styles}}
	m.layout()
	return tea.Batch(common.Status(common.Info, "redrive of "+inert.Line(msg.Queue.name)+" started"), m.tick(stamp))
}

func (m *Model) tick(stamp common.Stamp) tea.Cmd {
	return tea.Tick(m.o.poll, func(time.Time) tea.Msg { return redriveTickMsg{stamp} })
}

func (m *Model) onRedriveTick(msg redriveTickMsg) tea.Cmd {
	r := m.redrive
	s := m.session()
	if r == nil || !msg.Fresh(r.stamp) || s == nil {
		return nil
	}
	arn, stamp := r.arn, r.stamp
	env := m.env()
	return func() tea.Msg {
		ctx, cancel := env.CallContext(common.CallTimeout)
		defer cancel()
		tasks, err := bdlq.MoveTasks(ctx, s, arn)
		return redriveTasksMsg{Stamp: stamp, Tasks: tasks, Err: err}
	}
}

func (m *Model) onRedriveTasks(msg redriveTasksMsg) tea.Cmd {
	r := m.redrive
	if r == nil || !msg.Fresh(r.stamp) {
		return nil
	}
	if msg.Err != nil {
		// Keep following: a lost poll is not a lost redrive.
		return tea.Batch(common.Fail(msg.Err, nil), m.tick(r.stamp))
	}
	task, ok := followed(msg.Tasks, r.handle)
	if !ok {
		return m.tick(r.stamp)
	}
	r.bar.Done, r.bar.Total = int(task.Moved), int(task.ToMove)
	if el := m.o.now().Sub(r.started).Seconds(); el > 0 && task.Moved > 0 {
		r.bar.Rate = float64(task.Moved) / el
	}
	if !task.Done() {
		return m.tick(r.stamp)
	}
	m.redrive = nil
	m.layout()
	text := fmt.Sprintf("redrive of %s %s: %d of %d moved", inert.Line(r.queue), strings.ToLower(task.Status), task.Moved, task.ToMove)
	level := common.Success
	if task.Status != bdlq.TaskCompleted {
		level = common.Warning
		if task.Failure != "" {
			text += ": " + inert.Line(task.Failure)
		}
	}
	return tea.Batch(common.Status(level, text), m.reload())
}

// followed finds the task a redrive started: by its handle while it runs,
// else the newest task, which is the one that just ended.
func followed(tasks []bdlq.MoveTask, handle string) (bdlq.MoveTask, bool) {
	for _, t := range tasks {
		if t.Handle != "" && t.Handle == handle {
			return t, true
		}
	}
	for _, t := range tasks {
		if t.Status == bdlq.TaskRunning {
			return bdlq.MoveTask{}, false // another's task, or ours not yet listed
		}
	}
	if len(tasks) > 0 {
		return tasks[0], true
	}
	return bdlq.MoveTask{}, false
}

// --- delete, purge ---

func (m *Model) deleteMessages() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "delete"); cmd != nil {
		return cmd
	}
	if m.level != levelBrowse {
		return common.Status(common.Info, "open a DLQ (enter) to delete messages; X purges the whole queue")
	}
	ids := m.actionIDs()
	if len(ids) == 0 {
		return nil
	}
	t := m.cur
	shown := ids
	if len(shown) > 5 {
		shown = shown[:5]
	}
	lines := []string{"Queue:  " + inert.Line(t.name), "Delete: " + plural(len(ids), "message")}
	for _, id := range shown {
		lines = append(lines, "  "+inert.Line(id))
	}
	if len(ids) > len(shown) {
		lines = append(lines, fmt.Sprintf("  … and %d more", len(ids)-len(shown)))
	}
	lines = append(lines, "", "Deleted messages cannot be brought back.")
	s := m.session()
	ids = append([]string(nil), ids...)
	return common.Write{Tab: common.DLQTab, What: "delete", Title: "Delete from " + inert.Line(t.name) + "?", Lines: lines,
		TypeToConfirm: common.TypeNameOver(len(ids), t.name),
		Do: func(ctx context.Context) common.StatusMsg {
			res, err := bdlq.DeleteByID(ctx, s, t.url, ids)
			if err != nil {
				// The error names the queue and what was being deleted.
				return common.StatusMsg{Text: err.Error(), Level: common.Failure}
			}
			text := fmt.Sprintf("deleted %s from %s", plural(len(res.Deleted), "message"), t.name)
			level := common.Success
			if len(res.Failed) > 0 || len(res.NotFound) > 0 {
				level = common.Warning
				text += fmt.Sprintf("; %d failed, %d not found", len(res.Failed), len(res.NotFound))
			}
			return common.StatusMsg{Text: text, Level: level}
		}}.Ask(m.env())
}

func (m *Model) purge() tea.Cmd {
	if cmd := common.RefuseReadOnly(m.env(), "purge"); cmd != nil {
		return cmd
	}
	t, n, ok := m.currentQueue()
	if !ok {
		return nil
	}
	lines := []string{
		"Queue:  " + inert.Line(t.name),
		"Delete: every message (" + plural(n, "message") + " visible now)",
		"",
		"SQS cannot undo a purge. Type the queue's name to go on.",
	}
	s := m.session()
	return common.Write{Tab: common.DLQTab, What: "purge", Title: "Purge " + inert.Line(t.name) + "?", Lines: lines, TypeToConfirm: t.name,
		Do: func(ctx context.Context) common.StatusMsg {
			url := t.url
			var err error
			if url == "" {
				url, err = inventory.QueueURL(ctx, s, t.name)
			}
			if err == nil {
				err = bdlq.Purge(ctx, s, url)
			}
			if err != nil {
				return common.StatusMsg{Text: "purge " + t.name + ": " + err.Error(), Level: common.Failure}
			}
			return common.StatusMsg{Text: "purged " + t.name, Level: common.Success}
		}}.Ask(m.env())
}

// --- export, trace, copy ---

// export writes the queue's kept browse to a file: what the operator
// browsed, as it was then. It receives nothing; a queue not browsed yet
// is browsed first by opening it (or b), with what that costs said there.
func (m *Model) export() tea.Cmd {
	t, _, ok := m.currentQueue()
	if !ok {
		return nil
	}
	s := m.session()
	if s == nil {
		return nil
	}
	if _, kept := bdlq.Kept(s, t.url); t.url == "" || !kept {
		return common.Status(common.Info, "export writes the messages as browsed: open "+inert.Line(t.name)+" (enter) to browse it first")
	}
	stamp, now := m.sessionStamp(), m.o.now()
	name := safeFileName(t.name) + "-" + now.UTC().Format("20060102T150405Z") + ".jsonl"
	path := filepath.Join(m.o.exportDir, name)
	return func() tea.Msg {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return common.DoneMsg{Stamp: stamp, Status: common.StatusMsg{Text: "export " + t.name + ": " + err.Error(), Level: common.Failure}}
		}
		res, _, err := bdlq.ExportKept(s, t.url, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return common.DoneMsg{Stamp: stamp, Status: common.StatusMsg{Text: "export " + t.name + " to " + path + ": " + err.Error(), Level: common.Failure}}
		}
		abs, aerr := filepath.Abs(path)
		if aerr != nil {
			abs = path
		}
		text := fmt.Sprintf("exported %s of %s as %s to %s", plural(len(res.Messages), "message"), t.name, common.BrowsedAgo(now, res.At), abs)
		return common.DoneMsg{Stamp: stamp, Status: common.StatusMsg{Text: text, Level: common.Success}}
	}
}

// safeFileName keeps a queue's name usable as a file name.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, s)
}

func (m *Model) trace() tea.Cmd {
	x, ok := m.selected()
	if !ok {
		return nil
	}
	if x.Failure == nil {
		return common.Status(common.Info, "a payload message has no stream coordinates to trace")
	}
	b := x.Failure.Batch
	r := common.TraceRequest{StreamARN: b.StreamARN, ShardID: b.ShardID, SequenceNumber: b.StartSequenceNumber, Consumer: x.Failure.Consumer}
	if b.EndSequenceNumber == "" || b.EndSequenceNumber == b.StartSequenceNumber {
		// A batch of one record names exactly one event, whose archive id
		// is known without reading anything.
		r.EventID = archive.EventID(b.StreamARN, b.ShardID, b.StartSequenceNumber)
	}
	return common.Trace(r)
}

func (m *Model) copyBody() tea.Cmd {
	x, ok := m.selected()
	if !ok {
		return nil
	}
	// The body came from the queue: copied safe to paste, not raw.
	return common.Copy([]byte(x.Body), "message "+shortID(x.ID))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
