package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/hydrate"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/archives"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/dlq"
	"github.com/sluicehq/sluice/views/metrics"
	"github.com/sluicehq/sluice/views/shards"
	"github.com/sluicehq/sluice/views/streams"
	"github.com/sluicehq/sluice/views/viewtest"
)

// The sizes the sweep draws every screen at: from a phone-sized pane to a
// large monitor, the smallest supported terminal (80×24) among them.
var (
	sweepWidths  = []int{20, 40, 60, 80, 100, 120, 160, 200}
	sweepHeights = []int{10, 24, 40, 60}
)

const (
	sweepAccount = "000000000000"
	sweepPipe    = "arn:aws:pipes:us-east-1:" + sweepAccount + ":pipe/orders-to-api"
	sweepStream  = "arn:aws:kinesis:us-east-1:" + sweepAccount + ":stream/orders"
)

// sweepScene is an engine with a stream of a few records, a DLQ tagged
// with its archive holding two failures, and an archive holding two
// hydrated events: enough for every tab to have a list, a detail and
// prompts to open.
func sweepScene(t *testing.T) (*enginetest.Engine, config.File) {
	t.Helper()
	rw, e := backendtest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	must(err)
	_, err = e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("archive")})
	must(err)
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq"),
		Tags: map[string]string{"sluice:archive": "s3://archive/failed/"}})
	must(err)
	dlqURL := aws.ToString(q.QueueUrl)
	fail := func(i int) {
		put, err := e.Kinesis().PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"),
			PartitionKey: aws.String(fmt.Sprintf("customer-%d", i)), Data: fmt.Appendf(nil, `{"orderId":"o-%d","amount":%d}`, i, 10+i)})
		must(err)
		seq, shard := aws.ToString(put.SequenceNumber), aws.ToString(put.ShardId)
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		body := fmt.Sprintf(`{"context":{"partnerResourceArn":%q,"condition":"RetryAttemptsExhausted"},
"version":"1.0","timestamp":%q,"KinesisBatchInfo":{"shardId":%q,"startSequenceNumber":%q,"endSequenceNumber":%q,
"approximateArrivalOfFirstRecord":%q,"approximateArrivalOfLastRecord":%q,"batchSize":1,"streamArn":%q}}`,
			sweepPipe, now, shard, seq, seq, now, now, sweepStream)
		_, err = e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(dlqURL), MessageBody: aws.String(body)})
		must(err)
	}
	fail(0)
	fail(1)
	loc := backend.ArchiveLocation{Bucket: "archive", Prefix: "failed/"}
	if sum, err := hydrate.Queue(ctx, rw, dlqURL, hydrate.Options{Archive: loc, DLQ: "orders-dlq"}); err != nil || sum.Hydrated != 2 {
		t.Fatalf("hydrate: %+v %v", sum, err)
	}
	// Two more that stay in the DLQ, for its message list.
	fail(2)
	fail(3)
	return e, config.File{Pipelines: []config.Pipeline{{Consumer: "orders-to-api", Stream: "orders", DLQ: "orders-dlq",
		Archive: "s3://archive/failed/"}}}
}

// sweepTabs are the five tabs, as cmd/sluice builds them.
func sweepTabs(c *common.Common) []common.Tab {
	return []common.Tab{streams.New(c), shards.New(c), dlq.New(c), archives.New(c), metrics.New(c)}
}

// pump plays the program for the root model: it runs each command in a
// goroutine, as Bubble Tea does (a refresh tick sleeps, a tail blocks),
// and hands their messages to Update on the test's goroutine.
type pump struct {
	t    *testing.T
	m    *Model
	msgs chan tea.Msg
	done chan struct{}
}

func newPump(t *testing.T, s *backend.Session, cfg config.File) *pump {
	t.Helper()
	m := New(Options{Profiles: []backend.Profile{s.Profile}, Session: s, Config: cfg, Keys: keymap.Default(),
		Tabs: sweepTabs, ReadOnly: s.ReadOnly(), Dark: true})
	p := &pump{t: t, m: m, msgs: make(chan tea.Msg, 256), done: make(chan struct{})}
	// Before the engine stops: the tabs' calls end, the goroutines left
	// waiting to deliver give up.
	t.Cleanup(func() {
		m.quitApp()
		close(p.done)
	})
	p.send(tea.WindowSizeMsg{Width: 160, Height: 48})
	p.run(m.Init())
	return p
}

func (p *pump) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				p.run(c)
			}
			return
		}
		if msg == nil {
			return
		}
		select {
		case p.msgs <- msg:
		case <-p.done:
		}
	}()
}

func (p *pump) send(msg tea.Msg) {
	_, cmd := p.m.Update(msg)
	p.run(cmd)
}

func (p *pump) press(keys ...string) {
	for _, k := range keys {
		p.send(viewtest.Key(k))
	}
}

func (p *pump) typeText(s string) {
	for _, r := range s {
		p.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen is what the root draws, without styles.
func (p *pump) screen() string { return ansi.Strip(p.m.render()) }

// until delivers messages until the screen shows every one of texts.
func (p *pump) until(texts ...string) {
	p.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s := p.screen()
		ok := true
		for _, x := range texts {
			ok = ok && strings.Contains(s, x)
		}
		if ok {
			return
		}
		select {
		case msg := <-p.msgs:
			p.send(msg)
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			p.t.Fatalf("waiting for %q: the screen shows\n%s", texts, s)
		}
	}
}

// sweep draws the screen as it is at every size of the grid and checks
// each frame: exactly the window's height, no line wider than the window,
// and, from 80×24 up, where the operator is (profile, region, account and
// READ-ONLY under read-only) in the status bar, whole. visible, when set,
// must show at every size from 40 columns: the prompt or pane the state
// is about. The window is put back to 160×48 at the end.
func (p *pump) sweep(name string, visible ...string) {
	p.t.Helper()
	s := p.m.common.Env.Session
	essentials := []string{s.Profile.Name, "region " + s.Region, "account " + sweepAccount}
	if s.ReadOnly() {
		essentials = append(essentials, "READ-ONLY")
	}
	for _, w := range sweepWidths {
		for _, h := range sweepHeights {
			p.send(tea.WindowSizeMsg{Width: w, Height: h})
			frame := p.m.render()
			lines := strings.Split(frame, "\n")
			if len(lines) != h {
				p.t.Errorf("%s at %dx%d: %d lines", name, w, h, len(lines))
			}
			for i, l := range lines {
				if lw := lipgloss.Width(l); lw > w {
					p.t.Errorf("%s at %dx%d: line %d is %d wide: %q", name, w, h, i, lw, ansi.Strip(l))
				}
			}
			plain := ansi.Strip(frame)
			if w >= 80 && h >= 24 {
				bar := ansi.Strip(p.m.statusBar())
				for _, e := range essentials {
					if !strings.Contains(bar, e) {
						p.t.Errorf("%s at %dx%d: the status bar %q lacks %q", name, w, h, bar, e)
					}
				}
			}
			if w >= 40 {
				for _, v := range visible {
					if !strings.Contains(plain, v) {
						p.t.Errorf("%s at %dx%d: %q is not on screen:\n%s", name, w, h, v, plain)
					}
				}
			}
		}
	}
	p.send(tea.WindowSizeMsg{Width: 160, Height: 48})
}

// TestEveryScreenFitsEverySize walks every tab, its prompts and detail
// panes, and every overlay of the root, on a read-only session (and a
// writable one for what read-only refuses: the dialogs and forms of a
// write), and sweeps each over the size grid.
func TestEveryScreenFitsEverySize(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every screen at 32 sizes")
	}
	e, cfg := sweepScene(t)
	ro := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	p := newPump(t, ro, cfg)
	p.until("account "+sweepAccount, "orders")

	// Streams: the list, its filter; the overlays over it.
	p.sweep("streams")
	p.press("/")
	p.typeText("ord")
	p.sweep("streams filter", "/ord")
	p.press("esc", "esc")
	p.press("?")
	p.sweep("help")
	p.press("esc", ":")
	p.typeText("ta")
	p.sweep("palette", ":ta")
	p.press("esc", "P")
	p.sweep("profile picker", "Profiles")
	p.press("esc", "L")
	p.sweep("call log", "Call log")
	p.press("esc")

	// Shards of orders: the list, the position and jq prompts, a tail
	// from the start, a record's detail and its trace.
	p.press("enter")
	p.until("shardId-000000000000")
	p.sweep("shards")
	p.press("f")
	p.sweep("shards from prompt", "from: ")
	p.press("ctrl+u")
	p.typeText("trim-horizon")
	p.press("enter", "J")
	p.sweep("shards jq prompt", "jq: ")
	p.press("esc", "a")
	p.until(`"orderId":"o-3"`)
	p.sweep("tail")
	p.press("space", "J")
	p.sweep("tail jq prompt", "jq: ")
	p.press("esc", "enter")
	p.until("customer-")
	p.sweep("record detail")
	p.press("t")
	p.until("Dead-letter queues")
	p.sweep("trace", "Trace")
	p.press("esc", "esc", "esc")

	// DLQs: the list, a queue's messages, a message's detail, and the
	// list again once the detail closes.
	p.press("3")
	p.until("orders-dlq")
	p.sweep("dlqs")
	p.press("/")
	p.typeText("orders-dlq")
	p.press("enter", "enter")
	p.until("RetryAttemptsExhausted")
	p.sweep("dlq messages")
	p.press("enter")
	p.until("condition RetryAttemptsExhausted")
	p.sweep("dlq message detail")
	p.press("esc")
	p.sweep("dlq messages after the detail")
	p.press("esc")

	// Archives: consumer, days, hours, events, an event's detail, and the
	// jq and partition-key prompts over the events and the detail.
	p.press("4")
	p.until("orders-to-api")
	p.sweep("archives")
	p.press("K")
	p.sweep("archives partition key prompt", "partition key: ")
	p.press("esc", "/")
	p.typeText("orders-to-api")
	p.press("enter", "enter")
	today := time.Now().UTC().Format("2006-01-02")
	p.until("Archives › orders-to-api", "  "+today+" ")
	p.press("enter")
	p.until(":00–")
	p.press("enter")
	p.until("customer-0")
	p.sweep("archived events")
	p.press("J")
	p.typeText(".amount")
	p.sweep("archives jq prompt", "jq: .amount")
	p.press("esc", "K")
	p.sweep("archives partition key prompt over events", "partition key: ")
	p.press("esc", "enter")
	p.until("RetryAttemptsExhausted")
	p.sweep("archived event detail")
	p.press("J")
	p.sweep("archives jq prompt over the detail", "jq: ")
	p.press("esc", "esc")

	// Metrics, and help over it (its own keys).
	p.press("5")
	p.sweep("metrics")
	p.press("?")
	p.sweep("metrics help")
	p.press("esc")

	// The consumer pane, from a stream and from a DLQ, once a pipe reads
	// the stream; S under read-only says why it refuses.
	sweepPipeToQueue(t, e)
	p.press("1", "C")
	p.until("Consumers of stream orders", "orders-to-out", "last hour")
	p.sweep("consumer pane", "Consumers of stream orders")
	p.press("S")
	p.until("refused, sluice runs read-only")
	p.press("?")
	p.sweep("consumer pane help")
	p.press("esc", "esc", "3", "C")
	p.until("Sources of DLQ", "orders-to-out")
	p.sweep("dlq sources pane", "Sources of DLQ")
	p.press("esc")

	// A writable session: a confirmation, and the forms of a write.
	rw := backendtest.OpenOn(t, e, backend.Env{})
	w := newPump(t, rw, cfg)
	w.until("account "+sweepAccount, "orders")
	w.send(common.ConfirmRequest{Title: "Purge orders-dlq?", Lines: []string{"deletes all 2 messages of orders-dlq", "this cannot be undone"},
		TypeToConfirm: "orders-dlq", OnYes: func() tea.Msg { return nil }})
	w.sweep("confirm", "Purge orders-dlq?")
	w.press("esc", "c")
	w.sweep("create stream form", "Create a stream", "> name", "letters, digits")
	w.press("esc", "p")
	w.sweep("put record form", "> partition key")
	w.press("esc", "C")
	w.until("orders-to-out", "RUNNING")
	w.press("S")
	w.until("Stop pipe orders-to-out?")
	w.sweep("consumer stop confirm", "Stop pipe orders-to-out?")
	w.press("esc", "esc")
}

// sweepPipeToQueue makes a pipe from the sweep's stream to a queue, its
// failures going to orders-dlq.
func sweepPipeToQueue(t *testing.T, e *enginetest.Engine) {
	t.Helper()
	_, out := inventorytest.Queue(t, e, "orders-out", nil)
	inventorytest.Pipe(t, e, "orders-to-out", sweepStream, out, "arn:aws:sqs:us-east-1:"+sweepAccount+":orders-dlq", nil)
}
