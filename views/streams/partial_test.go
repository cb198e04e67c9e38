package streams

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
	"github.com/sluicehq/sluice/views/common"
	"github.com/sluicehq/sluice/views/viewtest"
)

// TestGoldenOneStreamDenied: DescribeStreamSummary is denied for beta
// alone, on the engine behind the fault proxy: alpha and gamma are listed
// with their figures, beta is an error row, and the banner over the rows
// (not the status bar) gives the denial with AWS's message.
func TestGoldenOneStreamDenied(t *testing.T) {
	_, e := backendtest.Open(t)
	inventorytest.Stream(t, e, "alpha", 2)
	inventorytest.Stream(t, e, "beta", 1)
	inventorytest.Stream(t, e, "gamma", 1)
	p := faultproxy.Start(t, e.URL)
	p.Add(&faultproxy.Rule{Service: "kinesis", Operation: "DescribeStreamSummary", Match: faultproxy.BodyHas("StreamName", "beta"),
		Fault: faultproxy.Denied("kinesis:DescribeStreamSummary", "stream/beta")})
	s := backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL})
	viewtest.EachSize(t, viewtest.GoldenSizes(), func(t *testing.T, w, h int) {
		d := newDriver(t, newTab(t, s, w, h, true))
		d.Run(d.m.Init())
		if c := d.cells("alpha"); c[1] != "provisioned" || c[2] != "active" || c[3] != "2" {
			t.Errorf("alpha cells %q", c)
		}
		if c := d.cells("gamma"); c[2] != "active" || c[3] != "1" {
			t.Errorf("gamma cells %q", c)
		}
		if c := d.cells("beta"); c[2] != "error" || c[1] != "?" || c[3] != "?" {
			t.Errorf("beta cells %q, want an error row", c)
		}
		for _, st := range viewtest.Take[common.StatusMsg](d.Driver) {
			t.Errorf("the status bar got %q: a stream's failure belongs in its row and the banner", st.Text)
		}
		// AWS's code, late in the line, fits from 120 columns.
		banner := ansi.Strip(strings.Join(d.m.bannerLines(), "\n"))
		if !strings.Contains(banner, "stream beta: denied") || (w >= 120 && !strings.Contains(banner, "AccessDeniedException")) {
			t.Errorf("banner %q, want beta's denial with AWS's code", banner)
		}
		viewtest.Golden(t, d.m.View(), w, h)
	})
}
