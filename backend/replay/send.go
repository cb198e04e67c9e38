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
	res := Result{ID: e.ID, PartitionKey: e.Record.PartitionKey, Target: x.t.String()}
	data, err := e.Record.Bytes()
	if err != nil {
		res.Status, res.Detail = Rejected, err.Error()
		return res, nil
	}
	res.Size = len(data)
	for {
		if p.limiter != nil {
			if err := p.limiter.Wait(ctx); err != nil {
				res.Status, res.Detail = Failed, "cancelled before sending"
				return res, nil
			}
		}
		res.Attempts++
		o := x.once(ctx, e, data)
		res.Status, res.Detail, res.Code = o.status, o.detail, o.code
		if o.fatal != nil {
			return res, o.fatal
		}
		if o.status != Failed || res.Attempts > p.retries || ctx.Err() != nil {
			return res, nil
		}
		if backend.Sleep(ctx, fullJitter(p.base, p.cap, res.Attempts-1)) != nil {
			return res, nil
		}
	}
}

// once makes one attempt.
func (x *sender) once(ctx context.Context, e archive.Event, data []byte) outcome {
	switch x.t.Kind {
	case backend.TargetHTTP:
		return x.sendHTTP(ctx, e, data)
	case backend.TargetKinesis:
		return x.sendKinesis(ctx, e, data)
	case backend.TargetSQS:
		return x.sendSQS(ctx, e, data)
	case backend.TargetEventBus:
		return x.sendEventBus(ctx, e, data)
	}
	return outcome{status: Rejected, detail: "unknown target kind " + string(x.t.Kind)}
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
