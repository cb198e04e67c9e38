package replay

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/archive"
)

// Defaults of the retry policy.
const (
	DefaultRetries   = 3
	DefaultRetryBase = 200 * time.Millisecond
	DefaultRetryCap  = 10 * time.Second
	DefaultTimeout   = 30 * time.Second
)

// Send delivers one event to t, retrying what may succeed later up to
// DefaultRetries times. The error is nil only when the target accepted
// the event; the Result says what happened either way. Send marks
// nothing: One and Bulk do.
func Send(ctx context.Context, s *backend.Session, t backend.Target, e archive.Event) (Result, error) {
	snd, err := newSender(s, t, 1, DefaultTimeout)
	if err != nil {
		return Result{ID: e.ID, Target: t.String(), Status: Rejected, Detail: err.Error()}, err
	}
	res, fatal := snd.deliver(ctx, e, retryPolicy{retries: DefaultRetries, base: DefaultRetryBase, cap: DefaultRetryCap})
	if fatal != nil {
		return res, fatal
	}
	if res.Status != Accepted {
		return res, fmt.Errorf("replay %s to %s: %s: %s", e.ID, t, res.Status, res.Detail)
	}
	return res, nil
}

// outcome is the answer to one attempt.
type outcome struct {
	status Status
	detail string
	// code is the short answer: an HTTP status, an AWS error code.
	code string
	// fatal stops a bulk replay: credentials that expired mid-way fail
	// every event after.
	fatal error
}

type retryPolicy struct {
	retries   int
	base, cap time.Duration
	limiter   *rate.Limiter
}

// sender delivers to one target; a bulk replay shares one across workers.
type sender struct {
	s       *backend.Session
	t       backend.Target
	http    *http.Client
	timeout time.Duration

	queueMu sync.Mutex
	queue   *sqsQueue
}

func newSender(s *backend.Session, t backend.Target, concurrency int, timeout time.Duration) (*sender, error) {
	snd := &sender{s: s, t: t, timeout: timeout}
	switch t.Kind {
	case backend.TargetHTTP:
		if t.URL == "" {
			return nil, errors.New("replay target: an HTTP target needs a URL")
		}
		snd.http = newHTTPClient(concurrency)
	case backend.TargetKinesis, backend.TargetEventBus:
		if _, err := backend.ParseARN(t.ARN); err != nil {
			return nil, fmt.Errorf("replay target: %w", err)
		}
	case backend.TargetSQS:
		if t.URL == "" {
			if _, err := backend.ParseARN(t.ARN); err != nil {
				return nil, fmt.Errorf("replay target: %w", err)
			}
		}
	default:
		return nil, fmt.Errorf("replay target %q: no kind; want a Kinesis stream, SQS queue or event bus ARN, or an http(s) URL", t.String())
	}
	return snd, nil
}

// deliver sends e, retrying failures with exponential backoff and full
// jitter. A non-nil error is fatal for the whole run.
func (x *sender) deliver(ctx context.Context, e archive.Event, p retryPolicy) (Result, error) {
	res, err := x.deliverBatch(ctx, []archive.Event{e}, p)
	return res[0], err
}

// deliverBatch sends events in one call where the target batches them
// (see batch.go), one result per event, in order. An entry that fails is a
// failed event: only the failed entries are sent again, after a backoff
// with full jitter; accepted and rejected ones are done. A non-nil error
// is fatal for the whole run.
func (x *sender) deliverBatch(ctx context.Context, evs []archive.Event, p retryPolicy) ([]Result, error) {
	results := make([]Result, len(evs))
	data := make([][]byte, len(evs))
	pending := make([]int, 0, len(evs))
	for i, e := range evs {
		results[i] = Result{ID: e.ID, PartitionKey: e.Record.PartitionKey, Target: x.t.String()}
		d, err := e.Record.Bytes()
		if err != nil {
			results[i].Status, results[i].Detail = Rejected, err.Error()
			continue
		}
		data[i], results[i].Size = d, len(d)
		pending = append(pending, i)
	}
	for len(pending) > 0 {
		if p.limiter != nil {
			for range pending {
				if err := p.limiter.Wait(ctx); err != nil {
					for _, i := range pending {
						results[i].Status, results[i].Detail = Failed, "cancelled before sending"
					}
					return results, nil
				}
			}
		}
		for _, i := range pending {
			results[i].Attempts++
		}
		outs := x.onceBatch(ctx, evs, data, pending)
		var again []int
		var fatal error
		for j, i := range pending {
			o := outs[j]
			results[i].Status, results[i].Detail, results[i].Code = o.status, o.detail, o.code
			if o.fatal != nil && fatal == nil {
				fatal = o.fatal
			}
			if o.status == Failed && results[i].Attempts <= p.retries && ctx.Err() == nil {
				again = append(again, i)
			}
		}
		if fatal != nil || len(again) == 0 {
			return results, fatal
		}
		// Every pending entry has made the same number of attempts.
		if backend.Sleep(ctx, fullJitter(p.base, p.cap, results[again[0]].Attempts-1)) != nil {
			return results, nil
		}
		pending = again
	}
	return results, nil
}

// onceBatch makes one attempt of the events at idx: one call where the
// target batches, one call each where it does not. It returns one outcome
// per index.
func (x *sender) onceBatch(ctx context.Context, evs []archive.Event, data [][]byte, idx []int) []outcome {
	switch x.t.Kind {
	case backend.TargetKinesis:
		return x.putRecords(ctx, evs, data, idx)
	case backend.TargetSQS:
		return x.sendSQSBatch(ctx, evs, data, idx)
	case backend.TargetEventBus:
		return x.putEvents(ctx, evs, data, idx)
	}
	outs := make([]outcome, len(idx))
	for j, i := range idx {
		outs[j] = x.once(ctx, evs[i], data[i])
	}
	return outs
}

// once makes one attempt of one event to a target that does not batch.
func (x *sender) once(ctx context.Context, e archive.Event, data []byte) outcome {
	if x.t.Kind == backend.TargetHTTP {
		return x.sendHTTP(ctx, e, data)
	}
	return outcome{status: Rejected, detail: "unknown target kind " + string(x.t.Kind)}
}

// allOutcome is the same outcome for every entry of a call that failed as
// a whole.
func allOutcome(n int, o outcome) []outcome {
	outs := make([]outcome, n)
	for i := range outs {
		outs[i] = o
	}
	return outs
}

// awsOutcome sorts an AWS error: what the SDK would retry (throttling,
// 5xx, lost connections) is a failure to retry; any other answer from the
// service is a rejection; expired credentials stop the run.
func (x *sender) awsOutcome(ctx context.Context, err error) outcome {
	if ctx.Err() != nil {
		return outcome{status: Failed, detail: "cancelled"}
	}
	explained := x.s.Explain(err)
	var ce *backend.CredentialsError
	if errors.As(explained, &ce) {
		return outcome{status: Failed, detail: ce.Error(), fatal: ce}
	}
	code := errorCode(err)
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return outcome{status: Failed, detail: errorDetail(err), code: code}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return outcome{status: Rejected, detail: errorDetail(err), code: code}
	}
	return outcome{status: Failed, detail: errorDetail(err), code: code}
}

// errorDetail is an error in one short line: the API's code and message
// when there is one.
func errorDetail(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if msg := ae.ErrorMessage(); msg != "" {
			return ae.ErrorCode() + ": " + msg
		}
		return ae.ErrorCode()
	}
	return err.Error()
}

// errorCode is the API's error code, else the HTTP status of the answer,
// else nothing (no answer came).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "" {
		return ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return strconv.Itoa(re.HTTPStatusCode())
	}
	return ""
}

// fullJitter is a random wait in [0, min(cap, base·2^n)).
func fullJitter(base, cap time.Duration, n int) time.Duration {
	d := cap
	if n < 30 && base<<n < cap {
		d = base << n
	}
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}
