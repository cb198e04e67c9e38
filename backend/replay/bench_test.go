package replay

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sluicehq/sluice/backend/archive"
)

// BenchmarkBulkReplayHTTP replays 5,000 archived events to a local HTTP
// target that accepts everything, with 32 in flight and no rate cap: each
// event is read, POSTed, its copy written and read back, and its original
// deleted in a batch.
func BenchmarkBulkReplayHTTP(b *testing.B) {
	const n = 5000
	s, _, loc := openArchive(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(srv.Close)
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		consumer := fmt.Sprintf("bench-%d", i)
		archiveEvents(b, s, loc, consumer, start, n)
		b.StartTimer()
		t0 := time.Now()
		sum, err := Bulk(ctxT(b), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Query: archive.Query{Consumer: consumer}},
			Options{Concurrency: 32})
		elapsed += time.Since(t0)
		if err != nil || sum.Sent != n {
			b.Fatalf("%+v %v", sum, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "events/s")
}
