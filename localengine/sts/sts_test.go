package sts

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"testing"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

func TestGetCallerIdentityDocument(t *testing.T) {
	ctx := wire.WithInfo(context.Background(), wire.RequestInfo{RequestID: "req-1", AccessKey: "AKIDSECRETISH"})
	out, err := HandleQuery(ctx, "GetCallerIdentity")
	if err != nil {
		t.Fatal(err)
	}
	b, err := xml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	const want = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` +
		`<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId>` +
		`<Account>000000000000</Account></GetCallerIdentityResult>` +
		`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestOtherActionsAreInvalid(t *testing.T) {
	for _, action := range []string{"", "AssumeRole", "GetSessionToken", "getcalleridentity", "\x1b[2J"} {
		out, err := HandleQuery(context.Background(), action)
		var ae *awserr.Error
		if out != nil || !errors.As(err, &ae) {
			t.Fatalf("%q: got %v, %v", action, out, err)
		}
		if ae.Code != "InvalidAction" || ae.Status != http.StatusBadRequest || ae.Fault() != "Sender" {
			t.Errorf("%q: %+v", action, ae)
		}
	}
}
