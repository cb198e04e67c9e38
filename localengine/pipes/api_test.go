package pipes_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	ptypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
)

const pipeArnPrefix = "arn:aws:pipes:us-east-1:000000000000:pipe/"

func TestCreateDescribeDelete(t *testing.T) {
	f := start(t)
	src := f.createStream("s1", 1)
	f.createQueue("dlq", nil)
	f.createQueue("out", nil)
	before := time.Now().Add(-time.Second)
	out, err := f.p.CreatePipe(f.ctx, &pipes.CreatePipeInput{
		Name: aws.String("p1"), RoleArn: aws.String(roleArn), Source: aws.String(src),
		Target: aws.String(queueArn("out")), Description: aws.String("orders to the queue"),
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: &ptypes.PipeSourceKinesisStreamParameters{
			StartingPosition: ptypes.KinesisStreamStartPositionLatest, BatchSize: aws.Int32(10),
			MaximumRetryAttempts: aws.Int32(3), OnPartialBatchItemFailure: ptypes.OnPartialBatchItemFailureStreamsAutomaticBisect,
			DeadLetterConfig: &ptypes.DeadLetterConfig{Arn: aws.String(queueArn("dlq"))},
		}},
		Tags: map[string]string{"team": "payments"},
	})
	if err != nil {
		t.Fatalf("CreatePipe: %v", err)
	}
	if aws.ToString(out.Arn) != pipeArnPrefix+"p1" || aws.ToString(out.Name) != "p1" ||
		out.DesiredState != ptypes.RequestedPipeStateRunning ||
		(out.CurrentState != ptypes.PipeStateCreating && out.CurrentState != ptypes.PipeStateRunning) {
		t.Fatalf("CreatePipe answered %+v", out)
	}
	if out.CreationTime == nil || out.CreationTime.Before(before) || out.LastModifiedTime == nil {
		t.Fatalf("CreatePipe times: %v %v", out.CreationTime, out.LastModifiedTime)
	}
	d := f.waitState("p1", ptypes.PipeStateRunning)
	k := d.SourceParameters.KinesisStreamParameters
	if aws.ToString(d.Source) != src || aws.ToString(d.Target) != queueArn("out") || aws.ToString(d.RoleArn) != roleArn ||
		aws.ToString(d.Description) != "orders to the queue" || d.DesiredState != ptypes.RequestedPipeStateDescribeResponseRunning ||
		d.Tags["team"] != "payments" || k == nil {
		t.Fatalf("DescribePipe: %+v", d)
	}
	// Defaults are filled in, as AWS reports them.
	if aws.ToInt32(k.BatchSize) != 10 || aws.ToInt32(k.MaximumRetryAttempts) != 3 ||
		aws.ToInt32(k.MaximumRecordAgeInSeconds) != -1 || aws.ToInt32(k.ParallelizationFactor) != 1 ||
		aws.ToInt32(k.MaximumBatchingWindowInSeconds) != 0 || k.StartingPosition != ptypes.KinesisStreamStartPositionLatest ||
		k.OnPartialBatchItemFailure != ptypes.OnPartialBatchItemFailureStreamsAutomaticBisect ||
		aws.ToString(k.DeadLetterConfig.Arn) != queueArn("dlq") {
		t.Fatalf("KinesisStreamParameters: %+v", k)
	}

	del, err := f.p.DeletePipe(f.ctx, &pipes.DeletePipeInput{Name: aws.String("p1")})
	if err != nil {
		t.Fatalf("DeletePipe: %v", err)
	}
	if del.CurrentState != ptypes.PipeStateDeleting || del.DesiredState != ptypes.RequestedPipeStateDescribeResponseDeleted {
		t.Fatalf("DeletePipe answered %+v", del)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := f.p.DescribePipe(f.ctx, &pipes.DescribePipeInput{Name: aws.String("p1")})
		if err != nil {
			wantErr[*ptypes.NotFoundException](t, err)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("pipe still there after DeletePipe")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The name is free again.
	f.createPipe("p1", src, queueArn("out"), nil, nil)
}

func TestNotFound(t *testing.T) {
	f := start(t)
	name := aws.String("nope")
	_, err := f.p.DescribePipe(f.ctx, &pipes.DescribePipeInput{Name: name})
	if e := wantErr[*ptypes.NotFoundException](t, err); !strings.Contains(aws.ToString(e.Message), "nope") {
		t.Fatalf("message %q", aws.ToString(e.Message))
	}
	_, err = f.p.StartPipe(f.ctx, &pipes.StartPipeInput{Name: name})
	wantErr[*ptypes.NotFoundException](t, err)
	_, err = f.p.StopPipe(f.ctx, &pipes.StopPipeInput{Name: name})
	wantErr[*ptypes.NotFoundException](t, err)
	_, err = f.p.DeletePipe(f.ctx, &pipes.DeletePipeInput{Name: name})
	wantErr[*ptypes.NotFoundException](t, err)
	_, err = f.p.UpdatePipe(f.ctx, &pipes.UpdatePipeInput{Name: name, RoleArn: aws.String(roleArn)})
	wantErr[*ptypes.NotFoundException](t, err)
	_, err = f.p.ListTagsForResource(f.ctx, &pipes.ListTagsForResourceInput{ResourceArn: aws.String(pipeArnPrefix + "nope")})
	wantErr[*ptypes.NotFoundException](t, err)
	_, err = f.p.TagResource(f.ctx, &pipes.TagResourceInput{ResourceArn: aws.String(pipeArnPrefix + "nope"), Tags: map[string]string{"a": "b"}})
	wantErr[*ptypes.NotFoundException](t, err)
	_, err = f.p.UntagResource(f.ctx, &pipes.UntagResourceInput{ResourceArn: aws.String(pipeArnPrefix + "nope"), TagKeys: []string{"a"}})
	wantErr[*ptypes.NotFoundException](t, err)
}

func TestCreateConflict(t *testing.T) {
	f := start(t)
	src := f.createStream("s1", 1)
	f.createPipe("dup", src, queueArn("out"), nil, nil)
	_, err := f.p.CreatePipe(f.ctx, &pipes.CreatePipeInput{
		Name: aws.String("dup"), RoleArn: aws.String(roleArn), Source: aws.String(src), Target: aws.String(queueArn("out")),
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: &ptypes.PipeSourceKinesisStreamParameters{
			StartingPosition: ptypes.KinesisStreamStartPositionLatest}},
	})
	e := wantErr[*ptypes.ConflictException](t, err)
	if aws.ToString(e.ResourceId) != "dup" || aws.ToString(e.ResourceType) != "pipe" {
		t.Fatalf("ConflictException %+v", e)
	}
}

func TestCreateValidation(t *testing.T) {
	f := start(t)
	src := f.createStream("s1", 1)
	kin := func(mod func(*ptypes.PipeSourceKinesisStreamParameters)) *ptypes.PipeSourceParameters {
		k := &ptypes.PipeSourceKinesisStreamParameters{StartingPosition: ptypes.KinesisStreamStartPositionTrimHorizon}
		if mod != nil {
			mod(k)
		}
		return &ptypes.PipeSourceParameters{KinesisStreamParameters: k}
	}
	base := func() *pipes.CreatePipeInput {
		return &pipes.CreatePipeInput{Name: aws.String("v"), RoleArn: aws.String(roleArn), Source: aws.String(src),
			Target: aws.String(queueArn("out")), SourceParameters: kin(nil)}
	}
	cases := []struct {
		name  string
		mod   func(*pipes.CreatePipeInput)
		field string
	}{
		{"bad name", func(in *pipes.CreatePipeInput) { in.Name = aws.String("no spaces") }, "name"},
		{"long name", func(in *pipes.CreatePipeInput) { in.Name = aws.String(strings.Repeat("a", 65)) }, "name"},
		{"bad role", func(in *pipes.CreatePipeInput) { in.RoleArn = aws.String("role") }, "roleArn"},
		{"source not kinesis", func(in *pipes.CreatePipeInput) { in.Source = aws.String(queueArn("q")) }, "source"},
		{"no such stream", func(in *pipes.CreatePipeInput) { in.Source = aws.String(streamArn("missing")) }, "source"},
		{"source in other region", func(in *pipes.CreatePipeInput) {
			in.Source = aws.String("arn:aws:kinesis:eu-west-1:000000000000:stream/s1")
		}, "source"},
		{"unsupported target", func(in *pipes.CreatePipeInput) {
			in.Target = aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")
		}, "target"},
		{"no kinesis parameters", func(in *pipes.CreatePipeInput) { in.SourceParameters = nil }, "sourceParameters.kinesisStreamParameters.startingPosition"},
		{"batch size 0", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.BatchSize = aws.Int32(0) })
		}, "sourceParameters.kinesisStreamParameters.batchSize"},
		{"batch size 10001", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.BatchSize = aws.Int32(10001) })
		}, "sourceParameters.kinesisStreamParameters.batchSize"},
		{"window 301", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.MaximumBatchingWindowInSeconds = aws.Int32(301) })
		}, "sourceParameters.kinesisStreamParameters.maximumBatchingWindowInSeconds"},
		{"age 30", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.MaximumRecordAgeInSeconds = aws.Int32(30) })
		}, "sourceParameters.kinesisStreamParameters.maximumRecordAgeInSeconds"},
		{"age too big", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.MaximumRecordAgeInSeconds = aws.Int32(604801) })
		}, "sourceParameters.kinesisStreamParameters.maximumRecordAgeInSeconds"},
		{"retries -2", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.MaximumRetryAttempts = aws.Int32(-2) })
		}, "sourceParameters.kinesisStreamParameters.maximumRetryAttempts"},
		{"retries 10001", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.MaximumRetryAttempts = aws.Int32(10001) })
		}, "sourceParameters.kinesisStreamParameters.maximumRetryAttempts"},
		{"parallelization 11", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.ParallelizationFactor = aws.Int32(11) })
		}, "sourceParameters.kinesisStreamParameters.parallelizationFactor"},
		{"bad starting position", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.StartingPosition = "EARLIEST" })
		}, "sourceParameters.kinesisStreamParameters.startingPosition"},
		{"at timestamp without timestamp", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) {
				k.StartingPosition = ptypes.KinesisStreamStartPositionAtTimestamp
			})
		}, "sourceParameters.kinesisStreamParameters.startingPositionTimestamp"},
		{"bad bisect", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) { k.OnPartialBatchItemFailure = "HALVE" })
		}, "sourceParameters.kinesisStreamParameters.onPartialBatchItemFailure"},
		{"dlq not sqs", func(in *pipes.CreatePipeInput) {
			in.SourceParameters = kin(func(k *ptypes.PipeSourceKinesisStreamParameters) {
				k.DeadLetterConfig = &ptypes.DeadLetterConfig{Arn: aws.String("arn:aws:sns:us-east-1:000000000000:topic")}
			})
		}, "sourceParameters.kinesisStreamParameters.deadLetterConfig.arn"},
		{"sqs source parameters", func(in *pipes.CreatePipeInput) {
			in.SourceParameters.SqsQueueParameters = &ptypes.PipeSourceSqsQueueParameters{BatchSize: aws.Int32(1)}
		}, "sourceParameters"},
		{"filter criteria", func(in *pipes.CreatePipeInput) {
			in.SourceParameters.FilterCriteria = &ptypes.FilterCriteria{Filters: []ptypes.Filter{{Pattern: aws.String(`{"data":{"x":[1]}}`)}}}
		}, "sourceParameters.filterCriteria"},
		{"enrichment", func(in *pipes.CreatePipeInput) {
			in.Enrichment = aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")
		}, "enrichment"},
		{"input template", func(in *pipes.CreatePipeInput) {
			in.TargetParameters = &ptypes.PipeTargetParameters{InputTemplate: aws.String(`{"a":<$.data>}`)}
		}, "targetParameters.inputTemplate"},
		{"kinesis target without partition key", func(in *pipes.CreatePipeInput) {
			in.Target = aws.String(streamArn("s1"))
		}, "targetParameters.kinesisStreamParameters.partitionKey"},
		{"sqs parameters for a kinesis target", func(in *pipes.CreatePipeInput) {
			in.Target = aws.String(streamArn("s1"))
			in.TargetParameters = &ptypes.PipeTargetParameters{
				KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{PartitionKey: aws.String("k")},
				SqsQueueParameters:      &ptypes.PipeTargetSqsQueueParameters{MessageGroupId: aws.String("g")},
			}
		}, "targetParameters.SqsQueueParameters"},
		{"lambda target parameters", func(in *pipes.CreatePipeInput) {
			in.TargetParameters = &ptypes.PipeTargetParameters{LambdaFunctionParameters: &ptypes.PipeTargetLambdaFunctionParameters{}}
		}, "targetParameters"},
		{"too many tags", func(in *pipes.CreatePipeInput) {
			in.Tags = map[string]string{}
			for i := range 51 {
				in.Tags[strings.Repeat("k", i+1)] = "v"
			}
		}, "tags"},
		{"long description", func(in *pipes.CreatePipeInput) { in.Description = aws.String(strings.Repeat("d", 513)) }, "description"},
		{"bad desired state", func(in *pipes.CreatePipeInput) { in.DesiredState = "PAUSED" }, "desiredState"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.mod(in)
			_, err := f.p.CreatePipe(f.ctx, in)
			e := wantErr[*ptypes.ValidationException](t, err)
			found := false
			for _, fl := range e.FieldList {
				if aws.ToString(fl.Name) == c.field && aws.ToString(fl.Message) != "" {
					found = true
				}
			}
			if !found {
				t.Fatalf("fieldList %+v does not name %s (message %q)", e.FieldList, c.field, aws.ToString(e.Message))
			}
		})
	}
	// Nothing was created by the refused requests.
	out, err := f.p.ListPipes(f.ctx, &pipes.ListPipesInput{})
	if err != nil || len(out.Pipes) != 0 {
		t.Fatalf("ListPipes after refused creates: %v %+v", err, out)
	}
}

func TestStartStop(t *testing.T) {
	f := start(t)
	src := f.createStream("s1", 1)
	out, err := f.p.CreatePipe(f.ctx, &pipes.CreatePipeInput{
		Name: aws.String("ss"), RoleArn: aws.String(roleArn), Source: aws.String(src), Target: aws.String(queueArn("out")),
		DesiredState:     ptypes.RequestedPipeStateStopped,
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: &ptypes.PipeSourceKinesisStreamParameters{StartingPosition: ptypes.KinesisStreamStartPositionTrimHorizon}},
	})
	if err != nil || out.DesiredState != ptypes.RequestedPipeStateStopped {
		t.Fatalf("CreatePipe: %v %+v", err, out)
	}
	f.waitState("ss", ptypes.PipeStateStopped)

	st, err := f.p.StartPipe(f.ctx, &pipes.StartPipeInput{Name: aws.String("ss")})
	if err != nil || st.DesiredState != ptypes.RequestedPipeStateRunning ||
		(st.CurrentState != ptypes.PipeStateStarting && st.CurrentState != ptypes.PipeStateRunning) ||
		aws.ToString(st.Arn) != pipeArnPrefix+"ss" {
		t.Fatalf("StartPipe: %v %+v", err, st)
	}
	f.waitState("ss", ptypes.PipeStateRunning)
	// Starting a running pipe changes nothing.
	st, err = f.p.StartPipe(f.ctx, &pipes.StartPipeInput{Name: aws.String("ss")})
	if err != nil || st.CurrentState != ptypes.PipeStateRunning {
		t.Fatalf("StartPipe again: %v %+v", err, st)
	}

	sp, err := f.p.StopPipe(f.ctx, &pipes.StopPipeInput{Name: aws.String("ss")})
	if err != nil || sp.DesiredState != ptypes.RequestedPipeStateStopped ||
		(sp.CurrentState != ptypes.PipeStateStopping && sp.CurrentState != ptypes.PipeStateStopped) {
		t.Fatalf("StopPipe: %v %+v", err, sp)
	}
	d := f.waitState("ss", ptypes.PipeStateStopped)
	if d.DesiredState != ptypes.RequestedPipeStateDescribeResponseStopped {
		t.Fatalf("DesiredState %s", d.DesiredState)
	}
	if !d.LastModifiedTime.After(*d.CreationTime) && !d.LastModifiedTime.Equal(*d.CreationTime) {
		t.Fatalf("LastModifiedTime %v before CreationTime %v", d.LastModifiedTime, d.CreationTime)
	}
	// A pipe being deleted takes no other change.
	if _, err := f.p.DeletePipe(f.ctx, &pipes.DeletePipeInput{Name: aws.String("ss")}); err != nil {
		t.Fatal(err)
	}
	_, err = f.p.StartPipe(f.ctx, &pipes.StartPipeInput{Name: aws.String("ss")})
	if code := errCode(err); code != "ConflictException" && code != "NotFoundException" {
		t.Fatalf("StartPipe on a deleted pipe: %v", err)
	}
}

func TestUpdatePipe(t *testing.T) {
	f := start(t)
	src := f.createStream("s1", 1)
	f.createPipe("up", src, queueArn("out"), &ptypes.PipeSourceKinesisStreamParameters{
		BatchSize: aws.Int32(5), MaximumRetryAttempts: aws.Int32(2)}, nil)
	before := f.waitState("up", ptypes.PipeStateRunning)
	out, err := f.p.UpdatePipe(f.ctx, &pipes.UpdatePipeInput{
		Name: aws.String("up"), RoleArn: aws.String("arn:aws:iam::000000000000:role/other"),
		Description: aws.String("changed"),
		SourceParameters: &ptypes.UpdatePipeSourceParameters{KinesisStreamParameters: &ptypes.UpdatePipeSourceKinesisStreamParameters{
			BatchSize: aws.Int32(50), ParallelizationFactor: aws.Int32(4)}},
		Target: aws.String(streamArn("s1")),
		TargetParameters: &ptypes.PipeTargetParameters{KinesisStreamParameters: &ptypes.PipeTargetKinesisStreamParameters{
			PartitionKey: aws.String("$.partitionKey")}},
	})
	if err != nil || (out.CurrentState != ptypes.PipeStateUpdating && out.CurrentState != ptypes.PipeStateRunning) {
		t.Fatalf("UpdatePipe: %v %+v", err, out)
	}
	d := f.waitState("up", ptypes.PipeStateRunning)
	k := d.SourceParameters.KinesisStreamParameters
	// The Kinesis parameters object is replaced whole: what the update
	// left out is back to its default; the starting position stays.
	if aws.ToInt32(k.BatchSize) != 50 || aws.ToInt32(k.ParallelizationFactor) != 4 || aws.ToInt32(k.MaximumRetryAttempts) != -1 ||
		k.StartingPosition != ptypes.KinesisStreamStartPositionTrimHorizon {
		t.Fatalf("after update: %+v", k)
	}
	if aws.ToString(d.Target) != streamArn("s1") || aws.ToString(d.RoleArn) != "arn:aws:iam::000000000000:role/other" ||
		aws.ToString(d.Description) != "changed" || d.TargetParameters == nil ||
		aws.ToString(d.TargetParameters.KinesisStreamParameters.PartitionKey) != "$.partitionKey" {
		t.Fatalf("after update: %+v", d)
	}
	if !d.CreationTime.Equal(*before.CreationTime) {
		t.Fatalf("CreationTime changed: %v → %v", before.CreationTime, d.CreationTime)
	}
	// An update can stop the pipe.
	if _, err := f.p.UpdatePipe(f.ctx, &pipes.UpdatePipeInput{Name: aws.String("up"), RoleArn: aws.String(roleArn),
		DesiredState: ptypes.RequestedPipeStateStopped}); err != nil {
		t.Fatal(err)
	}
	f.waitState("up", ptypes.PipeStateStopped)
	// Parameters that do not fit the target are refused.
	_, err = f.p.UpdatePipe(f.ctx, &pipes.UpdatePipeInput{Name: aws.String("up"), RoleArn: aws.String(roleArn),
		Target: aws.String(queueArn("out"))})
	wantErr[*ptypes.ValidationException](t, err)
	_, err = f.p.UpdatePipe(f.ctx, &pipes.UpdatePipeInput{Name: aws.String("up"), RoleArn: aws.String(roleArn),
		SourceParameters: &ptypes.UpdatePipeSourceParameters{KinesisStreamParameters: &ptypes.UpdatePipeSourceKinesisStreamParameters{
			BatchSize: aws.Int32(0)}}})
	wantErr[*ptypes.ValidationException](t, err)
}

func TestListPipes(t *testing.T) {
	f := start(t)
	a := f.createStream("alpha", 1)
	b := f.createStream("beta", 1)
	for _, n := range []string{"a1", "a2", "a3"} {
		f.createPipe(n, a, queueArn("qa"), nil, nil)
	}
	f.createPipe("b1", b, queueArn("qb"), nil, nil)
	if _, err := f.p.StopPipe(f.ctx, &pipes.StopPipeInput{Name: aws.String("a2")}); err != nil {
		t.Fatal(err)
	}
	f.waitState("a2", ptypes.PipeStateStopped)

	names := func(in *pipes.ListPipesInput) []string {
		t.Helper()
		var out []string
		p := pipes.NewListPipesPaginator(f.p, in)
		for p.HasMorePages() {
			page, err := p.NextPage(f.ctx)
			if err != nil {
				t.Fatalf("ListPipes: %v", err)
			}
			if in.Limit != nil && len(page.Pipes) > int(*in.Limit) {
				t.Fatalf("page of %d over limit %d", len(page.Pipes), *in.Limit)
			}
			for _, pp := range page.Pipes {
				out = append(out, aws.ToString(pp.Name))
			}
		}
		return out
	}
	check := func(got []string, want ...string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	check(names(&pipes.ListPipesInput{}), "a1", "a2", "a3", "b1")
	check(names(&pipes.ListPipesInput{Limit: aws.Int32(1)}), "a1", "a2", "a3", "b1")
	check(names(&pipes.ListPipesInput{NamePrefix: aws.String("a"), Limit: aws.Int32(2)}), "a1", "a2", "a3")
	check(names(&pipes.ListPipesInput{SourcePrefix: aws.String(b)}), "b1")
	check(names(&pipes.ListPipesInput{TargetPrefix: aws.String(queueArn("qa"))}), "a1", "a2", "a3")
	check(names(&pipes.ListPipesInput{CurrentState: ptypes.PipeStateStopped}), "a2")
	check(names(&pipes.ListPipesInput{DesiredState: ptypes.RequestedPipeStateRunning}), "a1", "a3", "b1")

	out, err := f.p.ListPipes(f.ctx, &pipes.ListPipesInput{NamePrefix: aws.String("b")})
	if err != nil || len(out.Pipes) != 1 {
		t.Fatalf("ListPipes: %v %+v", err, out)
	}
	p := out.Pipes[0]
	if aws.ToString(p.Arn) != pipeArnPrefix+"b1" || aws.ToString(p.Source) != b || aws.ToString(p.Target) != queueArn("qb") ||
		p.CurrentState != ptypes.PipeStateRunning || p.DesiredState != ptypes.RequestedPipeStateRunning || p.CreationTime == nil {
		t.Fatalf("entry %+v", p)
	}
	_, err = f.p.ListPipes(f.ctx, &pipes.ListPipesInput{Limit: aws.Int32(101)})
	wantErr[*ptypes.ValidationException](t, err)
	_, err = f.p.ListPipes(f.ctx, &pipes.ListPipesInput{NextToken: aws.String("garbage!")})
	wantErr[*ptypes.ValidationException](t, err)
	_, err = f.p.ListPipes(f.ctx, &pipes.ListPipesInput{CurrentState: "SLEEPING"})
	wantErr[*ptypes.ValidationException](t, err)
}

func TestTags(t *testing.T) {
	f := start(t)
	src := f.createStream("s1", 1)
	if _, err := f.p.CreatePipe(f.ctx, &pipes.CreatePipeInput{
		Name: aws.String("tagged"), RoleArn: aws.String(roleArn), Source: aws.String(src), Target: aws.String(queueArn("out")),
		SourceParameters: &ptypes.PipeSourceParameters{KinesisStreamParameters: &ptypes.PipeSourceKinesisStreamParameters{StartingPosition: ptypes.KinesisStreamStartPositionLatest}},
		Tags:             map[string]string{"a": "1"},
	}); err != nil {
		t.Fatal(err)
	}
	arn := aws.String(pipeArnPrefix + "tagged")
	if _, err := f.p.TagResource(f.ctx, &pipes.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"b": "2", "c": "3"}}); err != nil {
		t.Fatalf("TagResource: %v", err)
	}
	if _, err := f.p.UntagResource(f.ctx, &pipes.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"a", "c", "absent"}}); err != nil {
		t.Fatalf("UntagResource: %v", err)
	}
	out, err := f.p.ListTagsForResource(f.ctx, &pipes.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || len(out.Tags) != 1 || out.Tags["b"] != "2" {
		t.Fatalf("ListTagsForResource: %v %+v", err, out.Tags)
	}
	d, err := f.p.DescribePipe(f.ctx, &pipes.DescribePipeInput{Name: aws.String("tagged")})
	if err != nil || len(d.Tags) != 1 || d.Tags["b"] != "2" {
		t.Fatalf("DescribePipe tags: %v %+v", err, d.Tags)
	}
	many := map[string]string{}
	for i := range 50 {
		many[strings.Repeat("x", i+1)] = "v"
	}
	_, err = f.p.TagResource(f.ctx, &pipes.TagResourceInput{ResourceArn: arn, Tags: many})
	wantErr[*ptypes.ValidationException](t, err)
	_, err = f.p.TagResource(f.ctx, &pipes.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"": "v"}})
	wantErr[*ptypes.ValidationException](t, err)
	_, err = f.p.ListTagsForResource(f.ctx, &pipes.ListTagsForResourceInput{ResourceArn: aws.String("not-an-arn")})
	wantErr[*ptypes.ValidationException](t, err)
}
