package events_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func attr(m sqstypes.Message, name string) string {
	if a, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(a.StringValue)
	}
	return ""
}

func TestDeliveryToSQS(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	url1, arn1 := createQueue(t, e, "full")
	url2, arn2 := createQueue(t, e, "path")
	url3, arn3 := createQueue(t, e, "transformed")
	url4, arn4 := createQueue(t, e, "constant")
	ruleArn := putRule(t, c, "", "orders", `{"source":["com.shop"],"detail":{"total":[{"numeric":[">",100]}]}}`)
	putTargets(t, c, "", "orders",
		types.Target{Id: aws.String("full"), Arn: aws.String(arn1)},
		types.Target{Id: aws.String("path"), Arn: aws.String(arn2), InputPath: aws.String("$.detail")},
		types.Target{Id: aws.String("tr"), Arn: aws.String(arn3), InputTransformer: &types.InputTransformer{
			InputPathsMap: map[string]string{"id": "$.detail.id", "total": "$.detail.total"},
			InputTemplate: aws.String(`{"order": <id>, "text": "order <id> costs <total>", "rule": "<aws.events.rule-arn>"}`),
		}},
		types.Target{Id: aws.String("const"), Arn: aws.String(arn4), Input: aws.String(`{"ping":1}`)},
	)

	// This one does not match; the next one does.
	putEvent(t, c, "", "com.shop", "Order", `{"id":"o-1","total":50}`)
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String("com.shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{ "id": "o-2", "total": 150.5, "note": "<&>" }`),
		Resources: []string{"arn:aws:x:us-east-1:000000000000:thing/1"}, Time: aws.Time(when),
	}}})
	must(t, err)
	if out.FailedEntryCount != 0 || len(out.Entries) != 1 || out.Entries[0].EventId == nil {
		t.Fatalf("put events: %+v", out)
	}
	id := *out.Entries[0].EventId

	msgs := receiveN(t, e, url1, 1)
	ev := parseEnvelope(t, *msgs[0].Body)
	if ev.Version != "0" || ev.ID != id || ev.DetailType != "Order Placed" || ev.Source != "com.shop" || ev.Account != "000000000000" ||
		ev.Region != "us-east-1" || ev.Time != "2024-05-06T07:08:09Z" || len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:x:us-east-1:000000000000:thing/1" {
		t.Fatalf("envelope: %+v", ev)
	}
	if string(ev.Detail) != `{"id":"o-2","total":150.5,"note":"<&>"}` {
		t.Fatalf("detail: %s", ev.Detail)
	}
	if body := *receiveN(t, e, url2, 1)[0].Body; body != `{"id":"o-2","note":"<&>","total":150.5}` {
		t.Fatalf("InputPath body: %s", body)
	}
	want := `{"order": "o-2", "text": "order o-2 costs 150.5", "rule": "` + ruleArn + `"}`
	if body := *receiveN(t, e, url3, 1)[0].Body; body != want {
		t.Fatalf("InputTransformer body:\n got %s\nwant %s", body, want)
	}
	if body := *receiveN(t, e, url4, 1)[0].Body; body != `{"ping":1}` {
		t.Fatalf("Input body: %s", body)
	}
	queueEmpty(t, e, url1, time.Second)
}

func TestDisabledRuleDoesNotDeliver(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	offURL, offArn := createQueue(t, e, "off")
	onURL, onArn := createQueue(t, e, "on")
	putRule(t, c, "", "off", ordersPattern)
	putTargets(t, c, "", "off", types.Target{Id: aws.String("q"), Arn: aws.String(offArn)})
	_, err := c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("off")})
	must(t, err)
	putRule(t, c, "", "on", ordersPattern)
	putTargets(t, c, "", "on", types.Target{Id: aws.String("q"), Arn: aws.String(onArn)})

	putEvent(t, c, "", "com.shop", "x", `{}`)
	receiveN(t, e, onURL, 1)
	// The disabled rule made no delivery at all, so nothing can come later.
	queueEmpty(t, e, offURL, 0)

	_, err = c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("off")})
	must(t, err)
	putEvent(t, c, "", "com.shop", "x", `{}`)
	receiveN(t, e, offURL, 1)
}

func TestPutEventsErrors(t *testing.T) {
	_, c := start(t)
	ctx := ctxT(t)
	_, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("custom")})
	must(t, err)
	entries := []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		{DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		{Source: aws.String("s"), Detail: aws.String(`{}`)},
		{Source: aws.String("s"), DetailType: aws.String("t")},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`[1]`)},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{"a":`)},
		{Source: aws.String("aws.ec2"), DetailType: aws.String("t"), Detail: aws.String(`{}`)},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`), EventBusName: aws.String("nope")},
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(`{}`), EventBusName: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/custom")},
	}
	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	must(t, err)
	wantCodes := []string{"", "InvalidArgument", "InvalidArgument", "InvalidArgument", "MalformedDetail", "MalformedDetail",
		"NotAuthorizedForSourceException", "ResourceNotFoundException", ""}
	if int(out.FailedEntryCount) != 7 || len(out.Entries) != len(entries) {
		t.Fatalf("failed %d of %d", out.FailedEntryCount, len(out.Entries))
	}
	for i, en := range out.Entries {
		if aws.ToString(en.ErrorCode) != wantCodes[i] || (wantCodes[i] == "") != (en.EventId != nil) {
			t.Errorf("entry %d: %+v, want code %q", i, en, wantCodes[i])
		}
		if wantCodes[i] != "" && aws.ToString(en.ErrorMessage) == "" {
			t.Errorf("entry %d has no message", i)
		}
	}

	var eleven []types.PutEventsRequestEntry
	for range 11 {
		eleven = append(eleven, entries[0])
	}
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: eleven})
	wantCode(t, err, "ValidationException")
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{}})
	wantCode(t, err, "ValidationException")
	big := `{"x":"` + strings.Repeat("a", 256*1024) + `"}`
	_, err = c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("t"), Detail: aws.String(big)},
	}})
	wantCode(t, err, "ValidationException")
}

func TestDeliveryToKinesis(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	k := e.Kinesis()
	_, err := k.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("events"), ShardCount: aws.Int32(1)})
	must(t, err)
	putRule(t, c, "", "to-kinesis", ordersPattern)
	putTargets(t, c, "", "to-kinesis",
		types.Target{Id: aws.String("keyed"), Arn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/events"),
			KinesisParameters: &types.KinesisParameters{PartitionKeyPath: aws.String("$.detail.customer")}},
		types.Target{Id: aws.String("unkeyed"), Arn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/events"), InputPath: aws.String("$.detail")},
	)
	id := putEvent(t, c, "", "com.shop", "Order", `{"customer":"c-42"}`)

	it, err := k.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("events"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	must(t, err)
	iter := it.ShardIterator
	var recs []ktypes.Record
	deadline := time.Now().Add(15 * time.Second)
	for len(recs) < 2 && time.Now().Before(deadline) {
		out, err := k.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		must(t, err)
		recs = append(recs, out.Records...)
		iter = out.NextShardIterator
		if len(recs) < 2 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	byKey := map[string]string{}
	for _, r := range recs {
		byKey[*r.PartitionKey] = string(r.Data)
	}
	if ev := parseEnvelope(t, byKey["c-42"]); ev.ID != id || string(ev.Detail) != `{"customer":"c-42"}` {
		t.Fatalf("keyed record: %v", byKey)
	}
	if byKey[id] != `{"customer":"c-42"}` {
		t.Fatalf("record keyed by the event id: %v", byKey)
	}
}

func TestDeliveryToAPIDestination(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	_ = e
	srv := newRecorder(t, nil)
	destArn := apiDestination(t, c, "hook", srv.srv.URL+"/orders/*/items", 50)

	basic, err := c.CreateConnection(ctx, &eventbridge.CreateConnectionInput{
		Name: aws.String("basic"), AuthorizationType: types.ConnectionAuthorizationTypeBasic,
		AuthParameters: &types.CreateConnectionAuthRequestParameters{
			BasicAuthParameters: &types.CreateConnectionBasicAuthRequestParameters{Username: aws.String("user"), Password: aws.String("pa:ss")},
			InvocationHttpParameters: &types.ConnectionHttpParameters{
				HeaderParameters:      []types.ConnectionHeaderParameter{{Key: aws.String("x-conn"), Value: aws.String("c1")}},
				QueryStringParameters: []types.ConnectionQueryStringParameter{{Key: aws.String("cq"), Value: aws.String("1")}},
				BodyParameters:        []types.ConnectionBodyParameter{{Key: aws.String("extra"), Value: aws.String("yes"), IsValueSecret: true}},
			},
		},
	})
	must(t, err)
	basicDest, err := c.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{
		Name: aws.String("basic-dest"), ConnectionArn: basic.ConnectionArn, InvocationEndpoint: aws.String(srv.srv.URL + "/basic"),
		HttpMethod: types.ApiDestinationHttpMethodPut,
	})
	must(t, err)

	putRule(t, c, "", "hooks", ordersPattern)
	putTargets(t, c, "", "hooks",
		types.Target{Id: aws.String("key"), Arn: aws.String(destArn), HttpParameters: &types.HttpParameters{
			PathParameterValues:   []string{"$.detail.id"},
			HeaderParameters:      map[string]string{"x-static": "s", "x-dynamic": "$.detail.id"},
			QueryStringParameters: map[string]string{"q": "$.detail-type"},
		}},
		types.Target{Id: aws.String("basic"), Arn: basicDest.ApiDestinationArn},
	)
	id := putEvent(t, c, "", "com.shop", "Order", `{"id":"o-7"}`)
	srv.wait(t, 2)
	var keyReq, basicReq recorded
	for _, r := range srv.requests() {
		if strings.HasPrefix(r.Path, "/orders/") {
			keyReq = r
		} else {
			basicReq = r
		}
	}
	if keyReq.Method != "POST" || keyReq.Path != "/orders/o-7/items" || keyReq.Query != "q=Order" {
		t.Fatalf("api key request: %+v", keyReq)
	}
	h := keyReq.Header
	if h.Get("x-api-key") != "secret-hook" || h.Get("x-static") != "s" || h.Get("x-dynamic") != "o-7" ||
		!strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("User-Agent") != "Amazon/EventBridge/ApiDestinations" {
		t.Fatalf("api key headers: %v", h)
	}
	if ev := parseEnvelope(t, keyReq.Body); ev.ID != id {
		t.Fatalf("api key body: %s", keyReq.Body)
	}
	user, pass, ok := (&httpRequest{basicReq.Header}).basicAuth()
	if basicReq.Method != "PUT" || !ok || user != "user" || pass != "pa:ss" || basicReq.Header.Get("x-conn") != "c1" || basicReq.Query != "cq=1" {
		t.Fatalf("basic request: %+v", basicReq)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(basicReq.Body), &body); err != nil || body["extra"] != "yes" || body["id"] != id {
		t.Fatalf("basic body: %s", basicReq.Body)
	}
}

// httpRequest reads basic auth from recorded headers.
type httpRequest struct{ h map[string][]string }

func (r *httpRequest) basicAuth() (string, string, bool) {
	v := ""
	if a := r.h["Authorization"]; len(a) > 0 {
		v = a[0]
	}
	raw, ok := strings.CutPrefix(v, "Basic ")
	if !ok {
		return "", "", false
	}
	dec, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return "", "", false
	}
	u, p, ok := strings.Cut(string(dec), ":")
	return u, p, ok
}

func TestRetriesThenDLQ(t *testing.T) {
	e, c := start(t)
	srv := newRecorder(t, func(int) int { return 500 })
	destArn := apiDestination(t, c, "failing", srv.srv.URL, 300)
	dlqURL, dlqArn := createQueue(t, e, "dlq")
	ruleArn := putRule(t, c, "", "r", ordersPattern)
	putTargets(t, c, "", "r", types.Target{Id: aws.String("t"), Arn: aws.String(destArn),
		RetryPolicy:      &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(2)},
		DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlqArn)}})

	id := putEvent(t, c, "", "com.shop", "Order", `{"n":1}`)
	m := receiveN(t, e, dlqURL, 1)[0]
	if n := srv.count(); n != 3 {
		t.Fatalf("the target was called %d times, want 3 (1 + 2 retries)", n)
	}
	if ev := parseEnvelope(t, *m.Body); ev.ID != id {
		t.Fatalf("DLQ body: %s", *m.Body)
	}
	if attr(m, "RULE_ARN") != ruleArn || attr(m, "TARGET_ARN") != destArn || attr(m, "ERROR_CODE") != "SDK_CLIENT_ERROR" ||
		!strings.Contains(attr(m, "ERROR_MESSAGE"), "500") || attr(m, "EXHAUSTED_RETRY_CONDITION") != "MaximumRetryAttempts" ||
		attr(m, "RETRY_ATTEMPTS") != "2" {
		t.Fatalf("DLQ attributes: %+v", m.MessageAttributes)
	}
	queueEmpty(t, e, dlqURL, 0)
}

func TestNonRetryableFailureGoesStraightToDLQ(t *testing.T) {
	e, c := start(t)
	srv := newRecorder(t, func(int) int { return 400 })
	destArn := apiDestination(t, c, "rejecting", srv.srv.URL, 300)
	dlqURL, dlqArn := createQueue(t, e, "dlq")
	putRule(t, c, "", "r", ordersPattern)
	putTargets(t, c, "", "r",
		types.Target{Id: aws.String("api"), Arn: aws.String(destArn), DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlqArn)}},
		types.Target{Id: aws.String("gone"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:missing"),
			DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlqArn)}},
	)
	putEvent(t, c, "", "com.shop", "Order", `{}`)
	msgs := receiveN(t, e, dlqURL, 2)
	codes := map[string]sqstypes.Message{}
	for _, m := range msgs {
		codes[attr(m, "ERROR_CODE")] = m
	}
	if m, ok := codes["SDK_CLIENT_ERROR"]; !ok || attr(m, "EXHAUSTED_RETRY_CONDITION") != "" || attr(m, "RETRY_ATTEMPTS") != "0" {
		t.Fatalf("HTTP 400: %+v", codes)
	}
	if _, ok := codes["NO_RESOURCE"]; !ok {
		t.Fatalf("missing queue: %+v", codes)
	}
	if n := srv.count(); n != 1 {
		t.Fatalf("a 400 was retried: %d calls", n)
	}
}

func TestRetrySucceeds(t *testing.T) {
	e, c := start(t)
	srv := newRecorder(t, func(n int) int {
		if n < 2 {
			return 503
		}
		return 200
	})
	destArn := apiDestination(t, c, "flaky", srv.srv.URL, 300)
	dlqURL, dlqArn := createQueue(t, e, "dlq")
	putRule(t, c, "", "r", ordersPattern)
	putTargets(t, c, "", "r", types.Target{Id: aws.String("t"), Arn: aws.String(destArn),
		DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlqArn)}})
	id := putEvent(t, c, "", "com.shop", "Order", `{}`)
	srv.wait(t, 3)
	reqs := srv.requests()
	for _, r := range reqs {
		if parseEnvelope(t, r.Body).ID != id {
			t.Fatalf("retry body: %s", r.Body)
		}
	}
	queueEmpty(t, e, dlqURL, time.Second)
	if n := srv.count(); n != 3 {
		t.Fatalf("%d calls after success, want 3", n)
	}
}

func TestEventAgeExpiry(t *testing.T) {
	e, c := start(t)
	srv := newRecorder(t, func(int) int { return 500 })
	destArn := apiDestination(t, c, "down", srv.srv.URL, 300)
	dlqURL, dlqArn := createQueue(t, e, "dlq")
	putRule(t, c, "", "r", ordersPattern)
	putTargets(t, c, "", "r", types.Target{Id: aws.String("t"), Arn: aws.String(destArn),
		RetryPolicy:      &types.RetryPolicy{MaximumEventAgeInSeconds: aws.Int32(60)},
		DeadLetterConfig: &types.DeadLetterConfig{Arn: aws.String(dlqArn)}})
	putEvent(t, c, "", "com.shop", "Order", `{}`)
	srv.wait(t, 2)
	e.Clock.Advance(2 * time.Minute)
	m := receiveN(t, e, dlqURL, 1)[0]
	if attr(m, "EXHAUSTED_RETRY_CONDITION") != "MaximumEventAgeInSeconds" || attr(m, "ERROR_CODE") != "SDK_CLIENT_ERROR" {
		t.Fatalf("DLQ attributes: %+v", m.MessageAttributes)
	}
}

func TestDeliveryToEventBus(t *testing.T) {
	e, c := start(t)
	ctx := ctxT(t)
	bus, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("downstream")})
	must(t, err)
	url, arn := createQueue(t, e, "sink")
	putRule(t, c, "", "forward", ordersPattern)
	putTargets(t, c, "", "forward", types.Target{Id: aws.String("bus"), Arn: bus.EventBusArn})
	putRule(t, c, "downstream", "collect", `{"detail":{"n":[7]}}`)
	putTargets(t, c, "downstream", "collect", types.Target{Id: aws.String("q"), Arn: aws.String(arn)})

	putEvent(t, c, "", "com.shop", "Order", `{"n":7}`)
	ev := parseEnvelope(t, *receiveN(t, e, url, 1)[0].Body)
	if ev.Source != "com.shop" || ev.DetailType != "Order" || string(ev.Detail) != `{"n":7}` {
		t.Fatalf("forwarded event: %+v", ev)
	}
}
