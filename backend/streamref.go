package backend

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Kinesis calls name a stream by StreamName or by StreamARN. AWS needs the
// ARN for another account's stream (a DLQ message's streamArn, a pipe's
// source), and accepts either for the caller's own; implementations of the
// API before 2023 (kinesalite) refuse StreamARN and want the name. Callers
// send what they have, a name or an ARN, and the session's Kinesis client
// adapts in one place, the streamRefs middleware:
//
//   - a call that names the stream by ARN only and is refused in a way
//     that names streamName (or says StreamARN is unknown) teaches the
//     session that its endpoint refuses StreamARN, and is sent once more
//     by name;
//   - once learnt, a call by ARN only is sent by name straight away;
//   - a name says nothing of the account or region, so an ARN is turned
//     into a name only when the stream is the endpoint's own: another
//     account's or region's ARN fails with a StreamARNRefusedError instead
//     of reading the same-named stream of the caller;
//   - an input with both StreamName and StreamARN, or without StreamARN,
//     is sent as it is.

// StreamARNRefusedError is a call by ARN that the session's Kinesis
// endpoint cannot serve: the endpoint takes streams by name only, and the
// ARN is not the endpoint's own account and region, so the name would read
// another stream.
type StreamARNRefusedError struct {
	ARN string
	// Account and Region are the endpoint's ("" when unknown).
	Account, Region string
	Endpoint        string
}

func (e *StreamARNRefusedError) Error() string {
	a, _ := ParseARN(e.ARN)
	endpoint := e.Endpoint
	if endpoint == "" {
		endpoint = "the Kinesis endpoint"
	}
	home := "region " + e.Region
	if e.Account != "" {
		home = "account " + e.Account + ", " + home
	}
	return fmt.Sprintf("stream %s is in account %s, region %s, but %s names streams only by name and serves %s: "+
		"by name it would read another stream; use a profile for that account and region, or an endpoint that accepts StreamARN",
		e.ARN, a.Account, a.Region, endpoint, home)
}

// streamRefs is what one session has learnt of its Kinesis endpoint.
type streamRefs struct {
	s *Session
	// refusesARN is set once the endpoint refused a StreamARN.
	refusesARN atomic.Bool

	mu sync.Mutex
	// account is the endpoint's own account, from the ARN it returned for
	// a stream described by name; "" until known.
	account string
}

// streamRefOption installs the streamRefs middleware on the session's
// Kinesis client.
func streamRefOption(s *Session) func(*kinesis.Options) {
	r := &streamRefs{s: s}
	return func(o *kinesis.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			// Before, and added after the call log, so that the log sees
			// each request as sent: the refused one and its retry.
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("sluiceStreamRef", r.handle), middleware.Before)
		})
	}
}

func (r *streamRefs) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	ref, ok := streamRefOf(in.Parameters)
	if !ok {
		out, md, err := next.HandleInitialize(ctx, in)
		if err == nil {
			r.observe(in.Parameters, out.Result)
		}
		return out, md, err
	}
	if r.refusesARN.Load() {
		if err := r.check(ctx, ref.arn); err != nil {
			return middleware.InitializeOutput{}, middleware.Metadata{}, err
		}
		in.Parameters = ref.byName()
		return next.HandleInitialize(ctx, in)
	}
	out, md, err := next.HandleInitialize(ctx, in)
	if err == nil || !refusesStreamARN(err) {
		return out, md, err
	}
	if cerr := r.check(ctx, ref.arn); cerr != nil {
		r.refusesARN.Store(true)
		return middleware.InitializeOutput{}, md, cerr
	}
	in.Parameters = ref.byName()
	out, md, rerr := next.HandleInitialize(ctx, in)
	if rerr != nil && refusesStreamARN(rerr) {
		// Refused by name as well: the complaint was not about the ARN.
		return out, md, err
	}
	r.refusesARN.Store(true)
	return out, md, rerr
}

// refusesStreamARN reports an answer that refuses a call for naming its
// stream by ARN only: kinesalite's "Value null at 'streamName' failed to
// satisfy constraint" (ValidationException), its "Either NextToken or
// StreamName should be provided" on ListShards (InvalidArgumentException),
// or a parser that does not know StreamARN.
func refusesStreamARN(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "ValidationException", "SerializationException", "InvalidArgumentException":
	default:
		return false
	}
	m := strings.ToLower(api.ErrorMessage())
	if strings.Contains(m, "streamname") {
		return true
	}
	return strings.Contains(m, "streamarn") &&
		containsAny(m, []string{"not a known", "unknown", "unrecognized", "unexpected", "not allowed", "not supported"})
}

// check refuses an ARN the endpoint's name would not designate: another
// region's, or another account's once the endpoint's account is known.
func (r *streamRefs) check(ctx context.Context, arn string) error {
	a, err := ParseARN(arn)
	if err != nil {
		return nil // not an ARN: the endpoint says what it thinks of it
	}
	refused := &StreamARNRefusedError{ARN: arn, Region: r.s.Region, Endpoint: r.s.Endpoint}
	if a.Region != "" && r.s.Region != "" && a.Region != r.s.Region {
		refused.Account, _ = r.knownAccount()
		return refused
	}
	if a.Account == "" {
		return nil
	}
	account, known := r.knownAccount()
	if !known {
		if account, err = r.learnAccount(ctx, a.Name()); err != nil {
			return err
		}
	}
	if account != "" && account != a.Account {
		refused.Account = account
		return refused
	}
	return nil
}

// knownAccount is the endpoint's account if the session knows it, from
// its identity or from a stream the endpoint described by name.
func (r *streamRefs) knownAccount() (string, bool) {
	r.mu.Lock()
	account := r.account
	r.mu.Unlock()
	if account != "" {
		return account, true
	}
	r.s.idMu.Lock()
	defer r.s.idMu.Unlock()
	if r.s.identity != nil && r.s.identity.Account != "" {
		return r.s.identity.Account, true
	}
	return "", false
}

// learnAccount asks the endpoint for the stream called name: the ARN it
// answers holds its account. "" with no error when it has no such stream
// (then the name designates nothing that could be mistaken for the ARN's).
func (r *streamRefs) learnAccount(ctx context.Context, name string) (string, error) {
	out, err := r.s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	switch {
	case IsCode(err, "ResourceNotFoundException"):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("this endpoint names streams only by name; to check that stream %s is its own: %w", name, err)
	}
	// observe (run by the middleware for that call) kept the account.
	account, _ := r.knownAccount()
	if account == "" && out.StreamDescriptionSummary != nil {
		if a, err := ParseARN(aws.ToString(out.StreamDescriptionSummary.StreamARN)); err == nil {
			account = a.Account
		}
	}
	return account, nil
}

// observe keeps the endpoint's account from the ARN of a stream it
// described by name in the session's region (by ARN, the stream may be
// another account's).
func (r *streamRefs) observe(params, result any) {
	in, ok := params.(*kinesis.DescribeStreamSummaryInput)
	if !ok || in.StreamName == nil || in.StreamARN != nil {
		return
	}
	out, ok := result.(*kinesis.DescribeStreamSummaryOutput)
	if !ok || out.StreamDescriptionSummary == nil {
		return
	}
	a, err := ParseARN(aws.ToString(out.StreamDescriptionSummary.StreamARN))
	if err != nil || a.Account == "" || (r.s.Region != "" && a.Region != r.s.Region) {
		return
	}
	r.mu.Lock()
	r.account = a.Account
	r.mu.Unlock()
}

// streamRef is an SDK input that names its stream by ARN only, and can
// name it otherwise: by StreamName, or, for GetRecords, by its iterator
// alone.
type streamRef struct {
	v   reflect.Value // the input struct
	arn string
	// setName is false when the name must not be set: GetRecords has no
	// StreamName, and a ListShards page names only its token.
	setName bool
}

// streamRefOf finds the stream ARN of an input that has one and no name.
func streamRefOf(params any) (streamRef, bool) {
	v := reflect.ValueOf(params)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return streamRef{}, false
	}
	v = v.Elem()
	arn, ok := stringField(v, "StreamARN")
	if !ok {
		return streamRef{}, false
	}
	ref := streamRef{v: v, arn: arn}
	if name := v.FieldByName("StreamName"); name.IsValid() {
		if _, set := stringField(v, "StreamName"); set {
			return streamRef{}, false // both: AWS checks they agree
		}
		_, token := stringField(v, "NextToken")
		ref.setName = !token
		return ref, true
	}
	if _, iter := stringField(v, "ShardIterator"); iter {
		return ref, true
	}
	// ListStreamConsumers and the consumer calls take an ARN and nothing
	// else.
	return streamRef{}, false
}

func stringField(v reflect.Value, name string) (string, bool) {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() || f.Elem().Kind() != reflect.String {
		return "", false
	}
	return f.Elem().String(), true
}

// byName is a copy of the input that names the stream without its ARN;
// the caller's input is left as it was.
func (ref streamRef) byName() any {
	c := reflect.New(ref.v.Type())
	c.Elem().Set(ref.v)
	c.Elem().FieldByName("StreamARN").Set(reflect.Zero(ref.v.FieldByName("StreamARN").Type()))
	if ref.setName {
		name := ref.arn
		if a, err := ParseARN(ref.arn); err == nil {
			name = a.Name()
		}
		c.Elem().FieldByName("StreamName").Set(reflect.ValueOf(aws.String(name)))
	}
	return c.Interface()
}
