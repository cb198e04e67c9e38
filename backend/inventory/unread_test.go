package inventory_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/backend"
	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/backendtest/faultproxy"
	"github.com/sluicehq/sluice/backend/config"
	"github.com/sluicehq/sluice/backend/demo"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

// TestKeepUnreadKeepsWhatAFailureHid: the demo's pipe orders-to-api
// archives at the bucket's root, which a declared pipeline names too, and
// which holds a folder of orders-to-api and of gone-consumer. With Pipes
// denied, orders-to-api is found again by its folder alone (no stream, no
// target): KeepUnread keeps it as Pipes had described it, marked with the
// pipes failure. With the root's listing denied, gone-consumer is kept,
// marked with that failure. A whole read drops what it did not find.
func TestKeepUnreadKeepsWhatAFailureHid(t *testing.T) {
	ctx := context.Background()
	_, e := backendtest.Open(t)
	inventorytest.Setup(t, e)
	for _, key := range []string{demo.PipeName + "/2026/01/02/03/pk-1-a.json", "gone-consumer/2026/01/02/03/pk-1-b.json"} {
		if _, err := e.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demo.BucketName), Key: aws.String(key), Body: strings.NewReader("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	p := faultproxy.Start(t, e.URL)
	s := backendtest.OpenOn(t, e, backend.Env{Endpoint: p.URL})
	declared := []config.Pipeline{{Consumer: "declared-consumer", Archive: demo.ArchiveURL}}
	read := func() inventory.ArchiveConsumers {
		t.Helper()
		found, err := inventory.NewLocator(s, declared, "").ArchiveConsumers(ctx, backend.ArchiveLocation{})
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	byName := func(found inventory.ArchiveConsumers) map[string]inventory.ArchiveConsumer {
		out := map[string]inventory.ArchiveConsumer{}
		for _, c := range found.Consumers {
			out[c.Name] = c
		}
		return out
	}
	first := read()
	pipe, ok := byName(first)[demo.PipeName]
	if !ok || !pipe.Pipeline || pipe.Stream != demo.StreamName || pipe.Target.Kind == backend.TargetNone {
		t.Fatalf("first read: %+v", first.Consumers)
	}
	if _, ok := byName(first)["gone-consumer"]; !ok {
		t.Fatalf("first read lacks gone-consumer: %+v", first.Consumers)
	}

	p.Add(&faultproxy.Rule{Service: "pipes", Fault: faultproxy.Denied("pipes:ListPipes", "*")})
	raw := read()
	if c := byName(raw)[demo.PipeName]; c.Pipeline {
		t.Fatalf("with Pipes denied, discovery still found the pipe: %+v", c)
	}
	kept := byName(inventory.KeepUnread(first.Consumers, raw))
	got := kept[demo.PipeName]
	if got.Unread == nil || got.Unread.Service != "pipes" || got.Unread.Kind != backend.FailDenied {
		t.Errorf("orders-to-api not marked unread by the pipes failure: %+v", got)
	}
	if !got.Pipeline || got.Stream != pipe.Stream || got.Target != pipe.Target {
		t.Errorf("orders-to-api lost what Pipes said of it: %+v, was %+v", got, pipe)
	}
	if c := kept["gone-consumer"]; c.Unread != nil {
		t.Errorf("gone-consumer, read again, is marked unread: %+v", c)
	}

	p.Clear()
	p.Add(&faultproxy.Rule{Service: "s3", Match: func(r faultproxy.Request) bool {
		return r.Query.Get("list-type") == "2" && r.Query.Get("prefix") == ""
	}, Fault: faultproxy.Denied("s3:ListBucket", "arn:aws:s3:::"+demo.BucketName)})
	before := inventory.KeepUnread(first.Consumers, raw).Consumers
	kept = byName(inventory.KeepUnread(before, read()))
	if c := kept["gone-consumer"]; c.Unread == nil || c.Unread.Service != "s3" || c.Unread.Kind != backend.FailDenied {
		t.Errorf("gone-consumer not kept with the archive's failure: %+v", c)
	}
	if c := kept[demo.PipeName]; c.Unread != nil || !c.Pipeline {
		t.Errorf("orders-to-api, read again by Pipes, is %+v", c)
	}

	p.Clear()
	if _, err := e.S3().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(demo.BucketName), Key: aws.String("gone-consumer/2026/01/02/03/pk-1-b.json")}); err != nil {
		t.Fatal(err)
	}
	whole := inventory.KeepUnread(first.Consumers, read())
	if c, ok := byName(whole)["gone-consumer"]; ok {
		t.Errorf("a whole read keeps gone-consumer: %+v", c)
	}
	for _, c := range whole.Consumers {
		if c.Unread != nil {
			t.Errorf("a whole read marks %s unread", c.Name)
		}
	}
}
