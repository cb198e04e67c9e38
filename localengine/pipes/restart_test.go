package pipes_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

func startOn(t testing.TB, dir string) *fixture {
	t.Helper()
	return start(t, func(o *localengine.Options) { o.DataDir = dir })
}

func (f *fixture) shutdown() {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.e.Shutdown(ctx); err != nil {
		f.t.Fatalf("shutdown: %v", err)
	}
}

func kinesisTarget(key string) *ptypes.PipeTargetParameters {
	return &ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String(key)}}
}

// TestRestartKeepsPipesAndCheckpoints: pipes, their states, tags and
// checkpoints survive a restart; the running pipe resumes after its
// checkpoint.
func TestRestartKeepsPipesAndCheckpoints(t *testing.T) {
	dir := t.TempDir()
	f := startOn(t, dir)
	src := f.createStream("src", 2)
	f.createStream("dst", 1)
	f.put("src", keys(60, 6), "one")
	f.createPipe("runs", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(7)}, kinesisTarget("k"))
	if _, err := f.p.CreatePipe(f.ctx, &pipes.CreatePipeInput{
		Name: aws.String("rests"), RoleArn: aws.String(roleArn), Source: aws.String(src), Target: aws.String(queueArn("q")),
		DesiredState: ptypes.RequestedPipeStateStopped, Tags: map[string]string{"env": "test"},
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: &ptypes.PipeSourceKinesisStreamParameters{
			StartingPosition: ptypes.KinesisStreamStartPositionLatest, MaximumRecordAgeInSeconds: aws.Int32(3600)}},
	}); err != nil {
		t.Fatal(err)
	}
	f.waitState("rests", ptypes.PipeStateStopped)
	f.waitStream("dst", 60)
	f.shutdown()

	g := startOn(t, dir)
	g.put("src", keys(40, 6), "two")
	recs := g.waitStream("dst", 100)
	time.Sleep(700 * time.Millisecond)
	recs = g.waitStream("dst", 100) // and no more: nothing was delivered twice
	seen := map[string]bool{}
	for _, r := range recs {
		d := decodeEvent(t, string(r.Data)).data(t)
		if seen[d] {
			t.Fatalf("%s delivered twice", d)
		}
		seen[d] = true
	}
	d := g.waitState("rests", ptypes.PipeStateStopped)
	if d.Tags["env"] != "test" || aws.ToInt32(d.SourceParameters.KinesisStreamParameters.MaximumRecordAgeInSeconds) != 3600 ||
		d.SourceParameters.KinesisStreamParameters.StartingPosition != ptypes.KinesisStreamStartPositionLatest {
		t.Fatalf("after restart: %+v", d)
	}
	g.waitState("runs", ptypes.PipeStateRunning)
}

// TestCheckpointSurvivesSIGKILL: an engine killed mid-flow loses no
// record when it comes back: the pipe resumes after its last durable
// checkpoint, so only batches in flight at the kill are delivered twice.
func TestCheckpointSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	cmd, url := enginetest.StartChild(t, dir)
	child := newFixture(t, &enginetest.Engine{URL: url, Region: "us-east-1"})
	src := child.createStream("src", 2)
	child.createStream("dst", 1)
	const n, batch = 4000, 10
	put := child.put("src", keys(n, 50), "rec")
	child.createPipe("crash", src, streamArn("dst"), &ptypes.PipeSourceKinesisStreamParameters{BatchSize: aws.Int32(batch)},
		kinesisTarget("$.partitionKey"))
	// Kill once delivery is under way.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got := len(child.readStream("dst")); got >= 200 || time.Now().After(deadline) {
			t.Logf("killing the engine after %d deliveries", got)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	g := startOn(t, dir)
	deadline = time.Now().Add(60 * time.Second)
	var recs []ktypes.Record
	for {
		recs = g.readStream("dst")
		distinct := map[string]bool{}
		for _, r := range recs {
			distinct[decodeEvent(t, string(r.Data)).data(t)] = true
		}
		if len(distinct) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d records delivered after the restart", len(distinct), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Every record arrived; duplicates are confined to what was in flight:
	// per source shard, one run of at most a batch.
	count := map[string]int{}
	var dups []string
	for _, r := range recs {
		d := decodeEvent(t, string(r.Data)).data(t)
		count[d]++
		if count[d] == 2 {
			dups = append(dups, d)
		}
		if count[d] > 2 {
			t.Fatalf("%s delivered %d times", d, count[d])
		}
	}
	perShard := map[string]int{}
	for _, d := range dups {
		perShard[put[d].shard]++
	}
	for shard, k := range perShard {
		if k > batch {
			t.Fatalf("shard %s: %d duplicates, more than one batch of %d", shard, k, batch)
		}
	}
	t.Logf("%d duplicates after the kill: %s", len(dups), strings.Join(dups, " "))
	if len(recs) != n+len(dups) {
		t.Fatalf("%d records for %d distinct and %d duplicates", len(recs), n, len(dups))
	}
}
