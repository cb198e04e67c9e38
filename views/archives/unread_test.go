package archives

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// retiredKey is an event of a consumer whose pipeline is gone: only the
// archive's folders name it.
const retiredKey = "failed/retired/2026/01/02/03/pk-1767323000000-abc.json"

// consumerRow is the row of the consumer named name, its cells joined.
func consumerRow(m *Model, name string) (string, bool) {
	for _, r := range m.consumers.Rows() {
		if r.ID == name {
			return strings.Join(r.Cells, " | "), true
		}
	}
	return "", false
}

// TestPartialRefreshKeepsTheConsumersItCouldNotRead: the consumers are
// the demo-like pipe orders-to-api (found by Pipes, its archive by its
// tag) and retired (named by the archive's folders alone). A refresh
// with Pipes denied lost both (the archive is known through the pipe),
// and one with the archive's listing denied lost retired: a denied source
// read as "gone". Now they stay, marked not re-read with the failure,
// the header names it, and a read that answers without retired drops it.
func TestPartialRefreshKeepsTheConsumersItCouldNotRead(t *testing.T) {
	sc := newScene(t, 1)
	inventorytest.Pipe(t, sc.e, "orders-to-api", streamARN, replayARN, "arn:aws:sqs:us-east-1:"+account+":orders-dlq",
		map[string]string{"sluice:archive": "s3://archive/failed/"})
	if _, err := sc.e.S3().PutObject(sc.ctx, &s3.PutObjectInput{Bucket: aws.String("archive"), Key: aws.String(retiredKey),
		Body: strings.NewReader(`{}`)}); err != nil {
		t.Fatal(err)
	}
	p := faultproxy.Start(t, sc.e.URL)
	s := backendtest.OpenOn(t, sc.e, backend.Env{Endpoint: p.URL})
	clk := &movable{at: hour9}
	m := New(newCommon(s, config.File{}, 200, 30, true), WithClock(clk.now))
	d := viewtest.NewDriver(t, m)
	d.Run(m.Init())
	for _, c := range []string{"orders-to-api", "retired"} {
		if r, ok := consumerRow(m, c); !ok || strings.Contains(r, "not re-read") {
			t.Fatalf("first read: %s is %q (listed %v)", c, r, ok)
		}
	}
	pipeRow, _ := consumerRow(m, "orders-to-api")
	refresh := func() {
		t.Helper()
		clk.advance(common.RefreshEvery)
		d.Send(common.AutoRefreshMsg{})
	}
	header := func() string { return ansi.Strip(m.header()) }
	banner := func() string { return ansi.Strip(strings.Join(m.bannerLines(), " ")) }

	// Pipes denied: neither could be read again.
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	refresh()
	for _, c := range []string{"orders-to-api", "retired"} {
		r, ok := consumerRow(m, c)
		if !ok || !strings.Contains(r, c+" (not re-read)") {
			t.Errorf("pipes denied: %s is %q (listed %v), want it kept, marked", c, r, ok)
		}
	}
	// What the pipe said of itself stays: its stream, archive and target.
	if r, _ := consumerRow(m, "orders-to-api"); !strings.Contains(r, "pipe | orders | s3://archive/failed/ | "+replayARN) {
		t.Errorf("the kept pipeline lost what was read of it: %q (was %q)", r, pipeRow)
	}
	if h := header(); !strings.Contains(h, "could not read: pipes: denied") {
		t.Errorf("the header does not name the failure: %q", h)
	}
	if b := banner(); !strings.Contains(b, "2 consumers not re-read, shown as last read: orders-to-api (pipes denied), retired (pipes denied)") {
		t.Errorf("the banner does not say which consumers are as last read: %q", b)
	}
	for _, size := range viewtest.GoldenSizes() {
		m.SetSize(size.W, size.H)
		viewtest.CheckView(t, m.View(), size.W, size.H)
	}
	m.SetSize(200, 30)

	// The archive's listing denied: the pipe is read again, retired not.
	p.Clear()
	p.Add(&faultproxy.Rule{Service: "s3", Match: func(r faultproxy.Request) bool {
		return listObjects(r) && r.Query.Get("prefix") == "failed/"
	}, Fault: faultproxy.Denied("s3:ListBucket", "arn:aws:s3:::archive")})
	refresh()
	if r, ok := consumerRow(m, "orders-to-api"); !ok || strings.Contains(r, "not re-read") {
		t.Errorf("archive denied: orders-to-api is %q (listed %v), want it read", r, ok)
	}
	if r, ok := consumerRow(m, "retired"); !ok || !strings.Contains(r, "retired (not re-read)") {
		t.Errorf("archive denied: retired is %q (listed %v), want it kept, marked", r, ok)
	}
	if h := header(); !strings.Contains(h, "could not read: s3 archive s3://archive/failed/: denied") {
		t.Errorf("the header does not name the failure: %q", h)
	}
	if b := banner(); !strings.Contains(b, "1 consumer not re-read, shown as last read: retired (s3 denied)") {
		t.Errorf("the banner does not say which consumer is as last read: %q", b)
	}

	// Every source answers, without retired's events: it is gone.
	p.Clear()
	if _, err := sc.e.S3().DeleteObject(sc.ctx, &s3.DeleteObjectInput{Bucket: aws.String("archive"), Key: aws.String(retiredKey)}); err != nil {
		t.Fatal(err)
	}
	refresh()
	if r, ok := consumerRow(m, "retired"); ok {
		t.Errorf("a whole read without retired keeps it: %q", r)
	}
	if r, ok := consumerRow(m, "orders-to-api"); !ok || strings.Contains(r, "not re-read") {
		t.Errorf("whole read: orders-to-api is %q (listed %v)", r, ok)
	}
	if b := banner(); b != "" {
		t.Errorf("a whole read leaves a banner: %q", b)
	}
	viewtest.CheckView(t, m.View(), 200, 30)
}
