package localengine_test

import (
	"bufio"
	"bytes"
	"context"

	"fmt"
	"net"
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
	if peak > memoryCeiling {
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
	after := procStatus(t, pid, "VmRSS")
	t.Logf("engine RSS after the connections closed: %d MiB", after>>20)
	if after > memoryCeiling {
		t.Errorf("engine's resident set %d MiB after the attack is over the ceiling", after>>20)
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
