package dlq

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

func TestListShowsTheDLQWithItsDepth(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, 120, 30, true))
	out := drive(t, m, m.Init())
	for _, st := range viewtest.Of[common.StatusMsg](out) {
		if st.Level == common.Failure {
			t.Fatalf("status %+v", st)
		}
	}
	rows := m.list.Rows()
	if len(rows) != 1 || rows[0].Cells[0] != "orders-dlq" || rows[0].Cells[1] != "3" || rows[0].ID != sc.queueURL {
		t.Fatalf("rows %+v", rows)
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "orders-dlq") || !strings.Contains(view, "1 queue · 3 messages waiting") {
		t.Fatalf("view:\n%s", view)
	}
	if got := m.Completions("dlq"); len(got) != 1 || got[0] != "orders-dlq" {
		t.Errorf("completions %v", got)
	}
}

func TestBrowseShowsMessagesAndLeavesThemVisible(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, 120, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter")
	if m.level != levelBrowse || len(m.msgs.Rows()) != 3 {
		t.Fatalf("level %v, %d rows", m.level, len(m.msgs.Rows()))
	}
	r, _ := m.msgs.Selected()
	if x := m.byID[r.ID]; x.Failure == nil || x.Failure.Consumer != "orders-to-api" || x.ReceiveCount != 1 {
		t.Fatalf("message %+v", x)
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"DLQs › orders-dlq", "3 visible", "RetryAttemptsExhausted", "orders-to-api", "raised the receive count"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// Released at once: the SDK receives every one of them.
	if v, h := sc.counts(sc.queueURL); v != 3 || h != 0 {
		t.Fatalf("after the browse: %d visible, %d in flight", v, h)
	}
	got, err := sc.e.SQS().ReceiveMessage(sc.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(sc.queueURL), MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 3 {
		t.Fatalf("receive after the browse: %d messages, %v", len(got.Messages), err)
	}

	// esc goes back to the list; OpenMsg browses by name.
	press(t, m, "esc")
	if m.level != levelList {
		t.Fatal("esc did not go back")
	}
	_, cmd := m.Update(common.OpenMsg{Tab: common.DLQTab, Target: "orders-dlq"})
	drive(t, m, cmd)
	if m.level != levelBrowse || m.cur.name != "orders-dlq" || m.cur.url != sc.queueURL {
		t.Fatalf("open: level %v, %+v", m.level, m.cur)
	}
	_, cmd = m.Update(common.OpenMsg{Tab: common.DLQTab})
	drive(t, m, cmd)
	if m.level != levelList {
		t.Fatal("OpenMsg with no target did not show the list")
	}
}

func TestDetailShowsTheBodyAndTheParsedFailure(t *testing.T) {
	sc := newScene(t, 1)
	m := New(newCommon(sc.s, 160, 40, true))
	drive(t, m, m.Init())
	press(t, m, "enter", "enter")
	if !m.split.Open() {
		t.Fatal("no detail")
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"message " + sc.ids[0], "condition RetryAttemptsExhausted", "pipe orders-to-api", "KinesisBatchInfo", sc.seqs[0]} {
		if !strings.Contains(view, want) {
			t.Errorf("detail lacks %q:\n%s", want, view)
		}
	}
	out := press(t, m, "t")
	var tr common.TraceMsg
	for _, x := range out {
		if v, ok := x.(common.TraceMsg); ok {
			tr = v
		}
	}
	if tr.Request.StreamARN != streamARN || tr.Request.ShardID != sc.shard || tr.Request.SequenceNumber != sc.seqs[0] ||
		tr.Request.EventID != archive.EventID(streamARN, sc.shard, sc.seqs[0]) || tr.Request.Consumer != "orders-to-api" {
		t.Fatalf("trace %+v", tr)
	}
	press(t, m, "esc")
	if m.split.Open() || m.level != levelBrowse {
		t.Fatal("esc did not close the detail")
	}
	// Closed, the detail gives the messages their whole width back.
	if w := ansi.StringWidth(strings.Split(m.msgs.View(), "\n")[0]); w != 160 {
		t.Fatalf("after the detail closed, the messages are %d wide, want 160", w)
	}
}

func TestHydrateOneAsksNamingTheArchiveThenArchivesAndDeletes(t *testing.T) {
	sc := newScene(t, 2)
	m := New(newCommon(sc.s, 120, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter")
	sel, _ := m.msgs.Selected()
	out := press(t, m, "h")
	cs := viewtest.Of[common.ConfirmRequest](out)
	if len(cs) != 1 {
		t.Fatalf("confirmations %+v", out)
	}
	c := cs[0]
	text := strings.Join(c.Lines, "\n")
	for _, want := range []string{"orders-dlq", "s3://archive/failed/", "1 message (" + sel.ID + ")"} {
		if !strings.Contains(text, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, text)
		}
	}
	if c.TypeToConfirm != "" {
		t.Errorf("typed %q for one message", c.TypeToConfirm)
	}
	if len(sc.objects()) != 0 {
		t.Fatal("hydrated before yes")
	}
	out = drive(t, m, c.OnYes)
	st := viewtest.Of[common.StatusMsg](out)
	if len(st) == 0 || st[0].Level != common.Success || !strings.Contains(st[0].Text, "hydrated 1 message of orders-dlq") {
		t.Fatalf("statuses %+v", st)
	}
	keys := sc.objects()
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "failed/orders-to-api/") {
		t.Fatalf("objects %v", keys)
	}
	if v, h := sc.counts(sc.queueURL); v != 1 || h != 0 {
		t.Fatalf("queue: %d visible, %d hidden", v, h)
	}
	if m.job != nil || len(m.msgs.Rows()) != 1 {
		t.Fatalf("after: job %v, %d rows", m.job, len(m.msgs.Rows()))
	}
	if _, gone := m.byID[sel.ID]; gone {
		t.Error("the hydrated message is still listed")
	}
}

func TestHydrateAllShowsProgressThenASummary(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, 120, 30, true))
	drive(t, m, m.Init())
	// From the list, H hydrates what was browsed: nothing yet.
	out := press(t, m, "H")
	if cs := viewtest.Of[common.ConfirmRequest](out); len(cs) != 0 {
		t.Fatalf("H on a queue not browsed asked %+v", cs)
	}
	press(t, m, "enter", "esc")
	out = press(t, m, "H")
	cs := viewtest.Of[common.ConfirmRequest](out)
	if len(cs) != 1 || !strings.Contains(strings.Join(cs[0].Lines, "\n"), "all 3 Kinesis failures as browsed") {
		t.Fatalf("confirmations %+v", out)
	}
	// Run the start by hand to see the bar before the results arrive.
	started := cs[0].OnYes()
	_, wait := m.Update(started)
	if m.job == nil || !strings.Contains(ansi.Strip(m.View()), "hydrate orders-dlq [") {
		t.Fatalf("no progress bar:\n%s", ansi.Strip(m.View()))
	}
	out = drive(t, m, wait)
	if st := viewtest.Of[common.StatusMsg](out); len(st) == 0 || !strings.Contains(st[0].Text, "hydrated 3 messages of orders-dlq into s3://archive/failed/: 3 events written") {
		t.Fatalf("statuses %+v", st)
	}
	if len(sc.objects()) != 3 {
		t.Fatalf("objects %v", sc.objects())
	}
	if v, _ := sc.counts(sc.queueURL); v != 0 {
		t.Fatalf("%d left", v)
	}
	if r := m.list.Rows(); len(r) != 1 || r[0].Cells[1] != "0" {
		t.Fatalf("list not reloaded: %+v", r)
	}
}

func TestBulkActionsOverAHundredNeedTheNameTyped(t *testing.T) {
	// A read-write session: the write helper refuses before asking without one.
	m := New(newCommon(newScene(t, 0).s, 80, 24, true))
	_, cmd := m.Update(hydratePlanMsg{Stamp: m.sessionStamp(), Queue: target{name: "big-dlq", url: "u"}, Count: 101, Loc: backend.ArchiveLocation{Bucket: "b", Prefix: "p/"}})
	c, ok := cmd().(common.ConfirmRequest)
	if !ok || c.TypeToConfirm != "big-dlq" {
		t.Fatalf("%+v", c)
	}
	_, cmd = m.Update(hydratePlanMsg{Stamp: m.sessionStamp(), Queue: target{name: "small-dlq", url: "u"}, Count: 100, Loc: backend.ArchiveLocation{Bucket: "b"}})
	if c := cmd().(common.ConfirmRequest); c.TypeToConfirm != "" {
		t.Fatalf("typed for 100: %+v", c)
	}
}

func TestRedriveOfKinesisFailuresPointsToHydrate(t *testing.T) {
	sc := newScene(t, 1)
	m := New(newCommon(sc.s, 120, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter")
	out := press(t, m, "r")
	if len(viewtest.Of[common.ConfirmRequest](out)) != 0 {
		t.Fatal("redrive of Kinesis failures asked to go on")
	}
	st := viewtest.Of[common.StatusMsg](out)
	if len(st) != 1 || !strings.Contains(st[0].Text, "redrive does not apply") || !strings.Contains(st[0].Text, "press h") {
		t.Fatalf("statuses %+v", st)
	}
}

func TestRedriveFollowsTheMoveTask(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := t.Context()
	q := e.SQS()
	dlqOut, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	dlqURL := aws.ToString(dlqOut.QueueUrl)
	dlqARN := "arn:aws:sqs:us-east-1:" + account + ":jobs-dlq"
	src, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"1"}`, "VisibilityTimeout": "0"}})
	if err != nil {
		t.Fatal(err)
	}
	srcURL := aws.ToString(src.QueueUrl)
	for i := range 3 {
		if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(srcURL), MessageBody: aws.String(`{"job":` + string(rune('1'+i)) + `}`)}); err != nil {
			t.Fatal(err)
		}
	}
	sc := &scene{t: t, s: s, e: e, ctx: ctx}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(srcURL), MaxNumberOfMessages: 10}); err != nil {
			t.Fatal(err)
		}
		if v, _ := sc.counts(dlqURL); v == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("messages never reached the DLQ")
		}
	}

	m := New(newCommon(s, 120, 30, true), WithPollInterval(20*time.Millisecond))
	drive(t, m, m.Init())
	_, cmd := m.Update(common.OpenMsg{Tab: common.DLQTab, Target: "jobs-dlq"})
	drive(t, m, cmd)
	if len(m.msgs.Rows()) != 3 || !strings.Contains(ansi.Strip(m.View()), "PREVIEW") {
		t.Fatalf("payload browse:\n%s", ansi.Strip(m.View()))
	}
	out := press(t, m, "r")
	cs := viewtest.Of[common.ConfirmRequest](out)
	if len(cs) != 1 || !strings.Contains(strings.Join(cs[0].Lines, "\n"), "3 messages back to the queues they came from (jobs)") {
		t.Fatalf("confirmations %+v", out)
	}
	out = drive(t, m, cs[0].OnYes)
	st := viewtest.Of[common.StatusMsg](out)
	if len(st) == 0 || !strings.Contains(st[len(st)-1].Text, "redrive of jobs-dlq completed: 3 of 3 moved") {
		t.Fatalf("statuses %+v", st)
	}
	if m.redrive != nil {
		t.Fatal("still following")
	}
	if v, _ := sc.counts(dlqURL); v != 0 {
		t.Fatalf("%d left in the DLQ", v)
	}
	if v, _ := sc.counts(srcURL); v != 3 {
		t.Fatalf("%d back in the source", v)
	}
}

func TestDeleteMarkedAndPurge(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, 120, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter", "space", "space")
	marked := m.msgs.Marked()
	if len(marked) != 2 {
		t.Fatalf("marked %v", marked)
	}
	cs := viewtest.Of[common.ConfirmRequest](press(t, m, "d"))
	if len(cs) != 1 || !strings.Contains(strings.Join(cs[0].Lines, "\n"), "2 messages") || !strings.Contains(strings.Join(cs[0].Lines, "\n"), marked[0]) {
		t.Fatalf("%+v", cs)
	}
	out := drive(t, m, cs[0].OnYes)
	if st := viewtest.Of[common.StatusMsg](out); len(st) == 0 || !strings.Contains(st[0].Text, "deleted 2 messages from orders-dlq") {
		t.Fatalf("%+v", st)
	}
	if v, _ := sc.counts(sc.queueURL); v != 1 || len(m.msgs.Rows()) != 1 || len(m.msgs.Marked()) != 0 {
		t.Fatalf("%d visible, %d rows", v, len(m.msgs.Rows()))
	}
	cs = viewtest.Of[common.ConfirmRequest](press(t, m, "X"))
	if len(cs) != 1 || cs[0].TypeToConfirm != "orders-dlq" {
		t.Fatalf("purge %+v", cs)
	}
	drive(t, m, cs[0].OnYes)
	if v, h := sc.counts(sc.queueURL); v+h != 0 {
		t.Fatalf("after purge: %d, %d", v, h)
	}
}

func TestExportWritesJSONLinesAndSaysWhere(t *testing.T) {
	sc := newScene(t, 2)
	dir := t.TempDir()
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	m := New(newCommon(sc.s, 120, 30, true), WithExportDir(dir), WithClock(func() time.Time { return at }))
	drive(t, m, m.Init())
	// Not browsed yet: export receives nothing, and says how to browse.
	out := press(t, m, "e")
	if st := viewtest.Of[common.StatusMsg](out); len(st) != 1 || !strings.Contains(st[0].Text, "open orders-dlq (enter) to browse it first") {
		t.Fatalf("%+v", st)
	}
	if n := receives(sc.s); n != 0 {
		t.Fatalf("export of a queue not browsed made %d ReceiveMessage calls", n)
	}
	press(t, m, "enter", "esc")
	browsed := receives(sc.s)
	out = press(t, m, "e")
	path := filepath.Join(dir, "orders-dlq-20261127T093000Z.jsonl")
	st := viewtest.Of[common.StatusMsg](out)
	if len(st) != 1 || !strings.Contains(st[0].Text, "exported 2 messages of orders-dlq as browsed") || !strings.Contains(st[0].Text, " to "+path) {
		t.Fatalf("%+v", st)
	}
	if n := receives(sc.s) - browsed; n != 0 {
		t.Fatalf("export of the kept browse made %d ReceiveMessage calls", n)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		n++
	}
	if n != 2 {
		t.Fatalf("%d lines", n)
	}
	if v, _ := sc.counts(sc.queueURL); v != 2 {
		t.Fatalf("export left %d visible", v)
	}
}

func TestReadOnlyOffersNoWrite(t *testing.T) {
	sc := newScene(t, 2)
	ro := backendtest.OpenOn(t, sc.e, backend.Env{ReadOnly: true})
	m := New(newCommon(ro, 120, 30, true))
	drive(t, m, m.Init())
	for _, k := range []string{"H", "r", "X"} {
		if cs := viewtest.Of[common.ConfirmRequest](press(t, m, k)); len(cs) != 0 {
			t.Errorf("list %s asked %+v", k, cs)
		}
	}
	press(t, m, "enter")
	if len(m.msgs.Rows()) != 2 {
		t.Fatal("read-only browse failed")
	}
	for _, k := range []string{"h", "H", "r", "d", "X", "space"} {
		if cs := viewtest.Of[common.ConfirmRequest](press(t, m, k)); len(cs) != 0 {
			t.Errorf("browse %s asked %+v", k, cs)
		}
	}
	if len(m.msgs.Marked()) != 0 {
		t.Error("marked under read-only")
	}
	help := m.ShortHelp()
	for _, b := range help {
		for _, k := range b.Keys() {
			if k == "h" || k == "d" || k == "X" || k == "r" || k == "H" {
				t.Errorf("help offers %q under read-only", k)
			}
		}
	}
	if v, _ := sc.counts(sc.queueURL); v != 2 || len(sc.objects()) != 0 {
		t.Fatal("something was written")
	}
}

func TestStaleAnswersAreDropped(t *testing.T) {
	m := New(newCommon(nil, 80, 24, true))
	stale := m.lists.Current(m.env())
	stale.Gen += 5
	m.Update(listMsg{Stamp: stale})
	if m.listLoaded {
		t.Error("a stale list was taken")
	}
	otherSession := m.lists.Current(m.env())
	otherSession.Session = 0
	m.Update(listMsg{Stamp: otherSession})
	if m.listLoaded {
		t.Error("an answer for another session was taken")
	}
}

// TestOnlyAnExplicitBrowseReceives counts ReceiveMessage calls: the list,
// its refreshes (ctrl+r, the auto-refresh, retries), tab switches and
// coming back to a queue receive nothing; opening a queue the first time
// and b do, once each. Before, every refresh inside a queue browsed it
// again and raised every message's receive count.
func TestOnlyAnExplicitBrowseReceives(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, 120, 30, true))
	d := viewtest.NewDriver(t, m)
	refreshes := func() {
		t.Helper()
		d.Send(common.RefreshMsg{})
		d.Send(common.AutoRefreshMsg{})
		d.Send(reloadMsg{common.Stamp{Tab: common.DLQTab}})
		d.Send(common.FocusMsg{Focused: false})
		d.Send(common.FocusMsg{Focused: true})
	}
	d.Run(m.Init())
	refreshes()
	if n := receives(sc.s); n != 0 {
		t.Fatalf("the list and its refreshes made %d ReceiveMessage calls", n)
	}

	d.Press("enter")
	opened := receives(sc.s)
	if opened == 0 || len(m.msgs.Rows()) != 3 {
		t.Fatalf("opening the queue: %d receives, %d rows", opened, len(m.msgs.Rows()))
	}
	refreshes()
	d.Press("esc", "enter", "enter", "esc")
	_, cmd := m.Update(common.OpenMsg{Tab: common.DLQTab, Target: "orders-dlq"})
	d.Run(cmd)
	refreshes()
	if n := receives(sc.s) - opened; n != 0 {
		t.Fatalf("refreshes, tab switches and coming back to the queue made %d ReceiveMessage calls", n)
	}
	if len(m.msgs.Rows()) != 3 || !strings.Contains(ansi.Strip(m.View()), "browsed ") {
		t.Fatalf("the kept browse is not shown with its age:\n%s", ansi.Strip(m.View()))
	}
	for _, x := range m.res.Messages {
		if x.ReceiveCount != 1 {
			t.Fatalf("message %s shows receive count %d, want the one browse's", x.ID, x.ReceiveCount)
		}
	}

	d.Press("b")
	if n := receives(sc.s) - opened; n == 0 {
		t.Fatal("b did not browse again")
	}
	for _, x := range m.res.Messages {
		if x.ReceiveCount != 2 {
			t.Fatalf("after b, message %s shows receive count %d, want 2", x.ID, x.ReceiveCount)
		}
	}
}

// TestHydrateAllActsOnTheConfirmedSet: the confirmation names the failures
// browsed, by id; failures that arrive after it (before yes) are not
// hydrated but left in the queue and reported. Before, "hydrate all 3"
// hydrated whatever the queue held when it ran.
func TestHydrateAllActsOnTheConfirmedSet(t *testing.T) {
	sc := newScene(t, 3)
	m := New(newCommon(sc.s, 160, 40, true))
	drive(t, m, m.Init())
	press(t, m, "enter")
	cs := viewtest.Of[common.ConfirmRequest](press(t, m, "H"))
	if len(cs) != 1 {
		t.Fatal("no confirmation")
	}
	text := strings.Join(cs[0].Lines, "\n")
	confirmed := append([]string(nil), sc.ids...)
	for _, want := range append([]string{"all 3 Kinesis failures", "left in the queue and reported"}, confirmed...) {
		if !strings.Contains(text, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, text)
		}
	}
	// Two more failures arrive between the confirmation and yes.
	sc.fail(3)
	sc.fail(4)
	out := drive(t, m, cs[0].OnYes)
	keys := sc.objects()
	if len(keys) != 3 {
		t.Fatalf("hydrated %d events, want the 3 confirmed: %v", len(keys), keys)
	}
	for _, seq := range sc.seqs[3:] {
		for _, k := range keys {
			if strings.Contains(k, archive.EventID(streamARN, sc.shard, seq)) {
				t.Fatalf("a message that arrived after the confirmation was hydrated: %s", k)
			}
		}
	}
	if v, h := sc.counts(sc.queueURL); v != 2 || h != 0 {
		t.Fatalf("queue: %d visible, %d hidden; want the 2 new ones visible", v, h)
	}
	st := viewtest.Of[common.StatusMsg](out)
	if len(st) == 0 || !strings.Contains(st[0].Text, "hydrated 3 messages") || !strings.Contains(st[0].Text, "not in the set confirmed") {
		t.Fatalf("statuses %+v", st)
	}
}

// TestRedriveOfAQueueNoSQSQueueFeedsIsRefusedBeforeTheDialog: from the
// list, where nothing says what the queue holds (no browse, no known
// source), r still asks SQS whether any queue feeds it before asking the
// operator, and says to hydrate instead. Before, the dialog came first
// and SQS refused after the yes.
func TestRedriveOfAQueueNoSQSQueueFeedsIsRefusedBeforeTheDialog(t *testing.T) {
	sc := newScene(t, 2)
	m := New(newCommon(sc.s, 120, 30, true))
	drive(t, m, m.Init())
	out := press(t, m, "r")
	if cs := viewtest.Of[common.ConfirmRequest](out); len(cs) != 0 {
		t.Fatalf("asked to redrive a queue SQS cannot redrive: %+v", cs[0].Lines)
	}
	st := viewtest.Of[common.StatusMsg](out)
	if len(st) != 1 || !strings.Contains(st[0].Text, "no SQS queue's redrive policy names orders-dlq") || !strings.Contains(st[0].Text, "hydrate") {
		t.Fatalf("statuses %+v", st)
	}
	if n := receives(sc.s); n != 0 {
		t.Fatalf("the check made %d ReceiveMessage calls", n)
	}
}
