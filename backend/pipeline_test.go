package backend

import "testing"

func TestParseTarget(t *testing.T) {
	ok := map[string]TargetKind{
		"arn:aws:kinesis:us-east-1:000000000000:stream/orders": TargetKinesis,
		"arn:aws:sqs:us-east-1:000000000000:orders-replay":     TargetSQS,
		"arn:aws:events:us-east-1:000000000000:event-bus/b":    TargetEventBus,
		"https://api.example.com/orders":                       TargetHTTP,
		"http://127.0.0.1:8080/x":                              TargetHTTP,
	}
	for in, want := range ok {
		got, err := ParseTarget(in)
		if err != nil || got.Kind != want {
			t.Errorf("%s = %+v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "orders", "arn:aws:s3:::bucket", "http://", "arn:aws:kinesis:us-east-1:0:consumer/x"} {
		if _, err := ParseTarget(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestARNName(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:kinesis:us-east-1:1:stream/orders":                                                  "orders",
		"arn:aws:sqs:us-east-1:1:orders-dlq":                                                         "orders-dlq",
		"arn:aws:pipes:us-east-1:1:pipe/orders-to-api":                                               "orders-to-api",
		"arn:aws:lambda:us-east-1:1:function:handler":                                                "handler",
		"arn:aws:lambda:us-east-1:1:function:handler:live":                                           "handler",
		"arn:aws:events:us-east-1:1:event-bus/orders-bus":                                            "orders-bus",
		"arn:aws:events:us-east-1:1:api-destination/orders-api/de310c4c-c97c-6832-6a5f-559f64e45ff7": "orders-api",
		"arn:aws:events:us-east-1:1:connection/orders-auth/0e7a":                                     "orders-auth",
	} {
		a, err := ParseARN(in)
		if err != nil || a.Name() != want {
			t.Errorf("%s: %q %v", in, a.Name(), err)
		}
	}
}
