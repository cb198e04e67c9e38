package localengine_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine/enginetest"
)

var strictCreds = aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}

// signedRequest signs a request as the SDK's signer does, with
// X-Amz-Content-Sha256 set to the body's hash and signed (as the
// JavaScript SDK v3 sends it for every service).
func signedRequest(t *testing.T, method, target, service string, header http.Header, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err := signer.SignHTTP(context.Background(), strictCreds, req, hash, service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

// replay sends a copy of a signed request, every header as captured, with
// another body.
func replay(t *testing.T, signed *http.Request, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(signed.Method, signed.URL.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = signed.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// REST-JSON (Pipes) names the error in a header.
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype") + " " + string(b)
}

func TestStrictAuthBindsTheSignatureToTheBodyReceived(t *testing.T) {
	e := strictEngine(t)
	ctx := context.Background()
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("victim")})
	if err != nil {
		t.Fatal(err)
	}
	queueURL := aws.ToString(q.QueueUrl)
	for _, name := range []string{"a", "b"} {
		if _, err := e.Kinesis().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
			t.Fatal(err)
		}
	}
	query := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	sqsJSON := http.Header{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amz-Target": {"AmazonSQS.SendMessage"}}
	kin := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"Kinesis_20131202.PutRecord"}}
	cbor := http.Header{"Content-Type": {"application/cbor"}, "Smithy-Protocol": {"rpc-v2-cbor"}}
	for _, tc := range []struct {
		name, method, path, service string
		header                      http.Header
		body, forged                string
		status                      int
		code                        string
	}{
		{"sqs query", http.MethodPost, "/", "sqs", query,
			"Action=SendMessage&Version=2012-11-05&MessageBody=hello&QueueUrl=" + url.QueryEscape(queueURL),
			"Action=DeleteQueue&Version=2012-11-05&QueueUrl=" + url.QueryEscape(queueURL) + "&Pad=xxxxxxxxxxxxx", 403, "SignatureDoesNotMatch"},
		{"sqs json", http.MethodPost, "/", "sqs", sqsJSON,
			`{"QueueUrl":"` + queueURL + `","MessageBody":"hello"}`,
			`{"QueueUrl":"` + queueURL + `","MessageBody":"xyzzy"}`, 403, "SignatureDoesNotMatch"},
		{"kinesis", http.MethodPost, "/", "kinesis", kin,
			`{"StreamName":"a","PartitionKey":"k","Data":"aGVsbG8="}`,
			`{"StreamName":"b","PartitionKey":"k","Data":"aGVsbG8="}`, 400, "InvalidSignatureException"},
		{"pipes", http.MethodPost, "/v1/pipes/p1", "pipes", http.Header{"Content-Type": {"application/json"}},
			`{"Source":"x","Target":"y","RoleArn":"arn:aws:iam::000000000000:role/r"}`,
			`{"Source":"z","Target":"y","RoleArn":"arn:aws:iam::000000000000:role/r"}`, 400, "InvalidSignatureException"},
		{"cloudwatch cbor", http.MethodPost, "/service/GraniteServiceVersion20100801/operation/ListMetrics", "monitoring", cbor,
			"\xa1\x69Namespace\x63App", "\xa1\x69Namespace\x63Xyz", 400, "InvalidSignatureException"},
	} {
		signed := signedRequest(t, tc.method, e.URL+tc.path, tc.service, tc.header, []byte(tc.body))
		status, body := replay(t, signed, []byte(tc.forged))
		if status != tc.status || !strings.Contains(body, tc.code) {
			t.Errorf("%s: a signed request replayed with another body: %d %s, want %d %s", tc.name, status, body, tc.status, tc.code)
		}
	}
	if _, err := e.SQS().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("victim")}); err != nil {
		t.Errorf("the queue is gone: %v", err)
	}
	msgs, err := e.SQS().ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(msgs.Messages) != 0 {
		t.Errorf("a forged message reached the queue: %v %v", msgs, err)
	}
	sh, err := e.Kinesis().GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("b"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: "TRIM_HORIZON"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := e.Kinesis().GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: sh.ShardIterator})
	if err != nil || len(recs.Records) != 0 {
		t.Errorf("a forged record reached stream b: %v %v", recs, err)
	}

	// The genuine request still goes through.
	signed := signedRequest(t, http.MethodPost, e.URL+"/", "kinesis", kin, []byte(`{"StreamName":"a","PartitionKey":"k","Data":"aGVsbG8="}`))
	if status, body := replay(t, signed, []byte(`{"StreamName":"a","PartitionKey":"k","Data":"aGVsbG8="}`)); status != 200 {
		t.Errorf("the genuine request: %d %s", status, body)
	}
}

func TestStrictAuthS3RefusesABodyThatIsNotTheSignedOne(t *testing.T) {
	e := strictEngine(t)
	ctx := context.Background()
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-b")}); err != nil {
		t.Fatal(err)
	}
	signed := signedRequest(t, http.MethodPut, e.URL+"/bucket-b/k", "s3", nil, []byte("genuine"))
	status, body := replay(t, signed, []byte("forged!"))
	if status != 400 || !strings.Contains(body, "XAmzContentSHA256Mismatch") {
		t.Errorf("forged S3 body: %d %s", status, body)
	}
	if _, err := e.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bucket-b"), Key: aws.String("k")}); err == nil {
		t.Error("the forged object was stored")
	}
	// S3 requires x-amz-content-sha256 on header-signed requests.
	req, _ := http.NewRequest(http.MethodPut, e.URL+"/bucket-b/k", strings.NewReader("x"))
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(ctx, strictCreds, req,
		"UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if status, body := replay(t, req, []byte("x")); status != 400 || !strings.Contains(body, "x-amz-content-sha256") {
		t.Errorf("no x-amz-content-sha256: %d %s", status, body)
	}
}

func TestPresignedURLsExpireWithinAWeek(t *testing.T) {
	for _, strict := range []bool{false, true} {
		e := enginetest.Start(t)
		if strict {
			e = strictEngine(t)
		}
		ctx := context.Background()
		if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket-b")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket-b"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			expires string
			status  int
		}{{"604800", 200}, {"604801", 400}, {"99999999999", 400}} {
			req, _ := http.NewRequest(http.MethodGet, e.URL+"/bucket-b/k?X-Amz-Expires="+tc.expires, nil)
			u, _, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).PresignHTTP(ctx, strictCreds, req,
				"UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("strict %v, X-Amz-Expires %s: %d %s", strict, tc.expires, resp.StatusCode, b)
			}
			if tc.status == 400 && (!strings.Contains(string(b), "<Code>AuthorizationQueryParametersError</Code>") ||
				!strings.Contains(string(b), "X-Amz-Expires must be less than a week (in seconds) that is; 604800")) {
				t.Errorf("strict %v, X-Amz-Expires %s: %s", strict, tc.expires, b)
			}
		}
	}
}
