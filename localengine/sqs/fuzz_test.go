package sqs

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"path/filepath"
	"sort"
	"testing"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/store"
)

// fuzzService opens a service on a fresh store with a few queues that the
// seeds name.
func fuzzService(f *testing.F) *Service {
	st, err := store.Open(filepath.Join(f.TempDir(), "engine.db"))
	if err != nil {
		f.Fatal(err)
	}
	s, err := New(st, Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		s.Close()
		_ = st.Close()
	})
	ctx := context.Background()
	for _, body := range []string{
		`{"QueueName":"fz"}`,
		`{"QueueName":"fz-dlq"}`,
		`{"QueueName":"fz.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}}`,
		`{"QueueName":"fz-src","Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:fz-dlq\",\"maxReceiveCount\":1}"}}`,
	} {
		if _, err := s.HandleJSON(ctx, "CreateQueue", []byte(body)); err != nil {
			f.Fatal(err)
		}
	}
	return s
}

// fuzzCtx is already over, so that long polls return at once.
func fuzzCtx() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func sortedActions(m map[string]jsonHandler) []string {
	out := make([]string, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

func checkAnswer(t *testing.T, out any, err error, marshal func(any) ([]byte, error)) {
	if err != nil {
		var ae *awserr.Error
		if !errors.As(err, &ae) {
			t.Fatalf("error is not an *awserr.Error: %v", err)
		}
		if ae.Status >= 500 {
			t.Fatalf("server fault: %v", err)
		}
		return
	}
	if out == nil {
		t.Fatal("no answer and no error")
	}
	if _, err := marshal(out); err != nil {
		t.Fatalf("answer does not encode: %v", err)
	}
}

const fuzzQueue = "http://127.0.0.1:4577/000000000000/fz"

func FuzzHandleJSON(f *testing.F) {
	s := fuzzService(f)
	actions := sortedActions(jsonActions)
	index := map[string]uint8{}
	for i, a := range actions {
		index[a] = uint8(i)
	}
	seeds := map[string][]string{
		"SendMessage": {`{"QueueUrl":"` + fuzzQueue + `","MessageBody":"hi","MessageAttributes":{"a":{"DataType":"Number","StringValue":"1"},"b":{"DataType":"Binary","BinaryValue":"AAE="}}}`,
			`{"QueueUrl":"` + fuzzQueue + `.fifo","MessageBody":"hi","MessageGroupId":"g"}`},
		"SendMessageBatch":             {`{"QueueUrl":"` + fuzzQueue + `","Entries":[{"Id":"a","MessageBody":"x","DelaySeconds":1},{"Id":"b","MessageBody":"y"}]}`},
		"ReceiveMessage":               {`{"QueueUrl":"` + fuzzQueue + `","MaxNumberOfMessages":10,"AttributeNames":["All"],"MessageAttributeNames":["All"],"VisibilityTimeout":0}`},
		"DeleteMessage":                {`{"QueueUrl":"` + fuzzQueue + `","ReceiptHandle":"AQAAAAAAAAABAAAAAAAAAAEAAAAAAAAAAQ"}`},
		"DeleteMessageBatch":           {`{"QueueUrl":"` + fuzzQueue + `","Entries":[{"Id":"a","ReceiptHandle":"x"}]}`},
		"ChangeMessageVisibility":      {`{"QueueUrl":"` + fuzzQueue + `","ReceiptHandle":"x","VisibilityTimeout":5}`},
		"ChangeMessageVisibilityBatch": {`{"QueueUrl":"` + fuzzQueue + `","Entries":[{"Id":"a","ReceiptHandle":"x","VisibilityTimeout":1}]}`},
		"CreateQueue":                  {`{"QueueName":"n1","Attributes":{"DelaySeconds":"5"},"tags":{"a":"b"}}`},
		"GetQueueAttributes":           {`{"QueueUrl":"` + fuzzQueue + `","AttributeNames":["All"]}`},
		"SetQueueAttributes":           {`{"QueueUrl":"` + fuzzQueue + `-src","Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:fz-dlq\",\"maxReceiveCount\":\"3\"}"}}`},
		"ListQueues":                   {`{"QueueNamePrefix":"f","MaxResults":1}`},
		"StartMessageMoveTask":         {`{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:fz-dlq","MaxNumberOfMessagesPerSecond":100}`},
		"ListMessageMoveTasks":         {`{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:fz-dlq","MaxResults":10}`},
		"CancelMessageMoveTask":        {`{"TaskHandle":"eyJ0YXNrSWQiOiJ4In0="}`},
		"TagQueue":                     {`{"QueueUrl":"` + fuzzQueue + `","Tags":{"k":"v"}}`},
		"AddPermission":                {`{"QueueUrl":"` + fuzzQueue + `","Label":"l","AWSAccountIds":["111122223333"],"Actions":["*"]}`},
	}
	for _, a := range actions {
		f.Add(index[a], []byte(`{"QueueUrl":"`+fuzzQueue+`"}`))
		for _, b := range seeds[a] {
			f.Add(index[a], []byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, a uint8, body []byte) {
		action := actions[int(a)%len(actions)]
		if action == "DeleteQueue" || action == "PurgeQueue" {
			// Keep the seeds' queues alive so that the rest stays reachable.
			var in queueURLInput
			if json.Unmarshal(body, &in) == nil && in.QueueUrl != "" {
				if name, ok := queueNameFromURL(in.QueueUrl); ok && len(name) >= 2 && name[:2] == "fz" {
					return
				}
			}
		}
		out, err := s.HandleJSON(fuzzCtx(), action, body)
		checkAnswer(t, out, err, json.Marshal)
	})
}

func FuzzHandleQuery(f *testing.F) {
	s := fuzzService(f)
	for _, seed := range []string{
		"Action=SendMessage&QueueUrl=" + url.QueryEscape(fuzzQueue) + "&MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v",
		"Action=ReceiveMessage&QueueUrl=" + url.QueryEscape(fuzzQueue) + "&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10&VisibilityTimeout=0",
		"Action=CreateQueue&QueueName=q2&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=5&Tag.1.Key=k&Tag.1.Value=v",
		"Action=SendMessageBatch&QueueUrl=" + url.QueryEscape(fuzzQueue) + "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x",
		"Action=DeleteMessageBatch&QueueUrl=" + url.QueryEscape(fuzzQueue) + "&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=x",
		"Action=ChangeMessageVisibilityBatch&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=3",
		"Action=GetQueueAttributes&QueueUrl=" + url.QueryEscape(fuzzQueue) + "&AttributeName.1=All",
		"Action=ListQueues&MaxResults=1",
		"Action=ListMessageMoveTasks&SourceArn=arn:aws:sqs:us-east-1:000000000000:fz-dlq",
		"Action=GetQueueUrl&QueueName=fz",
		"Action=Nope",
	} {
		f.Add(seed, "/")
	}
	f.Add("Action=ReceiveMessage&MaxNumberOfMessages=2", "/000000000000/fz")
	f.Fuzz(func(t *testing.T, form, path string) {
		params, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		action := params.Get("Action")
		if action == "DeleteQueue" || action == "PurgeQueue" {
			return // keep the seeds' queues
		}
		out, err := s.HandleQuery(fuzzCtx(), action, params, path)
		checkAnswer(t, out, err, xml.Marshal)
	})
}

func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeMessage(&message{ID: "i", Body: "b", Attrs: []msgAttr{{Name: "n", DataType: "String", Kind: attrKindString, Str: "v"}}}))
	f.Add(encodeState(&msgState{VisibleAt: 5, GroupID: "g"}))
	f.Add(encodeDedup(&dedupRecord{Expires: 1, MessageID: "m", Seq: 2}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := decodeMessage(b); err == nil {
			if again, err := decodeMessage(encodeMessage(m)); err != nil || again.Body != m.Body {
				t.Fatalf("re-decode: %v", err)
			}
		}
		_, _ = decodeState(b)
		_, _ = decodeDedup(b)
	})
}

func FuzzAttributeParsers(f *testing.F) {
	f.Add(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":3}`)
	f.Add(`{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:000000000000:s"]}`)
	f.Add("1.5e10")
	f.Add("AQAAAAAAAAABAAAAAAAAAAEAAAAAAAAAAQ")
	f.Fuzz(func(t *testing.T, s string) {
		check := func(err error) {
			var ae *awserr.Error
			if err != nil && !errors.As(err, &ae) {
				t.Fatalf("not an awserr: %v", err)
			}
		}
		_, err := parseRedrivePolicy(s)
		check(err)
		_, err = parseRedriveAllow(s)
		check(err)
		_ = validNumber(s)
		_ = invalidXMLChar(s)
		_, _ = parseReceipt(s)
		_, _ = parseTaskHandle(s)
		c := defaultConfig(false)
		check(applyAttrs(&c, map[string]string{"Policy": s, "VisibilityTimeout": s}, true, "arn", func(string) (bool, *redriveAllow, bool) {
			return false, nil, true
		}))
	})
}
