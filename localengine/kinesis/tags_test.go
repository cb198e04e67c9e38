package kinesis_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func TestTags(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("tagged"), ShardCount: aws.Int32(1), Tags: map[string]string{"team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{"env": "dev", "app": "sluice", "team": "data"}})
	if err != nil {
		t.Fatal(err)
	}
	list := func(in *kinesis.ListTagsForStreamInput) ([]string, bool) {
		t.Helper()
		in.StreamName = aws.String("tagged")
		out, err := c.ListTagsForStream(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var kv []string
		for _, tag := range out.Tags {
			kv = append(kv, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
		}
		return kv, aws.ToBool(out.HasMoreTags)
	}
	if kv, more := list(&kinesis.ListTagsForStreamInput{}); fmt.Sprint(kv) != "[app=sluice env=dev team=data]" || more {
		t.Fatalf("tags %v more %v", kv, more)
	}
	if kv, more := list(&kinesis.ListTagsForStreamInput{Limit: aws.Int32(2)}); fmt.Sprint(kv) != "[app=sluice env=dev]" || !more {
		t.Fatalf("first page %v more %v", kv, more)
	}
	if kv, more := list(&kinesis.ListTagsForStreamInput{Limit: aws.Int32(2), ExclusiveStartTagKey: aws.String("env")}); fmt.Sprint(kv) != "[team=data]" || more {
		t.Fatalf("second page %v more %v", kv, more)
	}
	if _, err := c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("tagged"), TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if kv, _ := list(&kinesis.ListTagsForStreamInput{}); fmt.Sprint(kv) != "[app=sluice team=data]" {
		t.Fatalf("after remove %v", kv)
	}

	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{"bad": "no<>"}})
	wantCode(t, err, "InvalidArgumentException")
	many := map[string]string{}
	for i := range 49 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: many})
	wantCode(t, err, "InvalidArgumentException")
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("tagged"), Tags: map[string]string{}})
	wantCode(t, err, "ValidationException")
	_, err = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tagged"), Limit: aws.Int32(51)})
	wantCode(t, err, "ValidationException")
	_, err = c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("missing"), TagKeys: []string{"a"}})
	wantCode(t, err, "ResourceNotFoundException")
}
