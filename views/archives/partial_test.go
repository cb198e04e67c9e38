package archives

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/views/viewtest"
)

// TestGoldenConsumersWhilePipesIsSilent: Pipes never answers (bounded
// here at half a second instead of inventory.ServiceTimeout); the
// declared pipeline's consumer is listed with its archive and target,
// under a note naming the pipes failure.
func TestGoldenConsumersWhilePipesIsSilent(t *testing.T) {
	sc := newScene(t, 2)
	p := faultproxy.Start(t, sc.e.URL)
	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
	s := backendtest.OpenOn(t, sc.e, backend.Env{Endpoint: p.URL})
	cfg := config.File{Pipelines: []config.Pipeline{{Consumer: "orders-to-api", Stream: "orders", DLQ: "orders-dlq",
		Archive: "s3://archive/failed/", ReplayTarget: replayARN}}}
	m := New(newCommon(s, cfg, 80, 24, true), WithClock(func() time.Time { return hour9.Add(time.Hour) }),
		WithInventory(inventory.Timeout(500*time.Millisecond)))
	drive(t, m, m.Init())
	for _, size := range viewtest.GoldenSizes() {
		t.Run(size.String(), func(t *testing.T) {
			m.SetSize(size.W, size.H)
			view := ansi.Strip(m.View())
			want := []string{"orders-to-api", "s3://archive/failed/", "could not read: pipes: timed out"}
			for _, s := range want {
				if size.W >= 160 && !strings.Contains(view, s) {
					t.Errorf("the view lacks %q:\n%s", s, view)
				}
			}
			if !strings.Contains(view, "orders-to-api") {
				t.Errorf("the declared consumer is not listed:\n%s", view)
			}
			viewtest.Golden(t, m.View(), size.W, size.H)
		})
	}
}
