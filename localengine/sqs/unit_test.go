package sqs

import (
	"net/url"
	"reflect"
	"strconv"
	"testing"
)

func TestMD5OfAttrsMatchesAWSVectors(t *testing.T) {
	// Digests pinned by moto's and LocalStack's suites as what SQS returns.
	num := func(name, v string) []msgAttr {
		return []msgAttr{{Name: name, DataType: "Number", Kind: attrKindString, Str: v}}
	}
	for _, c := range []struct {
		attrs []msgAttr
		want  string
	}{
		{num("timestamp", "1493147359900"), "235c5c510d26fb653d073faed50ae77c"},
		{num("timestamp", "1493147359901"), "994258b45346a2cc3f9cbb611aa7af30"},
		{num("SOME_Valid.attribute-Name", "1493147359900"), "36655e7e9d7c0e8479fa3f3f42247ae7"},
		{[]msgAttr{ // sorted by name, binary transport type 2
			{Name: "aaa", DataType: "Binary", Kind: attrKindBinary, Bin: []byte{2, 3, 4}},
			{Name: "ccc", DataType: "String", Kind: attrKindString, Str: "testjunk"},
			{Name: "zzz", DataType: "Number", Kind: attrKindString, Str: "0230.01"},
			{Name: "öther_encodings", DataType: "String", Kind: attrKindString, Str: "T\u00fcst"},
		}, "8ae21a7957029ef04146b42aeaa18a22"},
	} {
		if got := md5OfAttrs(c.attrs); got != c.want {
			t.Errorf("%v: got %s, want %s", c.attrs, got, c.want)
		}
	}
	if md5OfAttrs(nil) != "" {
		t.Error("no attributes, no digest")
	}
	// validateMessageAttrs sorts them in the digest's order.
	sorted, err := validateMessageAttrs(map[string]attrValue{
		"zzz": {DataType: "Number", StringValue: textOf(ptr("0230.01"))},
		"aaa": {DataType: "Binary", BinaryValue: []byte{2, 3, 4}},
	})
	if err != nil || sorted[0].Name != "aaa" {
		t.Fatalf("sorted %v, %v", sorted, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestInvalidXMLChar(t *testing.T) {
	for s, want := range map[string]rune{
		"plain":            -1,
		"\t\n\r":           -1,
		"\u00e9\U0001F600": -1,
		"\ud7ff\ue000":     -1,
		"\ufffd":           -1,
		"a\x00":            0,
		"\x1f":             0x1f,
		"\uffff":           0xffff,
		"\ufffe":           0xfffe,
		"\xff":             0xfffd, // invalid UTF-8
	} {
		if got := invalidXMLChar(s); got != want {
			t.Errorf("%q: got %x, want %x", s, got, want)
		}
	}
}

func TestValidNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-1": true, "+1.5": true, ".5": true, "5.": true, "1e10": true, "1E-5": true,
		"0230.01": true, "1e126": true, "1e127": false, "1e-128": true, "1e-129": false,
		"12345678901234567890123456789012345678": true, "123456789012345678901234567890123456789": false,
		"100000000000000000000000000000000000000000": true, // trailing zeros are not significant
		"": false, "-": false, ".": false, "1e": false, "abc": false, "1.2.3": false, "1e+": false, "0x10": false,
		"0.000": true,
	} {
		if got := validNumber(s); got != want {
			t.Errorf("%q: got %v, want %v", s, got, want)
		}
	}
}

func TestQueueNamesAndArns(t *testing.T) {
	if !validQueueName("a-B_9", false) || validQueueName("a.b", false) || validQueueName("", false) {
		t.Error("standard names")
	}
	if !validQueueName("x.fifo", true) || validQueueName(".fifo", true) || validQueueName("x", true) {
		t.Error("fifo names")
	}
	for raw, want := range map[string]string{
		"http://localhost:4577/000000000000/q":                    "q",
		"https://sqs.eu-west-1.amazonaws.com/000000000000/q.fifo": "q.fifo",
		"/000000000000/q":           "q",
		"http://h/111111111111/q":   "q",
		"http://h/000000000000/a.b": "a.b",
		"http://h/000000000000":     "",
		"http://h/000000000000/a/b": "",
	} {
		got, ok := queueNameFromURL(raw)
		if got != want || ok != (want != "") {
			t.Errorf("%s: got %q %v", raw, got, ok)
		}
	}
	region, name, ok := parseQueueArn("arn:aws:sqs:eu-west-1:000000000000:q")
	if !ok || region != "eu-west-1" || name != "q" {
		t.Error("arn")
	}
	if _, _, ok := parseQueueArn("arn:aws:sns:eu-west-1:000000000000:q"); ok {
		t.Error("sns arn accepted")
	}
}

func TestCodecRoundTrip(t *testing.T) {
	m := &message{ID: "id", Body: "body\x00ish", GroupID: "g", DedupID: "d", SenderID: "s", SourceArn: "arn",
		Attrs: []msgAttr{{Name: "a", DataType: "String", Kind: attrKindString, Str: "v"},
			{Name: "b", DataType: "Binary", Kind: attrKindBinary, Bin: []byte{1, 2}}},
		SysAttrs: []msgAttr{{Name: "AWSTraceHeader", DataType: "String", Kind: attrKindString, Str: "Root=1"}}}
	got, err := decodeMessage(encodeMessage(m))
	if err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("message: %+v, %v", got, err)
	}
	st := msgState{VisibleAt: 1, ReceiveCount: 2, FirstReceive: 3, SentAt: -4, EnqueuedAt: 5, GroupID: "g", SourceArn: "a"}
	gs, err := decodeState(encodeState(&st))
	if err != nil || gs != st {
		t.Fatalf("state: %+v, %v", gs, err)
	}
	d := dedupRecord{Expires: 9, MessageID: "m", Seq: 7}
	gd, err := decodeDedup(encodeDedup(&d))
	if err != nil || gd != d {
		t.Fatalf("dedup: %+v, %v", gd, err)
	}
	enc := encodeMessage(m)
	for i := 0; i < len(enc); i++ {
		if _, err := decodeMessage(enc[:i]); err == nil {
			t.Fatalf("truncated at %d decoded", i)
		}
	}
}

func TestReceiptHandles(t *testing.T) {
	r := receipt{qid: 3, seq: 1 << 40, rc: 7}
	got, ok := parseReceipt(r.String())
	if !ok || got != r {
		t.Fatalf("round trip: %+v %v", got, ok)
	}
	h := []byte(r.String())
	h[5] ^= 1
	if _, ok := parseReceipt(string(h)); ok {
		t.Fatal("tampered handle accepted")
	}
	for _, bad := range []string{"", "garbage", "AAAA"} {
		if _, ok := parseReceipt(bad); ok {
			t.Fatalf("%q accepted", bad)
		}
	}
}

func TestStdIndexOrdersByAvailability(t *testing.T) {
	x := newStdIndex()
	now := int64(1000)
	var es []*entry
	for i := 1; i <= 5; i++ {
		e := &entry{seq: uint64(i), visibleAt: now, sentAt: now, enqAt: now, hidx: -1, aidx: -1}
		if i == 2 {
			e.visibleAt = now + 50 // delayed
		}
		es = append(es, e)
		x.add(e, now)
	}
	var got []uint64
	x.pick(now, 2, func(e *entry) verdict {
		got = append(got, e.seq)
		e.visibleAt = now + 100
		e.rc++
		return deliver
	})
	if !reflect.DeepEqual(got, []uint64{1, 3}) {
		t.Fatalf("first pick %v", got)
	}
	if x.nextWake(now) != now+50 {
		t.Fatalf("next wake %d", x.nextWake(now))
	}
	got = nil
	x.pick(now+60, 10, func(e *entry) verdict {
		got = append(got, e.seq)
		if e.seq == 4 {
			return drop
		}
		e.visibleAt = now + 1000
		return deliver
	})
	if !reflect.DeepEqual(got, []uint64{2, 4, 5}) || x.size() != 4 {
		t.Fatalf("second pick %v, size %d", got, x.size())
	}
	// Making one visible again puts it back first in line.
	es[2].visibleAt = now + 60
	x.update(es[2], now+60)
	if taken := x.take(now+60, 10, 10); len(taken) != 1 || taken[0].seq != 3 {
		t.Fatalf("take %v", taken)
	}
	if o := x.oldest(); o == nil || o.seq != 1 {
		t.Fatal("oldest")
	}
	if v, f, d := x.counts(now + 60); v != 0 || f != 1 || d != 2 {
		t.Fatalf("counts %d %d %d", v, f, d)
	}
	if v, f, d := countAll(x, now+60); v != 0 || f != 1 || d != 2 {
		t.Fatalf("countAll %d %d %d", v, f, d)
	}
}

func TestFifoIndexLocksGroups(t *testing.T) {
	x := newFifoIndex()
	now := int64(1000)
	add := func(seq uint64, g string) *entry {
		e := &entry{seq: seq, visibleAt: now, sentAt: now, enqAt: now, hidx: -1, aidx: -1, group: &group{id: g, hidx: -1}}
		x.add(e, now)
		return e
	}
	a1, a2 := add(1, "A"), add(2, "A")
	add(3, "B")
	a3 := add(4, "A")
	recv := func(at int64, max int) []uint64 {
		var got []uint64
		x.pick(at, max, func(e *entry) verdict {
			got = append(got, e.seq)
			e.rc++
			e.visibleAt = at + 100
			return deliver
		})
		return got
	}
	if got := recv(now, 2); !reflect.DeepEqual(got, []uint64{1, 2}) {
		t.Fatalf("first %v", got)
	}
	if got := recv(now, 10); !reflect.DeepEqual(got, []uint64{3}) {
		t.Fatalf("A locked: %v", got)
	}
	x.remove(a1, now)
	if got := recv(now, 10); len(got) != 0 {
		t.Fatalf("a2 still in flight: %v", got)
	}
	x.remove(a2, now)
	if got := recv(now, 10); !reflect.DeepEqual(got, []uint64{4}) {
		t.Fatalf("unlocked: %v", got)
	}
	// After the visibility timeout the group unlocks by itself.
	if got := recv(now+101, 10); !reflect.DeepEqual(got, []uint64{3, 4}) && !reflect.DeepEqual(got, []uint64{4, 3}) {
		t.Fatalf("expired: %v", got)
	}
	_ = a3
	if x.nextWake(now+101) != now+201 {
		t.Fatalf("wake %d", x.nextWake(now+101))
	}
	// A zero visibility never returns the same group twice in one pick.
	y := newFifoIndex()
	for i := uint64(1); i <= 3; i++ {
		y.add(&entry{seq: i, visibleAt: now, hidx: -1, aidx: -1, group: &group{id: "g", hidx: -1}}, now)
	}
	var got []uint64
	y.pick(now, 10, func(e *entry) verdict {
		got = append(got, e.seq)
		e.rc++
		return deliver
	})
	if !reflect.DeepEqual(got, []uint64{1, 2, 3}) {
		t.Fatalf("zero visibility: %v", got)
	}
}

func TestFifoIndexManyMessagesOneGroup(t *testing.T) {
	x := newFifoIndex()
	now := int64(0)
	var es []*entry
	for i := 1; i <= 1000; i++ {
		e := &entry{seq: uint64(i), hidx: -1, aidx: -1, group: &group{id: "g", hidx: -1}}
		es = append(es, e)
		x.add(e, now)
	}
	// Remove from the middle, the head and the tail; order holds.
	for _, i := range []int{500, 0, 999, 1, 250} {
		x.remove(es[i], now)
	}
	taken := x.take(now, 2000, 2000)
	if len(taken) != 995 {
		t.Fatalf("took %d", len(taken))
	}
	for i := 1; i < len(taken); i++ {
		if taken[i].seq <= taken[i-1].seq {
			t.Fatalf("out of order at %d", i)
		}
	}
	if x.size() != 0 || len(x.groups) != 0 {
		t.Fatal("index not empty")
	}
}

func TestQueryParamsIndexed(t *testing.T) {
	v, _ := url.ParseQuery("Attribute.2.Name=B&Attribute.2.Value=2&Attribute.1.Name=A&Attribute.1.Value=1&" +
		"Attribute.x.Name=bad&Attribute.99999999999.Name=big&AttributeName.1=All&" +
		"MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=AAE%3D")
	p := queryParams{v: v}
	if got := p.pairs("Attribute", "Name", "Value"); !reflect.DeepEqual(got, map[string]string{"A": "1", "B": "2"}) {
		t.Fatalf("pairs %v", got)
	}
	if got := p.list("AttributeName"); !reflect.DeepEqual(got, []string{"All"}) {
		t.Fatalf("list %v", got)
	}
	attrs, err := p.messageAttrs("MessageAttribute")
	if err != nil || !reflect.DeepEqual(attrs["n"].BinaryValue, []byte{0, 1}) {
		t.Fatalf("attrs %v %v", attrs, err)
	}
	if n, err := (queryParams{v: url.Values{"N": {"12"}}}).int("N"); err != nil || *n != 12 {
		t.Fatal("int")
	}
	if _, err := (queryParams{v: url.Values{"N": {"x"}}}).int("N"); err == nil {
		t.Fatal("bad int accepted")
	}
}

func TestRedrivePolicyParsing(t *testing.T) {
	arn := "arn:aws:sqs:us-east-1:000000000000:dlq"
	for in, want := range map[string]int64{
		`{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":5}`:       5,
		`{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"10"}`:    10,
		`{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":1000}`:    1000,
		`{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":1001}`:    -1,
		`{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":"x"}`:     -1,
		`{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":1.5}`:     -1,
		`{"deadLetterTargetArn":"nope","maxReceiveCount":1}`:              -1,
		`{"deadLetterTargetArn":"` + arn + `","maxReceiveCount":1,"x":1}`: -1,
		`[]`: -1,
	} {
		p, err := parseRedrivePolicy(in)
		switch {
		case want < 0 && err == nil:
			t.Errorf("%s accepted", in)
		case want >= 0 && (err != nil || p.MaxReceiveCount != want):
			t.Errorf("%s: %v %v", in, p, err)
		}
	}
	if _, err := parseRedriveAllow(`{"redrivePermission":"allowAll","sourceQueueArns":["` + arn + `"]}`); err == nil {
		t.Error("sourceQueueArns with allowAll accepted")
	}
	p, err := parseRedriveAllow(`{"redrivePermission":"byQueue","sourceQueueArns":["` + arn + `"]}`)
	if err != nil || !p.permits(arn) || p.permits(arn+"x") {
		t.Errorf("byQueue: %v %v", p, err)
	}
	var none *redriveAllow
	if !none.permits(arn) {
		t.Error("no policy allows all")
	}
}

func TestListPaging(t *testing.T) {
	var names []string
	for i := 0; i < 5; i++ {
		names = append(names, "q"+strconv.Itoa(i))
	}
	got, tok := page(append([]string(nil), names...), 2, "")
	if !reflect.DeepEqual(got, []string{"q0", "q1"}) || tok == "" {
		t.Fatal("first page")
	}
	after, err := decodeToken(&tok)
	if err != nil || after != "q1" {
		t.Fatal("token")
	}
	got, tok = page(append([]string(nil), names...), 2, "q3")
	if !reflect.DeepEqual(got, []string{"q4"}) || tok != "" {
		t.Fatalf("last page %v %q", got, tok)
	}
}
