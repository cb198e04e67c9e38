// Package sts is the engine's STS service. It answers GetCallerIdentity and
// nothing else: clients and tools call it to check that credentials work
// and to learn the account before anything else, and the engine has one
// account and no identities to issue, so the other actions (AssumeRole,
// GetSessionToken, …) would have nothing true to say.
//
// STS speaks the query protocol: a form post of Action=<Op>&Version=2011-06-15
// answered in XML. The engine's router reads the form and writes the answer
// and the errors with the helpers it shares with SQS's query protocol.
package sts

import (
	"context"
	"encoding/xml"
	"net/http"

	"github.com/sluicehq/sluice/localengine/awserr"
	"github.com/sluicehq/sluice/localengine/wire"
)

// Version is the API version STS query requests name; the router uses it to
// recognise unsigned STS requests.
const Version = "2011-06-15"

// namespace is the XML namespace of STS's answers.
const namespace = "https://sts.amazonaws.com/doc/" + Version + "/"

// callerIdentity is GetCallerIdentity's result, fields in AWS's order.
type callerIdentity struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string
	UserId  string
	Account string
}

// HandleQuery answers one query-protocol action with the XML document to
// send, or an *awserr.Error.
func HandleQuery(ctx context.Context, action string) (any, error) {
	switch action {
	case "GetCallerIdentity":
		return wire.NewQueryResponse(namespace, action, wire.Info(ctx).RequestID, rootIdentity()), nil
	case "":
		return nil, awserr.New(http.StatusBadRequest, "InvalidAction",
			"the request names no Action; the sluice engine answers only STS GetCallerIdentity")
	default:
		return nil, awserr.New(http.StatusBadRequest, "InvalidAction",
			"the sluice engine answers only STS GetCallerIdentity, not %q", action)
	}
}

// rootIdentity describes every caller as the account's root user, the
// one identity the engine has. UserId is the account id, as AWS reports it
// for the root user; echoing the caller's access key id instead would put a
// credential into output that tools show on screen.
func rootIdentity() callerIdentity {
	return callerIdentity{
		Arn:     "arn:aws:iam::" + wire.Account + ":root",
		UserId:  wire.Account,
		Account: wire.Account,
	}
}
