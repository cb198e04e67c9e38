package archives

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// TestCopyToAnotherProfileFromTheArchives: on a read-only session, C at
// an hour, tab to pick the profile, a queue named there: the dialog says
// the source is not marked, the hour's events land in the other engine's
// queue with their ids, and the source archive is as it was. A read-only
// destination is refused before asking.
func TestCopyToAnotherProfileFromTheArchives(t *testing.T) {
	sc := newScene(t, 3)
	dev := enginetest.Start(t)
	q, err := dev.SQS().CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("debug")})
	if err != nil {
		t.Fatal(err)
	}
	profiles := []backend.Profile{
		{Name: backend.LocalProfile, Kind: backend.KindLocal},
		{Name: "dev", Kind: backend.KindLocal, Region: dev.Region},
		{Name: "shared", Kind: backend.KindLocal, Region: dev.Region, ReadOnly: true},
	}
	opened := map[string]int{}
	env := &common.Env{Session: backendtest.OpenOn(t, sc.e, backend.Env{ReadOnly: true}), Config: sc.cfg, Profiles: profiles,
		OpenOther: func(ctx context.Context, p backend.Profile) (*backend.Session, error) {
			opened[p.Name]++
			return backend.Open(ctx, p, backend.Env{Local: func(context.Context) (string, error) { return dev.URL, nil }, HTTPClient: enginetest.HTTPClient()})
		}}
	m := New(viewtest.NewCommon(env, 120, 30, true))
	drive(t, m, m.Init())
	press(t, m, "enter", "enter")
	if m.level != levelHours {
		t.Fatal("not at the hours")
	}
	sel, _ := m.hours.Selected()
	h, _ := time.Parse(time.RFC3339, sel.ID)
	want := map[string]bool{}
	for _, k := range sc.keys {
		if p, _, _ := archive.ParseKey(loc.Prefix, k); p.Arrival.Truncate(time.Hour).Equal(h) {
			want[p.ID] = true
		}
	}
	before := sc.objects("")

	press(t, m, "C")
	if !m.input.active || m.input.edit.Value() != "dev " {
		t.Fatalf("the prompt holds %q", m.input.edit.Value())
	}
	press(t, m, "tab")
	if v := m.input.edit.Value(); v != "shared " {
		t.Fatalf("tab: %q, want the next profile", v)
	}
	typeText(t, m, "debug")
	refused := viewtest.Of[common.StatusMsg](press(t, m, "enter"))
	if len(refused) == 0 || refused[0].Level != common.Warning || !strings.Contains(refused[0].Text, "copy to shared: refused, read-only") {
		t.Fatalf("a copy into read-only shared: %+v", refused)
	}
	if opened["shared"] != 0 {
		t.Fatalf("read-only shared was opened %d times before the refusal", opened["shared"])
	}

	press(t, m, "C")
	typeText(t, m, "debug")
	cs := viewtest.Of[common.ConfirmRequest](press(t, m, "enter"))
	if len(cs) != 1 {
		t.Fatal("no confirmation")
	}
	text := strings.Join(cs[0].Lines, "\n")
	if !strings.Contains(cs[0].Title, "to dev?") || !strings.Contains(text, "copy to dev: the source archive is not marked") ||
		!strings.Contains(text, "arn:aws:sqs:"+dev.Region+":000000000000:debug") {
		t.Fatalf("confirmation %q:\n%s", cs[0].Title, text)
	}
	_, wait := m.Update(cs[0].OnYes())
	st := viewtest.Of[common.StatusMsg](drive(t, m, wait))
	if len(st) == 0 || st[0].Level != common.Success || !strings.Contains(st[0].Text, "source archive unchanged") {
		t.Fatalf("statuses %+v", st)
	}
	got := map[string]bool{}
	for {
		out, err := dev.SQS().ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}, VisibilityTimeout: 300})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, msg := range out.Messages {
			got[aws.ToString(msg.MessageAttributes["sluice-event-id"].StringValue)] = true
		}
	}
	if len(got) != len(want) {
		t.Errorf("dev's queue got ids %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("event %s did not land", id)
		}
	}
	if after := sc.objects(""); !slices.Equal(after, before) {
		t.Errorf("the source archive changed:\nbefore %v\nafter  %v", before, after)
	}
}
