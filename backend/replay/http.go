package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sluicehq/sluice/backend/archive"
)

// maxAnswer bounds how much of an answer's body is read: enough for the
// detail of an error, and to let the connection be reused.
const maxAnswer = 64 << 10

func newHTTPClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// One connection per event in flight, kept for the next: a pool
	// smaller than the concurrency closes connections as fast as it opens
	// them.
	tr.MaxIdleConnsPerHost = max(concurrency, 2)
	tr.MaxIdleConns = max(tr.MaxIdleConns, concurrency)
	return &http.Client{
		Transport: tr,
		// A 301/302/303 would turn the POST into a GET and drop the event;
		// a redirect is an answer to report, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// sendHTTP POSTs the exact bytes with the event's id as Idempotency-Key.
// 2xx is accepted; 408, 429, 5xx, timeouts and lost connections are
// failures to retry; any other answer is a rejection.
func (x *sender) sendHTTP(ctx context.Context, e archive.Event, data []byte) outcome {
	ctx, cancel := context.WithTimeout(ctx, x.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, x.t.URL, bytes.NewReader(data))
	if err != nil {
		return outcome{status: Rejected, detail: err.Error()}
	}
	req.Header.Set("Content-Type", contentType(data))
	req.Header.Set("Idempotency-Key", e.ID)
	req.Header.Set("User-Agent", "sluice-replay")
	resp, err := x.http.Do(req)
	if err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return outcome{status: Failed, detail: fmt.Sprintf("no answer within %s", x.timeout), code: "timeout"}
		case errors.Is(err, context.Canceled):
			return outcome{status: Failed, detail: "cancelled"}
		}
		return outcome{status: Failed, detail: err.Error()}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	_ = resp.Body.Close()
	detail := "HTTP " + resp.Status
	code, short := resp.StatusCode, strconv.Itoa(resp.StatusCode)
	switch {
	case code >= 200 && code < 300:
		return outcome{status: Accepted, detail: detail, code: short}
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return outcome{status: Failed, detail: withBody(detail, body), code: short}
	}
	return outcome{status: Rejected, detail: withBody(detail, body), code: short}
}

func contentType(data []byte) string {
	if json.Valid(data) {
		return "application/json"
	}
	return "application/octet-stream"
}

// withBody adds the start of an error answer's body to its status.
func withBody(detail string, body []byte) string {
	const most = 200
	text := strings.TrimSpace(strings.ToValidUTF8(string(body[:min(len(body), most)]), "?"))
	if text == "" {
		return detail
	}
	if len(body) > most {
		text += "…"
	}
	return detail + ": " + text
}
