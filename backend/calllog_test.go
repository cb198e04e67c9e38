package backend

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestCallLogKeepsTheLastCallsInOrder(t *testing.T) {
	l := NewCallLog(3)
	var sink bytes.Buffer
	l.SetSink(&sink)
	for i := 0; i < 5; i++ {
		l.Add(Call{Operation: fmt.Sprint(i)})
	}
	got := l.Calls()
	if len(got) != 3 || got[0].Operation != "2" || got[2].Operation != "4" || l.Total() != 5 {
		t.Fatalf("%v total %d", got, l.Total())
	}
	back, err := ReadCalls(&sink)
	if err != nil || len(back) != 5 || back[4].Operation != "4" {
		t.Fatalf("sink: %v %v", back, err)
	}
}

func TestResourceOfNamesWhatACallActsOn(t *testing.T) {
	cases := map[string]any{
		"https://q/1/orders-dlq":  &sqs.ReceiveMessageInput{QueueUrl: aws.String("https://q/1/orders-dlq")},
		"orders-archive/a/b.json": &s3.GetObjectInput{Bucket: aws.String("orders-archive"), Key: aws.String("a/b.json")},
		"":                        &sqs.ListQueuesInput{},
	}
	for want, in := range cases {
		if got := resourceOf(in); got != want {
			t.Errorf("resourceOf(%T) = %q, want %q", in, got, want)
		}
	}
	if resourceOf(nil) != "" || resourceOf((*sqs.ListQueuesInput)(nil)) != "" {
		t.Error("nil input")
	}
}

func TestPagerFetchesUntilTheLastToken(t *testing.T) {
	pages := map[string][]int{"": {1, 2}, "a": {3}, "b": {}}
	next := map[string]*string{"": aws.String("a"), "a": aws.String("b"), "b": nil}
	calls := 0
	p := NewPager(func(_ context.Context, tok *string) ([]int, *string, error) {
		calls++
		k := aws.ToString(tok)
		return pages[k], next[k], nil
	})
	first, _ := p.Next(t.Context())
	if len(first) != 2 || !p.More() || calls != 1 {
		t.Fatalf("first page %v more %v calls %d", first, p.More(), calls)
	}
	rest, err := p.All(t.Context())
	if err != nil || len(rest) != 1 || rest[0] != 3 || p.More() || calls != 3 {
		t.Fatalf("rest %v %v more %v calls %d", rest, err, p.More(), calls)
	}
}
