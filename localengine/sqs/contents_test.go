package sqs_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// rewriteBody makes the SDK send its serialized JSON with every old
// replaced by new before signing: how a test sends what the JavaScript SDK
// sends for a string with an unpaired surrogate (JSON.stringify writes it
// as a \ud800 escape), which the Go SDK cannot. The body checksum check is
// off, since the body sent is not the one the SDK was given.
func rewriteBody(pairs ...string) func(*sqs.Options) {
	r := strings.NewReplacer(pairs...)
	return func(o *sqs.Options) {
		o.DisableMessageChecksumValidation = true
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Build.Add(middleware.BuildMiddlewareFunc("rewriteBody", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				req, ok := in.Request.(*smithyhttp.Request)
				if ok && req.GetStream() != nil {
					b, err := io.ReadAll(req.GetStream())
					if err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					b = []byte(r.Replace(string(b)))
					if req, err = req.SetStream(bytes.NewReader(b)); err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					req.ContentLength = int64(len(b))
					in.Request = req
				}
				return next.HandleBuild(ctx, in)
			}), middleware.Before)
		})
	}
}

// A body or string attribute value with a character outside SQS's set —
// an unpaired UTF-16 surrogate above all, which encoding/json would quietly
// turn into U+FFFD — is refused with InvalidMessageContents, never stored
// altered.
func TestInvalidMessageContentsJSON(t *testing.T) {
	f := start(t)
	q := f.createQueue("contents", nil)
	send := func(body string, attrs map[string]types.MessageAttributeValue, pairs ...string) error {
		_, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String(body), MessageAttributes: attrs}, rewriteBody(pairs...))
		return err
	}
	for _, bad := range []string{`\ud800`, `a\udc00b`, `\ud800\u0041`, `\udbff\udbff`, `x\ud800`, `\uDFFF`, `\u0000`, `\u0001`, `\ufffe`, "\xff", "\xed\xa0\x80"} {
		err := send("MARK", nil, "MARK", bad)
		wantType[*types.InvalidMessageContents](t, err)
		err = send("ok", map[string]types.MessageAttributeValue{"a": {DataType: aws.String("String"), StringValue: aws.String("MARK")}}, "MARK", bad)
		wantType[*types.InvalidMessageContents](t, err)
	}
	// A surrogate pair is one character, and a fine one.
	if err := send("MARK", nil, "MARK", `\ud83d\ude00 \u00e9\t\n\r`); err != nil {
		t.Fatalf("a surrogate pair: %v", err)
	}
	out, err := f.c.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "😀 é\t\n\r" {
		t.Fatalf("stored %d messages: %+v", len(out.Messages), out.Messages)
	}

	batch, err := f.c.SendMessageBatch(f.ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("good"), MessageBody: aws.String("fine")},
		{Id: aws.String("bad"), MessageBody: aws.String("MARK")},
	}}, rewriteBody("MARK", `\ud800`))
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Successful) != 1 || len(batch.Failed) != 1 || aws.ToString(batch.Failed[0].Id) != "bad" ||
		aws.ToString(batch.Failed[0].Code) != "InvalidMessageContents" || !batch.Failed[0].SenderFault {
		t.Fatalf("batch: %+v", batch)
	}
	if !strings.Contains(aws.ToString(batch.Failed[0].Message), "#xD800") {
		t.Fatalf("message %q does not name the character", aws.ToString(batch.Failed[0].Message))
	}
}

// The query protocol refuses the same characters, as bytes of the form.
func TestInvalidMessageContentsQuery(t *testing.T) {
	f := start(t)
	q := f.createQueue("contents", nil)
	for _, bad := range []string{"\x00", "\x01", "\xff", "\xed\xa0\x80", "a\xed\xbf\xbfb", "\xef\xbf\xbe"} {
		for _, form := range []url.Values{
			{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {bad}},
			{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"ok"}, "MessageAttribute.1.Name": {"a"},
				"MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {bad}},
		} {
			status, body := queryCall(t, f.e.URL+"/", form, true)
			equal(t, "status", status, http.StatusBadRequest)
			if !strings.Contains(string(body), "<Code>InvalidMessageContents</Code>") {
				t.Fatalf("%q: %s", bad, body)
			}
		}
	}
	attrs := f.attrs(q, types.QueueAttributeNameApproximateNumberOfMessages)
	equal(t, "messages stored", attrs["ApproximateNumberOfMessages"], "0")
}

// A field of the wrong JSON type is a SerializationException for SQS's
// JSON protocol too.
func TestWrongTypeJSON(t *testing.T) {
	f := start(t)
	q := f.createQueue("typed", nil)
	_, err := f.c.SendMessage(f.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q), MessageBody: aws.String("x"), DelaySeconds: 5}, rewriteBody(`"DelaySeconds":5`, `"DelaySeconds":"5"`))
	wantCode(t, err, "SerializationException")
	_, err = f.c.ReceiveMessage(f.ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q), MaxNumberOfMessages: 2}, rewriteBody(`"MaxNumberOfMessages":2`, `"MaxNumberOfMessages":true`))
	wantCode(t, err, "SerializationException")
}
