package replay

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

func listenCounting(t testing.TB) *countingListener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	return &countingListener{Listener: l}
}

// countingProxy forwards TCP connections to upstream (host:port) and
// counts them: how many connections a client opened to the engine.
func countingProxy(t testing.TB, upstream string) (url string, l *countingListener) {
	t.Helper()
	l = listenCounting(t)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", upstream)
				if err != nil {
					return
				}
				defer u.Close()
				go func() { _, _ = io.Copy(u, c) }()
				_, _ = io.Copy(c, u)
			}()
		}
	}()
	return "http://" + l.Addr().String(), l
}

// countingTarget is an HTTP target that accepts everything and counts the
// connections made to it.
func countingTarget(t testing.TB) (*httptest.Server, *countingListener) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	l := listenCounting(t)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, l
}

// openPooled opens a session on the engine through a counting proxy, with
// the session's own HTTP client (not the tests' one), keeping conns idle
// connections per host.
func openPooled(t testing.TB, engineURL, region string, conns int) (*backend.Session, *countingListener) {
	t.Helper()
	url, l := countingProxy(t, engineURL[len("http://"):])
	s, err := backend.Open(context.Background(), backend.Profile{Name: backend.LocalProfile, Kind: backend.KindLocal, Region: region},
		backend.Env{Local: func(context.Context) (string, error) { return url, nil }, Connections: conns})
	must(t, err)
	return s, l
}

// TestBulkReplayReusesItsConnections: a bulk replay opens no more
// connections to the target than the events it has in flight, nor to the
// store than the calls it makes at once (readers, recorder, deleter,
// listing), however many events it sends.
func TestBulkReplayReusesItsConnections(t *testing.T) {
	const n, concurrency = 400, 16
	_, e, loc := openArchive(t)
	s, engineConns := openPooled(t, e.URL, e.Region, backend.DefaultConnections)
	archiveEvents(t, s, loc, "orders", start, n)
	before := engineConns.accepted.Load()
	srv, targetConns := countingTarget(t)
	sum, err := Bulk(ctxT(t), s, Plan{Archive: loc, Target: httpTarget(srv.URL), Query: archive.Query{Consumer: "orders"}},
		Options{Concurrency: concurrency})
	if err != nil || sum.Sent != n {
		t.Fatalf("%+v %v", sum, err)
	}
	opened := engineConns.accepted.Load() - before
	t.Logf("%d events: %d connections to the target, %d new ones to the engine", n, targetConns.accepted.Load(), opened)
	// A pool the size of the concurrency keeps one connection per event
	// in flight; the transport may dial a few more when a dial loses its
	// race with a connection coming free (Go's default pool of 2 opens
	// hundreds here).
	if got := targetConns.accepted.Load(); got > 2*concurrency {
		t.Errorf("%d connections to the target for %d in flight", got, concurrency)
	}
	if opened > 2*(concurrency+3) {
		t.Errorf("%d new connections to the engine for %d readers, a recorder, a deleter and a listing", opened, concurrency)
	}
}
