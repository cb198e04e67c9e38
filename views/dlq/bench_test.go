package dlq

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/inventory"
)

// BenchmarkFirstViewOfADeclaredDLQ is the time from the DLQs tab's Init
// to the first view that holds the DLQ the config declares, running the
// tab's commands at once as the program does and feeding it their
// answers, with every Pipes call held unanswered by the fault proxy;
// Floor is the same with Pipes answering. The whole listing's bound is
// cut to 300 ms so that each iteration's listing ends soon after it (the
// wait is not timed): the first view does not depend on it.
func BenchmarkFirstViewOfADeclaredDLQ(b *testing.B) {
	for _, silent := range []bool{false, true} {
		name := "Floor"
		if silent {
			name = "PipesSilent"
		}
		b.Run(name, func(b *testing.B) {
			s, p := proxied(b)
			if silent {
				p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Silent()})
			}
			for range b.N {
				m := proxiedTab(s, 120, 30, true, WithInventory(inventory.Timeout(300*time.Millisecond)))
				got := make(chan tea.Msg, 64)
				var wg sync.WaitGroup
				run := func(cmd tea.Cmd) {
					for _, c := range commands(cmd) {
						wg.Go(func() { got <- c() })
					}
				}
				run(m.Init())
				for !strings.Contains(ansi.Strip(m.View()), "declared-dlq") {
					// Later commands (metrics) are not the first view's.
					m.Update(<-got)
				}
				b.StopTimer()
				wg.Wait()
				b.StartTimer()
			}
		})
	}
}
