package dlq

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/deadline"
	bdlq "github.com/sluicehq/sluice/backend/dlq"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/chart"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// evil is what a hostile payload or name may hold: a screen clear and an
// OSC 52 clipboard write.
const evil = "\x1b[2J\x1b]52;c;aGk=\x07"

func fixedDLQs() []inventory.DLQ {
	return []inventory.DLQ{
		{Queue: inventory.Queue{Name: "orders-dlq", URL: "http://127.0.0.1:4577/000000000000/orders-dlq", ARN: "arn:aws:sqs:us-east-1:000000000000:orders-dlq", Visible: 12, NotVisible: 1},
			Sources: []inventory.Source{{Kind: inventory.SourcePipe, Name: "orders-to-api"}}, Archived: true, Notes: []string{"lambda: not served by this endpoint"}},
		{Queue: inventory.Queue{Name: "jobs-dlq", URL: "http://127.0.0.1:4577/000000000000/jobs-dlq", Visible: 3},
			Sources: []inventory.Source{{Kind: inventory.SourceSQS, Name: "jobs"}}},
		{Queue: inventory.Queue{Name: "payments-dlq", URL: "http://127.0.0.1:4577/000000000000/payments-dlq"},
			Sources: []inventory.Source{{Kind: inventory.SourceLambda, Name: "charge" + evil}}},
	}
}

func fixedMetrics() map[string]queueMetrics {
	age := 3720.0
	young := 45.0
	end := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	series := func(vals ...float64) []chart.Point {
		var out []chart.Point
		for i, v := range vals {
			if v >= 0 { // a negative value is a period without data
				out = append(out, chart.Point{Time: end.Add(time.Duration(i-len(vals)) * 5 * time.Minute), Value: v})
			}
		}
		return out
	}
	return map[string]queueMetrics{
		"orders-dlq": {Age: &age, Depth: series(0, 0, 1, 2, 2, 3, 5, 8, 8, 9, 11, 12), Start: end.Add(-time.Hour), End: end, Period: 5 * time.Minute},
		"jobs-dlq":   {Age: &young, Depth: series(3, 3, -1, -1, 3), Start: end.Add(-time.Hour), End: end, Period: 5 * time.Minute},
	}
}

func failure(i int) bdlq.Message {
	start := fmt.Sprintf("4959033827149025660855969253836157109592157598913658%04d", i)
	at := time.Date(2026, 11, 27, 9, 0, i, 0, time.UTC)
	body := fmt.Sprintf(`{"context":{"partnerResourceArn":"arn:aws:pipes:us-east-1:000000000000:pipe/orders-to-api","condition":"RetryAttemptsExhausted"},"version":"1.0","timestamp":"2026-11-27T09:00:%02d.000Z","KinesisBatchInfo":{"shardId":"shardId-000000000001","startSequenceNumber":"%s","endSequenceNumber":"%s","approximateArrivalOfFirstRecord":"2026-11-27T08:59:00.000Z","approximateArrivalOfLastRecord":"2026-11-27T08:59:00.000Z","batchSize":%d,"streamArn":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}}`, i, start, start+"9", i+1)
	f, err := bdlq.ParseFailure(body)
	if err != nil {
		panic(err)
	}
	return bdlq.Message{ID: fmt.Sprintf("%08x-1111-2222-3333-444455556666", i+0xa0), Body: body, ReceiveCount: i + 1, SentAt: at, Failure: f}
}

func fixedBrowse() bdlq.BrowseResult {
	msgs := []bdlq.Message{failure(0), failure(1)}
	msgs = append(msgs, bdlq.Message{ID: "ffffffff-0000-1111-2222-333344445555", Body: "evil payload " + evil + " end", ReceiveCount: 4,
		SentAt: time.Date(2026, 11, 27, 9, 5, 0, 0, time.UTC)})
	return bdlq.BrowseResult{
		Queue:    bdlq.Queue{Name: "orders-dlq", ARN: "arn:aws:sqs:us-east-1:000000000000:orders-dlq", Visible: 3, InFlight: 0},
		Messages: msgs, Released: 3, Complete: true,
		Warning: "This browse raised the receive count of each of the 3 messages it read by one (SQS counts every receive, a peek's too).",
	}
}

// fixedModel is the tab fed the messages its commands would produce.
func fixedModel(t *testing.T, w, h int) *Model {
	t.Helper()
	m := New(newCommon(&backend.Session{}, w, h, true), WithClock(func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }))
	m.Init()
	m.Update(listMsg{Stamp: m.lists.Current(m.env()), List: inventory.DLQList{DLQs: fixedDLQs()}})
	m.Update(metricsMsg{Stamp: m.lists.Current(m.env()), Metrics: fixedMetrics()})
	m.Update(deadlinesMsg{Stamp: m.lists.Current(m.env()), Queues: fixedDeadlines()})
	return m
}

// fixedDeadlines: orders-dlq was browsed, its nearest deadline 45 minutes
// off and one message's records gone; payments-dlq has a bound; jobs-dlq
// (an SQS source) none.
func fixedDeadlines() []deadline.Queue {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	near := failure(0).ID
	return []deadline.Queue{
		{Queue: "orders-dlq", Exact: true, At: now.Add(45 * time.Minute), Cause: deadline.CauseStream, MessageID: near, Messages: 2, RecordsGone: 1,
			Each: []deadline.Message{
				{MessageID: near, At: now.Add(45 * time.Minute), Cause: deadline.CauseStream},
				{MessageID: failure(1).ID, At: now.Add(-time.Minute), Cause: deadline.CauseStream, RecordsGone: true},
			}},
		{Queue: "jobs-dlq", Basis: "no Kinesis source"},
		{Queue: "payments-dlq", At: now.Add(5*time.Hour + 10*time.Minute), Cause: deadline.CauseStream},
	}
}

func (m *Model) browsed(t *testing.T) {
	t.Helper()
	m.Update(common.OpenMsg{Tab: common.DLQTab, Target: "orders-dlq"})
	m.Update(browseMsg{Stamp: m.browses.Current(m.env()), Queue: target{name: "orders-dlq", url: fixedDLQs()[0].Queue.URL, arn: fixedDLQs()[0].Queue.ARN}, Result: fixedBrowse()})
}

func TestGoldenList(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		view := ansi.Strip(m.View())
		if w >= 160 && !strings.Contains(view, `charge\x1b[2J\x1b]52;c;aGk=\x07`) {
			t.Errorf("the hostile source is not shown inert:\n%s", view)
		}
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenBrowse(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.browsed(t)
		m.Update(viewtest.Key("space"))
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenDetail(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.browsed(t)
		m.Update(viewtest.Key("enter"))
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenHostilePayloadDetail(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.browsed(t)
		m.Update(viewtest.Key("G"))
		m.Update(viewtest.Key("enter"))
		if !strings.Contains(ansi.Strip(m.View()), `\x1b[2J`) {
			t.Errorf("the escape is not shown:\n%s", ansi.Strip(m.View()))
		}
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestGoldenProgress(t *testing.T) {
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		m := fixedModel(t, w, h)
		m.browsed(t)
		m.job = &job{queue: "orders-dlq", cancel: func() {}}
		m.job.bar.Label, m.job.bar.Total, m.job.bar.Done, m.job.bar.Failed, m.job.bar.Rate = "hydrate orders-dlq", 12, 5, 1, 2.5
		m.layout()
		viewtest.Golden(t, m.View(), w, h)
	})
}

func TestEverySizeIsExact(t *testing.T) {
	for _, w := range []int{12, 40, 80, 119, 120, 200} {
		for _, h := range []int{3, 6, 24} {
			m := fixedModel(t, w, h)
			check := func(what string) {
				t.Helper()
				lines := strings.Split(ansi.Strip(m.View()), "\n")
				if len(lines) != h {
					t.Fatalf("%s %dx%d: %d lines", what, w, h, len(lines))
				}
				for i, l := range lines {
					if ansi.StringWidth(l) != w {
						t.Fatalf("%s %dx%d: line %d is %d wide: %q", what, w, h, i, ansi.StringWidth(l), l)
					}
				}
			}
			check("list")
			m.browsed(t)
			check("browse")
			m.job = &job{cancel: func() {}}
			m.job.bar.Label, m.job.bar.Total = "hydrate", 3
			m.layout()
			check("progress")
			m.Update(viewtest.Key("enter"))
			check("detail")
		}
	}
}

func TestAMebibytePayloadStaysOnOneCutLine(t *testing.T) {
	m := fixedModel(t, 120, 30)
	m.Update(common.OpenMsg{Tab: common.DLQTab, Target: "orders-dlq"})
	big := `{"blob":"` + strings.Repeat("x", 1<<20) + `"}`
	res := fixedBrowse()
	res.Messages = append(res.Messages, bdlq.Message{ID: "big", Body: big, SentAt: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)})
	m.Update(browseMsg{Stamp: m.browses.Current(m.env()), Queue: target{name: "orders-dlq"}, Result: res})
	// How fast this draws is BenchmarkView's business; here, that each
	// frame stays the screen's size.
	m.SetSize(120, 30)
	if v := m.View(); len(strings.Split(v, "\n")) != 30 {
		t.Errorf("the list view is %d lines", len(strings.Split(v, "\n")))
	}
	m.Update(viewtest.Key("G"))
	m.Update(viewtest.Key("enter"))
	view := m.View()
	if len(view) > 64<<10 {
		t.Errorf("the view is %d bytes", len(view))
	}
	for i, l := range strings.Split(ansi.Strip(view), "\n") {
		if ansi.StringWidth(l) != 120 {
			t.Fatalf("line %d is %d wide", i, ansi.StringWidth(l))
		}
	}
}
