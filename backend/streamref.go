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
//     into a name only when the stream is the endpoint's own (or the
//     endpoint has no stream of that name): another account's or region's
//     ARN fails with a StreamARNRefusedError instead of reading the
//     same-named stream of the caller;
//   - an input with both StreamName and StreamARN, or without StreamARN,
//     is sent as it is.

// StreamARNRefusedError is a call by ARN that the session's Kinesis
// endpoint cannot serve: the endpoint takes streams by name only, and the
// ARN is not the endpoint's own account and region, so the name would read
// another stream.
type StreamARNRefusedError struct {
	ARN string
	// Account and Region are the endpoint's own.
	Account, Region string
	Endpoint        string
}

func (e *StreamARNRefusedError) Error() string {
	a, _ := ParseARN(e.ARN)
	endpoint := e.Endpoint
	if endpoint == "" {
		endpoint = "the Kinesis endpoint"
	}
	return fmt.Sprintf("stream %s is in account %s, region %s, but %s names streams only by name and serves account %s, region %s: "+
		"by name it would read another stream; use a profile for that account and region, or an endpoint that accepts StreamARN",
		e.ARN, a.Account, a.Region, endpoint, e.Account, e.Region)
}

// streamRefs is what one session has learnt of its Kinesis endpoint.
type streamRefs struct {
	s *Session
	// refusesARN is set once the endpoint refused a StreamARN.
	refusesARN atomic.Bool

	mu sync.Mutex
	// account and region are the endpoint's own, from the ARN it returned
	// for a stream described by name; "" until known.
	account, region string
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

// handle sends a call as it is, or by name on an endpoint known to refuse
// StreamARN, and retries once by name a call refused for its ARN.
func (r *streamRefs) handle(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	send := func(in middleware.InitializeInput) (middleware.InitializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleInitialize(ctx, in)
		if err == nil {
			r.observe(in.Parameters, out.Result)
		}
		return out, md, err
	}
	ref, ok := streamRefOf(in.Parameters)
	if !ok {
		return send(in)
	}
	if r.refusesARN.Load() {
		if err := r.check(ctx, ref.arn); err != nil {
			return middleware.InitializeOutput{}, middleware.Metadata{}, err
		}
		in.Parameters = ref.byName()
		return send(in)
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
	out, md, rerr := send(in)
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

// check refuses an ARN that the endpoint's name would not designate:
// another account's or region's than the endpoint's own, once these are
// known. They are learnt from the ARN the endpoint answers for a stream
// described by name (its own say: kinesalite's region is its process's,
// whatever the request's); when it has no stream of that name, nothing
// could be mistaken for the ARN's and the call goes by name.
func (r *streamRefs) check(ctx context.Context, arn string) error {
	a, err := ParseARN(arn)
	if err != nil {
		return nil // not an ARN: the endpoint says what it thinks of it
	}
	account, region, known := r.home()
	if !known {
		if err := r.learnHome(ctx, a.Name()); err != nil {
			return err
		}
		if account, region, known = r.home(); !known {
			return nil
		}
	}
	if (a.Account != "" && a.Account != account) || (a.Region != "" && a.Region != region) {
		return &StreamARNRefusedError{ARN: arn, Account: account, Region: region, Endpoint: r.s.Endpoint}
	}
	return nil
}

// home is the endpoint's own account and region, once known.
func (r *streamRefs) home() (account, region string, known bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.account, r.region, r.account != ""
}

// learnHome describes the stream called name, so that observe learns the
// endpoint's account and region from its ARN. An endpoint without such a
// stream teaches nothing, and is no error.
func (r *streamRefs) learnHome(ctx context.Context, name string) error {
	_, err := r.s.Kinesis().DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil && !IsCode(err, "ResourceNotFoundException") {
		return fmt.Errorf("this endpoint names streams only by name; to check that stream %s is its own: %w", name, err)
	}
	return nil
}

// observe keeps the endpoint's account and region from the ARN of a
// stream it described by name (by ARN, the stream may be another
// account's).
func (r *streamRefs) observe(params, result any) {
	var arn *string
	switch in := params.(type) {
	case *kinesis.DescribeStreamSummaryInput:
		if out, ok := result.(*kinesis.DescribeStreamSummaryOutput); ok && in.StreamName != nil && in.StreamARN == nil && out.StreamDescriptionSummary != nil {
			arn = out.StreamDescriptionSummary.StreamARN
		}
	case *kinesis.DescribeStreamInput:
		if out, ok := result.(*kinesis.DescribeStreamOutput); ok && in.StreamName != nil && in.StreamARN == nil && out.StreamDescription != nil {
			arn = out.StreamDescription.StreamARN
		}
	}
	a, err := ParseARN(aws.ToString(arn))
	if err != nil || a.Account == "" || a.Region == "" {
		return
	}
	r.mu.Lock()
	r.account, r.region = a.Account, a.Region
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
