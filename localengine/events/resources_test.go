package events_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

const ordersPattern = `{"source":["com.shop"]}`

func TestEventBuses(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)

	out, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{
		Name: aws.String("orders"), Description: aws.String("order events"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("shop")}},
	})
	must(t, err)
	if *out.EventBusArn != "arn:aws:events:us-east-1:000000000000:event-bus/orders" || aws.ToString(out.Description) != "order events" {
		t.Fatalf("create: %+v", out)
	}
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Fatalf("duplicate bus: %v", err)
	}
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("default")})
	wantCode(t, err, "ResourceAlreadyExistsException")
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("bad name")})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(strings.Repeat("b", 257))})
	wantCode(t, err, "ValidationException")

	d, err := c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	must(t, err)
	if *d.Name != "orders" || *d.Arn != *out.EventBusArn || d.CreationTime == nil || aws.ToString(d.Description) != "order events" {
		t.Fatalf("describe: %+v", d)
	}
	// By ARN, and the default bus when no name is given.
	d, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: out.EventBusArn})
	must(t, err)
	if *d.Name != "orders" {
		t.Fatalf("describe by ARN: %+v", d)
	}
	d, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	must(t, err)
	if *d.Name != "default" || *d.Arn != "arn:aws:events:us-east-1:000000000000:event-bus/default" {
		t.Fatalf("describe default: %+v", d)
	}
	_, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("describe missing: %v", err)
	}

	u, err := c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("orders"), Description: aws.String("changed")})
	must(t, err)
	if aws.ToString(u.Description) != "changed" {
		t.Fatalf("update: %+v", u)
	}
	_, err = c.UpdateEventBus(ctx, &eventbridge.UpdateEventBusInput{Name: aws.String("nope"), Description: aws.String("x")})
	wantCode(t, err, "ResourceNotFoundException")

	for _, n := range []string{"a1", "a2", "a3", "b1"} {
		_, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(n)})
		must(t, err)
	}
	var names []string
	var token *string
	for {
		l, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{Limit: aws.Int32(2), NextToken: token})
		must(t, err)
		for _, b := range l.EventBuses {
			names = append(names, *b.Name)
		}
		if token = l.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "a1,a2,a3,b1,default,orders" {
		t.Fatalf("list: %v", names)
	}
	l, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NamePrefix: aws.String("a")})
	must(t, err)
	if len(l.EventBuses) != 3 {
		t.Fatalf("list with prefix: %+v", l.EventBuses)
	}
	_, err = c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{Limit: aws.Int32(101)})
	wantCode(t, err, "ValidationException")
	_, err = c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NextToken: aws.String("garbage")})
	wantCode(t, err, "ValidationException")

	// A bus with rules stays; the default bus cannot go; a missing bus is gone already.
	putRule(t, c, "orders", "r1", ordersPattern)
	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")})
	wantCode(t, err, "ValidationException")
	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("default")})
	wantCode(t, err, "ValidationException")
	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("never-was")})
	must(t, err)
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1"), EventBusName: aws.String("orders")})
	must(t, err)
	_, err = c.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")})
	must(t, err)
	_, err = c.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	wantCode(t, err, "ResourceNotFoundException")
	// Its tags went with it: a new bus of the same name starts clean.
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")})
	must(t, err)
	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: out.EventBusArn})
	must(t, err)
	if len(tags.Tags) != 0 {
		t.Fatalf("tags survived the bus: %+v", tags.Tags)
	}
}

func TestRules(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)

	arn := putRule(t, c, "", "orders", ordersPattern)
	if arn != "arn:aws:events:us-east-1:000000000000:rule/orders" {
		t.Fatalf("rule ARN %s", arn)
	}
	_, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("custom")})
	must(t, err)
	carn := putRule(t, c, "custom", "orders", ordersPattern)
	if carn != "arn:aws:events:us-east-1:000000000000:rule/custom/orders" {
		t.Fatalf("custom bus rule ARN %s", carn)
	}

	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("orders")})
	must(t, err)
	if *d.Arn != arn || d.State != types.RuleStateEnabled || *d.EventPattern != ordersPattern || *d.EventBusName != "default" || aws.ToString(d.CreatedBy) != "000000000000" {
		t.Fatalf("describe: %+v", d)
	}

	// PutRule replaces: what it omits is gone.
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("orders"), EventPattern: aws.String(`{"source":["x"]}`),
		Description: aws.String("d"), State: types.RuleStateDisabled})
	must(t, err)
	d, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("orders")})
	must(t, err)
	if d.State != types.RuleStateDisabled || aws.ToString(d.Description) != "d" || *d.EventPattern != `{"source":["x"]}` {
		t.Fatalf("after update: %+v", d)
	}
	_, err = c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("orders")})
	must(t, err)
	d, _ = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("orders")})
	if d.State != types.RuleStateEnabled {
		t.Fatalf("enable: %v", d.State)
	}
	_, err = c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("orders"), EventBusName: aws.String("custom")})
	must(t, err)
	d, _ = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("orders"), EventBusName: aws.String("custom")})
	if d.State != types.RuleStateDisabled {
		t.Fatalf("disable: %v", d.State)
	}
	_, err = c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("enable missing: %v", err)
	}

	// Errors.
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"x"}`)})
	var ip *types.InvalidEventPatternException
	if !errors.As(err, &ip) || !strings.Contains(ip.ErrorMessage(), "must be an object or an array") {
		t.Fatalf("invalid pattern: %v", err)
	}
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("sched"), ScheduleExpression: aws.String("rate(5 minutes)")})
	wantCode(t, err, "ValidationException")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("none")})
	wantCode(t, err, "ValidationException")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventPattern: aws.String(ordersPattern), EventBusName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad/name"), EventPattern: aws.String(ordersPattern)})
	wantCode(t, err, "ValidationException")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(strings.Repeat("n", 65)), EventPattern: aws.String(ordersPattern)})
	wantCode(t, err, "ValidationException")
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventPattern: aws.String(ordersPattern), State: "ON"})
	wantCode(t, err, "ValidationException")
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException")

	// Listing pages by name, per bus.
	for i := range 5 {
		putRule(t, c, "", fmt.Sprintf("page-%d", i), ordersPattern)
	}
	var names []string
	var token *string
	for {
		l, err := c.ListRules(ctx, &eventbridge.ListRulesInput{NamePrefix: aws.String("page-"), Limit: aws.Int32(2), NextToken: token})
		must(t, err)
		for _, r := range l.Rules {
			names = append(names, *r.Name)
			if *r.EventBusName != "default" || *r.Arn == "" || r.State != types.RuleStateEnabled {
				t.Fatalf("list entry %+v", r)
			}
		}
		if token = l.NextToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "page-0,page-1,page-2,page-3,page-4" {
		t.Fatalf("list rules: %v", names)
	}
	l, err := c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("custom")})
	must(t, err)
	if len(l.Rules) != 1 || *l.Rules[0].Arn != carn {
		t.Fatalf("list custom bus: %+v", l.Rules)
	}
	_, err = c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException")

	// A rule with targets cannot be deleted; without, it can; a missing one is gone already.
	putTargets(t, c, "", "page-0", types.Target{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:q")})
	names2, err := c.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String("arn:aws:sqs:us-east-1:000000000000:q")})
	must(t, err)
	if !slices.Equal(names2.RuleNames, []string{"page-0"}) {
		t.Fatalf("rule names by target: %v", names2.RuleNames)
	}
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("page-0")})
	wantCode(t, err, "ValidationException")
	_, err = c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("page-0"), Ids: []string{"q"}})
	must(t, err)
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("page-0")})
	must(t, err)
	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("page-0")})
	must(t, err)
	_, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("page-0")})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestTargets(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	putRule(t, c, "", "r", ordersPattern)
	q := "arn:aws:sqs:us-east-1:000000000000:q"

	putTargets(t, c, "", "r",
		types.Target{Id: aws.String("t1"), Arn: aws.String(q), Input: aws.String(`{"fixed":true}`),
			RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(120)},
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:dlq")}},
		types.Target{Id: aws.String("t2"), Arn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
			KinesisParameters: &types.KinesisParameters{PartitionKeyPath: aws.String("$.detail.id")}},
		types.Target{Id: aws.String("t0"), Arn: aws.String(q), InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id"}, InputTemplate: aws.String(`{"id": <id>}`)}},
	)
	l, err := c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	must(t, err)
	if len(l.Targets) != 3 || *l.Targets[0].Id != "t0" || *l.Targets[1].Id != "t1" || *l.Targets[2].Id != "t2" {
		t.Fatalf("list targets: %+v", l.Targets)
	}
	t1 := l.Targets[1]
	if aws.ToString(t1.Input) != `{"fixed":true}` || *t1.RetryPolicy.MaximumRetryAttempts != 3 || *t1.RetryPolicy.MaximumEventAgeInSeconds != 120 ||
		*t1.DeadLetterConfig.Arn != "arn:aws:sqs:us-east-1:000000000000:dlq" {
		t.Fatalf("target t1: %+v", t1)
	}
	if *l.Targets[2].KinesisParameters.PartitionKeyPath != "$.detail.id" || *l.Targets[0].InputTransformer.InputTemplate != `{"id": <id>}` {
		t.Fatalf("targets: %+v", l.Targets)
	}

	// Pages.
	l, err = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r"), Limit: aws.Int32(2)})
	must(t, err)
	if len(l.Targets) != 2 || l.NextToken == nil {
		t.Fatalf("first page: %+v", l)
	}
	l, err = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r"), Limit: aws.Int32(2), NextToken: l.NextToken})
	must(t, err)
	if len(l.Targets) != 1 || *l.Targets[0].Id != "t2" || l.NextToken != nil {
		t.Fatalf("second page: %+v", l)
	}

	// Putting an existing id replaces that target.
	putTargets(t, c, "", "r", types.Target{Id: aws.String("t1"), Arn: aws.String(q)})
	l, _ = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	if len(l.Targets) != 3 || l.Targets[1].Input != nil || l.Targets[1].RetryPolicy != nil {
		t.Fatalf("replaced target: %+v", l.Targets[1])
	}

	// Five targets per rule.
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{
		{Id: aws.String("t3"), Arn: aws.String(q)}, {Id: aws.String("t4"), Arn: aws.String(q)}, {Id: aws.String("t5"), Arn: aws.String(q)},
	}})
	var le *types.LimitExceededException
	if !errors.As(err, &le) {
		t.Fatalf("sixth target: %v", err)
	}

	// Per-entry failures leave the other targets put.
	out, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{
		{Id: aws.String("bad-dlq"), Arn: aws.String(q), DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String("arn:aws:sns:us-east-1:000000000000:t")}},
		{Id: aws.String("fifo"), Arn: aws.String(q + ".fifo")},
		{Id: aws.String("t3"), Arn: aws.String(q)},
	}})
	must(t, err)
	if out.FailedEntryCount != 2 || *out.FailedEntries[0].TargetId != "bad-dlq" || *out.FailedEntries[1].TargetId != "fifo" || aws.ToString(out.FailedEntries[0].ErrorCode) == "" {
		t.Fatalf("per-entry failures: %+v", out)
	}
	l, _ = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	if len(l.Targets) != 4 {
		t.Fatalf("after partial put: %d targets", len(l.Targets))
	}

	// Request-level validation.
	bad := []types.Target{
		{Id: aws.String("x"), Arn: aws.String(q), RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(186)}},
		{Id: aws.String("x"), Arn: aws.String(q), RetryPolicy: &types.RetryPolicy{MaximumEventAgeInSeconds: aws.Int32(59)}},
		{Id: aws.String("x y"), Arn: aws.String(q)},
		{Id: aws.String(strings.Repeat("i", 65)), Arn: aws.String(q)},
		{Id: aws.String("x"), Arn: aws.String(q), Input: aws.String("{not json")},
		{Id: aws.String("x"), Arn: aws.String(q), Input: aws.String("{}"), InputPath: aws.String("$.detail")},
		{Id: aws.String("x"), Arn: aws.String(q), InputPath: aws.String("detail")},
		{Id: aws.String("x"), Arn: aws.String(q), InputTransformer: &types.InputTransformer{InputPathsMap: map[string]string{"a": "x"}, InputTemplate: aws.String("<a>")}},
		{Id: aws.String("x"), Arn: aws.String(q), HttpParameters: &types.HttpParameters{HeaderParameters: map[string]string{"bad header": "v"}}},
	}
	for i, tg := range bad {
		_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{tg}})
		if errCode(err) != "ValidationException" {
			t.Errorf("bad target %d: %v", i, err)
		}
	}
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("nope"), Targets: []types.Target{{Id: aws.String("x"), Arn: aws.String(q)}}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []types.Target{}})
	wantCode(t, err, "ValidationException")

	// Removing ids that are not there is fine.
	rm, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), Ids: []string{"t0", "t1", "ghost"}})
	must(t, err)
	if rm.FailedEntryCount != 0 {
		t.Fatalf("remove: %+v", rm)
	}
	l, _ = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r")})
	if len(l.Targets) != 2 || *l.Targets[0].Id != "t2" || *l.Targets[1].Id != "t3" {
		t.Fatalf("after remove: %+v", l.Targets)
	}
	_, err = c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("nope"), Ids: []string{"x"}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("nope")})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestTags(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	bus, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("b")})
	must(t, err)
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("b"),
		EventPattern: aws.String(ordersPattern), Tags: []types.Tag{{Key: aws.String("k0"), Value: aws.String("v0")}}})
	must(t, err)
	for _, arn := range []*string{bus.EventBusArn, rule.RuleArn, aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")} {
		_, err := c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: arn, Tags: []types.Tag{
			{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")},
		}})
		must(t, err)
		_, err = c.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"a"}})
		must(t, err)
		l, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: arn})
		must(t, err)
		var got []string
		for _, tg := range l.Tags {
			got = append(got, *tg.Key+"="+*tg.Value)
		}
		want := "b=2"
		if arn == rule.RuleArn {
			want = "b=2,k0=v0"
		}
		if strings.Join(got, ",") != want {
			t.Fatalf("tags of %s: %v, want %s", *arn, got, want)
		}
	}
	_, err = c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:000000000000:rule/b/nope"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/nope")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: bus.EventBusArn, Tags: []types.Tag{{Key: aws.String(""), Value: aws.String("1")}}})
	wantCode(t, err, "ValidationException")
}
