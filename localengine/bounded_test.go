package localengine_test

import (
	"bufio"
	"bytes"
	"context"

	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sluicehq/sluice/localengine"
	"github.com/sluicehq/sluice/localengine/enginetest"
)

// memoryCeiling is the engine's documented ceiling (README, "Bounded under
// slow and large clients"): the resident set of an engine process stays
// under it whatever clients send.
const memoryCeiling = localengine.MemoryCeiling

// stallRequest opens a connection, sends head and then up to send bytes of
// a body (starting with prefix, then filler), and stops writing as soon as
// the engine stops reading (a write blocks for writeStall) or send bytes
// are out. The connection stays open, stalled, until the caller closes it.
func stallRequest(addr, head string, prefix []byte, filler byte, send int64) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	const writeStall = 2 * time.Second
	_ = conn.SetWriteDeadline(time.Now().Add(writeStall))
	if _, err := conn.Write([]byte(head)); err != nil {
		return conn, nil
	}
	chunk := bytes.Repeat([]byte{filler}, 64<<10)
	buf := prefix
	for sent := int64(0); sent < send; {
		if len(buf) == 0 {
			buf = chunk[:min(int64(len(chunk)), send-sent)]
		}
		_ = conn.SetWriteDeadline(time.Now().Add(writeStall))
		n, err := conn.Write(buf)
		sent += int64(n)
		buf = buf[n:]
		if err != nil {
			// The engine stopped reading (it waits, or answered and
			// closed): the body is stalled here.
			return conn, nil
		}
	}
	return conn, nil
}

// fakeAuth is a well-formed SigV4 header: the engine accepts any signature
// by default, and a signed request is what an SDK sends.
func fakeAuth(service string) string {
	return "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/" + service +
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64) + "\r\n" +
		"X-Amz-Date: 20260101T000000Z\r\n"
}

type stallKind struct {
	name     string
	count    int
	declared int64
	send     int64
	head     func(host string, declared int64) string
	prefix   []byte
	filler   byte
}

func kinesisStall(count int, declared, send int64) stallKind {
	return stallKind{name: "kinesis", count: count, declared: declared, send: send, filler: 'A',
		prefix: []byte(`{"StreamName":"big","Records":[{"PartitionKey":"k","Data":"`),
		head: func(host string, n int64) string {
			return "POST / HTTP/1.1\r\nHost: " + host + "\r\n" + fakeAuth("kinesis") +
				"X-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Type: application/x-amz-json-1.1\r\n" +
				"Content-Length: " + strconv.FormatInt(n, 10) + "\r\n\r\n"
		}}
}

func sqsStall(count int, declared, send int64) stallKind {
	return stallKind{name: "sqs", count: count, declared: declared, send: send, filler: 'm',
		prefix: []byte(`{"QueueUrl":"http://x/000000000000/big","MessageBody":"`),
		head: func(host string, n int64) string {
			return "POST / HTTP/1.1\r\nHost: " + host + "\r\n" + fakeAuth("sqs") +
				"X-Amz-Target: AmazonSQS.SendMessage\r\nContent-Type: application/x-amz-json-1.0\r\n" +
				"Content-Length: " + strconv.FormatInt(n, 10) + "\r\n\r\n"
		}}
}

func s3Stall(count int, declared, send int64) stallKind {
	return stallKind{name: "s3", count: count, declared: declared, send: send, filler: 'o',
		head: func(host string, n int64) string {
			return "PUT /big/object HTTP/1.1\r\nHost: " + host + "\r\n" + fakeAuth("s3") +
				"X-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\n" +
				"Content-Length: " + strconv.FormatInt(n, 10) + "\r\n\r\n"
		}}
}

// procStatus reads a field (in kB) of /proc/PID/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, v)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// runStallAttack starts an engine in a child process, opens every kind's
// stalled connections at once, checks the engine's peak resident set while
// they hang, closes them and checks that the engine still answers.
func runStallAttack(t *testing.T, kinds ...stallKind) {
	dir := t.TempDir()
	child, engineURL := enginetest.StartChild(t, dir)
	pid := child.Process.Pid
	u, _ := url.Parse(engineURL)
	host := u.Host

	ctx := context.Background()
	cfg := clientConfig(engineURL)
	cfg.RetryMaxAttempts = 5
	streams, queues := kinesis.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	buckets := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := streams.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("big"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	if _, err := buckets.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	before := procStatus(t, pid, "VmRSS")

	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	// Open connections a few hundred at a time, so that the listener's
	// backlog does not refuse any.
	sem := make(chan struct{}, 256)
	for _, k := range kinds {
		for i := 0; i < k.count; i++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c, err := stallRequest(host, k.head(host, k.declared), k.prefix, k.filler, k.send)
				if err != nil {
					t.Errorf("%s: %v", k.name, err)
					return
				}
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	// Every body is now as far as the engine let it go; give the engine a
	// moment to take in what the kernel holds for it.
	time.Sleep(500 * time.Millisecond)
	peak := procStatus(t, pid, "VmHWM")
	during := procStatus(t, pid, "VmRSS")
	t.Logf("engine RSS: %d MiB before, %d MiB with %d stalled connections, peak %d MiB (ceiling %d MiB)",
		before>>20, during>>20, len(conns), peak>>20, memoryCeiling>>20)
	// Under the race detector the attack still runs, and the engine must
	// still answer every service after it (below); the ceiling is checked
	// by the ordinary test run (go test ./...).
	overCeiling := func(peak int64) bool { return peak > memoryCeiling && !raceDetector }
	if overCeiling(peak) {
		t.Errorf("engine's peak resident set %d MiB is over the ceiling of %d MiB", peak>>20, memoryCeiling>>20)
	}

	for _, c := range conns {
		_ = c.Close()
	}
	conns = nil

	// The engine still answers every service, and within its ceiling.
	if _, err := streams.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("big"),
		PartitionKey: aws.String("k"), Data: []byte("after")}); err != nil {
		t.Errorf("PutRecord after the attack: %v", err)
	}
	q, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("big")})
	if err != nil {
		t.Fatalf("GetQueueUrl after the attack: %v", err)
	}
	if _, err := queues.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("after")}); err != nil {
		t.Errorf("SendMessage after the attack: %v", err)
	}
	body := bytes.Repeat([]byte("x"), 1<<20)
	if _, err := buckets.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("big"), Key: aws.String("after"),
		Body: bytes.NewReader(body)}); err != nil {
		t.Errorf("PutObject after the attack: %v", err)
	}
	out, err := buckets.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("big"), Key: aws.String("after")})
	if err != nil {
		t.Fatalf("GetObject after the attack: %v", err)
	}
	_ = out.Body.Close()
	after, peak := procStatus(t, pid, "VmRSS"), procStatus(t, pid, "VmHWM")
	t.Logf("engine RSS after the connections closed: %d MiB (peak over the whole run %d MiB)", after>>20, peak>>20)
	if overCeiling(peak) {
		t.Errorf("engine's peak resident set %d MiB, reached once the connections closed, is over the ceiling", peak>>20)
	}
}

// TestStalledLargeBodiesStayUnderCeiling: 40 connections each declare a
// 30 MiB body (PutRecords and PutObject), send most of it and stall. The
// engine used to read each into memory (1.7 GB); it must stay under its
// ceiling and answer normally once they are gone.
func TestStalledLargeBodiesStayUnderCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("memory attack")
	}
	runStallAttack(t,
		kinesisStall(30, 30<<20, 29<<20),
		s3Stall(10, 30<<20, 8<<20))
}

// TestManySlowBodiesStayUnderCeiling: 1,000 connections each send most of a
// 256 KiB SendMessage and stall (337 MB before).
func TestManySlowBodiesStayUnderCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("memory attack")
	}
	runStallAttack(t, sqsStall(1000, 256<<10, 250<<10))
}

// rawAnswer sends head and body on a new connection and reads the answer.
func rawAnswer(t *testing.T, host, head string, body []byte) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write(append([]byte(head), body...)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestBodyBudgetThrottles: while one request holds the whole body budget,
// others wait for BodyWait and then get their protocol's throttling error
// (503, which every SDK retries); once it is gone they are served.
func TestBodyBudgetThrottles(t *testing.T) {
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.BodyMemory = 1 << 20
		o.BodyWait = 200 * time.Millisecond
	}))
	ctx := context.Background()
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(e.URL, "http://")
	hog := kinesisStall(1, 1<<20, 1000)
	c, err := stallRequest(host, hog.head(host, 1<<20), hog.prefix, hog.filler, hog.send)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(100 * time.Millisecond) // the hog is admitted first

	for _, k := range []struct {
		kind stallKind
		code string
	}{
		{kinesisStall(1, 1000, 0), "ThrottlingException"},
		{sqsStall(1, 1000, 0), "RequestThrottled"},
		{s3Stall(1, 1000, 0), "<Code>SlowDown</Code>"},
	} {
		body := append(append([]byte{}, k.kind.prefix...), bytes.Repeat([]byte{k.kind.filler}, 1000-len(k.kind.prefix))...)
		resp, text := rawAnswer(t, host, k.kind.head(host, 1000), body)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(text+resp.Header.Get("X-Amzn-ErrorType"), k.code) {
			t.Errorf("%s while the budget is spent: %d %s %q, want 503 %s", k.kind.name, resp.StatusCode,
				resp.Header.Get("X-Amzn-ErrorType"), text, k.code)
		}
	}
	_ = c.Close()
	// The hog's share comes back once its request ends.
	if _, err := e.Kinesis().ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.S3().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("big"), Key: aws.String("k"),
		Body: bytes.NewReader(bytes.Repeat([]byte("x"), 300<<10))}); err != nil {
		t.Fatalf("PutObject after the hog left: %v", err)
	}
}

// TestBodyIdleTimeout: a body that stops sending is cut after the idle
// timeout with an error (S3's RequestTimeout), while one that trickles
// slowly, for longer than the timeout in all, is stored.
func TestBodyIdleTimeout(t *testing.T) {
	const idle = 400 * time.Millisecond
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.BodyIdleTimeout = idle
	}))
	ctx := context.Background()
	if _, err := e.S3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(e.URL, "http://")

	for _, k := range []struct {
		kind stallKind
		code string
	}{
		{kinesisStall(1, 1000, 0), "RequestTimeoutException"},
		{s3Stall(1, 1000, 0), "<Code>RequestTimeout</Code>"},
		{s3Stall(1, 1<<20, 0), "<Code>RequestTimeout</Code>"},
	} {
		resp, text := rawAnswer(t, host, k.kind.head(host, k.kind.declared), append([]byte{}, k.kind.prefix...))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(text+resp.Header.Get("X-Amzn-ErrorType"), k.code) {
			t.Errorf("%s stalled body: %d %q, want 400 %s", k.kind.name, resp.StatusCode, text, k.code)
		}
	}

	// A slow body that keeps moving: 20 pieces, one every idle/4.
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const size = 200 << 10
	if _, err := conn.Write([]byte(s3Stall(1, size, 0).head(host, size))); err != nil {
		t.Fatal(err)
	}
	piece := bytes.Repeat([]byte("s"), size/20)
	start := time.Now()
	for range 20 {
		time.Sleep(idle / 4)
		if _, err := conn.Write(piece); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("slow but moving body (%v in all): %d %s", time.Since(start), resp.StatusCode, b)
	}
	head, err := e.S3().HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("big"), Key: aws.String("object")})
	if err != nil || aws.ToInt64(head.ContentLength) != size {
		t.Fatalf("slow object: %v %v", head, err)
	}
}

// TestBodyIdleTimeoutEndsWithTheBody: once a body is read, the idle timeout
// no longer applies: a long poll that outlasts it, after a body that came
// slowly, is not cut short.
func TestBodyIdleTimeoutEndsWithTheBody(t *testing.T) {
	const idle = 400 * time.Millisecond
	e := enginetest.Start(t, enginetest.WithOptions(func(o *localengine.Options) {
		o.BodyIdleTimeout = idle
	}))
	ctx := context.Background()
	q, err := e.SQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("poll")})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(e.URL, "http://")
	body := `{"QueueUrl":"` + aws.ToString(q.QueueUrl) + `","WaitTimeSeconds":10}`
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	head := "POST / HTTP/1.1\r\nHost: " + host + "\r\n" + fakeAuth("sqs") +
		"X-Amz-Target: AmazonSQS.ReceiveMessage\r\nContent-Type: application/x-amz-json-1.0\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	// The body in two pieces, a while apart, as a slow client sends it.
	if _, err := conn.Write([]byte(head + body[:10])); err != nil {
		t.Fatal(err)
	}
	time.Sleep(idle / 4)
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(4 * idle)
		_, _ = e.SQS().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("late")})
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(got), `"late"`) {
		t.Fatalf("a long poll longer than the body idle timeout: %d %s", resp.StatusCode, got)
	}
}
