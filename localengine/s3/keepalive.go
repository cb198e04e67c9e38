package s3

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

// slowAnswer keeps a long request's connection alive as S3 does for
// CompleteMultipartUpload: once the work has taken longer than an interval,
// it commits to 200 OK and sends whitespace at that interval, so clients
// with read timeouts (the aws CLI's is 60 s) keep waiting. The result then
// follows in the same body, a success document or an <Error> document;
// SDKs read an error there as a 500.
type slowAnswer struct {
	w       http.ResponseWriter
	stop    chan struct{}
	done    chan struct{}
	started bool // set by run, read after done is closed
}

func startSlowAnswer(w http.ResponseWriter, every time.Duration) *slowAnswer {
	t := time.NewTicker(every)
	a := startSlowAnswerTicks(w, t.C)
	go func() {
		<-a.done
		t.Stop()
	}()
	return a
}

// startSlowAnswerTicks sends whitespace at each tick.
func startSlowAnswerTicks(w http.ResponseWriter, ticks <-chan time.Time) *slowAnswer {
	a := &slowAnswer{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go a.run(ticks)
	return a
}

func (a *slowAnswer) run(ticks <-chan time.Time) {
	defer close(a.done)
	rc := http.NewResponseController(a.w)
	for {
		select {
		case <-a.stop:
			return
		case <-ticks:
		}
		if !a.started {
			a.w.Header().Set("Content-Type", "application/xml")
			a.w.WriteHeader(http.StatusOK)
			a.started = true
			if _, err := a.w.Write([]byte(xml.Header)); err != nil {
				return
			}
		}
		if _, err := a.w.Write([]byte(" ")); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// finish stops the whitespace; it reports whether the answer has started,
// in which case the caller must use writeXML or writeError below.
func (a *slowAnswer) finish() bool {
	close(a.stop)
	<-a.done
	return a.started
}

// writeXML ends a started answer with v.
func (a *slowAnswer) writeXML(v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		body = []byte("<Error><Code>InternalError</Code><Message>could not encode response</Message></Error>")
	}
	_, _ = a.w.Write(body)
}

// writeError ends a started answer with an S3 error document.
func (a *slowAnswer) writeError(r *http.Request, err error) {
	e := awserr.From(err)
	a.writeXML(wire.S3Error{Code: e.Code, Message: e.Message, Resource: r.URL.Path,
		RequestID: wire.Info(r.Context()).RequestID})
}
