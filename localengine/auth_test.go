package localengine_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
	"github.com/sluicehq/sluice/localengine/sigv4"
)

func strictEngine(t *testing.T) *enginetest.Engine {
	return enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.StrictAuth = &sigv4.Credentials{AccessKey: "AKIDTEST", Secret: "secret"}
	}))
}

func withCreds(e *enginetest.Engine, key, secret string) aws.Config {
	cfg := e.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(key, secret, "")
	return cfg
}

func errorCode(t *testing.T, err error) string {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return api.ErrorCode()
}

func TestStrictAuthAcceptsTheRightKey(t *testing.T) {
	e := strictEngine(t)
	ctx := context.Background()
	if _, err := e.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("kinesis: %v", err)
	}
	if _, err := e.SQS().ListQueues(ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("sqs: %v", err)
	}
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("strict-ok")}); err != nil {
		t.Fatalf("s3: %v", err)
	}
	if _, err := e.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("strict-ok"), Key: aws.String("a b+c/ü.json"),
		Body: strings.NewReader(`{"ok":true}`)}); err != nil {
		t.Fatalf("s3 put (chunked, signed): %v", err)
	}
}

func TestStrictAuthRejectsWithEachSDKsError(t *testing.T) {
	e := strictEngine(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, key, secret string
		kinesis, sqs, s3  string
	}{
		{"wrong secret", "AKIDTEST", "nope", "InvalidSignatureException", "SignatureDoesNotMatch", "SignatureDoesNotMatch"},
		{"unknown key", "AKIDOTHER", "secret", "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId"},
	} {
		cfg := withCreds(e, tc.key, tc.secret)
		_, err := kinesis.NewFromConfig(cfg).ListStreams(ctx, &kinesis.ListStreamsInput{})
		if got := errorCode(t, err); got != tc.kinesis {
			t.Errorf("%s: kinesis answered %s, want %s", tc.name, got, tc.kinesis)
		}
		_, err = sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
		if got := errorCode(t, err); got != tc.sqs {
			t.Errorf("%s: sqs answered %s, want %s", tc.name, got, tc.sqs)
		}
		_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
		if got := errorCode(t, err); got != tc.s3 {
			t.Errorf("%s: s3 answered %s, want %s", tc.name, got, tc.s3)
		}
	}
}

func TestStrictAuthRejectsUnsignedRequests(t *testing.T) {
	e := strictEngine(t)
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "MissingAuthenticationTokenException") {
		t.Fatalf("unsigned request: %d %s", resp.StatusCode, body)
	}
}

func TestLenientAuthTakesTheRegionFromTheSignature(t *testing.T) {
	e := enginetest.Start(t)
	ctx := context.Background()
	eu := e.Config()
	eu.Region = "eu-west-1"
	euStreams := kinesis.NewFromConfig(eu)
	if _, err := euStreams.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("regional"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	sum, err := euStreams.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("regional")})
	if err != nil {
		t.Fatal(err)
	}
	if arn := aws.ToString(sum.StreamDescriptionSummary.StreamARN); !strings.HasPrefix(arn, "arn:aws:kinesis:eu-west-1:000000000000:") {
		t.Fatalf("stream ARN %s is not in eu-west-1", arn)
	}
	us, err := e.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(us.StreamNames) != 0 {
		t.Fatalf("us-east-1 sees eu-west-1's streams: %v", us.StreamNames)
	}
}
