package inventory_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/sluicehq/sluice/backend/backendtest"
	"github.com/sluicehq/sluice/backend/inventory"
	"github.com/sluicehq/sluice/backend/inventory/inventorytest"
)

func TestListStreamsPagesThroughEveryStream(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	var want []string
	for i := range 30 {
		name := fmt.Sprintf("stream-%02d", i)
		inventorytest.Stream(t, e, name, 1)
		want = append(want, name)
	}
	pager := inventory.ListStreams(s, inventory.PageSize(7))
	first, err := pager.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 7 || !pager.More() {
		t.Fatalf("first page: %d names, more=%v; want 7 and more", len(first), pager.More())
	}
	pages := 1
	got := first
	for pager.More() {
		page, err := pager.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page...)
	}
	if pages != 5 {
		t.Errorf("%d pages of 7 for 30 streams, want 5", pages)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want %v", got, want)
	}
	// The default page size lists them all too.
	all, err := inventory.ListStreams(s).All(ctx)
	if err != nil || len(all) != 30 {
		t.Fatalf("All: %d streams, %v", len(all), err)
	}
}

func TestDescribeStreamCountsShardsAndSkipsConsumersWhenNone(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	arn := inventorytest.Stream(t, e, "orders", 4)
	if _, err := e.Kinesis().IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{
		StreamName: aws.String("orders"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	split(t, e, "orders", "shardId-000000000000")

	for _, ref := range []string{"orders", arn} {
		st, err := inventory.DescribeStream(ctx, s, ref)
		if err != nil {
			t.Fatal(err)
		}
		if st.Name != "orders" || st.ARN != arn || st.Status != "ACTIVE" || st.Mode != "PROVISIONED" ||
			st.OpenShards != 5 || st.ClosedShards != 1 || st.RetentionHours != 48 || st.Created.IsZero() {
			t.Errorf("describe %s: %+v", ref, st)
		}
		// ConsumerCount says there are none: nothing more is asked.
		if st.Consumers == nil || len(st.Consumers) != 0 || len(st.Notes) != 0 {
			t.Errorf("consumers %v, notes %q: want an empty list, no note", st.Consumers, st.Notes)
		}
	}
	for _, c := range s.Calls.Calls() {
		if c.Operation == "ListStreamConsumers" {
			t.Errorf("consumers listed though the summary counts none: %+v", c)
		}
	}
	// The engine has no enhanced fan-out: listing consumers says so.
	if _, err := inventory.Consumers(ctx, s, arn); !errors.Is(err, inventory.ErrNotServed) {
		t.Errorf("consumers: %v, want ErrNotServed", err)
	}
	_, err := inventory.DescribeStream(ctx, s, "missing")
	if err == nil {
		t.Fatal("a missing stream described without error")
	}

	streams, failures := inventory.DescribeStreams(ctx, s, []string{"orders", "gone", "orders"})
	if len(failures) != 0 {
		t.Fatal(failures)
	}
	if len(streams) != 2 || streams[0].Name != "orders" {
		t.Fatalf("DescribeStreams kept %+v; want orders twice, the missing one left out", streams)
	}
}

// split splits a shard in the middle of its hash range.
func split(t *testing.T, e interface {
	Kinesis() *kinesis.Client
}, stream, shard string) {
	t.Helper()
	ctx := context.Background()
	out, err := e.Kinesis().ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var r *ktypes.HashKeyRange
	for _, sh := range out.Shards {
		if aws.ToString(sh.ShardId) == shard {
			r = sh.HashKeyRange
		}
	}
	lo, _ := new(big.Int).SetString(aws.ToString(r.StartingHashKey), 10)
	hi, _ := new(big.Int).SetString(aws.ToString(r.EndingHashKey), 10)
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1)
	if _, err := e.Kinesis().SplitShard(ctx, &kinesis.SplitShardInput{
		StreamName: aws.String(stream), ShardToSplit: aws.String(shard), NewStartingHashKey: aws.String(mid.String()),
	}); err != nil {
		t.Fatal(err)
	}
}

func TestListShardsAfterSplitAndMerge(t *testing.T) {
	s, e := backendtest.Open(t)
	ctx := context.Background()
	inventorytest.Stream(t, e, "orders", 2)
	split(t, e, "orders", "shardId-000000000000")
	// Merge the two children back: a shard with two parents.
	if _, err := e.Kinesis().MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("orders"),
		ShardToMerge: aws.String("shardId-000000000002"), AdjacentShardToMerge: aws.String("shardId-000000000003")}); err != nil {
		t.Fatal(err)
	}

	shards, err := inventory.ListShards(ctx, s, "orders", inventory.PageSize(1))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]inventory.Shard{}
	var ids []string
	total := 0.0
	for _, sh := range shards {
		byID[sh.ID] = sh
		ids = append(ids, sh.ID)
		if sh.Open {
			total += sh.KeyspaceShare
		}
		if sh.StartSequence == "" || sh.HashStart == "" || sh.HashEnd == "" {
			t.Errorf("shard %s lacks its ranges: %+v", sh.ID, sh)
		}
	}
	if want := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}; !slices.Equal(ids, want) {
		t.Fatalf("shards %v, want %v (one page each)", ids, want)
	}
	if total < 0.999999 || total > 1.000001 {
		t.Errorf("open shards hold %v of the key space, want 1", total)
	}
	parent, a, b, merged := byID["shardId-000000000000"], byID["shardId-000000000002"], byID["shardId-000000000003"], byID["shardId-000000000004"]
	if parent.Open || parent.EndSequence == "" || !slices.Equal(parent.Children, []string{"shardId-000000000002", "shardId-000000000003"}) {
		t.Errorf("split parent: %+v", parent)
	}
	if a.ParentID != parent.ID || b.ParentID != parent.ID || a.Open || b.Open {
		t.Errorf("children: %+v %+v", a, b)
	}
	if a.KeyspaceShare+b.KeyspaceShare < parent.KeyspaceShare-1e-9 || a.KeyspaceShare+b.KeyspaceShare > parent.KeyspaceShare+1e-9 {
		t.Errorf("children's shares %v + %v != parent's %v", a.KeyspaceShare, b.KeyspaceShare, parent.KeyspaceShare)
	}
	if !merged.Open || merged.ParentID != a.ID || merged.AdjacentParentID != b.ID ||
		!slices.Equal(a.Children, []string{merged.ID}) || !slices.Equal(b.Children, []string{merged.ID}) {
		t.Errorf("merge: %+v from %+v and %+v", merged, a, b)
	}
	if merged.HashStart != parent.HashStart || merged.HashEnd != parent.HashEnd {
		t.Errorf("merged range %s–%s, want the parent's %s–%s", merged.HashStart, merged.HashEnd, parent.HashStart, parent.HashEnd)
	}
}
