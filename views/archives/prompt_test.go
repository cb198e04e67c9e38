package archives

import (
	"strings"
	"testing"

	"github.com/sluicehq/sluice/views/viewtest"
)

// TestPromptsAreDrawnAtEverySize: J and K open a prompt under the list
// that shows what is typed, at every level and size, and esc closes it
// and gives the list its line back. The prompt used to be drawn below the
// last line of the view, so typing went to a field nobody could see.
func TestPromptsAreDrawnAtEverySize(t *testing.T) {
	prompts := []struct{ key, label string }{{"J", "jq: "}, {"K", "partition key: "}}
	levels := []struct {
		name string
		to   func(m *Model)
	}{
		{"consumers", func(*Model) {}},
		{"events", func(m *Model) { m.toEvents(t, false) }},
		{"detail", func(m *Model) {
			m.toEvents(t, false)
			m.Update(viewtest.Key("enter"))
			o, e := fixedEvent(0, false)
			m.Update(detailMsg{Stamp: m.req.detail.Current(m.env()), Key: o.Key, Event: e})
		}},
	}
	for _, w := range []int{20, 40, 80, 120, 200} {
		for _, h := range []int{3, 10, 24, 60} {
			for _, lv := range levels {
				for _, p := range prompts {
					m := fixedModel(t, w, h)
					lv.to(m)
					before := viewtest.CheckView(t, m.View(), w, h)
					m.Update(viewtest.Key(p.key))
					viewtest.NewDriver(t, m).Type("ab")
					got := viewtest.CheckView(t, m.View(), w, h)
					want := strings.TrimSpace(p.label) // at 20 cells the label may be all that fits
					if w >= 40 {
						want = p.label + "ab"
					}
					if !strings.Contains(got, want) {
						t.Fatalf("%s at %s %dx%d: the prompt %q is not drawn:\n%s", p.key, lv.name, w, h, want, got)
					}
					m.Update(viewtest.Key("esc"))
					if m.Capturing() {
						t.Fatalf("%s at %s %dx%d: esc left the prompt open", p.key, lv.name, w, h)
					}
					if after := viewtest.CheckView(t, m.View(), w, h); after != before {
						t.Fatalf("%s at %s %dx%d: closing the prompt did not restore the view:\n%s\nwant\n%s", p.key, lv.name, w, h, after, before)
					}
				}
			}
		}
	}
}
