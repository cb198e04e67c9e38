package backend

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Call is one AWS call as the call log shows it. It never holds
// credentials or payloads: only names.
type Call struct {
	Time      time.Time     `json:"time"`
	Profile   string        `json:"profile"`
	Service   string        `json:"service"`
	Operation string        `json:"operation"`
	Resource  string        `json:"resource,omitempty"`
	Duration  time.Duration `json:"duration"`
	// Result is "ok" or the error code.
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
	// The budget's part: how long the call waited for a token, and its
	// API's bucket after the call (rate now, limit, tokens left, and the
	// throttles the API met so far).
	Wait      time.Duration `json:"wait,omitempty"`
	Rate      float64       `json:"rate,omitempty"`
	Limit     float64       `json:"limit,omitempty"`
	Tokens    float64       `json:"tokens,omitempty"`
	Throttles int           `json:"throttles,omitempty"`
}

// CallLog keeps the last calls made, for the TUI's call log, and copies
// each to a sink (a --log-calls file) when one is set.
type CallLog struct {
	mu    sync.Mutex
	calls []Call
	next  int
	full  bool
	total int
	enc   *json.Encoder
}

// NewCallLog keeps the last size calls.
func NewCallLog(size int) *CallLog {
	if size <= 0 {
		size = 1000
	}
	return &CallLog{calls: make([]Call, size)}
}

// SetSink copies every later call to w as one JSON line.
func (l *CallLog) SetSink(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.enc = json.NewEncoder(w)
}

// Add records c.
func (l *CallLog) Add(c Call) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[l.next] = c
	l.next = (l.next + 1) % len(l.calls)
	l.full = l.full || l.next == 0
	l.total++
	if l.enc != nil {
		_ = l.enc.Encode(c)
	}
}

// Calls returns the kept calls, oldest first.
func (l *CallLog) Calls() []Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]Call(nil), l.calls[:l.next]...)
	}
	out := make([]Call, 0, len(l.calls))
	out = append(out, l.calls[l.next:]...)
	return append(out, l.calls[:l.next]...)
}

// Total counts every call recorded, including those no longer kept.
func (l *CallLog) Total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// ReadCalls decodes a --log-calls file.
func ReadCalls(r io.Reader) ([]Call, error) {
	var out []Call
	dec := json.NewDecoder(r)
	for {
		var c Call
		err := dec.Decode(&c)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
}

// callLogMiddleware records every operation, after the SDK's retries, with
// the resource its input names and what the budget did to it.
func callLogMiddleware(log *CallLog, budget *Budget, profile string, now func() time.Time) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("sluiceCallLog",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				start := now()
				note := &callBudget{}
				ctx = context.WithValue(ctx, callBudgetKey{}, note)
				out, md, err := next.HandleInitialize(ctx, in)
				c := Call{
					Time: start, Profile: profile,
					Service:   awsmiddleware.GetServiceID(ctx),
					Operation: awsmiddleware.GetOperationName(ctx),
					Resource:  resourceOf(in.Parameters),
					Duration:  now().Sub(start),
					Result:    "ok",
				}
				if err != nil {
					c.Result, c.Error = errorCode(err), err.Error()
				}
				if k, waited, ok := note.get(); ok {
					// Some clients (Pipes) name their service and
					// operation only after this step has run.
					if c.Service == "" && c.Operation == "" {
						c.Service, c.Operation = k.Service, k.Operation
					}
					c = c.withBudget(budget, k, waited)
				}
				log.Add(c)
				return out, md, err
			}), middleware.Before)
	}
}

// resourceFields are the input fields that name what a call acts on, most
// specific last so that a key wins over its bucket.
var resourceFields = []string{"StreamARN", "StreamName", "ConsumerARN", "QueueUrl", "QueueName", "SourceArn", "TaskHandle",
	"Name", "FunctionName", "EventBusName", "Namespace", "Bucket", "ShardId", "Key", "ResourceArn"}

// resourceOf reads the resource names from an SDK input struct.
func resourceOf(input any) string {
	v := reflect.ValueOf(input)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	var parts []string
	for _, name := range resourceFields {
		f := v.FieldByName(name)
		if f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
			parts = append(parts, f.Elem().String())
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out += "/" + p
	}
	return out
}

// errorCode is the AWS error code of err, or a short class.
func errorCode(err error) string {
	if c := ErrorCode(err); c != "" {
		return c
	}
	if errors.Is(err, context.Canceled) {
		return "Canceled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Timeout"
	}
	return "Error"
}

// logCall records c, a call made without the SDK, with the state of its
// API's budget.
func (s *Session) logCall(c Call, k APIKey, waited time.Duration) {
	s.Calls.Add(c.withBudget(s.Budget, k, waited))
}

// withBudget is c with what the budget did to it: the wait for its token,
// and its API's bucket after the call.
func (c Call) withBudget(b *Budget, k APIKey, waited time.Duration) Call {
	st := b.State(k)
	c.Wait, c.Rate, c.Limit, c.Tokens, c.Throttles = waited, st.Rate, st.Limit, st.Tokens, st.Throttles
	return c
}
