package streams

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/backend/streamadmin"
	"github.com/sluicehq/sluice/keymap"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/confirm"
	"github.com/sluicehq/sluice/views/viewtest"
)

// world is an engine with three streams, a pipe reading alpha whose DLQ
// holds one message.
func world(t *testing.T) (*backend.Session, *enginetest.Engine) {
	t.Helper()
	s, e := backendtest.Open(t)
	alpha := inventorytest.Stream(t, e, "alpha", 2)
	inventorytest.Stream(t, e, "beta", 1)
	inventorytest.Stream(t, e, "gamma", 1)
	dlqURL, dlqARN := inventorytest.Queue(t, e, "alpha-dlq", nil)
	_, targetARN := inventorytest.Queue(t, e, "alpha-target", nil)
	inventorytest.Pipe(t, e, "alpha-pipe", alpha, targetARN, dlqARN, nil)
	if _, err := e.SQS().SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(dlqURL), MessageBody: aws.String("{}")}); err != nil {
		t.Fatal(err)
	}
	return s, e
}

func loaded(t *testing.T, s *backend.Session, opts ...Option) *driver {
	t.Helper()
	d := newDriver(t, newTab(t, s, 120, 30, true, opts...))
	d.Run(d.m.Init())
	return d
}

func TestListsEveryStreamPageByPageWithItsFigures(t *testing.T) {
	s, _ := world(t)
	d := loaded(t, s, WithPageSize(1))
	if got := d.m.Names(); !slices.Equal(got, []string{"alpha", "beta", "gamma"}) {
		t.Fatalf("names = %v", got)
	}
	if d.m.loading {
		t.Error("still loading after the last page")
	}
	c := d.cells("alpha")
	if c[1] != "provisioned" || c[2] != "active" || c[3] != "2" || c[4] != "24h" {
		t.Errorf("alpha cells = %q", c)
	}
	if c[7] != "1" {
		t.Errorf("alpha DLQ depth = %q, want 1", c[7])
	}
	if b := d.cells("beta"); b[7] != "–" || b[3] != "1" {
		t.Errorf("beta cells = %q", b)
	}
	// The sparkline and iterator age cells were asked for and answered.
	if c[5] == pendingCell || c[6] == pendingCell {
		t.Errorf("metrics not loaded: %q", c)
	}
	for _, st := range viewtest.Take[common.StatusMsg](d.Driver) {
		if st.Level == common.Failure {
			t.Errorf("failure: %s", st.Text)
		}
	}
}

func TestFirstPageShowsBeforeTheRest(t *testing.T) {
	s, _ := world(t)
	m := newTab(t, s, 120, 30, true, WithPageSize(1))
	d := newDriver(t, m)
	// Run only the first page's command: its row shows, more are coming.
	cmd := m.load()
	var first pageMsg
	for _, c := range flatten(cmd) {
		if msg, ok := c().(pageMsg); ok {
			first = msg
		}
	}
	d.m.Update(first)
	if got := d.m.Names(); !slices.Equal(got, []string{"alpha"}) || !d.m.loading {
		t.Fatalf("after one page: %v loading=%v", got, d.m.loading)
	}
	if v := ansi.Strip(d.m.View()); !strings.Contains(v, "listing more") {
		t.Errorf("the header does not say more are coming:\n%s", v)
	}
}

func TestSelectionSurvivesRefresh(t *testing.T) {
	s, e := world(t)
	d := loaded(t, s)
	d.Press("j")
	if d.selected() != "beta" {
		t.Fatalf("selected %q", d.selected())
	}
	// A stream created before beta meanwhile does not move the cursor.
	inventorytest.Stream(t, e, "aardvark", 1)
	d.Send(common.RefreshMsg{})
	if d.selected() != "beta" || len(d.m.Names()) != 4 {
		t.Fatalf("after refresh: selected %q of %v", d.selected(), d.m.Names())
	}
}

func TestOpenSelectsAndEnterOpensShards(t *testing.T) {
	s, _ := world(t)
	d := newDriver(t, newTab(t, s, 120, 30, true))
	// Opened before the list arrived: selected once it does.
	d.Send(common.OpenMsg{Tab: common.StreamsTab, Target: "gamma"})
	d.Run(d.m.Init())
	if d.selected() != "gamma" {
		t.Fatalf("selected %q", d.selected())
	}
	d.Send(common.OpenMsg{Tab: common.StreamsTab, Target: "beta"})
	if d.selected() != "beta" {
		t.Fatalf("selected %q", d.selected())
	}
	d.Send(common.OpenMsg{Tab: common.StreamsTab})
	if d.selected() != "beta" {
		t.Fatalf(":streams moved the cursor to %q", d.selected())
	}
	d.Press("enter")
	opens := viewtest.Take[common.OpenMsg](d.Driver)
	if len(opens) != 1 || opens[0].Tab != common.ShardsTab || opens[0].Target != "beta" {
		t.Fatalf("enter = %+v", opens)
	}
}

func TestSessionSwitchDropsEverythingAndStaleRepliesDie(t *testing.T) {
	s, _ := world(t)
	d := loaded(t, s)
	old := d.m.load() // a reload in flight when the session changes

	s2, e2 := backendtest.Open(t)
	inventorytest.Stream(t, e2, "other", 1)
	env := &common.Env{Session: s2, Gen: 2}
	d.m.c.Env = env // as the root does
	_, cmd := d.m.Update(common.SessionMsg{})
	if n := len(d.m.Names()); n != 0 {
		t.Fatalf("rows kept across sessions: %v", d.m.Names())
	}
	d.Run(cmd)
	d.Run(old) // the old session's answers arrive late
	if got := d.m.Names(); !slices.Equal(got, []string{"other"}) {
		t.Fatalf("names = %v", got)
	}
}

func TestCreateAsksWithWhatWillChangeThenCreates(t *testing.T) {
	s, e := world(t)
	d := loaded(t, s)
	d.Press("c")
	if !d.m.Capturing() {
		t.Fatal("the form does not capture keys")
	}
	d.Type("orders-2")
	d.Press("tab", "tab", "ctrl+u")
	d.Type("3")
	if v := ansi.Strip(d.m.View()); !strings.Contains(v, "Create a stream") || !strings.Contains(v, "orders-2") {
		t.Errorf("form not shown:\n%s", v)
	}
	d.Press("enter")
	reqs := viewtest.Take[common.ConfirmRequest](d.Driver)
	if len(reqs) != 1 {
		t.Fatalf("confirm requests = %v (form %+v)", reqs, d.m.form)
	}
	r := reqs[0]
	if r.Title != "Create stream orders-2" || r.TypeToConfirm != "" {
		t.Errorf("request = %+v", r)
	}
	if want := "Creates the Kinesis stream orders-2 (provisioned, 3 shards)"; r.Lines[0] != want {
		t.Errorf("line 0 = %q, want %q", r.Lines[0], want)
	}
	if !strings.Contains(r.Lines[1], "profile local") {
		t.Errorf("line 1 = %q", r.Lines[1])
	}
	if d.m.Capturing() {
		t.Error("still capturing after submit")
	}
	d.Run(r.OnYes)
	sum, err := e.Kinesis().DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders-2")})
	if err != nil {
		t.Fatalf("stream not created: %v", err)
	}
	if n := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); n != 3 {
		t.Errorf("%d shards", n)
	}
	if !slices.Contains(d.m.Names(), "orders-2") {
		t.Errorf("not listed after the create: %v", d.m.Names())
	}
}

func TestCreateOnDemandAndBadNames(t *testing.T) {
	s, e := world(t)
	d := loaded(t, s)
	d.Press("c")
	d.Type("bad name!")
	d.Press("enter", "enter", "enter")
	if d.m.form == nil || d.m.form.err == "" || len(viewtest.Take[common.ConfirmRequest](d.Driver)) != 0 {
		t.Fatal("a bad name was accepted")
	}
	d.Press("esc")
	if d.m.form != nil {
		t.Fatal("esc did not close the form")
	}
	d.Press("c")
	d.Type("od")
	d.Press("tab", "space", "enter")
	reqs := viewtest.Take[common.ConfirmRequest](d.Driver)
	if len(reqs) != 1 || !strings.Contains(reqs[0].Lines[0], "on-demand") {
		t.Fatalf("requests = %+v", reqs)
	}
	d.Run(reqs[0].OnYes)
	sum, err := e.Kinesis().DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})
	if err != nil || sum.StreamDescriptionSummary.StreamModeDetails.StreamMode != "ON_DEMAND" {
		t.Fatalf("on-demand stream: %v %+v", err, sum)
	}
}

func TestDeleteNeedsTheTypedName(t *testing.T) {
	s, e := world(t)
	d := loaded(t, s)
	d.Send(common.OpenMsg{Tab: common.StreamsTab, Target: "beta"})
	d.Press("D")
	reqs := viewtest.Take[common.ConfirmRequest](d.Driver)
	if len(reqs) != 1 {
		t.Fatalf("requests = %v", reqs)
	}
	r := reqs[0]
	if r.TypeToConfirm != "beta" || r.Title != "Delete stream beta" {
		t.Fatalf("request = %+v", r)
	}
	if !strings.Contains(strings.Join(r.Lines, " "), "1 open shard, 24h of retention") {
		t.Errorf("lines = %q", r.Lines)
	}
	// The root's dialog for this request says no to a yes until the
	// name is typed.
	km := keymap.Default()
	dlg := confirm.New(d.m.c.Styles, &km.Dialog, r.Title, r.Lines, r.TypeToConfirm)
	dlg, _ = dlg.Update(viewtest.Key("enter"))
	if dlg.Answer() != confirm.Pending {
		t.Fatal("yes without the typed name")
	}
	for _, c := range "beta" {
		dlg, _ = dlg.Update(viewtest.Key(string(c)))
	}
	dlg, _ = dlg.Update(viewtest.Key("y"))
	if dlg.Answer() != confirm.Yes {
		t.Fatalf("typed name then y = %v", dlg.Answer())
	}
	d.Run(r.OnYes)
	_, err := e.Kinesis().DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("beta")})
	if err == nil {
		sum, _ := e.Kinesis().DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("beta")})
		if sum.StreamDescriptionSummary.StreamStatus != "DELETING" {
			t.Fatalf("beta still there: %v", sum.StreamDescriptionSummary.StreamStatus)
		}
	}
}

func TestRetentionGoesUpAndDownWithTheRightCall(t *testing.T) {
	s, e := world(t)
	d := loaded(t, s)
	retain := func() int32 {
		sum, err := e.Kinesis().DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("alpha")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToInt32(sum.StreamDescriptionSummary.RetentionPeriodHours)
	}
	set := func(hours string) []string {
		t.Helper()
		d.Press("R", "ctrl+u")
		d.Type(hours)
		d.Press("enter")
		reqs := viewtest.Take[common.ConfirmRequest](d.Driver)
		if len(reqs) != 1 {
			t.Fatalf("set %s: requests = %v, form = %+v", hours, reqs, d.m.form)
		}
		d.Run(reqs[0].OnYes)
		return reqs[0].Lines
	}
	lines := set("48")
	if !strings.Contains(lines[0], "from 24 to 48 hours (24h → 2d)") || !strings.Contains(lines[1], "IncreaseStreamRetentionPeriod") {
		t.Errorf("increase lines = %q", lines)
	}
	if got := retain(); got != 48 {
		t.Fatalf("retention %d after increase", got)
	}
	if c := d.cells("alpha"); c[4] != "2d" {
		t.Errorf("retention cell %q", c[4])
	}
	lines = set("30")
	if !strings.Contains(lines[1], "DecreaseStreamRetentionPeriod") || !strings.Contains(lines[2], "older than 30 hours") {
		t.Errorf("decrease lines = %q", lines)
	}
	if got := retain(); got != 30 {
		t.Fatalf("retention %d after decrease", got)
	}
	// Out of range: the form says so and asks nothing.
	d.Press("R", "ctrl+u")
	d.Type("9000")
	d.Press("enter")
	if d.m.form == nil || !strings.Contains(d.m.form.err, "24 to 8760") || len(viewtest.Take[common.ConfirmRequest](d.Driver)) != 0 {
		t.Fatalf("9000 hours accepted: %+v", d.m.form)
	}
}

func TestPutRecordInlineWithoutAnEditor(t *testing.T) {
	s, _ := world(t)
	d := loaded(t, s)
	d.Press("p")
	if d.m.form == nil || len(d.m.form.fields) != 2 {
		t.Fatalf("form = %+v", d.m.form)
	}
	d.Press("ctrl+u")
	d.Type("k1")
	d.Press("enter", "enter")
	reqs := viewtest.Take[common.ConfirmRequest](d.Driver)
	if len(reqs) != 1 {
		t.Fatalf("requests = %v (%+v)", reqs, d.m.form)
	}
	all := strings.Join(reqs[0].Lines, "\n")
	if !strings.Contains(all, "stream alpha") || !strings.Contains(all, "partition key k1") || !strings.Contains(all, `"type":"TestEvent"`) {
		t.Errorf("lines = %s", all)
	}
	d.Run(reqs[0].OnYes)
	found := false
	for _, st := range viewtest.Take[common.StatusMsg](d.Driver) {
		if st.Level == common.Success && strings.Contains(st.Text, "put a record to alpha: shardId-") {
			found = true
		}
		if st.Level == common.Failure {
			t.Errorf("failure: %s", st.Text)
		}
	}
	if !found {
		t.Error("no success status")
	}
}

func TestPutRecordFromTheEditorsFile(t *testing.T) {
	s, _ := world(t)
	d := loaded(t, s, WithGetenv(func(k string) string {
		if k == "EDITOR" {
			return "vi -n"
		}
		return ""
	}))
	d.Press("p")
	if d.m.form == nil || len(d.m.form.fields) != 1 || strings.Join(d.m.form.editor, " ") != "vi -n" {
		t.Fatalf("form = %+v", d.m.form)
	}
	// What the editor leaves in the file is what is put.
	path := filepath.Join(t.TempDir(), "record.json")
	if err := os.WriteFile(path, []byte(`{"hello": "world"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	d.Send(editedMsg{Stamp: d.m.writeStamp(), stream: "alpha", key: "pk", path: path})
	reqs := viewtest.Take[common.ConfirmRequest](d.Driver)
	if len(reqs) != 1 || !strings.Contains(reqs[0].Lines[2], `{"hello": "world"}`) {
		t.Fatalf("requests = %+v", reqs)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("the temporary file was left behind")
	}
}

func TestReadOnlyOffersNoWrites(t *testing.T) {
	_, e := world(t)
	s := backendtest.OpenOn(t, e, backend.Env{ReadOnly: true})
	d := loaded(t, s)
	d.Press("c", "D", "R", "p")
	if reqs := viewtest.Take[common.ConfirmRequest](d.Driver); len(reqs) != 0 {
		t.Fatalf("read-only produced confirmations: %+v", reqs)
	}
	if d.m.form != nil || d.m.Capturing() {
		t.Fatal("read-only opened a form")
	}
	for _, group := range d.m.FullHelp() {
		for _, b := range group {
			if slices.Contains([]string{"c", "D", "R", "p"}, b.Help().Key) {
				t.Errorf("help offers %s", b.Help().Key)
			}
		}
	}
	for _, b := range d.m.ShortHelp() {
		if b.Help().Key == "c" {
			t.Error("short help offers create")
		}
	}
	// The backend refuses too, should a write get through.
	if err := streamadmin.Create(context.Background(), s, "x", 1, false); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("createStream under read-only: %v", err)
	}
}

func TestCompletions(t *testing.T) {
	s, _ := world(t)
	d := loaded(t, s)
	for _, cmd := range []string{"tail", "shards", "metrics"} {
		if got := d.m.Completions(cmd); !slices.Equal(got, []string{"alpha", "beta", "gamma"}) {
			t.Errorf("%s: %v", cmd, got)
		}
	}
	if got := d.m.Completions("dlq"); got != nil {
		t.Errorf("dlq: %v", got)
	}
}
